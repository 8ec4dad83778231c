package pms_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// tracking runs a tracker in the background and collects its events.
type tracking struct {
	tr     *pms.Tracker
	mu     sync.Mutex
	events []pms.SessionEvent
	errs   int
	ch     chan pms.SessionEvent
}

func track(t *testing.T, c *pms.Client, minResync time.Duration) *tracking {
	t.Helper()
	return trackWith(t, c, pms.TrackerOptions{
		MinResync: minResync,
		Stream:    pms.NotificationOptions{MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond},
	})
}

func trackWith(t *testing.T, c *pms.Client, o pms.TrackerOptions) *tracking {
	t.Helper()
	tk := &tracking{ch: make(chan pms.SessionEvent, 4096), tr: pms.NewTracker(c, o)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev, err := range tk.tr.Events(ctx) {
			tk.mu.Lock()
			if err != nil {
				tk.errs++
			} else {
				tk.events = append(tk.events, ev)
			}
			tk.mu.Unlock()
			if err == nil {
				select {
				case tk.ch <- ev:
				default:
				}
			}
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return tk
}

// expect waits for the next event of kind for the session of player (skipping others).
func (tk *tracking) expect(t *testing.T, kind, player string) pms.SessionEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-tk.ch:
			if ev.Kind == kind && ev.Session.Player.MachineIdentifier == player {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %s event for %s within 10 s", kind, player)
		}
	}
}

// next waits for the next event of the session of player, whatever its kind.
func (tk *tracking) next(t *testing.T, player string) pms.SessionEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-tk.ch:
			if ev.Session.Player.MachineIdentifier == player {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event for %s within 10 s", player)
		}
	}
}

// state is a session as both sides can describe it.
func stateOf(key, rk, state string, offset time.Duration) string {
	return fmt.Sprintf("%s:%s:%s:%d", key, rk, state, offset.Milliseconds())
}

func serverState(t *testing.T, e *emulator.Emulator) []string {
	t.Helper()
	list, err := e.Sessions(nas)
	must(t, err)
	var out []string
	for _, s := range list {
		out = append(out, stateOf(s.SessionKey, s.RatingKey, s.State, s.Offset))
	}
	return out
}

func trackerState(tr *pms.Tracker) []string {
	var out []string
	for _, s := range tr.Sessions() {
		out = append(out, stateOf(string(s.SessionKey), string(s.RatingKey), s.Player.State, time.Duration(s.ViewOffset)*time.Millisecond))
	}
	return out
}

// converge waits until the tracker's set equals the server's.
func converge(t *testing.T, e *emulator.Emulator, tr *pms.Tracker, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		want, got := serverState(t, e), trackerState(tr)
		if slices.Equal(want, got) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: tracker has %v, server %v", what, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTrackerFollowsPlayback(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	c := clientFor(t, e, "alice", nas)
	tk := track(t, c, 20*time.Millisecond)
	converge(t, e, tk.tr, "seeded sessions")
	if n := len(tk.tr.Sessions()); n != 2 {
		t.Fatalf("%d seeded sessions, want 2", n)
	}
	p := player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "kodi-tracker"}
	rk := episode(t, c, 7)
	p.report(t, rk, "playing", 0)
	ev := tk.expect(t, pms.SessionStarted, p.clientID)
	if !ev.Resync || ev.Session.User.Title != "alice" || ev.Session.Player.Product != "Plex for Kodi" || string(ev.Session.RatingKey) != rk {
		t.Errorf("started %+v", ev)
	}
	p.report(t, rk, "paused", time.Minute)
	if ev := tk.expect(t, pms.SessionPaused, p.clientID); ev.Session.ViewOffset != 60_000 || ev.Resync {
		t.Errorf("paused %+v", ev)
	}
	p.report(t, rk, "paused", 10*time.Minute) // a seek while paused
	if ev := tk.expect(t, pms.SessionProgressed, p.clientID); ev.Session.ViewOffset != 600_000 {
		t.Errorf("seek %+v", ev)
	}
	p.report(t, rk, "playing", 10*time.Minute)
	tk.expect(t, pms.SessionResumed, p.clientID)
	converge(t, e, tk.tr, "while playing")
	p.report(t, rk, "stopped", 11*time.Minute)
	if ev := tk.expect(t, pms.SessionStopped, p.clientID); ev.Session.Player.State != "stopped" || ev.Session.ViewOffset != 660_000 {
		t.Errorf("stopped %+v", ev)
	}
	converge(t, e, tk.tr, "after stop")
	// A transcode shows as a change found by a resync (the notification carries only its id).
	must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: episode(t, c, 8), Player: "transcoder", State: "playing", Transcode: true}))
	ev = tk.expect(t, pms.SessionStarted, "transcoder")
	if ev.Session.TranscodeSession == nil || ev.Session.TranscodeSession.ID() == "" {
		t.Errorf("transcoded session started without its transcode: %+v", ev.Session)
	}
}

