package pmsemu

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/plexkit/plexkit/internal/spec"
)

// episodeOf returns the rating key of the first episode of show n of section 2 (TV Shows).
func episodeOf(f *fixture, n int) string {
	return strconv.Itoa(f.srv.impl().store.Leaves(2_000_000_000 + n)[0])
}

// checkNotificationEndpoint is TestConformanceEveryOperation's check of the notification
// endpoints, whose answer is an endless stream: the websocket upgrades, the event stream
// answers 200 with text/event-stream.
func checkNotificationEndpoint(t *testing.T, f *fixture, op spec.Operation) {
	t.Helper()
	switch op.OperationID {
	case "websocketGetSlash":
		c := dialWS(t, f, op.Path, ownerToken)
		c.Close(websocket.StatusNormalClosure, "")
	case "eventsourceGetSlash":
		r := f.do(t, req{path: op.Path, token: ownerToken, stream: true})
		if r.status != 200 || r.header.Get("Content-Type") != "text/event-stream" {
			t.Errorf("%s: %d %q", op.Path, r.status, r.header.Get("Content-Type"))
		}
	default:
		t.Errorf("no check for %s", op.OperationID)
	}
}

// seededSessionID is the Session.id of the first seeded session of testConfig.
func seededSessionID() string {
	h := newHandler(testConfig(&clock{t: epoch}), testAuth())
	for _, ps := range h.live.sessions {
		if ps.key == 1 {
			return ps.id
		}
	}
	return ""
}

func init() {
	queryValues["statusPostTerminate"] = map[string]string{"sessionId": seededSessionID()}
}

// player is a test player: it reports to a fixture with its identifiers.
type testPlayer struct {
	f        *fixture
	token    string
	clientID string
}

func (p testPlayer) report(t *testing.T, method, rk, state string, offsetMS int) response {
	t.Helper()
	q := url.Values{"ratingKey": {rk}, "key": {"/library/metadata/" + rk}, "state": {state},
		"time": {strconv.Itoa(offsetMS)}, "duration": {"1500000"}}
	return p.f.do(t, req{method: method, path: "/:/timeline?" + q.Encode(), token: p.token, header: map[string]string{
		"X-Plex-Client-Identifier": p.clientID, "X-Plex-Product": "Plex for Kodi", "X-Plex-Platform": "Linux",
		"X-Plex-Device-Name": "Living room", "X-Plex-Version": "3.1.0",
	}})
}

// dialWS opens the websocket endpoint at path with token in the query, as python-plexapi does.
func dialWS(t *testing.T, f *fixture, path, token string) *websocket.Conn {
	t.Helper()
	u := "ws" + strings.TrimPrefix(f.http.URL, "http") + path
	if token != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		u += sep + "X-Plex-Token=" + token
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	t.Cleanup(func() { c.CloseNow() })
	// Subscriptions are registered before Accept returns; nothing published after this is lost.
	return c
}

// readFrame reads one websocket frame.
func readFrame(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading a frame: %v", err)
	}
	return string(b)
}

type playingFrame struct {
	NotificationContainer struct {
		Type                         string
		Size                         int
		PlaySessionStateNotification []map[string]any
	}
}

func decodePlaying(t *testing.T, frame string) map[string]any {
	t.Helper()
	var pf playingFrame
	if err := json.Unmarshal([]byte(frame), &pf); err != nil {
		t.Fatalf("frame %s: %v", frame, err)
	}
	nc := pf.NotificationContainer
	if nc.Type != "playing" || nc.Size != 1 || len(nc.PlaySessionStateNotification) != 1 {
		t.Fatalf("frame %s: want one playing entry", frame)
	}
	return nc.PlaySessionStateNotification[0]
}

func TestPlaybackLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	ws := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}

	if r := p.report(t, http.MethodGet, episodeRK, "playing", 60_000); r.status != 200 || !strings.Contains(r.body, `size="0"`) {
		t.Fatalf("timeline: %d %s", r.status, r.body)
	}
	frame := readFrame(t, ws)
	// Framing and key order as captured: type, size, then the child array.
	if !strings.HasPrefix(frame, `{"NotificationContainer":{"type":"playing","size":1,"PlaySessionStateNotification":[{"sessionKey":"4","clientIdentifier":"kodi-1","guid":"","ratingKey":"`+episodeRK+`","url":"","key":"/library/metadata/`+episodeRK+`","viewOffset":60000,"state":"playing"}]}}`) {
		t.Errorf("first frame %s", frame)
	}

	// /status/sessions (XML by default) shows the session with the player's identity.
	r := f.do(t, req{path: "/status/sessions", token: ownerToken})
	var mc struct {
		Size   int `xml:"size,attr"`
		Videos []struct {
			SessionKey string `xml:"sessionKey,attr"`
			Type       string `xml:"type,attr"`
			ViewOffset int    `xml:"viewOffset,attr"`
			Player     struct {
				MachineIdentifier string `xml:"machineIdentifier,attr"`
				Product           string `xml:"product,attr"`
				State             string `xml:"state,attr"`
				Title             string `xml:"title,attr"`
				Local             string `xml:"local,attr"`
			} `xml:"Player"`
			User struct {
				Title string `xml:"title,attr"`
			} `xml:"User"`
			Session struct {
				ID string `xml:"id,attr"`
			} `xml:"Session"`
		} `xml:"Video"`
	}
	if err := xml.Unmarshal([]byte(r.body), &mc); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, v := range mc.Videos {
		if v.SessionKey == "4" {
			found = true
			if v.Type != "episode" || v.ViewOffset != 60000 || v.Player.MachineIdentifier != "kodi-1" ||
				v.Player.Product != "Plex for Kodi" || v.Player.State != "playing" || v.Player.Title != "Living room" ||
				v.Player.Local != "1" || v.User.Title != "alice" || len(v.Session.ID) != 24 {
				t.Errorf("session 4 = %+v", v)
			}
		}
	}
	if !found || mc.Size != 4 {
		t.Fatalf("sessions: %s", r.body)
	}

	// Between reports the server shows the last one, as a PMS does.
	f.clock.Advance(5 * time.Second)
	if got := sessionOffset(f, "4"); got != 60*time.Second {
		t.Errorf("offset 5 s after a report = %v, want the reported 60s", got)
	}

	// Pause (POST this time), seek while paused, resume, stop: one frame per report.
	steps := []struct {
		method, state string
		offset        int
	}{
		{http.MethodPost, "paused", 70_000},
		{http.MethodGet, "paused", 400_000},
		{http.MethodGet, "playing", 400_000},
		{http.MethodGet, "stopped", 410_000},
	}
	for _, s := range steps {
		if r := p.report(t, s.method, episodeRK, s.state, s.offset); r.status != 200 {
			t.Fatalf("%s: %d", s.state, r.status)
		}
		e := decodePlaying(t, readFrame(t, ws))
		if e["state"] != s.state || e["viewOffset"] != float64(s.offset) || e["sessionKey"] != "4" {
			t.Errorf("after %s@%d: frame %v", s.state, s.offset, e)
		}
	}
	if got := sessionOffset(f, "4"); got != -1 {
		t.Errorf("session 4 still listed after stopped")
	}
	if got := f.srv.ViewOffset(ownerID, mustAtoi(episodeRK)); got != 410*time.Second {
		t.Errorf("resume point = %v, want 410s", got)
	}
	// A new playback of the same player gets the next sessionKey.
	p.report(t, http.MethodGet, episodeRK, "playing", 0)
	if e := decodePlaying(t, readFrame(t, ws)); e["sessionKey"] != "5" {
		t.Errorf("next session %v", e)
	}
}

// sessionOffset returns the offset of the session with key, or -1 when there is none.
func sessionOffset(f *fixture, key string) time.Duration {
	for _, s := range f.srv.Sessions() {
		if s.SessionKey == key {
			return s.Offset
		}
	}
	return -1
}

func TestTimelineErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	for _, tt := range []struct {
		name, rk, state string
		want            int
	}{
		{"unknown item", "9999", "playing", 404},
		{"bad state", episodeRK, "dancing", 400},
		{"not playable", "2000000003", "playing", 400}, // the show itself, not a leaf
	} {
		if r := p.report(t, http.MethodGet, tt.rk, tt.state, 0); r.status != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, r.status, tt.want)
		}
	}
	if r := f.do(t, req{path: "/:/timeline?ratingKey=" + episodeRK + "&state=playing&time=0", token: ownerToken}); r.status != 400 {
		t.Errorf("no client identifier: %d, want 400", r.status)
	}
	// A shared user cannot play an item of a section not shared with them.
	kid := testPlayer{f: f, token: managedToken, clientID: "tablet"}
	if r := kid.report(t, http.MethodGet, episodeRK, "playing", 0); r.status != 404 {
		t.Errorf("managed user on an unshared section: %d", r.status)
	}
	// /:/progress is the owner's only.
	if r := f.do(t, req{path: "/:/progress?key=" + episodeRK + "&time=5000&state=stopped", token: friendToken}); r.status != 401 {
		t.Errorf("progress as a shared user: %d, want 401", r.status)
	}
	if r := f.do(t, req{method: http.MethodPut, path: "/:/progress?key=" + episodeRK + "&time=5000&state=stopped", token: ownerToken}); r.status != 200 {
		t.Errorf("progress as the owner: %d", r.status)
	}
	if got := f.srv.ViewOffset(ownerID, mustAtoi(episodeRK)); got != 5*time.Second {
		t.Errorf("progress set the resume point to %v", got)
	}
}

