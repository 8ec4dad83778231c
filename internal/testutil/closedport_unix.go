//go:build unix

package testutil

import (
	"fmt"
	"syscall"
	"testing"
)

// ClosedURL returns an http URL on a loopback port that refuses connections for the rest of the
// test. The port is bound by a socket that never listens, so connecting gets "connection
// refused", and no other listener — a parallel test's emulator, say — can take the port meanwhile,
// as it could if the port were merely found free and released.
func ClosedURL(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("reserve a closed port: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("reserve a closed port: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("reserve a closed port: %v", err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
}
