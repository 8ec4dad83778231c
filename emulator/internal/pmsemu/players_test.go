package pmsemu

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// command sends a proxied remote-control command to the player target, as python-plexapi's
// PlexClient.sendCommand does through the server.
func command(t *testing.T, f *fixture, token, target, cmd string, q url.Values) response {
	t.Helper()
	if q == nil {
		q = url.Values{}
	}
	path := "/player/" + cmd
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return f.do(t, req{path: path, token: token, header: map[string]string{"X-Plex-Target-Client-Identifier": target}})
}

// sessionOf returns the state and offset of clientID's session, or "" when it has none.
func sessionOf(f *fixture, clientID string) (state string, offset time.Duration, rk string) {
	for _, s := range f.srv.Sessions() {
		if s.Player == clientID {
			return s.State, s.Offset, s.RatingKey
		}
	}
	return "", 0, ""
}

type clientsXML struct {
	Size    int `xml:"size,attr"`
	Servers []struct {
		Name                 string `xml:"name,attr"`
		Host                 string `xml:"host,attr"`
		Address              string `xml:"address,attr"`
		Port                 int    `xml:"port,attr"`
		MachineIdentifier    string `xml:"machineIdentifier,attr"`
		Product              string `xml:"product,attr"`
		Protocol             string `xml:"protocol,attr"`
		ProtocolCapabilities string `xml:"protocolCapabilities,attr"`
	} `xml:"Server"`
}

func listClients(t *testing.T, f *fixture, token string) clientsXML {
	t.Helper()
	r := f.do(t, req{path: "/clients", token: token})
	if r.status != 200 {
		t.Fatalf("/clients: %d %s", r.status, r.body)
	}
	var mc clientsXML
	if err := xml.Unmarshal([]byte(r.body), &mc); err != nil {
		t.Fatal(err)
	}
	return mc
}

func TestClientsListsReportingPlayers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	seeded := len(listClients(t, f, ownerToken).Servers)
	if seeded != 3 {
		t.Fatalf("owner sees %d players, want the 3 seeded ones", seeded)
	}
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	if r := p.report(t, http.MethodGet, episodeOf(f, 3), "playing", 1000); r.status != 200 {
		t.Fatal(r.status)
	}
	mc := listClients(t, f, ownerToken)
	var found bool
	for _, s := range mc.Servers {
		if s.MachineIdentifier == "kodi-1" {
			found = true
			if s.Name != "Living room" || s.Host == "" || s.Host != s.Address || s.Port != playerPort ||
				s.Product != "Plex for Kodi" || s.Protocol != "plex" || !strings.Contains(s.ProtocolCapabilities, "playback") {
				t.Errorf("kodi-1 listed as %+v", s)
			}
		}
	}
	if !found || mc.Size != 4 {
		t.Fatalf("owner's /clients after a report: %+v", mc)
	}
	// A friend sees only its own player (the seeded paused one).
	if fc := listClients(t, f, friendToken); fc.Size != 1 || fc.Servers[0].MachineIdentifier == "kodi-1" {
		t.Errorf("friend's /clients: %+v", fc)
	}
	// Stopped, the player stays listed for PlayerLinger, then goes.
	p.report(t, http.MethodGet, episodeOf(f, 3), "stopped", 2000)
	if n := listClients(t, f, ownerToken).Size; n != 4 {
		t.Errorf("right after stopping: %d players", n)
	}
	f.clock.Advance(PlayerLinger)
	if n := listClients(t, f, ownerToken).Size; n != 3 {
		t.Errorf("%v after stopping: %d players, want 3", PlayerLinger, n)
	}
	if r := command(t, f, ownerToken, "kodi-1", "playback/pause", nil); r.status != 404 {
		t.Errorf("command to a forgotten player: %d", r.status)
	}
}

