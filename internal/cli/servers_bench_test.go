package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// BenchmarkItems streams a section of 20,000 items through `plexkit items`, piped, to measure
// the listing's throughput and what it allocates per item.
func BenchmarkItems(b *testing.B) {
	const size = 20000
	e := emulator.New(emulator.Options{LibrarySize: size})
	if err := e.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
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
