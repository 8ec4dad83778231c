//go:build !unix

package atomicfile

// running cannot tell here; temporary files are then judged by their age.
func running(int) (alive, known bool) { return false, false }