func TestPlayerCommandsMoveTheSession(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ep := episodeOf(f, 3)
	ws := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	p.report(t, http.MethodGet, ep, "playing", 60_000)
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "playing" {
		t.Fatalf("first frame %v", got)
	}

	f.clock.Advance(5 * time.Second)
	if r := command(t, f, ownerToken, "kodi-1", "playback/pause", url.Values{"type": {"video"}, "commandID": {"1"}}); r.status != 200 || !strings.Contains(r.body, `<Response code="200" status="OK"`) {
		t.Fatalf("pause: %d %s", r.status, r.body)
	}
	// Paused where the player was (5 s on), with the notification a report would make.
	if st, off, _ := sessionOf(f, "kodi-1"); st != "paused" || off != 65*time.Second {
		t.Errorf("after pause: %s at %v", st, off)
	}
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "paused" || got["viewOffset"] != 65000.0 || got["clientIdentifier"] != "kodi-1" {
		t.Errorf("pause frame %v", got)
	}
	r := f.do(t, req{path: "/status/sessions", token: ownerToken})
	if !strings.Contains(r.body, `machineIdentifier="kodi-1"`) || !strings.Contains(r.body, `state="paused"`) {
		t.Errorf("/status/sessions after pause: %s", r.body)
	}
	// Pausing a paused player changes nothing and sends nothing.
	command(t, f, ownerToken, "kodi-1", "playback/pause", url.Values{"commandID": {"2"}})

	command(t, f, ownerToken, "kodi-1", "playback/play", url.Values{"commandID": {"3"}})
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "playing" || got["viewOffset"] != 65000.0 {
		t.Errorf("play frame %v (a second pause must not have sent one)", got)
	}
	command(t, f, ownerToken, "kodi-1", "playback/seekTo", url.Values{"offset": {"120000"}, "commandID": {"4"}})
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "playing" || got["viewOffset"] != 120000.0 {
		t.Errorf("seek frame %v", got)
	}
	if st, off, _ := sessionOf(f, "kodi-1"); st != "playing" || off != 120*time.Second {
		t.Errorf("after seek: %s at %v", st, off)
	}
	command(t, f, ownerToken, "kodi-1", "playback/setParameters", url.Values{"volume": {"40"}, "commandID": {"5"}})

	// The timeline shows it all: video playing at the player's position, volume 40, the
	// last commandID.
	f.clock.Advance(2 * time.Second)
	tl := poll(t, f, ownerToken, "kodi-1", "6")
	if tl.CommandID != 6 || tl.Size != 3 || len(tl.Timelines) != 3 {
		t.Fatalf("poll: %+v", tl)
	}
	v := tl.Timelines[2]
	if v.Type != "video" || v.State != "playing" || v.Time != 122000 || v.RatingKey != ep || v.Key != "/library/metadata/"+ep ||
		v.Volume != "40" || v.MachineIdentifier != testMachineID || v.Duration == 0 {
		t.Errorf("video timeline %+v", v)
	}
	if m := tl.Timelines[0]; m.Type != "music" || m.State != "stopped" {
		t.Errorf("music timeline %+v", m)
	}

	command(t, f, ownerToken, "kodi-1", "playback/stop", url.Values{"commandID": {"7"}})
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "stopped" {
		t.Errorf("stop frame %v", got)
	}
	if st, _, _ := sessionOf(f, "kodi-1"); st != "" {
		t.Errorf("after stop the session is %s", st)
	}
	// A player with nothing playing takes commands and does nothing.
	if r := command(t, f, ownerToken, "kodi-1", "playback/pause", nil); r.status != 200 {
		t.Errorf("pause with no session: %d", r.status)
	}
	if st, _, _ := sessionOf(f, "kodi-1"); st != "" {
		t.Errorf("pause with no session made a %s session", st)
	}
	if tl := poll(t, f, ownerToken, "kodi-1", "8"); tl.Timelines[2].State != "stopped" || tl.Location != "navigation" {
		t.Errorf("poll after stop: %+v", tl)
	}
}

type pollXML struct {
	Size      int    `xml:"size,attr"`
	CommandID int    `xml:"commandID,attr"`
	Location  string `xml:"location,attr"`
	Timelines []struct {
		Type              string `xml:"type,attr"`
		State             string `xml:"state,attr"`
		Time              int    `xml:"time,attr"`
		Duration          int    `xml:"duration,attr"`
		RatingKey         string `xml:"ratingKey,attr"`
		Key               string `xml:"key,attr"`
		MachineIdentifier string `xml:"machineIdentifier,attr"`
		Volume            string `xml:"volume,attr"`
		PlayQueueID       int    `xml:"playQueueID,attr"`
		PlayQueueItemID   int    `xml:"playQueueItemID,attr"`
		ContainerKey      string `xml:"containerKey,attr"`
	} `xml:"Timeline"`
}

