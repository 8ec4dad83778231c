package pms_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// Frames as captured from real servers (reference plex-live.md §1.4–1.11, values changed).
func TestDecodeNotification(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, frame string
		check       func(pms.Notification) bool
	}{
		{"playing", `{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{"sessionKey":"29","clientIdentifier":"abcdefghijklmnopqrstuvwx","guid":"","ratingKey":"1001","url":"","key":"/library/metadata/1001","viewOffset":154000,"state":"playing"}]}}`,
			func(n pms.Notification) bool {
				p := n.Playing[0]
				return p.SessionKey == "29" && p.RatingKey == "1001" && p.ViewOffset == 154000 && p.State == "playing" && p.ClientIdentifier == "abcdefghijklmnopqrstuvwx"
			}},
		{"playing with transcode", `{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{"sessionKey":"89","guid":"","ratingKey":"1002","url":"","key":"/library/metadata/1002","viewOffset":5672758,"state":"paused","transcodeSession":"t0t1t2t3t4t5t6t7t8t9t0t1"}]}}`,
			func(n pms.Notification) bool { return n.Playing[0].TranscodeSession == "t0t1t2t3t4t5t6t7t8t9t0t1" }},
		{"timeline with numeric ids (2018)", `{"NotificationContainer":{"type":"timeline","size":1,"TimelineEntry":[{"identifier":"tv.plex.providers.epg.onconnect:4","sectionID":2,"itemID":583,"parentItemID":582,"rootItemID":581,"type":4,"title":"","state":9,"metadataState":"deleted","updatedAt":1700000000}]}}`,
			func(n pms.Notification) bool {
				e := n.Timeline[0]
				return e.SectionID == "2" && e.ItemID == "583" && e.State == 9 && e.MetadataState == "deleted" && e.Type == 4
			}},
		{"timeline with string ids", `{"NotificationContainer":{"type":"timeline","size":1,"TimelineEntry":[{"identifier":"com.plexapp.plugins.library","sectionID":"1","itemID":"1001","type":1,"title":"Example Movie","state":0,"metadataState":"created","updatedAt":1700000100}]}}`,
			func(n pms.Notification) bool {
				return n.Timeline[0].ItemID == "1001" && n.Timeline[0].Title == "Example Movie"
			}},
		{"activity", `{"NotificationContainer":{"type":"activity","size":1,"ActivityNotification":[{"event":"ended","uuid":"11111111-2222-4333-8444-555555555555","Activity":{"uuid":"11111111-2222-4333-8444-555555555555","type":"library.refresh.items","cancellable":false,"userID":1,"title":"Refreshing","subtitle":"Augmenting metadata","progress":100,"Context":{"key":"/library/metadata/1001/children"}}}]}}`,
			func(n pms.Notification) bool {
				a := n.Activity[0]
				return a.Event == "ended" && a.Activity.Progress == 100 && a.Activity.Type == "library.refresh.items" && a.Activity.Context["key"] == "/library/metadata/1001/children"
			}},
		{"status", `{"NotificationContainer":{"type":"status","size":1,"StatusNotification":[{"title":"Library scan complete","description":"","notificationName":"LIBRARY_UPDATE"}]}}`,
			func(n pms.Notification) bool { return n.Status[0].Title == "Library scan complete" }},
		{"transcode update", `{"NotificationContainer":{"type":"transcodeSession.update","size":1,"TranscodeSession":[{"key":"/transcode/sessions/t0t1t2t3t4t5t6t7t8t9t0t1","throttled":false,"complete":false,"progress":1.3,"size":-22,"speed":23.6,"error":false,"duration":8574912,"remaining":361,"context":"streaming","sourceVideoCodec":"h264","sourceAudioCodec":"dca","videoDecision":"copy","audioDecision":"transcode","protocol":"dash","container":"mp4","videoCodec":"h264","audioCodec":"aac","audioChannels":2,"width":1920,"height":1080,"transcodeHwRequested":true,"transcodeHwFullPipeline":false,"timeStamp":1700000000.5,"maxOffsetAvailable":124.9,"minOffsetAvailable":0.0}]}}`,
			func(n pms.Notification) bool {
				ts := n.Transcode[0]
				return ts.ID() == "t0t1t2t3t4t5t6t7t8t9t0t1" && ts.Speed == 23.6 && ts.Protocol == "dash" && ts.Width == 1920
			}},
		{"preference", `{"NotificationContainer":{"type":"preference","size":1,"Setting":[{"id":"FriendlyName","label":"Friendly name","summary":"","type":"text","default":"","value":"Den","hidden":false,"advanced":false,"group":"general"}]}}`,
			func(n pms.Notification) bool {
				return n.Setting[0].ID == "FriendlyName" && n.Setting[0].Value == "Den"
			}},
		{"unknown type kept raw", `{"NotificationContainer":{"type":"provider.content.change","size":1,"ProviderContentChangeNotification":[{"x":1}]}}`,
			func(n pms.Notification) bool { return len(n.Raw) > 0 && n.Playing == nil }},
		{"bare object, child as an object", `{"type":"playing","size":1,"PlaySessionStateNotification":{"sessionKey":7,"ratingKey":5,"key":"/library/metadata/5","viewOffset":"10","state":"stopped"}}`,
			func(n pms.Notification) bool {
				return len(n.Playing) == 1 && n.Playing[0].SessionKey == "7" && n.Playing[0].ViewOffset == 10
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := pms.DecodeNotification([]byte(tt.frame))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(n) {
				t.Errorf("decoded %+v", n)
			}
		})
	}
	for _, bad := range []string{``, `[]`, `{"NotificationContainer":{"size":1}}`, `{"NotificationContainer":{"type":"playing","PlaySessionStateNotification":[{"viewOffset":"soon"}]}}`} {
		_, err := pms.DecodeNotification([]byte(bad))
		var de *pms.DecodeError
		if !errors.As(err, &de) {
			t.Errorf("DecodeNotification(%q) = %v, want a *DecodeError", bad, err)
		}
	}
}

