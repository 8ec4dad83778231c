package pms_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// A read of /status/sessions runs ahead of the notification stream: the notifications the
// server sends while it is in flight reach the tracker after it. These tests play a session's
// pause and resume around such a read and check that a notification older than the read does
// not move the session back, while a real resume after it still shows.

// TestTrackerLateNotificationAfterRead: a player reports "playing" and then pauses while a
// read is in flight; the read shows the pause, and the "playing" report, sent before the pause,
// arrives after it. That report must not resume the session; the player's real resume after
// the read must.
func TestTrackerLateNotificationAfterRead(t *testing.T) {
	t.Parallel()
	e, gate, c, tk, p := gatedTracking(t, emulator.Options{FreezeClock: true})
	rk := episode(t, c, 5)
	p.report(t, rk, "playing", 0)
	tk.expect(t, pms.SessionStarted, p.clientID)
	p.report(t, rk, "playing", 30*time.Second)
	tk.expect(t, pms.SessionProgressed, p.clientID)
	converge(t, e, tk.tr, "playing")

	// Another player's new session makes the tracker read; the read is held while the player
	// reports once more and pauses, so it shows the pause ahead of both notifications.
	reads := duringHeldRead(t, gate, c, p, func() {
		p.report(t, rk, "playing", 45*time.Second)
		p.report(t, rk, "paused", time.Minute)
	})
	if ev := tk.expect(t, pms.SessionPaused, p.clientID); !ev.Resync || ev.Session.ViewOffset != 60_000 {
		t.Errorf("the read's pause: %+v, want a resync at 60000", ev)
	}
	// The late "playing" report makes the tracker read again (it trusts neither); that read
	// must have been answered before the player resumes, or it would show the resume itself.
	gate.waitReads(t, reads+2)

	// The player really resumes.
	p.report(t, rk, "playing", time.Minute)
	ev := tk.expect(t, pms.SessionResumed, p.clientID)
	if ev.Resync || ev.Session.ViewOffset != 60_000 {
		t.Errorf("resumed at %d (resync %v), want the player's resume at 60000", ev.Session.ViewOffset, ev.Resync)
	}
	p.report(t, rk, "stopped", 90*time.Second)
	tk.expect(t, pms.SessionStopped, p.clientID)
	converge(t, e, tk.tr, "after the stop")
	evs := tk.eventsOf(p.clientID)
	checkLifecycle(t, evs)
	want := []string{
		"started:" + rk + ":playing", "progressed:" + rk + ":playing",
		"paused:" + rk + ":paused",     // found by the read, ahead of the notifications
		"progressed:" + rk + ":paused", // the pause's own notification
		"resumed:" + rk + ":playing", "stopped:" + rk + ":stopped",
	}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Errorf("events%s,\nwant %v", describe(evs), want)
	}
}

// TestTrackerResumeBehindRead: the tracker misses a pause (its notification stream is down),
// and the read that follows the reconnection shows it. The player then resumes after seeking
// back, so its report is behind the read's offset, as a late one would be: the tracker reads
// the sessions again instead of trusting either, and the resume shows.
func TestTrackerResumeBehindRead(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	c := clientFor(t, e, "alice", nas)
	tk := track(t, c, 10*time.Millisecond)
	converge(t, e, tk.tr, "seeded sessions")
	p := player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "pht"}
	rk := episode(t, c, 5)
	p.report(t, rk, "playing", 0)
	tk.expect(t, pms.SessionStarted, p.clientID)
	p.report(t, rk, "playing", 30*time.Second)
	tk.expect(t, pms.SessionProgressed, p.clientID)

	// The stream drops and cannot reconnect while the player pauses.
	ws := "pms:" + nas + " GET /:/websockets/notifications"
	e.SetFault(ws, emulator.Fault{Status: http.StatusServiceUnavailable})
	n, err := e.DropNotifications(nas)
	must(t, err)
	if n != 1 {
		t.Fatalf("dropped %d streams, want the tracker's one", n)
	}
	p.report(t, rk, "paused", time.Minute) // told to nobody
	e.SetFault(ws, emulator.Fault{})
	if ev := tk.expect(t, pms.SessionPaused, p.clientID); !ev.Resync || ev.Session.ViewOffset != 60_000 {
		t.Errorf("the read's pause: %+v, want a resync at 60000", ev)
	}

	p.report(t, rk, "playing", 20*time.Second) // a seek back, and play
	ev := tk.expect(t, pms.SessionResumed, p.clientID)
	if ev.Session.ViewOffset != 20_000 || ev.Session.Player.State != "playing" {
		t.Errorf("resumed %s at %d, want playing at 20000", ev.Session.Player.State, ev.Session.ViewOffset)
	}
	converge(t, e, tk.tr, "after the resume")
	checkLifecycle(t, tk.eventsOf(p.clientID))
}

// TestTrackerLatePauseAfterRead mirrors TestTrackerLateNotificationAfterRead: the session is
// paused, and while a read is in flight the player resumes, pauses briefly and plays on. The
// read shows it playing; the brief pause, delivered after the read, must not pause it again.
func TestTrackerLatePauseAfterRead(t *testing.T) {
	t.Parallel()
	e, gate, c, tk, p := gatedTracking(t, emulator.Options{FreezeClock: true})
	rk := episode(t, c, 5)
	p.report(t, rk, "playing", 0)
	tk.expect(t, pms.SessionStarted, p.clientID)
	p.report(t, rk, "paused", 30*time.Second)
	tk.expect(t, pms.SessionPaused, p.clientID)
	converge(t, e, tk.tr, "paused")

	reads := duringHeldRead(t, gate, c, p, func() {
		p.report(t, rk, "playing", 30*time.Second)
		p.report(t, rk, "paused", 45*time.Second)
		p.report(t, rk, "playing", 50*time.Second)
	})
	if ev := tk.expect(t, pms.SessionResumed, p.clientID); !ev.Resync || ev.Session.ViewOffset != 50_000 {
		t.Errorf("the read's resume: %+v, want a resync at 50000", ev)
	}
	// The late pause makes the tracker read again; the player stops only once that read is
	// answered, or the read would find the session gone and end it itself.
	gate.waitReads(t, reads+2)
	p.report(t, rk, "stopped", time.Minute)
	tk.expect(t, pms.SessionStopped, p.clientID)
	converge(t, e, tk.tr, "after the stop")
	evs := tk.eventsOf(p.clientID)
	checkLifecycle(t, evs)
	want := []string{
		"started:" + rk + ":playing", "paused:" + rk + ":paused",
		"resumed:" + rk + ":playing",    // found by the read
		"progressed:" + rk + ":playing", // the resume's own notification, at 30000
		"progressed:" + rk + ":playing", // the last one, at 50000, as the read showed
		"stopped:" + rk + ":stopped",
	}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Errorf("events%s,\nwant %v", describe(evs), want)
	}
}
