package pms_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// The server reuses a sessionKey for another item when a player moves on without a stop
// (emulator.Options.SessionKeyKeptOnItemChange). These tests play that against the tracker
// while a read of /status/sessions is pending or in flight, and check the events a consumer
// sees with checkLifecycle.

// sessionGate holds the next GET /status/sessions, once armed, until released: it tells the
// test when the tracker's read is in flight, so that the server can change meanwhile.
type sessionGate struct {
	mu      sync.Mutex
	armed   bool
	entered chan struct{}
	release chan struct{}
	done    atomic.Int64 // reads of /status/sessions the server has answered
}

func newSessionGate() *sessionGate {
	return &sessionGate{entered: make(chan struct{}, 1), release: make(chan struct{})}
}

func (g *sessionGate) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && r.URL.Path == "/status/sessions" {
		g.mu.Lock()
		armed := g.armed
		g.armed = false
		g.mu.Unlock()
		if armed {
			g.entered <- struct{}{}
			select {
			case <-g.release:
			case <-r.Context().Done():
				return nil, r.Context().Err()
			}
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(r)
	if r.Method == http.MethodGet && r.URL.Path == "/status/sessions" && err == nil {
		g.done.Add(1)
	}
	return resp, err
}

// waitReads waits until the server has answered n reads of /status/sessions in all.
func (g *sessionGate) waitReads(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for g.done.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d reads of /status/sessions answered within 10 s, want %d", g.done.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// gatedTracking starts an emulator with opts and a tracker of alice-nas (MinResync 10 ms) whose
// reads of /status/sessions go through a sessionGate, waits until it agrees with the server,
// and returns them with alice's player "pht".
func gatedTracking(t *testing.T, opts emulator.Options) (*emulator.Emulator, *sessionGate, *pms.Client, *tracking, player) {
	t.Helper()
	e := startEmulator(t, opts)
	gate := newSessionGate()
	c := clientFor(t, e, "alice", nas, pms.WithHTTPClient(&http.Client{Transport: gate}))
	tk := track(t, c, 10*time.Millisecond)
	converge(t, e, tk.tr, "seeded sessions")
	return e, gate, c, tk, player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "pht"}
}

// duringHeldRead makes the tracker read /status/sessions (another player of p's account starts
// a session the tracker has not seen), holds that read while during runs, and releases it. It
// returns the number of reads the server had answered before.
func duringHeldRead(t *testing.T, gate *sessionGate, c *pms.Client, p player, during func()) int64 {
	t.Helper()
	reads := gate.done.Load()
	gate.arm()
	other := player{base: p.base, token: p.token, clientID: "kodi-other"}
	other.report(t, episode(t, c, 1), "playing", 0)
	gate.waitEntered(t)
	during()
	close(gate.release)
	return reads
}

func (g *sessionGate) arm() {
	g.mu.Lock()
	g.armed = true
	g.mu.Unlock()
}

// waitEntered waits until the armed read is held.
func (g *sessionGate) waitEntered(t *testing.T) {
	t.Helper()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the tracker did not read /status/sessions within 10 s")
	}
}

// eventsOf returns the events the tracker yielded for player's sessions so far.
func (tk *tracking) eventsOf(player string) []pms.SessionEvent {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	var out []pms.SessionEvent
	for _, ev := range tk.events {
		if ev.Session.Player.MachineIdentifier == player {
			out = append(out, ev)
		}
	}
	return out
}

func describe(evs []pms.SessionEvent) string {
	var b strings.Builder
	for _, ev := range evs {
		fmt.Fprintf(&b, " %s(%s:%s %s@%d)", ev.Kind, ev.Session.SessionKey, ev.Session.RatingKey, ev.Session.Player.State, ev.Session.ViewOffset)
	}
	return b.String()
}

// checkLifecycle checks events as a consumer relies on them: a sessionKey carries one playback
// (an item) at a time; a playback starts before anything else happens to it, in a state it can
// start in (never "stopped" or "buffering": a buffering start may be a throw-away, and the
// tracker starts a session on its first other state, as Tautulli does), and nothing follows its
// stop; every event of an open playback names its item.
func checkLifecycle(t *testing.T, evs []pms.SessionEvent) {
	t.Helper()
	open := map[string]string{} // sessionKey → ratingKey playing under it
	for i, ev := range evs {
		key, rk := string(ev.Session.SessionKey), string(ev.Session.RatingKey)
		cur, playing := open[key]
		switch {
		case ev.Kind == pms.SessionStarted && playing:
			t.Errorf("event %d starts %s:%s while %s plays under that key:%s", i, key, rk, cur, describe(evs))
		case ev.Kind == pms.SessionStarted && (ev.Session.Player.State == "stopped" || ev.Session.Player.State == "buffering"):
			t.Errorf("event %d starts %s:%s in state %q:%s", i, key, rk, ev.Session.Player.State, describe(evs))
		case ev.Kind != pms.SessionStarted && !playing:
			t.Errorf("event %d (%s) is about %s:%s, which is not playing:%s", i, ev.Kind, key, rk, describe(evs))
		case ev.Kind != pms.SessionStarted && cur != rk:
			t.Errorf("event %d (%s) names %s:%s while %s plays under that key:%s", i, ev.Kind, key, rk, cur, describe(evs))
		case ev.Kind == pms.SessionStopped && ev.Session.Player.State != "stopped":
			t.Errorf("event %d stops %s:%s in state %q:%s", i, key, rk, ev.Session.Player.State, describe(evs))
		}
		switch ev.Kind {
		case pms.SessionStarted:
			open[key] = rk
		case pms.SessionStopped:
			delete(open, key)
		}
	}
}

