package cli

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/internal/testutil"
	"github.com/plexkit/plexkit/pms"
)

// BenchmarkItems streams a section of 20,000 items through `plexkit items`, piped, to measure
// the listing's throughput and what it allocates per item.
func BenchmarkItems(b *testing.B) {
	const size = 20000
	e := startCLIEmulatorWith(b, emulator.Options{LibrarySize: size})
	env, _ := srvLogin(b, e, "alice")
	getenv := func(k string) string { return env[k] }
	var errOut strings.Builder
	b.ResetTimer()
	for b.Loop() {
		streams := &IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &errOut}
		if code := Run([]string{"items", "1", "--server", "alice-nas"}, streams, getenv); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
	b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkItemsJSON is BenchmarkItems with --json, beside the pms iterator alone over the same
// emulator (the ceiling: what the listing costs before anything is printed). items/s of the two
// compare the CLI's JSON output with the library's stream.
func BenchmarkItemsJSON(b *testing.B) {
	const size = 20000
	e := startCLIEmulatorWith(b, emulator.Options{LibrarySize: size})
	env, _ := srvLogin(b, e, "alice")
	getenv := func(k string) string { return env[k] }
	// A file, as stdout is: each unbuffered write is a system call.
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { devNull.Close() })
	b.Run("cli", func(b *testing.B) {
		var errOut strings.Builder
		// Once, outside the measure: the listing is whole (a shorter one would look faster).
		var whole strings.Builder
		if code := Run([]string{"items", "1", "--server", "alice-nas", "--json"}, &IOStreams{In: strings.NewReader(""), Out: &whole, ErrOut: &errOut}, getenv); code != 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
		var listed []json.RawMessage
		if err := json.Unmarshal([]byte(whole.String()), &listed); err != nil || len(listed) != size {
			b.Fatalf("items --json listed %d elements (%v), want %d", len(listed), err, size)
		}
		cpu := testutil.ProcessCPU()
		for b.Loop() {
			streams := &IOStreams{In: strings.NewReader(""), Out: devNull, ErrOut: &errOut}
			if code := Run([]string{"items", "1", "--server", "alice-nas", "--json"}, streams, getenv); code != 0 {
				b.Fatalf("exit %d: %s", code, errOut.String())
			}
		}
		b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "items/s")
		reportItemCPU(b, cpu, size)
	})
	b.Run("iterator", func(b *testing.B) {
		ctx := context.Background()
		f := &Factory{IO: &IOStreams{}, Now: time.Now, Getenv: getenv}
		f.resolve("", "")
		cpu := testutil.ProcessCPU()
		for b.Loop() {
			_, c, err := openServer(ctx, f, "alice-nas")
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for _, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{}) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			if n != size {
				b.Fatalf("%d items, want %d", n, size)
			}
		}
		b.ReportMetric(float64(size*b.N)/b.Elapsed().Seconds(), "items/s")
		reportItemCPU(b, cpu, size)
	})
}

// reportItemCPU reports the process's CPU time per item since start (plexkit and the
// in-process emulator together), in µs.
func reportItemCPU(b *testing.B, start time.Duration, perOp int) {
	b.ReportMetric(float64(testutil.ProcessCPU()-start)/float64(time.Microsecond)/float64(b.N*perOp), "cpu-µs/item")
}
