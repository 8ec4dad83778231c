package pmsemu

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReachabilityNotified turns the server's remote access off and on: the admin's streams
// that let the type through get one "reachability" frame per change, in both framings;
// filters apply to it as to any type, shared users never see it, and /myplex/account follows.
func TestReachabilityNotified(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	all := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	only := dialWS(t, f, "/:/websockets/notifications?filters=reachability", ownerToken)
	excluded := dialWS(t, f, "/:/websockets/notifications?filters=-reachability", ownerToken)
	friend := dialWS(t, f, "/:/websockets/notifications", friendToken)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hr, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+"/:/eventsource/notifications?filters=reachability", nil)
	hr.Header.Set("X-Plex-Token", ownerToken)
	resp, err := f.http.Client().Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sse := bufio.NewReader(resp.Body)

	if f.srv.SetReachable(true) {
		t.Error("a server starts reachable: SetReachable(true) changed it")
	}
	if !f.srv.SetReachable(false) || f.srv.SetReachable(false) {
		t.Error("SetReachable(false) twice: want a change, then none")
	}
	// A frame every stream may see marks the end of what the change sent.
	f.srv.Publish(Notification{Type: "status", Entry: StatusEntry{Title: "marker"}})
	const down = `{"NotificationContainer":{"type":"reachability","size":1,"ReachabilityNotification":[{"reachability":false}]}}`
	const up = `{"NotificationContainer":{"type":"reachability","size":1,"ReachabilityNotification":[{"reachability":true}]}}`
	if got := readFrame(t, all); got != down {
		t.Errorf("admin stream: %s, want %s", got, down)
	}
	for name, c := range map[string]string{"all": readFrame(t, all), "excluded": readFrame(t, excluded), "friend": readFrame(t, friend)} {
		if !strings.Contains(c, `"type":"status"`) || !strings.Contains(c, `"marker"`) {
			t.Errorf("%s stream: %s, want the marker next", name, c)
		}
	}
	if got := readFrame(t, only); got != down {
		t.Errorf("filters=reachability: %s, want %s", got, down)
	}
	ev, _ := sse.ReadString('\n')
	data, _ := sse.ReadString('\n')
	if ev != "event: reachability\n" || data != `data: {"ReachabilityNotification":{"reachability":false}}`+"\n" {
		t.Errorf("SSE %q %q", ev, data)
	}
	my := f.do(t, req{path: "/myplex/account", token: ownerToken, json: true})
	if !strings.Contains(my.body, `"mappingState":"failed"`) || !strings.Contains(my.body, `"mappingError":"unreachable"`) {
		t.Errorf("/myplex/account while unreachable: %s", my.body)
	}
	if !f.srv.SetReachable(true) {
		t.Error("SetReachable(true) after false: no change")
	}
	if got := readFrame(t, only); got != up {
		t.Errorf("filters=reachability: %s, want %s", got, up)
	}
	my = f.do(t, req{path: "/myplex/account", token: ownerToken, json: true})
	if !strings.Contains(my.body, `"mappingState":"mapped"`) || !strings.Contains(my.body, `"mappingError":""`) {
		t.Errorf("/myplex/account while reachable: %s", my.body)
	}
}

// hookReceiver records the payloads posted to it, in order, reading the multipart body as a
// receiver in the wild does.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	payloads []map[string]any
	thumbs   []int // size of each delivery's thumb part (0: none)
}

func newHookReceiver(t *testing.T) *hookReceiver {
	h := &hookReceiver{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || !strings.HasPrefix(r.UserAgent(), "PlexMediaServer/") {
			t.Errorf("delivery with content type %q, agent %q", r.Header.Get("Content-Type"), r.UserAgent())
			return
		}
		var payload map[string]any
		thumb := 0
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(part)
			switch part.FormName() {
			case "payload":
				if err := json.Unmarshal(b, &payload); err != nil {
					t.Errorf("payload %s: %v", b, err)
				}
			case "thumb":
				thumb = len(b)
			}
		}
		h.mu.Lock()
		h.payloads = append(h.payloads, payload)
		h.thumbs = append(h.thumbs, thumb)
		h.mu.Unlock()
	}))
	t.Cleanup(h.Close)
	return h
}

// wait returns the first n deliveries, failing after a deadline.
func (h *hookReceiver) wait(t *testing.T, n int) ([]map[string]any, []int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		h.mu.Lock()
		if len(h.payloads) >= n {
			defer h.mu.Unlock()
			return h.payloads[:n], h.thumbs[:n]
		}
		h.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries within 5 s, want %d", len(h.payloads), n)
		}
	}
}

