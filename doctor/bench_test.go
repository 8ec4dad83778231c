package doctor_test

import (
	"context"
	"testing"
	"time"

	"github.com/plexkit/plexkit/doctor"
)

// BenchmarkRun measures a whole diagnosis of a healthy call (alice's sessions on her own
// server, named by its live URL so that no dead connection waits out the probe timeout) and
// reports the requests it costs plex.tv and the server.
func BenchmarkRun(b *testing.B) {
	e := startEmulator(b)
	dev := newRawDevice(b)
	c := newClient(b, e, dev.Device)
	tok := login(b, e, c, dev.Device, "alice")
	in := doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: server(b, e, "alice-nas").URL, ProbeTimeout: time.Second}
	ctx := context.Background()
	if rep := doctor.Run(ctx, in); !rep.OK {
		b.Fatalf("not OK:\n%s", text(rep))
	}
	e.ResetStats()
	b.ResetTimer()
	for b.Loop() {
		if rep := doctor.Run(ctx, in); !rep.OK {
			b.Fatal("not OK")
		}
	}
	b.StopTimer()
	total := 0
	for _, n := range e.Stats() {
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "requests/op")
}
