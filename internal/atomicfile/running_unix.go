//go:build unix

package atomicfile

import (
	"errors"
	"syscall"
)

// running reports whether a process with this pid exists; known is false when that cannot be
// told.
func running(pid int) (alive, known bool) {
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true // EPERM: it exists, as another user
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