// listener runs a notification stream in the background and hands over what it yields.
type listener struct {
	ch     chan pms.Notification
	errs   atomic.Int64
	cancel context.CancelFunc
	done   chan struct{}
}

func listen(t *testing.T, c *pms.Client, o pms.NotificationOptions) *listener {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{ch: make(chan pms.Notification, 1024), cancel: cancel, done: make(chan struct{})}
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	go func() {
		defer close(l.done)
		for n, err := range c.NotificationStream(ctx, o) {
			if err != nil {
				l.errs.Add(1)
				continue
			}
			l.ch <- n
		}
	}()
	t.Cleanup(func() { cancel(); <-l.done })
	return l
}

// next returns the next notification of one of types (others are skipped).
func (l *listener) next(t *testing.T, types ...string) pms.Notification {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case n := <-l.ch:
			for _, typ := range types {
				if n.Type == typ {
					return n
				}
			}
		case <-timeout:
			t.Fatalf("no %v notification within 10 s", types)
		}
	}
}

// player reports to a server's /:/timeline as a real player does.
type player struct {
	base, token, clientID string
}

func (p player) report(t *testing.T, rk, state string, offset time.Duration) {
	t.Helper()
	q := url.Values{"ratingKey": {rk}, "key": {"/library/metadata/" + rk}, "state": {state},
		"time": {strconv.FormatInt(offset.Milliseconds(), 10)}}
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

// episode returns the rating key of the first episode of show n of alice-nas's TV Shows, as the
// library API lists it.
func episode(t *testing.T, c *pms.Client, n int) string {
	t.Helper()
	ctx := context.Background()
	shows := collectItems(t, c.Library.Items(ctx, "2", pms.ItemsOptions{Start: n, Limit: 1}))
	if len(shows) != 1 {
		t.Fatalf("no show %d", n)
	}
	resp, err := c.Raw(ctx, http.MethodGet, "/library/metadata/"+string(shows[0].RatingKey)+"/allLeaves")
	must(t, err)
	defer resp.Body.Close()
	var body struct {
		MediaContainer struct {
			Metadata []struct {
				RatingKey string
				Type      string
			}
		}
	}
	must(t, json.NewDecoder(resp.Body).Decode(&body))
	leaves := body.MediaContainer.Metadata
	if len(leaves) == 0 || leaves[0].Type != "episode" {
		t.Fatalf("show %s has no episode: %+v", shows[0].RatingKey, leaves)
	}
	return leaves[0].RatingKey
}

// movies returns the rating keys of the first n movies of alice-nas.
func movies(t *testing.T, c *pms.Client, n int) []string {
	t.Helper()
	var out []string
	for _, it := range collectItems(t, c.Library.Items(context.Background(), "1", pms.ItemsOptions{Limit: n})) {
		out = append(out, string(it.RatingKey))
	}
	return out
}

func TestNotificationsFollowPlayback(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	for _, transport := range []string{pms.TransportWebsocket, pms.TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			c := clientFor(t, e, "alice", nas)
			l := listen(t, c, pms.NotificationOptions{Transport: transport, Filters: []string{pms.TypePlaying}})
			if n := l.next(t, pms.TypeConnected); n.Stream.Transport != transport || n.Stream.Resumed {
				t.Fatalf("connected %+v", n.Stream)
			}
			p := player{base: c.BaseURL(), token: accessToken(t, e, "alice", nas), clientID: "player-" + transport}
			rk := episode(t, c, 4)
			steps := []struct {
				state  string
				offset time.Duration
			}{{"playing", 0}, {"paused", time.Minute}, {"paused", 5 * time.Minute}, {"playing", 5 * time.Minute}, {"stopped", 6 * time.Minute}}
			var key pms.FlexString
			for _, s := range steps {
				p.report(t, rk, s.state, s.offset)
				n := l.next(t, pms.TypePlaying)
				got := n.Playing[0]
				if key == "" {
					key = got.SessionKey
				}
				if got.State != s.state || got.ViewOffset != pms.FlexInt(s.offset.Milliseconds()) || got.RatingKey != pms.FlexString(rk) ||
					got.SessionKey != key || got.ClientIdentifier != p.clientID {
					t.Errorf("after %s at %v: %+v", s.state, s.offset, got)
				}
			}
		})
	}
}

