package pms_test

import (
	"context"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestItemsStreamsLargeLibrary lists a large section to the end: the count must equal the total
// the server reports, and each item must be the next one. A million items take the client and
// the emulator 20–60 s of CPU, and ten times that under the race detector, so under -short or
// -race the section has 10,000 items (in 100 pages); BenchmarkItems streams the million and
// reports the peak heap.
func TestItemsStreamsLargeLibrary(t *testing.T) {
	t.Parallel()
	size, pageSize := 1_000_000, 5000
	if testing.Short() || raceEnabled {
		size, pageSize = 10_000, 100
		t.Logf("-short or -race: streaming %d items; BenchmarkItems streams 1,000,000", size)
	}
	e := startEmulator(t, emulator.Options{LibrarySize: size})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	total, err := c.Library.ItemCount(ctx, "1")
	if err != nil || total != size {
		t.Fatalf("ItemCount = %d, %v; want %d", total, err, size)
	}
	n := 0
	var prev int
	for it, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: pageSize}) {
		if err != nil {
			t.Fatalf("after %d items: %v", n, err)
		}
		// The emulator numbers a section's items with consecutive rating keys.
		rk := ratingKeyInt(t, it.RatingKey)
		if n > 0 && rk != prev+1 {
			t.Fatalf("item %d has rating key %d after %d", n, rk, prev)
		}
		prev = rk
		n++
	}
	if n != total {
		t.Fatalf("listed %d items, the server counts %d", n, total)
	}
}
