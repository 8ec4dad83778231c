package plextv_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// BenchmarkRefresh measures the emulator's capacity for full refreshes (nonce, device JWT,
// exchange, verification) over loopback, with the Go client as the load on the same machine:
// refreshes/s and the p50 / p99 latency of one refresh, for 1, 4 and 16 concurrent callers per
// CPU; and the CPU time one refresh costs client and emulator together, from which the capacity
// of the machine's CPUs follows even when other work shares them. It also checks that each
// refresh cost exactly 2 requests.
func BenchmarkRefresh(b *testing.B) {
	for _, p := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("callers=%dxCPU", p), func(b *testing.B) {
			// plex.tv's nonce rate limit (per client identifier) would measure the limit.
			e := startEmulator(b, emulator.Options{NoncesPerMinute: -1})
			dev := newDevice(b)
			c := newClient(b, e, dev)
			login(b, e, c, dev, "alice")
			src := plextv.NewJWTSource(c, dev, []string{"username"})
			ctx := context.Background()
			var (
				mu  sync.Mutex
				lat []time.Duration
			)
			before := e.Stats()
			b.SetParallelism(p)
			b.ResetTimer()
			start := time.Now()
			cpu0, cpuOK := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					t0 := time.Now()
					if _, err := src.Token(ctx); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			cpu1, _ := processCPU()
			b.StopTimer()
			if cpuOK {
				// Client and emulator share this process: the CPU one refresh costs both
				// sides, which bounds the machine's capacity whatever else runs on it.
				perRefresh := float64((cpu1 - cpu0).Microseconds()) / float64(b.N)
				b.ReportMetric(perRefresh, "cpu-µs/refresh")
				b.ReportMetric(float64(runtime.NumCPU())*1e6/perRefresh, "cpu-bound-refreshes/s")
			}
			d := delta(before, e.Stats())
			if d["GET /api/v2/auth/nonce"] != b.N || d["POST /api/v2/auth/token"] != b.N || len(d) != 2 {
				b.Errorf("%d refreshes made %v, want exactly one nonce and one exchange each", b.N, d)
			}
			reportLatency(b, lat, elapsed, "refreshes/s")
		})
	}
}

// BenchmarkCachedToken measures the cost of asking a TokenSource for a token that is still
// valid: no request at all.
func BenchmarkCachedToken(b *testing.B) {
	e := startEmulator(b, emulator.Options{})
	dev := newDevice(b)
	c := newClient(b, e, dev)
	tok := login(b, e, c, dev, "alice")
	ctx := context.Background()
	store := &auth.FileStore{Dir: b.TempDir()}
	if err := store.Save(ctx, tok); err != nil {
		b.Fatal(err)
	}
	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	before := e.Stats()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := src.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if d := delta(before, e.Stats()); len(d) != 0 {
		b.Errorf("cached tokens made %v, want no request", d)
	}
}

func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration, rateUnit string) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), rateUnit)
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
