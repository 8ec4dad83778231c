//go:build race

package pms_test

// raceEnabled reports whether the race detector is on; it slows decoding about tenfold.
const raceEnabled = true
