package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

func postForm(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, b.String()
}

// TestControlPlayback drives playback, drops and restarts through the control API, as a test
// in another language would.
func TestControlPlayback(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{LibrarySize: 50, FreezeClock: true})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctl := e.URL() + "/__emulator/"
	for _, tt := range []struct {
		form url.Values
		want int
		msg  string
	}{
		{url.Values{"server": {"alice-nas"}, "user": {"alice"}, "item": {"1000000003"}, "state": {"playing"}, "offset": {"90s"}, "player": {"ctl"}}, 204, ""},
		{url.Values{"server": {"alice-nas"}, "user": {"alice"}, "item": {"1000000003"}, "state": {"paused"}, "offset": {"95000"}, "player": {"ctl"}}, 204, ""},
		{url.Values{"server": {"nope"}, "user": {"alice"}, "item": {"1000000003"}, "state": {"playing"}}, 400, "no such server"},
		{url.Values{"server": {"alice-nas"}, "user": {"dave"}, "item": {"1000000003"}, "state": {"playing"}}, 400, "no access"},
		{url.Values{"server": {"alice-nas"}, "user": {"alice"}, "item": {"42"}, "state": {"playing"}}, 400, "no item"},
		{url.Values{"server": {"alice-nas"}, "user": {"alice"}, "item": {"1000000003"}, "state": {"dancing"}}, 400, "state"},
		{url.Values{"server": {"alice-nas"}, "user": {"alice"}, "item": {"1000000003"}, "state": {"playing"}, "offset": {"soon"}}, 400, "offset"},
		{url.Values{"server": {"alice-nas"}}, 400, "required"},
	} {
		status, body := postForm(t, ctl+"playback", tt.form)
		if status != tt.want || !strings.Contains(body, tt.msg) {
			t.Errorf("%v: %d %s", tt.form, status, body)
		}
	}
	resp, err := http.Get(ctl + "playback?server=alice-nas")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	var list []emulator.LiveSession
	if err != nil || json.Unmarshal(raw, &list) != nil {
		t.Fatalf("%v %s", err, raw)
	}
	// The offset is in milliseconds, as Plex's viewOffset and the offset the form takes.
	if !strings.Contains(string(raw), `"player":"ctl","state":"paused","offset":95000`) {
		t.Errorf("GET playback: %s", raw)
	}
	var found bool
	for _, s := range list {
		if s.Player == "ctl" {
			found = true
			if s.State != "paused" || s.OffsetMillis != 95000 || s.RatingKey != "1000000003" {
				t.Errorf("session %+v", s)
			}
		}
	}
	if !found || len(list) != 3 {
		t.Errorf("sessions %+v", list)
	}
	if status, body := postForm(t, ctl+"notifications/drop", url.Values{"server": {"alice-nas"}}); status != 200 || body != `{"dropped":0}`+"\n" && body != `{"dropped":0}` {
		t.Errorf("drop: %d %q", status, body)
	}
	if status, _ := postForm(t, ctl+"servers/restart", url.Values{"server": {"alice-nas"}}); status != 204 {
		t.Errorf("restart: %d", status)
	}
	if s, _ := e.Sessions("alice-nas"); len(s) != 0 {
		t.Errorf("sessions after a restart: %+v", s)
	}
	if status, _ := postForm(t, ctl+"servers/restart", url.Values{"server": {"nope"}}); status != 400 {
		t.Errorf("restart of an unknown server: %d", status)
	}
	for _, c := range []struct {
		form   url.Values
		status int
		body   string
	}{
		{url.Values{"server": {"alice-nas"}, "reachable": {"false"}}, 200, `{"changed":true}`},
		{url.Values{"server": {"alice-nas"}, "reachable": {"false"}}, 200, `{"changed":false}`},
		{url.Values{"server": {"alice-nas"}, "reachable": {"1"}}, 200, `{"changed":true}`},
		{url.Values{"server": {"alice-nas"}}, 400, ""},
		{url.Values{"server": {"alice-nas"}, "reachable": {"maybe"}}, 400, ""},
		{url.Values{"server": {"nope"}, "reachable": {"true"}}, 400, ""},
	} {
		status, body := postForm(t, ctl+"servers/reachability", c.form)
		if status != c.status || c.body != "" && strings.TrimSpace(body) != c.body {
			t.Errorf("reachability %v: %d %q, want %d %s", c.form, status, body, c.status, c.body)
		}
	}
}