func TestScrobbleAndWebhooks(t *testing.T) {
	t.Parallel()
	type hook struct {
		payload map[string]any
		thumb   []byte
		ua      string
	}
	var mu sync.Mutex
	got := map[string][]hook{} // by receiver
	recv := func(name string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
				return
			}
			mr := multipart.NewReader(r.Body, params["boundary"])
			var h hook
			h.ua = r.UserAgent()
			for {
				part, err := mr.NextPart()
				if err != nil {
					break
				}
				b, _ := io.ReadAll(part)
				switch part.FormName() {
				case "payload":
					if part.FileName() != "" {
						t.Errorf("payload part has a filename")
					}
					_ = json.Unmarshal(b, &h.payload)
				case "thumb":
					if part.FileName() != "thumb.jpg" || part.Header.Get("Content-Type") != "image/jpeg" {
						t.Errorf("thumb part %v", part.Header)
					}
					h.thumb = b
				}
			}
			mu.Lock()
			got[name] = append(got[name], h)
			mu.Unlock()
		}))
	}
	aliceHook, bobHook := recv("alice"), recv("bob")
	defer aliceHook.Close()
	defer bobHook.Close()
	f := newFixture(t, func(c *Config) {
		c.Webhooks = func(id int) []string {
			switch id {
			case ownerID:
				return []string{aliceHook.URL}
			case friendID:
				return []string{bobHook.URL}
			}
			return nil
		}
	})
	episodeRK := episodeOf(f, 3)
	bob := testPlayer{f: f, token: friendToken, clientID: "bob-phone"}
	const duration = 23 * 60_000 // episode 3's duration in section 2 (checked below)
	bob.report(t, http.MethodGet, episodeRK, "playing", 0)
	dur := 0
	for _, s := range f.srv.Sessions() {
		if s.Player == "bob-phone" {
			r := f.do(t, req{path: "/library/metadata/" + s.RatingKey, token: ownerToken, json: true})
			var m struct {
				MediaContainer struct{ Metadata []struct{ Duration int } }
			}
			_ = json.Unmarshal([]byte(r.body), &m)
			dur = m.MediaContainer.Metadata[0].Duration
		}
	}
	if dur == 0 {
		t.Fatal("no session for bob")
	}
	bob.report(t, http.MethodGet, episodeRK, "paused", dur/2)
	bob.report(t, http.MethodGet, episodeRK, "playing", dur/2)
	before := historyCount(t, f)
	bob.report(t, http.MethodGet, episodeRK, "playing", dur*91/100) // past 90 %: scrobbled
	bob.report(t, http.MethodGet, episodeRK, "playing", dur*95/100) // once per session
	bob.report(t, http.MethodGet, episodeRK, "stopped", dur*96/100)
	if n := historyCount(t, f); n != before+1 {
		t.Errorf("history grew by %d, want 1", n-before)
	}
	_ = duration

	deadline := time.Now().Add(5 * time.Second)
	want := map[string][]string{
		// Finishing the episode puts the next one On Deck: library.on.deck, before the stop.
		"bob": {"media.play", "media.pause", "media.resume", "media.scrobble", "library.on.deck", "media.stop"},
		// bob-phone's first request is a new device to the owner.
		"alice": {"device.new", "media.play", "playback.started", "media.pause", "media.resume", "media.scrobble", "library.on.deck", "media.stop"},
	}
	for {
		mu.Lock()
		done := len(got["bob"]) >= len(want["bob"]) && len(got["alice"]) >= len(want["alice"])
		mu.Unlock()
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for who, events := range want {
		hooks := got[who]
		var names []string
		for _, h := range hooks {
			names = append(names, h.payload["event"].(string))
		}
		// Each URL gets its deliveries in order.
		if strings.Join(names, ",") != strings.Join(events, ",") {
			t.Errorf("%s's hook got %v, want %v", who, names, events)
		}
		for _, h := range hooks {
			ev := h.payload["event"].(string)
			acct := h.payload["Account"].(map[string]any)
			meta, _ := h.payload["Metadata"].(map[string]any)
			player, _ := h.payload["Player"].(map[string]any)
			if ev == "device.new" {
				if acct["title"] != "bob" || meta != nil || player["uuid"] != "bob-phone" || player["title"] != "Living room" {
					t.Errorf("%s %s payload %v", who, ev, h.payload)
				}
			} else if ev == "library.on.deck" {
				// The item is the next episode, not the one played; no player is involved.
				if acct["title"] != "bob" || meta["type"] != "episode" || meta["ratingKey"] == episodeRK ||
					meta["index"] != 2.0 || player != nil || !strings.HasPrefix(h.ua, "PlexMediaServer/") {
					t.Errorf("%s %s payload %v", who, ev, h.payload)
				}
			} else if acct["title"] != "bob" || meta["ratingKey"] != episodeRK || meta["type"] != "episode" ||
				player["uuid"] != "bob-phone" || !strings.HasPrefix(h.ua, "PlexMediaServer/") {
				t.Errorf("%s %s payload %v", who, ev, h.payload)
			}
			if h.payload["user"] != (who == "bob") || h.payload["owner"] != (who == "alice") {
				t.Errorf("%s %s: user %v owner %v", who, ev, h.payload["user"], h.payload["owner"])
			}
			wantThumb := ev == "media.play" || ev == "playback.started" || ev == "library.on.deck"
			if (len(h.thumb) > 0) != wantThumb || wantThumb && string(h.thumb[:2]) != "\xff\xd8" {
				t.Errorf("%s %s: thumb of %d bytes", who, ev, len(h.thumb))
			}
		}
	}
	// The sender counts a delivery once the receiver's answer is back, a moment after the
	// receiver has recorded it.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		st := f.srv.WebhookStats()
		if st.Sent == 14 && st.Failed == 0 && st.Dropped == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("webhook stats %+v, want 14 sent", st)
			break
		}
	}
}

func historyCount(t *testing.T, f *fixture) int {
	t.Helper()
	r := f.do(t, req{path: "/status/sessions/history/all", token: ownerToken, json: true})
	var h struct{ MediaContainer struct{ TotalSize int } }
	if err := json.Unmarshal([]byte(r.body), &h); err != nil {
		t.Fatal(err)
	}
	return h.MediaContainer.TotalSize
}

func TestWebhookReceiverDownDoesNotBlock(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer slow.Close()
	defer close(block)
	f := newFixture(t, func(c *Config) {
		c.Webhooks = func(int) []string { return []string{slow.URL, "http://127.0.0.1:1/closed"} }
		c.WebhookClient = &http.Client{Timeout: 200 * time.Millisecond}
	})
	episodeRK := episodeOf(f, 3)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi"}
	start := time.Now()
	for i := range 4 * WebhookQueue {
		state := []string{"playing", "paused"}[i%2]
		if r := p.report(t, http.MethodGet, episodeRK, state, i); r.status != 200 {
			t.Fatal(r.status)
		}
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("%d reports took %v with a hung receiver", 4*WebhookQueue, d)
	}
	if st := f.srv.WebhookStats(); st.Dropped == 0 {
		t.Errorf("a full queue dropped nothing: %+v", st)
	}
}