// kinds describes events as kind:ratingKey:state, for comparing sequences.
func kinds(evs []pms.SessionEvent) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Kind+":"+string(ev.Session.RatingKey)+":"+ev.Session.Player.State)
	}
	return out
}

// TestTrackerKeyReusedBeforeRead: a session the tracker does not know yet moves on to another
// item under the same sessionKey, starting it with "buffering", while the read of
// /status/sessions that will tell who plays it is scheduled (MinResync). The new item must
// start in the state its first other report gives ("playing"), not "buffering".
func TestTrackerKeyReusedBeforeRead(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true, SessionKeyKeptOnItemChange: true})
	c := clientFor(t, e, "alice", nas)
	tk := track(t, c, time.Second)
	converge(t, e, tk.tr, "seeded sessions")
	token := accessToken(t, e, "alice", nas)
	// A session of another player makes the tracker read now: the next read waits MinResync.
	other := player{base: c.BaseURL(), token: token, clientID: "kodi-other"}
	other.report(t, episode(t, c, 1), "playing", 0)
	tk.expect(t, pms.SessionStarted, other.clientID)

	p := player{base: c.BaseURL(), token: token, clientID: "pht"}
	first, second := episode(t, c, 5), episode(t, c, 6)
	p.report(t, first, "playing", 0)
	p.report(t, first, "paused", time.Minute)
	p.report(t, second, "buffering", 0) // moved on, no stop: same sessionKey
	p.report(t, second, "playing", 5*time.Second)
	ev := tk.expect(t, pms.SessionStarted, p.clientID)
	for string(ev.Session.RatingKey) == first { // a read came between the reports (a slow machine)
		ev = tk.expect(t, pms.SessionStarted, p.clientID)
	}
	if string(ev.Session.RatingKey) != second || ev.Session.Player.State != "playing" || ev.Session.ViewOffset != 5000 {
		t.Errorf("the second item started as %s:%s at %d, want %s:playing at 5000", ev.Session.RatingKey, ev.Session.Player.State, ev.Session.ViewOffset, second)
	}
	converge(t, e, tk.tr, "after the move")
	p.report(t, second, "paused", 10*time.Second)
	tk.expect(t, pms.SessionPaused, p.clientID)
	p.report(t, second, "stopped", 10*time.Second)
	tk.expect(t, pms.SessionStopped, p.clientID)
	converge(t, e, tk.tr, "after the stop")
	evs := tk.eventsOf(p.clientID)
	checkLifecycle(t, evs)
	var ofSecond []string
	for _, k := range kinds(evs) {
		if strings.Contains(k, ":"+second+":") {
			ofSecond = append(ofSecond, k)
		}
	}
	want := []string{"started:" + second + ":playing", "paused:" + second + ":paused", "stopped:" + second + ":stopped"}
	if !slices.Equal(ofSecond, want) {
		t.Errorf("the second item's events %v, want %v", ofSecond, want)
	}
}

// TestTrackerKeyReusedDuringRead: a session the tracker knows moves on to another item under
// the same sessionKey while a read of /status/sessions is in flight. The read shows the new
// item; the notifications sent meanwhile arrive after it, the first about the old item. That
// late notification must not end the new item.
func TestTrackerKeyReusedDuringRead(t *testing.T) {
	t.Parallel()
	e, gate, c, tk, p := gatedTracking(t, emulator.Options{FreezeClock: true, SessionKeyKeptOnItemChange: true})
	first, second := episode(t, c, 5), episode(t, c, 6)
	p.report(t, first, "playing", 0)
	tk.expect(t, pms.SessionStarted, p.clientID)
	p.report(t, first, "playing", 30*time.Second)
	tk.expect(t, pms.SessionProgressed, p.clientID)
	converge(t, e, tk.tr, "the first item playing")

	// Another player's new session makes the tracker read; the read is held while the player
	// pauses the first item and moves on to the second.
	duringHeldRead(t, gate, c, p, func() {
		p.report(t, first, "paused", time.Minute)
		p.report(t, second, "playing", 0)
	})
	// The read shows the second item: the first one ends. (Later reports wait for it, or the
	// read could show them too.)
	if ev := tk.expect(t, pms.SessionStopped, p.clientID); string(ev.Session.RatingKey) != first {
		t.Fatalf("after the read: stopped %s, want the first item %s", ev.Session.RatingKey, first)
	}

	p.report(t, second, "paused", 30*time.Second)
	tk.expect(t, pms.SessionPaused, p.clientID)
	p.report(t, second, "stopped", 40*time.Second)
	tk.expect(t, pms.SessionStopped, p.clientID)
	converge(t, e, tk.tr, "after the stop")
	evs := tk.eventsOf(p.clientID)
	checkLifecycle(t, evs)
	want := []string{
		"started:" + first + ":playing", "progressed:" + first + ":playing",
		"stopped:" + first + ":stopped", // found by the read, which ran ahead of the pause
		"started:" + second + ":playing", "progressed:" + second + ":playing",
		"paused:" + second + ":paused", "stopped:" + second + ":stopped",
	}
	if got := kinds(evs); !slices.Equal(got, want) {
		t.Errorf("events %v,\nwant %v", got, want)
	}
}