func poll(t *testing.T, f *fixture, token, target, commandID string) pollXML {
	t.Helper()
	r := command(t, f, token, target, "timeline/poll", url.Values{"wait": {"0"}, "commandID": {commandID}})
	if r.status != 200 {
		t.Fatalf("poll: %d %s", r.status, r.body)
	}
	var out pollXML
	if err := xml.Unmarshal([]byte(r.body), &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPlayerCommandRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	p.report(t, http.MethodGet, episodeOf(f, 3), "playing", 1000)
	var friendsPlayer string
	for _, s := range f.srv.Sessions() {
		if s.AccountID == friendID {
			friendsPlayer = s.Player
		}
	}
	for _, tt := range []struct {
		name, token, target, cmd string
		q                        url.Values
		want                     int
	}{
		{"no target", ownerToken, "", "playback/pause", nil, 400},
		{"unknown target", ownerToken, "nobody", "playback/pause", nil, 404},
		{"friend to the owner's player", friendToken, "kodi-1", "playback/pause", nil, 403},
		{"owner to a friend's player", ownerToken, friendsPlayer, "playback/play", nil, 403},
		{"unknown command", ownerToken, "kodi-1", "playback/dance", nil, 404},
		{"bad seek", ownerToken, "kodi-1", "playback/seekTo", url.Values{"offset": {"soon"}}, 400},
		{"bad volume", ownerToken, "kodi-1", "playback/setParameters", url.Values{"volume": {"101"}}, 400},
		{"bad type", ownerToken, "kodi-1", "playback/pause", url.Values{"type": {"hologram"}}, 400},
		{"bad commandID", ownerToken, "kodi-1", "playback/pause", url.Values{"commandID": {"x"}}, 400},
		{"other server's item", ownerToken, "kodi-1", "playback/playMedia", url.Values{"key": {"/library/metadata/1"}, "machineIdentifier": {"ffff"}}, 400},
		{"stranger", strangerToken, "kodi-1", "playback/pause", nil, 401},
		{"friend casts what is not shared", friendToken, friendsPlayer, "playback/playMedia", url.Values{"key": {"/library/metadata/" + strconv.Itoa(firstLeaf(3, 0))}}, 404},
	} {
		if r := command(t, f, tt.token, tt.target, tt.cmd, tt.q); r.status != tt.want {
			t.Errorf("%s: %d, want %d (%s)", tt.name, r.status, tt.want, r.body)
		}
	}
	if st, _, _ := sessionOf(f, "kodi-1"); st != "playing" {
		t.Errorf("refused commands changed the session: %s", st)
	}
	// The friend controls its own player.
	if r := command(t, f, friendToken, friendsPlayer, "playback/play", nil); r.status != 200 {
		t.Errorf("friend to its player: %d", r.status)
	}
	if st, _, _ := sessionOf(f, friendsPlayer); st != "playing" {
		t.Errorf("friend's play left its session %s", st)
	}

	// With OwnerControlsAllPlayers the owner reaches the friend's player.
	g := newFixture(t, func(c *Config) { c.OwnerControlsAllPlayers = true })
	if r := command(t, g, ownerToken, friendsPlayer, "playback/play", nil); r.status != 200 {
		t.Errorf("owner with OwnerControlsAllPlayers: %d", r.status)
	}
	if st, _, _ := sessionOf(g, friendsPlayer); st != "playing" {
		t.Errorf("owner's play left the friend's session %s", st)
	}
}

func TestPlayMediaAndSkipThroughAPlayQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 3)
	ws := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	// The player is known (it reported once) and idle.
	p.report(t, http.MethodGet, k[0], "stopped", 0)

	q := getList(t, f, req{method: "POST", path: "/playQueues?type=video&uri=" + itemsURI(k[0], k[1], k[2])}).MediaContainer
	r := command(t, f, ownerToken, "kodi-1", "playback/playMedia", url.Values{
		"key": {"/library/metadata/" + k[1]}, "offset": {"30000"}, "machineIdentifier": {testMachineID},
		"containerKey": {"/playQueues/" + strconv.Itoa(q.PlayQueueID) + "?window=100&own=1"}, "type": {"video"}, "commandID": {"1"},
	})
	if r.status != 200 {
		t.Fatalf("playMedia: %d %s", r.status, r.body)
	}
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "playing" || got["ratingKey"] != k[1] || got["viewOffset"] != 30000.0 {
		t.Errorf("playMedia frame %v", got)
	}
	if st, off, rk := sessionOf(f, "kodi-1"); st != "playing" || off != 30*time.Second || rk != k[1] {
		t.Errorf("after playMedia: %s %v %s", st, off, rk)
	}
	tl := poll(t, f, ownerToken, "kodi-1", "2").Timelines[2]
	if tl.PlayQueueID != q.PlayQueueID || tl.PlayQueueItemID == 0 || tl.ContainerKey != "/playQueues/"+strconv.Itoa(q.PlayQueueID) {
		t.Errorf("timeline after playMedia %+v", tl)
	}

	command(t, f, ownerToken, "kodi-1", "playback/skipNext", nil)
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "stopped" || got["ratingKey"] != k[1] {
		t.Errorf("skipNext first stops the current item: %v", got)
	}
	if got := decodePlaying(t, readFrame(t, ws)); got["state"] != "playing" || got["ratingKey"] != k[2] || got["viewOffset"] != 0.0 {
		t.Errorf("skipNext then plays the next: %v", got)
	}
	// At the end of the queue there is nothing next.
	command(t, f, ownerToken, "kodi-1", "playback/skipNext", nil)
	if _, _, rk := sessionOf(f, "kodi-1"); rk != k[2] {
		t.Errorf("skipNext past the end moved to %s", rk)
	}
	command(t, f, ownerToken, "kodi-1", "playback/skipPrevious", nil)
	if _, _, rk := sessionOf(f, "kodi-1"); rk != k[1] {
		t.Errorf("skipPrevious went to %s, want %s", rk, k[1])
	}
	// The player now plays by itself: the clock moves it, as the emulator's own players.
	f.clock.Advance(ReportInterval)
	f.srv.Tick()
	if _, off, _ := sessionOf(f, "kodi-1"); off != ReportInterval {
		t.Errorf("10 s after skipping: %v", off)
	}
}

