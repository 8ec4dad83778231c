package doctor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/internal/testutil"
	"github.com/plexkit/plexkit/plextv"
)

// TestDeadConnectionsNotWaitedFor: alice-nas lists connections that accept TCP and never
// answer. With a probe timeout of an hour the diagnosis still ends as soon as the live
// connection has answered (plus ProbeGrace): the dead ones are given up, and said to be.
// Without that, this test would wait an hour.
func TestDeadConnectionsNotWaitedFor(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "alice")
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", ProbeTimeout: time.Hour})
	f := expect(t, rep, doctor.CheckConnections, doctor.Pass, server(t, e, "alice-nas").URL, "not waited for", "answered first")
	if f.Detail["answered"] != 1 {
		t.Errorf("answered = %v, want 1", f.Detail["answered"])
	}
	if !rep.OK {
		t.Errorf("the call is refused:\n%s", text(rep))
	}
}

// TestFindingsAsTheyCome: OnCheck names each check before it runs and OnFinding receives every
// finding of the report, in order, while Run is still running.
func TestFindingsAsTheyCome(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "alice")
	var started []string
	var got []doctor.Finding
	in := doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas",
		OnCheck: func(check string) { started = append(started, check) },
		OnFinding: func(f doctor.Finding) {
			if len(started) == 0 || started[len(started)-1] != f.Check {
				t.Errorf("finding %q arrived before OnCheck named it (started: %q)", f.Check, started)
			}
			got = append(got, f)
		}}
	rep := diagnose(t, in)
	if len(got) != len(rep.Findings) {
		t.Fatalf("OnFinding got %d findings, the report has %d", len(got), len(rep.Findings))
	}
	for i := range got {
		if got[i].Check != rep.Findings[i].Check || got[i].Cause != rep.Findings[i].Cause {
			t.Errorf("finding %d: streamed %q, reported %q", i, got[i].Check, rep.Findings[i].Check)
		}
	}
}

// TestJunkTokenIsNotALegacyToken: text that is neither a JWT nor shaped like a legacy token is
// called what it is.
func TestJunkTokenIsNotALegacyToken(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	for _, junk := range []string{"hello world", "x", "Bearer abc.def", strings.Repeat("z", 500)} {
		rep := diagnose(t, doctor.Input{PlexTV: c, Token: junk, Pasted: true, Server: "alice-nas"})
		f := expect(t, rep, doctor.CheckTokenKind, doctor.Fail, "not a Plex token")
		if strings.HasPrefix(f.Cause, "a legacy token") {
			t.Errorf("%q is called a legacy token: %s", junk, f.Cause)
		}
	}
	rep := diagnose(t, doctor.Input{PlexTV: c, Token: e.LegacyToken("bob"), Pasted: true, Server: "alice-nas"})
	expect(t, rep, doctor.CheckTokenKind, doctor.Warn, "a legacy token")
}

// TestSummary: the last line says what stood in the way — a refused call, plex.tv out of
// reach, or only the PIN asked about.
func TestSummary(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	tok := login(t, e, c, dev.Device, "alice")

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", PinID: 42})
	expect(t, rep, doctor.CheckPin, doctor.Fail, "does not know PIN 42")
	if got, want := rep.Summary(), "The call would be accepted, but the PIN failed: see above."; got != want {
		t.Errorf("unknown PIN: summary %q, want %q", got, want)
	}

	dead, err := plextv.NewClient(plextv.WithBaseURL(testutil.ClosedURL(t)),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)), plextv.WithRetry(plexkit.RetryTransport{MaxRetries: -1}))
	if err != nil {
		t.Fatal(err)
	}
	rep = doctor.Run(context.Background(), doctor.Input{PlexTV: dead, Device: dev.Device, Token: tok, Server: "alice-nas", ProbeTimeout: time.Second})
	if got := rep.Summary(); !strings.HasPrefix(got, "plex.tv could not be reached") {
		t.Errorf("plex.tv down: summary %q\n%s", got, text(rep))
	}
}
