package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// BenchmarkAccount measures GET /api/v2/user and GET /api/users/ against the plex.tv handler,
// in process, in each format: the cost of building an answer by hand (xnode) and encoding it.
func BenchmarkAccount(b *testing.B) {
	e := emulator.New(emulator.Options{})
	h := e.Handler()
	tok := e.LegacyToken("alice")
	for _, c := range []struct{ name, path, accept string }{
		{"user XML", "/api/v2/user", ""},
		{"user JSON", "/api/v2/user", "application/json"},
		{"users XML", "/api/users/", ""},
		{"devices XML", "/devices.xml", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest("GET", c.path, nil)
				r.Header.Set("X-Plex-Client-Identifier", "bench")
				r.Header.Set("X-Plex-Token", tok)
				if c.accept != "" {
					r.Header.Set("Accept", c.accept)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
			}
		})
	}
}
