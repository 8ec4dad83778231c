package pmsemu

import (
	"net/http"
	"runtime"
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

// BenchmarkPageWithOverlay pages the million-item section after clients changed some of it:
// 10,000 items watched by the owner, 1,000 rated by a friend, 1,000 retitled and 1,000 deleted,
// spread over the whole section. A page costs the same wherever it is, and the store holds only
// the changes: overlay-B is the heap the changes added (measured after a GC), and heap-B the
// live heap while paging.
func BenchmarkPageWithOverlay(b *testing.B) {
	f := newFixture(b, nil)
	st := f.srv.Store()
	sec := st.Section("5")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 10_000 {
		st.Scrobble(OwnerLocalID, st.SectionAt(sec, i*97))
	}
	for i := range 1_000 {
		st.Rate(friendID, st.SectionAt(sec, i*991+3), 7)
		st.Edit(st.SectionAt(sec, i*983+5), func(it *Item) { it.Title += " (Director's Cut)" })
	}
	for i := range 1_000 {
		st.Delete(st.SectionAt(sec, i*977+7))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	overlay := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	for _, start := range []int{0, 500_000, hugeSize - 1_100} {
		b.Run("start="+strconv.Itoa(start), func(b *testing.B) {
			r, _ := http.NewRequest("GET", "/library/sections/5/all?X-Plex-Container-Start="+strconv.Itoa(start)+"&X-Plex-Container-Size=100", nil)
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
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			b.ReportMetric(overlay, "overlay-B")
			b.ReportMetric(float64(ms.HeapAlloc), "heap-B")
		})
	}
}

// BenchmarkQueryMillion runs media queries over the million-item section: a title filter
// (answered from the title matcher, without a scan) and a year filter with a sort (a scan).
func BenchmarkQueryMillion(b *testing.B) {
	f := newFixture(b, nil)
	for _, bb := range []struct{ name, query string }{
		{"title", "title=distant%20river%2097&year%3E%3E=1900"},
		{"yearSorted", "year=1999&sort=titleSort:desc&X-Plex-Container-Size=20"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			r, _ := http.NewRequest("GET", "/library/sections/5/all?"+bb.query, nil)
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
