package pms_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// BenchmarkItemsQuery pages a 1,000,000-item emulator section with a filter (movies from 2000
// on), and with the filter and a sort (newest first), through Library.Items, and reports
// throughput, the matches, and the peak heap (client and in-process emulator). It checks every
// item against the filter and the order, so a server that ignored the query would fail it, not
// flatter it.
func BenchmarkItemsQuery(b *testing.B) {
	e := startEmulator(b, emulator.Options{LibrarySize: 1_000_000})
	c := clientFor(b, e, "alice", nas)
	b.Run("filter", func(b *testing.B) {
		benchQuery(b, c, pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2000"), false)
	})
	b.Run("filter+sort", func(b *testing.B) {
		benchQuery(b, c, pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2000").SortBy("year", true), true)
	})
}

func benchQuery(b *testing.B, c *pms.Client, q *pms.Query, sorted bool) {
	ctx := context.Background()
	meta, err := c.Library.Meta(ctx, "1")
	if err != nil {
		b.Fatal(err)
	}
	if err := q.Validate(meta); err != nil {
		b.Fatal(err)
	}
	total, err := c.Library.Count(ctx, "1", q)
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	for b.Loop() {
		got, last := 0, 1<<30
		for it, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{Query: q, PageSize: pms.MaxPageSize}) {
			if err != nil {
				b.Fatal(err)
			}
			y := int(it.Year)
			if y < 2000 || sorted && y > last {
				b.Fatalf("item %d (year %d) breaks year>=2000 sorted by year:desc after year %d", got, y, last)
			}
			last = y
			if got++; got%5000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		if got != total || got == 0 {
			b.Fatalf("streamed %d items, the server counts %d", got, total)
		}
	}
	b.ReportMetric(float64(total), "matches")
	b.ReportMetric(float64(b.N)*float64(total)/b.Elapsed().Seconds(), "items/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