// TestNotificationsReachability turns alice-nas's remote access off and on: both transports
// yield the "reachability" frames typed, with the server-side filter asking for them only.
func TestNotificationsReachability(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{pms.TransportWebsocket, pms.TransportSSE} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{FreezeClock: true})
			c := clientFor(t, e, "alice", nas)
			l := listen(t, c, pms.NotificationOptions{Transport: transport, Filters: []string{pms.TypeReachability}})
			l.next(t, pms.TypeConnected)
			for _, reachable := range []bool{false, true} {
				changed, err := e.SetReachable(nas, reachable)
				if err != nil || !changed {
					t.Fatalf("SetReachable(%v): %v %v", reachable, changed, err)
				}
				n := l.next(t, pms.TypeReachability)
				if len(n.Reachability) != 1 || bool(n.Reachability[0].Reachability) != reachable {
					t.Errorf("reachability frame %+v (raw %s), want %v", n.Reachability, n.Raw, reachable)
				}
			}
		})
	}
}

func TestNotificationsFallBackToSSE(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	// A proxy that does not pass websocket upgrades answers the path with an error page.
	e.SetFault("pms:"+nas+" GET /:/websockets/notifications", emulator.Fault{Status: http.StatusNotFound})
	c := clientFor(t, e, "alice", nas)
	l := listen(t, c, pms.NotificationOptions{})
	if n := l.next(t, pms.TypeConnected); n.Stream.Transport != pms.TransportSSE {
		t.Errorf("connected over %s, want sse", n.Stream.Transport)
	}
	must(t, e.Play(emulator.Playback{Server: nas, User: "alice", Item: episode(t, c, 1), State: "playing"}))
	if n := l.next(t, pms.TypePlaying); n.Playing[0].State != "playing" {
		t.Errorf("over SSE: %+v", n.Playing)
	}
}

func TestNotificationsReconnect(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	c := clientFor(t, e, "alice", nas)
	l := listen(t, c, pms.NotificationOptions{})
	l.next(t, pms.TypeConnected)
	for i := range 3 {
		if i%2 == 0 {
			_, err := e.DropNotifications(nas)
			must(t, err)
		} else {
			must(t, e.RestartServer(nas))
		}
		if n := l.next(t, pms.TypeConnected); !n.Stream.Resumed {
			t.Errorf("reconnection %d not marked resumed", i)
		}
	}
	if l.errs.Load() < 3 {
		t.Errorf("%d stream errors yielded for 3 breaks", l.errs.Load())
	}
}

// refreshingSource hands out a refused token until asked to refresh.
type refreshingSource struct {
	mu        sync.Mutex
	cur, good string
	refreshes int
}

func (s *refreshingSource) Token(context.Context) (*auth.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &auth.Token{Value: s.cur}, nil
}

func (s *refreshingSource) Refresh(context.Context) (*auth.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	s.cur = s.good
	return &auth.Token{Value: s.cur}, nil
}

func TestNotificationsRefreshTokenOn401(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	src := &refreshingSource{cur: "revoked-token-0000000", good: accessToken(t, e, "alice", nas)}
	c := newClient(t, serverInfo(t, e, nas).URL, pms.WithTokenSource(src))
	l := listen(t, c, pms.NotificationOptions{})
	l.next(t, pms.TypeConnected)
	if src.refreshes != 1 || l.errs.Load() != 0 {
		t.Errorf("%d refreshes, %d errors; want one refresh, no error", src.refreshes, l.errs.Load())
	}
}

func TestNotificationsStopWithContext(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	c := newClient(t, serverInfo(t, e, nas).URL, pms.WithToken("refused-token-000000000"))
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	var errs, refused int
	for _, err := range c.NotificationStream(ctx, pms.NotificationOptions{MinBackoff: 10 * time.Millisecond, MaxBackoff: 40 * time.Millisecond}) {
		errs++
		switch {
		case errors.Is(err, plexkit.ErrUnauthorized):
			refused++
		case ctx.Err() != nil:
			// The attempt under way when the context ended fails with the context's error.
		default:
			t.Errorf("error %d is neither the refusal nor the end of the context: %v", errs, err)
		}
	}
	// It kept trying, with backoff (not ~70 times a second), until the context ended.
	if refused < 2 || errs > 40 {
		t.Errorf("%d errors (%d refusals) in 300 ms", errs, refused)
	}
}
