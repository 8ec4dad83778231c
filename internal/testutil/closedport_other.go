//go:build !unix

package testutil

import (
	"net"
	"testing"
)

// ClosedURL returns an http URL on a loopback port that nothing listens on. Where a socket
// cannot be bound without listening, the port is found free and released, so a parallel
// listener may in rare cases take it.
func ClosedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}
