package testutil

import (
	"errors"
	"net/http"
	"syscall"
	"testing"
)

func TestClosedURLRefuses(t *testing.T) {
	u := ClosedURL(t)
	for range 3 {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s answered %s; want connection refused", u, resp.Status)
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("GET %s: %v; want connection refused", u, err)
		}
	}
}
