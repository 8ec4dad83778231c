package plexkit

import (
	"net/http"
	"strings"
	"testing"
)

func TestParseBaseURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string // want "" means an error
		notIn    string // must not appear in the error
	}{
		{in: "https://clients.plex.tv", want: "https://clients.plex.tv"},
		{in: " http://127.0.0.1:32400/ ", want: "http://127.0.0.1:32400"},
		{in: "https://proxy.example/plex/", want: "https://proxy.example/plex"},
		{in: "clients.plex.tv"},
		{in: "ftp://host"},
		{in: "https://"},
		{in: "http://pms:32400/?X-Plex-Token=abcdEFGH1234ijklMNOP", notIn: "abcdEFGH1234ijklMNOP"},
		{in: "http://user:secretpass@pms:32400", notIn: "secretpass"},
		{in: "http://pms:32400/#frag"},
		{in: "http://[::1", notIn: ""},
	} {
		u, err := ParseBaseURL(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseBaseURL(%q) = %v, want an error", tt.in, u)
			} else if tt.notIn != "" && strings.Contains(err.Error(), tt.notIn) {
				t.Errorf("ParseBaseURL(%q) error %q repeats a secret", tt.in, err)
			}
			continue
		}
		if err != nil || u.String() != tt.want {
			t.Errorf("ParseBaseURL(%q) = %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

func TestDefaultTransportIsSharedAndBounded(t *testing.T) {
	t.Parallel()
	a, b := DefaultTransport(), DefaultTransport()
	if a != b {
		t.Fatal("DefaultTransport returned two transports; clients would not share connections")
	}
	tr, ok := a.(*http.Transport)
	if !ok || tr.ResponseHeaderTimeout <= 0 {
		t.Fatalf("DefaultTransport = %T without a response-header timeout", a)
	}
	if tr == http.DefaultTransport {
		t.Fatal("DefaultTransport must be a clone, not http.DefaultTransport itself")
	}
}