// TestSeekPastTheEndClampsToTheDuration: a seekTo past the item's end moves the session to its
// end, not beyond (the emulator's choice, documented in players.go): the timeline, the playing
// notification and /status/sessions all say the duration. The player is paused, so that what it
// shows is the offset the seek set, not one the clock moved.
func TestSeekPastTheEndClampsToTheDuration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications", ownerToken)
	p := testPlayer{f: f, token: ownerToken, clientID: "kodi-1"}
	p.report(t, http.MethodGet, episodeOf(f, 3), "paused", 60_000)
	readFrame(t, ws)
	duration := poll(t, f, ownerToken, "kodi-1", "1").Timelines[2].Duration
	if duration == 0 {
		t.Fatal("the episode has no duration")
	}
	if r := command(t, f, ownerToken, "kodi-1", "playback/seekTo", url.Values{"offset": {strconv.Itoa(duration + 3_600_000)}}); r.status != 200 {
		t.Fatalf("seekTo: %d %s", r.status, r.body)
	}
	if got := decodePlaying(t, readFrame(t, ws)); got["viewOffset"] != float64(duration) {
		t.Errorf("seek frame %v, want viewOffset %d", got, duration)
	}
	if tl := poll(t, f, ownerToken, "kodi-1", "3").Timelines[2]; tl.Time != duration {
		t.Errorf("after a seek an hour past the end the player is at %d ms, want the duration %d", tl.Time, duration)
	}
	if _, off, _ := sessionOf(f, "kodi-1"); off != time.Duration(duration)*time.Millisecond {
		t.Errorf("session at %v, want %v", off, time.Duration(duration)*time.Millisecond)
	}
}