// TestTrackerChaos plays random sessions while notification streams drop and the server
// restarts; after every round the tracker's set must equal the server's, and the events must
// tell each playback's life in order (checkLifecycle). Players move from item to item without
// a stop too, which the server answers with a new sessionKey, or (key kept) with the same one.
func TestTrackerChaos(t *testing.T) {
	t.Parallel()
	for _, kept := range []bool{false, true} {
		t.Run(fmt.Sprintf("key kept %v", kept), func(t *testing.T) {
			t.Parallel()
			trackerChaos(t, kept)
		})
	}
}

func trackerChaos(t *testing.T, keyKept bool) {
	const rounds = 30
	e := startEmulator(t, emulator.Options{FreezeClock: true, SessionKeyKeptOnItemChange: keyKept})
	c := clientFor(t, e, "alice", nas)
	tk := track(t, c, 10*time.Millisecond)
	rng := rand.New(rand.NewPCG(1, 2))
	players := []struct{ user, id string }{{"alice", "tv"}, {"alice", "phone"}, {"bob", "laptop"}, {"carol", "tablet"}}
	// Items each user may play: bob has the movies only, carol everything.
	movies := movies(t, c, 3)
	episodes := []string{episode(t, c, 1), episode(t, c, 2)}
	state := map[string]string{}
	var drops, restarts int
	for round := range rounds {
		for range 6 {
			p := players[rng.IntN(len(players))]
			items := movies
			if p.user != "bob" {
				items = append(slices.Clone(movies), episodes...)
			}
			next := []string{"playing", "paused", "playing", "stopped"}[rng.IntN(4)]
			if state[p.id] == "" || state[p.id] == "stopped" {
				next = "playing"
			}
			state[p.id] = next
			err := e.Play(emulator.Playback{Server: nas, User: p.user, Player: p.id, Item: items[rng.IntN(len(items))],
				State: next, Offset: time.Duration(rng.IntN(3600)) * time.Second})
			if err != nil && !strings.Contains(err.Error(), "no item") {
				t.Fatal(err)
			}
			switch rng.IntN(10) {
			case 0:
				_, err := e.DropNotifications(nas)
				must(t, err)
				drops++
			case 1:
				must(t, e.RestartServer(nas))
				clear(state)
				restarts++
			}
		}
		converge(t, e, tk.tr, fmt.Sprintf("round %d", round))
	}
	if drops == 0 || restarts == 0 {
		t.Errorf("the rounds had %d drops and %d restarts; the seed should give both", drops, restarts)
	}
	for _, p := range players {
		checkLifecycle(t, tk.eventsOf(p.id))
	}
	tk.mu.Lock()
	defer tk.mu.Unlock()
	t.Logf("%d rounds, %d drops, %d restarts, %d resyncs, %d events", rounds, drops, restarts, tk.tr.Resyncs(), len(tk.events))
}

