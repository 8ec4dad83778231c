package pmsemu

import (
	"net/http"
	"strconv"
	"testing"
)

// benchPage serves one page of the million-item section straight to the server's ServeHTTP, so
// that the numbers are the emulator's cost without the loopback network.
func benchPage(b *testing.B, start, size int, asJSON bool) {
	f := newFixture(b, nil)
	path := "/library/sections/5/all?X-Plex-Container-Start=" + strconv.Itoa(start) + "&X-Plex-Container-Size=" + strconv.Itoa(size)
	r, err := http.NewRequest("GET", path, nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("X-Plex-Token", ownerToken)
	if asJSON {
		r.Header.Set("Accept", "application/json")
	}
	b.ReportAllocs()
	var bytes int
	for b.Loop() {
		w := &discard{}
		f.srv.ServeHTTP(w, r)
		if w.status != 200 {
			b.Fatalf("status %d", w.status)
		}
		bytes = w.n
	}
	b.SetBytes(int64(bytes))
}

func BenchmarkPage100JSON(b *testing.B)         { benchPage(b, 0, 100, true) }
func BenchmarkPage100XML(b *testing.B)          { benchPage(b, 0, 100, false) }
func BenchmarkPage100NearEndJSON(b *testing.B)  { benchPage(b, hugeSize-150, 100, true) }
func BenchmarkPage100NearEndXML(b *testing.B)   { benchPage(b, hugeSize-150, 100, false) }
func BenchmarkPageSizeZeroNearEnd(b *testing.B) { benchPage(b, hugeSize-1, 0, true) }

func BenchmarkSearch(b *testing.B) {
	f := newFixture(b, nil)
	for _, bb := range []struct{ name, query string }{
		{"word", "river"},
		{"noMatch", "zebra"},
		{"digits", "977"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", "/hubs/search?limit=10&query="+bb.query, nil)
			r.Header.Set("X-Plex-Token", ownerToken)
			r.Header.Set("Accept", "application/json")
			b.ReportAllocs()
			for b.Loop() {
				w := &discard{}
				f.srv.ServeHTTP(w, r)
				if w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
		})
	}
}
