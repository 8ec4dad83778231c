package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// syncBuffer is a buffer written by a running command and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// liveRun is a plexkit command running in the background: its stdout comes line by line.
type liveRun struct {
	lines  chan string
	stderr *syncBuffer
	done   chan int
}

// startCLI runs plexkit with args in the background, its output piped (not a terminal).
func startCLI(t *testing.T, env map[string]string, args ...string) *liveRun {
	t.Helper()
	pr, pw := io.Pipe()
	r := &liveRun{lines: make(chan string, 256), stderr: &syncBuffer{}, done: make(chan int, 1)}
	streams := &IOStreams{In: strings.NewReader(""), Out: pw, ErrOut: r.stderr}
	go func() {
		code := Run(args, streams, func(k string) string { return env[k] })
		pw.Close()
		r.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	return r
}

// next returns the next line of output.
func (r *liveRun) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			t.Fatalf("the command ended; stderr: %s", r.stderr.String())
		}
		return l
	case <-time.After(15 * time.Second):
		t.Fatalf("no output within 15 s; stderr: %s", r.stderr.String())
	}
	return ""
}

// waitStderr waits until the command's stderr contains s and returns it.
func (r *liveRun) waitStderr(t *testing.T, s string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(r.stderr.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("stderr never said %q: %s", s, r.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r.stderr.String()
}

// exit waits for the command to end and returns its code.
func (r *liveRun) exit(t *testing.T) int {
	t.Helper()
	for range r.lines {
	}
	select {
	case code := <-r.done:
		return code
	case <-time.After(15 * time.Second):
		t.Fatalf("the command did not end; stderr: %s", r.stderr.String())
	}
	return -1
}

// timelinePlayer reports to a server's /:/timeline as a real player does.
type timelinePlayer struct {
	base, token, clientID string
}

func (p timelinePlayer) report(t *testing.T, rk, state string, offset int) {
	t.Helper()
	q := url.Values{"ratingKey": {rk}, "key": {"/library/metadata/" + rk}, "state": {state}, "time": {strconv.Itoa(offset)}}
	req, _ := http.NewRequest(http.MethodPost, p.base+"/:/timeline?"+q.Encode(), nil)
	req.Header.Set("X-Plex-Token", p.token)
	req.Header.Set("X-Plex-Client-Identifier", p.clientID)
	req.Header.Set("X-Plex-Product", "Plex for Kodi")
	req.Header.Set("X-Plex-Device-Name", "Living room")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("timeline %s: %d", state, resp.StatusCode)
	}
}

// anEpisode returns the rating key and duration of an episode of alice-nas.
func anEpisode(t *testing.T, c *pms.Client) (string, int) {
	t.Helper()
	ctx := context.Background()
	for show, err := range c.Library.Items(ctx, "2", pms.ItemsOptions{Start: 5, Limit: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Raw(ctx, http.MethodGet, "/library/metadata/"+string(show.RatingKey)+"/allLeaves")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			MediaContainer struct {
				Metadata []struct {
					RatingKey string
					Duration  int
				}
			}
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.MediaContainer.Metadata) == 0 {
			t.Fatalf("episodes of %s: %v %+v", show.RatingKey, err, body)
		}
		ep := body.MediaContainer.Metadata[0]
		return ep.RatingKey, ep.Duration
	}
	t.Fatal("no show")
	return "", 0
}

// TestLivePlaybackEndToEnd: a player starts, pauses, seeks, resumes and stops an episode (past
// the played threshold). `plexkit watch`, `plexkit sessions --watch`, `plexkit webhooks listen
// --register`, the library's SSE stream and its tracker each see the same sequence; the
// episode is scrobbled and appears in `plexkit history`; the webhook is unregistered on exit.
func TestLivePlaybackEndToEnd(t *testing.T) {
	e := emulator.New(emulator.Options{LibrarySize: 50, FreezeClock: true})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	env, _ := srvLogin(t, e, "alice")
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	token := aliceNASToken(t, e)
	c, err := pms.NewClient(nas, pms.WithToken(token))
	if err != nil {
		t.Fatal(err)
	}
	rk, duration := anEpisode(t, c)

	hooks := startCLI(t, env, "webhooks", "listen", "--register", "--json", "--max-events", "8")
	hooks.waitStderr(t, "listening for webhooks on")
	if urls := e.Webhooks("alice"); len(urls) != 1 {
		t.Fatalf("registered webhooks: %v", urls)
	}
	watch := startCLI(t, env, "watch", "--server", emulator.ServerAliceNAS, "--filter", "playing", "--max-events", "6")
	if l := watch.next(t); !strings.Contains(l, `"type":"plexkit.connected"`) {
		t.Fatalf("first watch line %s", l)
	}
	sessions := startCLI(t, env, "sessions", "--server", emulator.ServerAliceNAS, "--watch", "--max-events", "8")
	for range 2 { // the seeded sessions
		var ev pms.SessionEvent
		if err := json.Unmarshal([]byte(sessions.next(t)), &ev); err != nil || ev.Kind != pms.SessionStarted {
			t.Fatalf("seeded session: %v %+v", err, ev)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sse := make(chan pms.PlayingNotification, 64)
	go func() {
		for n, err := range c.NotificationStream(ctx, pms.NotificationOptions{Transport: pms.TransportSSE, Filters: []string{"playing"}}) {
			if err == nil && n.Type == pms.TypePlaying {
				sse <- n.Playing[0]
			}
		}
	}()
	tracker := pms.NewTracker(c, pms.TrackerOptions{MinResync: 10 * time.Millisecond})
	tracked := make(chan pms.SessionEvent, 64)
	go func() {
		for ev, err := range tracker.Events(ctx) {
			if err == nil {
				tracked <- ev
			}
		}
	}()
	// Both library streams are connected once the tracker has read the seeded sessions and the
	// SSE stream has seen a first event; the seeded sessions make the first.
	for range 2 {
		<-tracked
	}
	time.Sleep(50 * time.Millisecond) // the SSE stream's subscription is in place by then

	p := timelinePlayer{base: nas, token: token, clientID: "e2e-kodi"}
	steps := []struct {
		state  string
		offset int
		kind   string // the session event
		hook   string // the webhook, if one
	}{
		{"playing", 0, pms.SessionStarted, "media.play"},
		{"paused", 60_000, pms.SessionPaused, "media.pause"},
		{"paused", duration / 2, pms.SessionProgressed, ""}, // a seek while paused
		{"playing", duration / 2, pms.SessionResumed, "media.resume"},
		{"playing", duration * 95 / 100, pms.SessionProgressed, "media.scrobble"},
		{"stopped", duration * 96 / 100, pms.SessionStopped, "media.stop"},
	}
	// The CLI's first request to the server (watch's) and the player's first report come from
	// devices the server has not seen: device.new to the owner, each before what follows it.
	wantHooks := []string{"device.new"}
	for i, s := range steps {
		p.report(t, rk, s.state, s.offset)
		var n pms.Notification
		if err := json.Unmarshal([]byte(watch.next(t)), &n); err != nil || len(n.Playing) != 1 {
			t.Fatalf("step %d: watch line: %v %+v", i, err, n)
		}
		if got := n.Playing[0]; got.State != s.state || int(got.ViewOffset) != s.offset || string(got.RatingKey) != rk {
			t.Errorf("step %d: watch saw %+v", i, got)
		}
		select {
		case got := <-sse:
			if got.State != s.state || int(got.ViewOffset) != s.offset {
				t.Errorf("step %d: SSE saw %+v", i, got)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("step %d: nothing over SSE", i)
		}
		var ev pms.SessionEvent
		if err := json.Unmarshal([]byte(sessions.next(t)), &ev); err != nil || ev.Kind != s.kind ||
			ev.Session.Player.MachineIdentifier != p.clientID || int(ev.Session.ViewOffset) != s.offset {
			t.Errorf("step %d: sessions --watch saw %v %+v, want %s", i, err, ev, s.kind)
		}
		select {
		case got := <-tracked:
			if got.Kind != s.kind || int(got.Session.ViewOffset) != s.offset {
				t.Errorf("step %d: tracker saw %s at %d, want %s at %d", i, got.Kind, got.Session.ViewOffset, s.kind, s.offset)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("step %d: no tracker event", i)
		}
		if i == 0 {
			wantHooks = append(wantHooks, "device.new")
		}
		if s.hook != "" {
			wantHooks = append(wantHooks, s.hook)
		}
	}
	// Finishing the episode puts the next one On Deck: Plex says so between scrobble and stop.
	i := slices.Index(wantHooks, "media.scrobble") + 1
	wantHooks = slices.Insert(wantHooks, i, "library.on.deck")
	var gotHooks []string
	for range wantHooks {
		var ev struct {
			Event    string
			Metadata struct{ RatingKey string }
			Player   struct{ UUID string }
		}
		err := json.Unmarshal([]byte(hooks.next(t)), &ev)
		if ev.Event == "device.new" {
			// No item; the device: the CLI's first, then the player.
			if err != nil || ev.Metadata.RatingKey != "" || ev.Player.UUID == "" || len(gotHooks) > 0 && ev.Player.UUID != p.clientID {
				t.Errorf("webhook %v %+v", err, ev)
			}
		} else if ev.Event == "library.on.deck" {
			// The next episode, and no player.
			if err != nil || ev.Metadata.RatingKey == rk || ev.Metadata.RatingKey == "" || ev.Player.UUID != "" {
				t.Errorf("webhook %v %+v", err, ev)
			}
		} else if err != nil || ev.Metadata.RatingKey != rk || ev.Player.UUID != p.clientID {
			t.Errorf("webhook %v %+v", err, ev)
		}
		gotHooks = append(gotHooks, ev.Event)
	}
	if strings.Join(gotHooks, ",") != strings.Join(wantHooks, ",") {
		t.Errorf("webhooks %v, want %v", gotHooks, wantHooks)
	}
	for name, r := range map[string]*liveRun{"watch": watch, "sessions --watch": sessions, "webhooks listen": hooks} {
		if code := r.exit(t); code != 0 {
			t.Errorf("%s exited %d: %s", name, code, r.stderr.String())
		}
	}
	if !strings.Contains(hooks.stderr.String(), "removed the webhook") || len(e.Webhooks("alice")) != 0 {
		t.Errorf("the webhook was not removed on exit: %v; %s", e.Webhooks("alice"), hooks.stderr.String())
	}
	// Played past 90 %: in the history, as alice.
	hist := runCLI(t, env, "", "history", "--server", emulator.ServerAliceNAS, "--json").mustSucceed(t)
	var entries []pms.HistoryEntry
	if err := json.Unmarshal([]byte(hist.stdout), &entries); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, h := range entries {
		found = found || string(h.RatingKey) == rk
	}
	if !found {
		t.Errorf("the episode %s is not in the history: %s", rk, hist.stdout)
	}
}

// TestWatchResumesAndRefreshes: while `plexkit watch` runs, the server restarts, connections
// drop, and the account's Plex JWT expires; the server then refuses the stream once (401), so
// plexkit fetches the server's access token again from plex.tv with a refreshed JWT. watch says
// when it resumes and never stops.
func TestWatchResumesAndRefreshes(t *testing.T) {
	e := emulator.New(emulator.Options{LibrarySize: 50, FreezeClock: true})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	env, _ := srvLogin(t, e, "alice")
	c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)))
	if err != nil {
		t.Fatal(err)
	}
	rk, _ := anEpisode(t, c)
	watch := startCLI(t, env, "watch", "--server", emulator.ServerAliceNAS, "--filter", "playing", "--max-events", "8")
	watch.next(t) // connected
	play := func(offset time.Duration) {
		t.Helper()
		if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: rk, State: "playing", Offset: offset}); err != nil {
			t.Fatal(err)
		}
		for {
			var n pms.Notification
			if err := json.Unmarshal([]byte(watch.next(t)), &n); err != nil {
				t.Fatal(err)
			}
			if n.Type == pms.TypePlaying && int64(n.Playing[0].ViewOffset) == offset.Milliseconds() {
				return
			}
		}
	}
	resumed := func(n int) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for strings.Count(watch.stderr.String(), "resumed watching") < n {
			if time.Now().After(deadline) {
				t.Fatalf("watch did not resume a %d. time: %s", n, watch.stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	play(time.Minute)
	if _, err := e.DropNotifications(emulator.ServerAliceNAS); err != nil {
		t.Fatal(err)
	}
	resumed(1)
	play(2 * time.Minute)
	if err := e.RestartServer(emulator.ServerAliceNAS); err != nil {
		t.Fatal(err)
	}
	resumed(2)
	play(3 * time.Minute)
	exchanges := e.Stats()["POST /api/v2/auth/token"]
	e.Advance(8 * 24 * time.Hour) // the JWT has expired
	e.SetFault("pms:"+emulator.ServerAliceNAS+" GET /:/websockets/notifications", emulator.Fault{Status: 401, Count: 1})
	if _, err := e.DropNotifications(emulator.ServerAliceNAS); err != nil {
		t.Fatal(err)
	}
	resumed(3)
	play(4 * time.Minute)
	if got := e.Stats()["POST /api/v2/auth/token"]; got <= exchanges {
		t.Errorf("no JWT refresh after it expired: %d exchanges before, %d after", exchanges, got)
	}
	if strings.Contains(watch.stderr.String(), "401") {
		t.Errorf("the refused token reached the person: %s", watch.stderr.String())
	}
}

// serverURL returns the live URL of the named server.
func serverURL(t *testing.T, e *emulator.Emulator, name string) string {
	t.Helper()
	return serverByName(t, e, name).URL
}

// aliceNASToken returns the access token plex.tv lists for alice on alice-nas.
func aliceNASToken(t *testing.T, e *emulator.Emulator) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/api/v2/resources", nil)
	req.Header.Set("X-Plex-Token", e.LegacyToken("alice"))
	req.Header.Set("X-Plex-Client-Identifier", "plexkit-cli-live-test")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Name        string `json:"name"`
		AccessToken string `json:"accessToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Name == emulator.ServerAliceNAS {
			return r.AccessToken
		}
	}
	t.Fatal("no alice-nas in alice's resources")
	return ""
}

// TestLiveCommandsOnATerminal: on a terminal, watch prints readable lines and sessions --watch
// redraws its table in place.
func TestLiveCommandsOnATerminal(t *testing.T) {
	e := emulator.New(emulator.Options{LibrarySize: 50, FreezeClock: true})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	env, _ := srvLogin(t, e, "alice")
	c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)))
	if err != nil {
		t.Fatal(err)
	}
	rk, _ := anEpisode(t, c)
	run := func(args ...string) (out, errOut *syncBuffer) {
		out, errOut = &syncBuffer{}, &syncBuffer{}
		streams := &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut, OutTTY: true}
		done := make(chan int, 1)
		go func() { done <- Run(args, streams, func(k string) string { return env[k] }) }()
		t.Cleanup(func() {
			select {
			case code := <-done:
				if code != 0 {
					t.Errorf("%v exited %d: %s", args, code, streams.ErrOut.(*syncBuffer).String())
				}
			case <-time.After(15 * time.Second):
				t.Errorf("%v did not end", args)
			}
		})
		return out, errOut
	}
	watch, watchErr := run("watch", "--server", emulator.ServerAliceNAS, "--filter", "playing", "--max-events", "1")
	table, _ := run("sessions", "--server", emulator.ServerAliceNAS, "--watch", "--max-events", "3")
	deadline := time.Now().Add(15 * time.Second)
	// The playback below must happen once both are listening: watch says so on stderr, and the
	// table is drawn twice (the seeded sessions).
	for !strings.Contains(watchErr.String(), "watching alice-nas") || strings.Count(table.String(), "\x1b[2J") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("not listening: watch %q, table %q", watchErr.String(), table.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Player: "tty-player", Item: rk, State: "playing", Offset: 90 * time.Second}); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(watch.String(), "\n") || strings.Count(table.String(), "\x1b[2J") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("watch %q, table %q", watch.String(), table.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	// The line names the user, the title and the player as `plexkit sessions` does, and the
	// event column is no wider than the event.
	it, err := c.Metadata.Get(context.Background(), rk)
	if err != nil {
		t.Fatal(err)
	}
	line := watch.String()
	if want := fmt.Sprintf(` playing session %s: alice playing %q at 1:30 on tty-player (Plex Web)`+"\n", liveSessionKey(t, e, "tty-player"), it.DisplayTitle()); !strings.HasSuffix(line, want) || len(line) != len("15:04:05")+len(want) {
		t.Errorf("watch line %q, want the time and %q", line, want)
	}
	screens := strings.Split(table.String(), "\x1b[H\x1b[2J")
	last := screens[len(screens)-1]
	if !strings.Contains(last, "alice-nas — 3 playing") || !strings.Contains(last, "KEY") || !strings.Contains(last, "tty-player (Plex Web)") {
		t.Errorf("last screen %q", last)
	}
}

// liveSessionKey returns the session key of player's session on alice-nas.
func liveSessionKey(t *testing.T, e *emulator.Emulator, player string) string {
	t.Helper()
	s := liveSession(t, e, player)
	if s == nil {
		t.Fatalf("%s plays nothing", player)
	}
	return s.SessionKey
}