// TestTrackerQueuesDuringResync starts a session, pauses it and seeks in it while the read of
// /status/sessions that tells who plays it is pending (scheduled by MinResync) or in flight
// (slowed by a fault): the consumer sees the start as it was reported, then the pause, then
// the seek, in order.
func TestTrackerQueuesDuringResync(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		minResync time.Duration
		latency   time.Duration
	}{
		{"scheduled", 300 * time.Millisecond, 0},
		{"in flight", 10 * time.Millisecond, 300 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{FreezeClock: true})
			c := clientFor(t, e, "alice", nas)
			tk := track(t, c, tc.minResync)
			converge(t, e, tk.tr, "seeded sessions")
			if tc.latency > 0 {
				e.SetFault("pms:"+nas+" GET /status/sessions", emulator.Fault{Latency: tc.latency})
			}
			p := player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "kodi-queued"}
			rk := episode(t, c, 3)
			p.report(t, rk, "playing", 0)
			p.report(t, rk, "paused", time.Minute)
			p.report(t, rk, "paused", 10*time.Minute)
			want := []struct {
				kind, state string
				offset      int64
				resync      bool
			}{
				{pms.SessionStarted, "playing", 0, true},
				{pms.SessionPaused, "paused", 60_000, false},
				{pms.SessionProgressed, "paused", 600_000, false},
			}
			for i, w := range want {
				ev := tk.next(t, p.clientID)
				if ev.Kind != w.kind || ev.Session.Player.State != w.state || int64(ev.Session.ViewOffset) != w.offset || ev.Resync != w.resync {
					t.Fatalf("event %d: %s %s at %d (resync %v), want %s %s at %d (resync %v)", i, ev.Kind,
						ev.Session.Player.State, ev.Session.ViewOffset, ev.Resync, w.kind, w.state, w.offset, w.resync)
				}
				if ev.Session.User.Title != "alice" || string(ev.Session.RatingKey) != rk {
					t.Errorf("event %d has user %q item %q", i, ev.Session.User.Title, ev.Session.RatingKey)
				}
			}
			e.SetFault("pms:"+nas+" GET /status/sessions", emulator.Fault{})
			converge(t, e, tk.tr, "after the seek")
		})
	}
}

// TestTrackerStaleSession loses a session's stop (the notification stream is down, and the
// tracker will not reconnect within the test): the stale timeout re-reads /status/sessions and
// ends it, marked stale, while the seeded sessions, silent as well but still listed, stay.
func TestTrackerStaleSession(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	c := clientFor(t, e, "alice", nas)
	tk := trackWith(t, c, pms.TrackerOptions{
		MinResync:    10 * time.Millisecond,
		StaleTimeout: 300 * time.Millisecond,
		Stream:       pms.NotificationOptions{MinBackoff: time.Hour, MaxBackoff: time.Hour},
	})
	converge(t, e, tk.tr, "seeded sessions")
	seeded := tk.tr.Sessions()
	if len(seeded) != 2 {
		t.Fatalf("%d seeded sessions, want 2", len(seeded))
	}
	p := player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "kodi-stale"}
	rk := episode(t, c, 4)
	p.report(t, rk, "playing", 0)
	tk.expect(t, pms.SessionStarted, p.clientID)
	p.report(t, rk, "playing", time.Minute)
	if ev := tk.next(t, p.clientID); ev.Kind != pms.SessionProgressed || ev.Stale {
		t.Fatalf("after the second report: %+v", ev)
	}
	n, err := e.DropNotifications(nas)
	must(t, err)
	if n != 1 {
		t.Fatalf("dropped %d streams, want the tracker's one", n)
	}
	p.report(t, rk, "stopped", 2*time.Minute) // told to nobody
	ev := tk.next(t, p.clientID)
	if ev.Kind != pms.SessionStopped || !ev.Stale || !ev.Resync || ev.Session.Player.State != "stopped" || ev.Session.ViewOffset != 60_000 {
		t.Fatalf("stale end: %+v", ev)
	}
	// The seeded sessions went stale first (they were known first and never report under a
	// frozen clock), and the reads found them listed: they stay.
	converge(t, e, tk.tr, "after the stale end")
	if got := tk.tr.Sessions(); len(got) != 2 || got[0].SessionKey != seeded[0].SessionKey || got[1].SessionKey != seeded[1].SessionKey {
		t.Errorf("sessions after the stale end: %v, want the seeded %v", trackerState(tk.tr), seeded)
	}
	tk.mu.Lock()
	defer tk.mu.Unlock()
	for _, ev := range tk.events {
		if ev.Kind == pms.SessionStopped && ev.Session.Player.MachineIdentifier != p.clientID {
			t.Errorf("a silent session still listed was stopped: %+v", ev)
		}
	}
}