func TestNotificationsSSE(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+"/:/eventsource/notifications", nil)
	hr.Header.Set("X-Plex-Token", ownerToken) // the header, as Tautulli sends it
	resp, err := f.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("status %d, type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	p := testPlayer{f: f, token: ownerToken, clientID: "00000000-0000-4000-8000-000000000001"}
	p.report(t, http.MethodGet, episodeRK, "paused", 26530)
	br := bufio.NewReader(resp.Body)
	ev, _ := br.ReadString('\n')
	data, _ := br.ReadString('\n')
	blank, _ := br.ReadString('\n')
	if ev != "event: playing\n" || blank != "\n" ||
		data != `data: {"PlaySessionStateNotification":{"sessionKey":"4","clientIdentifier":"00000000-0000-4000-8000-000000000001","guid":"","ratingKey":"`+episodeRK+`","url":"","key":"/library/metadata/`+episodeRK+`","viewOffset":26530,"state":"paused"}}`+"\n" {
		t.Errorf("SSE event %q %q %q", ev, data, blank)
	}
	// A drop cuts the stream.
	if n := f.srv.DropNotifications(); n != 1 {
		t.Errorf("dropped %d streams, want 1", n)
	}
	if _, err := io.ReadAll(br); err == nil {
		t.Errorf("the stream ended cleanly after a drop; want a cut connection")
	}
}

func TestNotificationsAuthAndFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	for _, path := range []string{"/:/websockets/notifications", "/:/websocket/notifications", "/:/eventsource/notifications"} {
		for _, tok := range []string{"", strangerToken, "nonsense"} {
			if r := f.do(t, req{path: path, token: tok, stream: true}); r.status != 401 {
				t.Errorf("%s with %q: %d, want 401", path, tok, r.status)
			}
		}
		if r := f.do(t, req{path: path, token: expiredToken, stream: true}); r.status != 498 {
			t.Errorf("%s with an expired JWT: %d, want 498", path, r.status)
		}
	}
	// bob (shared) sees his own playback and not alice's; alice sees both.
	bobWS := dialWS(t, f, "/:/websocket/notifications", friendToken)
	aliceWS := dialWS(t, f, "/:/websockets/notifications?filters=playing", ownerToken)
	onlyTranscode := dialWS(t, f, "/:/websockets/notifications?filters=transcodeSession.start", ownerToken)
	alice := testPlayer{f: f, token: ownerToken, clientID: "alice-tv"}
	bob := testPlayer{f: f, token: friendToken, clientID: "bob-phone"}
	alice.report(t, http.MethodGet, "1000000010", "playing", 1000)
	bob.report(t, http.MethodGet, episodeRK, "playing", 2000)
	if e := decodePlaying(t, readFrame(t, bobWS)); e["clientIdentifier"] != "bob-phone" {
		t.Errorf("bob's first frame is %v, want his own", e)
	}
	a1, a2 := decodePlaying(t, readFrame(t, aliceWS)), decodePlaying(t, readFrame(t, aliceWS))
	if a1["clientIdentifier"] != "alice-tv" || a2["clientIdentifier"] != "bob-phone" {
		t.Errorf("alice saw %v then %v", a1, a2)
	}
	// A transcode, asked for with a decision refusing direct play, shows on the next session.
	tr := f.do(t, req{path: "/video/:/transcode/universal/decision?directPlay=0&path=/library/metadata/1000000011", token: ownerToken,
		header: map[string]string{"X-Plex-Client-Identifier": "alice-laptop"}, json: true})
	if tr.status != 200 || !strings.Contains(tr.body, `"generalDecisionCode":1001`) {
		t.Fatalf("decision %d %s", tr.status, tr.body)
	}
	laptop := testPlayer{f: f, token: ownerToken, clientID: "alice-laptop"}
	laptop.report(t, http.MethodGet, "1000000011", "playing", 0)
	var ts struct {
		NotificationContainer struct {
			Type             string
			TranscodeSession []struct {
				Key              string
				Context          string
				Throttled        bool
				SourceVideoCodec string
			}
		}
	}
	if err := json.Unmarshal([]byte(readFrame(t, onlyTranscode)), &ts); err != nil {
		t.Fatal(err)
	}
	nc := ts.NotificationContainer
	if nc.Type != "transcodeSession.start" || len(nc.TranscodeSession) != 1 || !strings.HasPrefix(nc.TranscodeSession[0].Key, "/transcode/sessions/") ||
		nc.TranscodeSession[0].Context != "streaming" || nc.TranscodeSession[0].SourceVideoCodec != "h264" {
		t.Errorf("transcode frame %+v", nc)
	}
	id := strings.TrimPrefix(nc.TranscodeSession[0].Key, "/transcode/sessions/")
	if e := decodePlaying(t, readFrame(t, aliceWS)); e["transcodeSession"] != id {
		t.Errorf("playing frame of a transcoded session: %v, want transcodeSession %s", e, id)
	}
	list := f.do(t, req{path: "/transcode/sessions", token: ownerToken})
	if !strings.Contains(list.body, `<TranscodeSession key="`+id+`"`) || !strings.Contains(list.body, `throttled="0"`) {
		t.Errorf("/transcode/sessions: %s", list.body)
	}
	laptop.report(t, http.MethodGet, "1000000011", "stopped", 1000)
	if e := decodePlaying(t, readFrame(t, aliceWS)); e["state"] != "stopped" || e["transcodeSession"] != nil {
		t.Errorf("stopped frame %v: want no transcodeSession", e)
	}
}

