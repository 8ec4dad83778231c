package pms_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// BenchmarkItems streams 10k, 100k and 1M items of a 1,000,000-item emulator section with the
// default page size, and reports throughput and the peak heap (client and in-process emulator
// together) sampled every 2,000 items: flat, it stays the same whatever the count.
func BenchmarkItems(b *testing.B) {
	e := startEmulator(b, emulator.Options{LibrarySize: 1_000_000})
	ctx := context.Background()
	c := clientFor(b, e, "alice", nas)
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run("items="+strconv.Itoa(n), func(b *testing.B) {
			var peak uint64
			var ms runtime.MemStats
			runtime.GC()
			for b.Loop() {
				got := 0
				for _, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{Limit: n}) {
					if err != nil {
						b.Fatal(err)
					}
					if got++; got%2000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapAlloc)
					}
				}
				if got != n {
					b.Fatalf("streamed %d items, want %d", got, n)
				}
			}
			b.ReportMetric(float64(b.N)*float64(n)/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// BenchmarkConnect measures Connect to alice-nas with only its live connection, and with the
// three dead ones plex.tv also lists (accepting TCP, never answering; one of them https, which
// ranks above the live http one, so the default race grace is waited out), and with the live one
// preferred (a repeat Connect).
func BenchmarkConnect(b *testing.B) {
	e := startEmulator(b, emulator.Options{})
	full := serverRef(b, e, "alice", nas)
	liveOnly := full
	liveOnly.Connections = nil
	for _, c := range full.Connections {
		if c.URI == serverInfo(b, e, nas).URL {
			liveOnly.Connections = append(liveOnly.Connections, c)
		}
	}
	for _, bc := range []struct {
		name string
		ref  pms.ServerRef
		opts []pms.Option
	}{
		{"dead=0", liveOnly, nil},
		{"dead=3", full, nil},
		{"dead=3/grace=0", full, []pms.Option{pms.WithRaceGrace(0)}},
		// A repeat Connect: the live connection answered last time (passed back, as the CLI does
		// from its config directory).
		{"dead=3/preferred", full, []pms.Option{pms.WithPreferredConnection(serverInfo(b, e, nas).URL)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				// A transport per Connect, so that each one dials as a first connection does.
				tr := http.DefaultTransport.(*http.Transport).Clone()
				c, err := pms.Connect(context.Background(), bc.ref, append([]pms.Option{pms.WithHTTPClient(&http.Client{Transport: tr})}, bc.opts...)...)
				if err != nil {
					b.Fatal(err)
				}
				if c.BaseURL() != serverInfo(b, e, nas).URL {
					b.Fatalf("connected to %s", c.BaseURL())
				}
				tr.CloseIdleConnections()
			}
		})
	}
}