// TestDeviceNewAndBackupWebhooks: a client identifier's first authorised request sends
// device.new, and a completed database backup admin.database.backup, to the owner's hooks
// only. The owner's and the friend's hooks share one URL, so one queue holds every delivery in
// order: one meant for the friend would show among them.
func TestDeviceNewAndBackupWebhooks(t *testing.T) {
	t.Parallel()
	recv := newHookReceiver(t)
	f := newFixture(t, func(c *Config) {
		c.Webhooks = func(id int) []string {
			if id == ownerID || id == friendID {
				return []string{recv.URL}
			}
			return nil
		}
	})
	get := func(token, clientID string) int {
		h := map[string]string{"X-Plex-Product": "Plex Web", "X-Plex-Device-Name": "Chrome"}
		if clientID != "" {
			h["X-Plex-Client-Identifier"] = clientID
		}
		return f.do(t, req{path: "/library/sections", token: token, header: h}).status
	}
	if s := get(strangerToken, "stranger-pc"); s != 401 {
		t.Fatalf("stranger: %d", s)
	}
	get(ownerToken, "")            // no identifier: no device to tell of
	get(ownerToken, "alice-tv")    // new
	get(ownerToken, "alice-tv")    // known
	get(friendToken, "bob-pad")    // new, a shared user's
	get(ownerToken, "stranger-pc") // refused before, so new now
	// A cancelled backup is not a backup; a completed one is.
	mustDo(t, f, req{method: http.MethodPost, path: "/butler/BackupDatabase", token: ownerToken})
	mustDo(t, f, req{method: http.MethodDelete, path: "/butler/BackupDatabase", token: ownerToken})
	mustDo(t, f, req{method: http.MethodPost, path: "/butler/BackupDatabase", token: ownerToken})
	f.clock.Advance(butlerDuration)
	f.srv.Tick()

	payloads, thumbs := recv.wait(t, 4)
	want := []struct{ event, account, player string }{
		{"device.new", "alice", "alice-tv"},
		{"device.new", "bob", "bob-pad"},
		{"device.new", "alice", "stranger-pc"},
		{"admin.database.backup", "alice", ""},
	}
	for i, w := range want {
		p := payloads[i]
		acct, _ := p["Account"].(map[string]any)
		server, _ := p["Server"].(map[string]any)
		player, _ := p["Player"].(map[string]any)
		if p["event"] != w.event || acct["title"] != w.account || p["owner"] != true || p["user"] != (w.account == "alice") ||
			server["uuid"] != f.srv.cfg.MachineIdentifier || p["Metadata"] != nil || thumbs[i] != 0 {
			t.Errorf("delivery %d: %v (thumb %d bytes), want %s by %s to the owner's hook", i, p, thumbs[i], w.event, w.account)
		}
		if w.account == "alice" && acct["id"] != 1.0 {
			t.Errorf("delivery %d: owner's Account.id %v, want 1", i, acct["id"])
		}
		switch {
		case w.player == "" && player != nil:
			t.Errorf("delivery %d has a Player: %v", i, player)
		case w.player != "" && (player["uuid"] != w.player || player["title"] != "Chrome" || player["local"] != true):
			t.Errorf("delivery %d: Player %v, want %s", i, player, w.player)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if st := f.srv.WebhookStats(); st.Sent == 4 && st.Failed == 0 && st.Dropped == 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("webhook stats %+v, want 4 sent", st)
		}
	}
}

// TestDeviceNewRemembersBoundedDevices: the devices a server remembers for device.new are
// bounded, the first seen forgotten first, so that clients making up a new identifier per
// request (a load test) cannot grow the server without end; a forgotten device that comes back
// is new again, a remembered one is not.
func TestDeviceNewRemembersBoundedDevices(t *testing.T) {
	t.Parallel()
	recv := newHookReceiver(t)
	f := newFixture(t, func(c *Config) {
		c.Webhooks = func(id int) []string {
			if id == ownerID {
				return []string{recv.URL}
			}
			return nil
		}
	})
	seen := &f.srv.impl().seen
	seen.mu.Lock()
	seen.max = 3
	seen.mu.Unlock()
	for _, id := range []string{"d1", "d2", "d3", "d4", "d4", "d1", "d3", "d5"} {
		h := map[string]string{"X-Plex-Product": "Plex Web", "X-Plex-Client-Identifier": id}
		if s := f.do(t, req{path: "/library/sections", token: ownerToken, header: h}).status; s != http.StatusOK {
			t.Fatalf("%s: %d", id, s)
		}
	}
	// d4 pushed d1 out, d1 coming back pushed d2 out, d5 pushed d3 out.
	payloads, _ := recv.wait(t, 6)
	var got []string
	for _, p := range payloads {
		player, _ := p["Player"].(map[string]any)
		got = append(got, fmt.Sprint(player["uuid"]))
	}
	if want := []string{"d1", "d2", "d3", "d4", "d1", "d5"}; !slices.Equal(got, want) {
		t.Errorf("device.new for %v, want %v", got, want)
	}
	seen.mu.Lock()
	n := len(seen.ids)
	seen.mu.Unlock()
	if n != 3 {
		t.Errorf("%d devices remembered, want 3", n)
	}
}