func TestParseFilter(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		query string
		allow []string
		deny  []string
	}{
		{"", []string{"playing", "activity"}, []string{"log"}},
		{"filters=", []string{"playing", "log"}, nil},
		{"filters=playing,status", []string{"playing", "status"}, []string{"activity", "log", "transcodeSession.update"}},
		{"filters=-playing,activity", []string{"log", "status"}, []string{"playing", "activity"}},
		{"filter=activity", []string{"activity"}, []string{"playing"}},
		{"filters=transcodeSession", nil, []string{"transcodeSession.update"}},
	} {
		q, _ := url.ParseQuery(tt.query)
		f := parseFilter(q)
		for _, a := range tt.allow {
			if !f.allows(a) {
				t.Errorf("%q refuses %s", tt.query, a)
			}
		}
		for _, d := range tt.deny {
			if f.allows(d) {
				t.Errorf("%q allows %s", tt.query, d)
			}
		}
	}
}

func TestSlowSubscriberIsDroppedNotWaitedFor(t *testing.T) {
	t.Parallel()
	h := newHub(nil)
	slow := h.subscribe(owner, filter{all: true})
	fast := h.subscribe(owner, filter{all: true})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range SubscriberBuffer * 4 {
			h.Publish(Notification{Type: "progress", Entry: ProgressEntry{Message: strconv.Itoa(i)}})
			<-fast.ch // the fast one keeps up
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	select {
	case <-slow.gone:
	default:
		t.Error("the slow subscriber was not dropped")
	}
	if h.Subscribers() != 1 {
		t.Errorf("%d subscribers left, want the fast one", h.Subscribers())
	}
}

func TestClockPlaysEmulatorPlayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	ws := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	err := f.srv.Play(PlayRequest{Caller: owner, Player: "virtual", RatingKey: episodeRK, State: "playing", Offset: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	decodePlaying(t, readFrame(t, ws))
	// Every ReportInterval of the clock the emulator's player reports.
	f.clock.Advance(ReportInterval)
	f.srv.Tick()
	frames := []map[string]any{}
	for len(frames) < 3 { // the two seeded playing sessions report too
		frames = append(frames, decodePlaying(t, readFrame(t, ws)))
	}
	var seen bool
	for _, e := range frames {
		if e["clientIdentifier"] == "virtual" {
			seen = true
			if e["viewOffset"] != float64(70_000) {
				t.Errorf("virtual report %v, want viewOffset 70000", e)
			}
		}
	}
	if !seen {
		t.Errorf("no report from the virtual player in %v", frames)
	}
	// Far ahead: the item ends; the player is scrobbled and stops.
	before := historyCount(t, f)
	f.clock.Advance(3 * time.Hour)
	f.srv.Tick()
	if sessionOffset(f, "4") != -1 {
		t.Error("the virtual player still plays after the end of its item")
	}
	if n := historyCount(t, f); n != before+3 { // the seeded playing movie and track ended too
		t.Errorf("history grew by %d, want 3", n-before)
	}
}

func TestTerminateAndRestart(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	episodeRK := episodeOf(f, 3)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi"}
	p.report(t, http.MethodGet, episodeRK, "playing", 1000)
	var id string
	r := f.do(t, req{path: "/status/sessions", token: ownerToken, json: true})
	var mc struct {
		MediaContainer struct {
			Metadata []struct {
				SessionKey string
				Session    struct{ ID string }
			}
		}
	}
	_ = json.Unmarshal([]byte(r.body), &mc)
	for _, m := range mc.MediaContainer.Metadata {
		if m.SessionKey == "4" {
			id = m.Session.ID
		}
	}
	if r := f.do(t, req{method: http.MethodPost, path: "/status/sessions/terminate?sessionId=" + id + "&reason=Go%20Away", token: friendToken}); r.status != 401 {
		t.Errorf("terminate as a shared user: %d", r.status)
	}
	if r := f.do(t, req{method: http.MethodPost, path: "/status/sessions/terminate?sessionId=nope", token: ownerToken}); r.status != 404 {
		t.Errorf("terminate an unknown session: %d", r.status)
	}
	if r := f.do(t, req{method: http.MethodPost, path: "/status/sessions/terminate?sessionId=" + id + "&reason=Go%20Away", token: ownerToken}); r.status != 200 {
		t.Fatalf("terminate: %d", r.status)
	}
	r = p.report(t, http.MethodGet, episodeRK, "playing", 2000)
	if !strings.Contains(r.body, `terminationCode="2006"`) || !strings.Contains(r.body, `terminationText="Admin terminated playback with reason: Go Away"`) {
		t.Errorf("report after terminate: %s", r.body)
	}
	if sessionOffset(f, "4") != -1 {
		t.Error("terminated session still listed")
	}
	// A restart forgets the sessions; the next report starts again from sessionKey 1.
	f.srv.Restart()
	if n := len(f.srv.Sessions()); n != 0 {
		t.Errorf("%d sessions after a restart", n)
	}
	p.report(t, http.MethodGet, episodeRK, "playing", 3000)
	if s := f.srv.Sessions(); len(s) != 1 || s[0].SessionKey != "1" {
		t.Errorf("after restart: %+v", s)
	}
	// A player that stops reporting is dropped after SessionTimeout.
	f.clock.Advance(SessionTimeout)
	f.srv.Tick()
	if n := len(f.srv.Sessions()); n != 0 {
		t.Errorf("%d sessions after %v of silence", n, SessionTimeout)
	}
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// TestModelChangesAreNotified: library changes become timeline frames, a scan status and
// progress frames, and a rating a media.rate webhook with the poster.
func TestModelChangesAreNotified(t *testing.T) {
	t.Parallel()
	hooks := make(chan map[string]any, 8)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Error(err)
			return
		}
		var p map[string]any
		_ = json.Unmarshal([]byte(r.FormValue("payload")), &p)
		p["thumb"] = len(r.MultipartForm.File["thumb"]) == 1
		hooks <- p
	}))
	defer recv.Close()
	f := newFixture(t, func(c *Config) { c.Webhooks = func(int) []string { return []string{recv.URL} } })
	ws := dialWS(t, f, "/:/websockets/notifications?filters=timeline,status,progress", ownerToken)
	acts := dialWS(t, f, "/:/websockets/notifications?filters=activity", ownerToken)
	bobActs := dialWS(t, f, "/:/websockets/notifications?filters=activity,status", friendToken)

	rk, ok := f.srv.impl().store.AddItem(Item{SectionKey: "1", Type: "movie", Title: "New Arrival", Duration: 5_400_000})
	if !ok {
		t.Fatal("AddItem refused")
	}
	for _, want := range []string{`"state":0,"metadataState":"created"`, `"state":5,`} {
		frame := readFrame(t, ws)
		if !strings.Contains(frame, `"type":"timeline"`) || !strings.Contains(frame, `"itemID":"`+strconv.Itoa(rk)+`"`) ||
			!strings.Contains(frame, `"type":1,"title":"New Arrival"`) || !strings.Contains(frame, want) {
			t.Errorf("timeline frame %s, want %s", frame, want)
		}
	}
	if h := <-hooks; h["event"] != "library.new" || h["thumb"] != true {
		t.Errorf("webhook %v", h)
	}
	if r := f.do(t, req{method: http.MethodPost, path: "/library/sections/1/refresh", token: ownerToken}); r.status != 200 {
		t.Fatalf("refresh: %d", r.status)
	}
	// The scan is an activity on the clock: started, updated as the clock moves, ended.
	var uuid string
	for _, want := range []struct {
		event    string
		progress int
	}{{"started", 0}, {"updated", 50}, {"ended", 100}} {
		if want.event == "updated" {
			f.clock.Advance(scanDuration / 2)
			f.srv.Tick()
		}
		if want.event == "ended" {
			f.clock.Advance(scanDuration / 2)
			f.srv.Tick()
		}
		var fr struct {
			NotificationContainer struct {
				Type                 string
				ActivityNotification []ActivityEntry
			}
		}
		if err := json.Unmarshal([]byte(readFrame(t, acts)), &fr); err != nil || len(fr.NotificationContainer.ActivityNotification) != 1 {
			t.Fatalf("activity frame: %v %+v", err, fr)
		}
		a := fr.NotificationContainer.ActivityNotification[0]
		if uuid == "" {
			uuid = a.UUID
		}
		if a.Event != want.event || a.UUID != uuid || a.Activity.UUID != uuid || a.Activity.Progress != want.progress ||
			a.Activity.Type != "library.update.section" || a.Activity.UserID != 1 || a.Activity.Context["librarySectionID"] != "1" {
			t.Errorf("activity %+v, want %s at %d", a, want.event, want.progress)
		}
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"ProgressNotification":[{"message":"Scanning the \"Movies\" section"}]`) {
		t.Errorf("progress frame %s", frame)
	}
	if frame := readFrame(t, ws); frame != `{"NotificationContainer":{"type":"status","size":1,"StatusNotification":[{"title":"Library scan complete","description":"","notificationName":"LIBRARY_UPDATE"}]}}` {
		t.Errorf("status frame %s", frame)
	}
	// bob (a shared user) saw none of the owner's activity nor the admin's scan status.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, b, err := bobActs.Read(ctx); err == nil {
		t.Errorf("a shared user received %s", b)
	}
	if r := f.do(t, req{method: http.MethodPut, path: "/:/rate?identifier=com.plexapp.plugins.library&key=" + strconv.Itoa(rk) + "&rating=8", token: ownerToken}); r.status != 200 {
		t.Fatalf("rate: %d %s", r.status, r.body)
	}
	h := <-hooks
	if h["event"] != "media.rate" || h["rating"] != float64(8) || h["thumb"] != true || h["Metadata"].(map[string]any)["title"] != "New Arrival" {
		t.Errorf("rate webhook %v", h)
	}
}

func TestPreferenceNotified(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications?filters=preference", ownerToken)
	if r := f.do(t, req{method: http.MethodPut, path: "/:/prefs?FriendlyName=Den", token: ownerToken}); r.status != 200 {
		t.Fatalf("prefs: %d %s", r.status, r.body)
	}
	frame := readFrame(t, ws)
	if !strings.HasPrefix(frame, `{"NotificationContainer":{"type":"preference","size":1,"Setting":[{"id":"FriendlyName","label":"Friendly name",`) ||
		!strings.Contains(frame, `"value":"Den"`) || !strings.Contains(frame, `"type":"text"`) {
		t.Errorf("preference frame %s", frame)
	}
}
