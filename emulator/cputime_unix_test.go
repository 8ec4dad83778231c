//go:build unix

package emulator_test

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user and system) this process has used: benchmarks report it per
// operation, which a machine shared with other work disturbs far less than wall-clock time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
