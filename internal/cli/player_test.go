package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// liveSession returns the emulator's session of player on alice-nas, or nil.
func liveSession(t *testing.T, e *emulator.Emulator, player string) *emulator.LiveSession {
	t.Helper()
	list, err := e.Sessions(emulator.ServerAliceNAS)
	if err != nil {
		t.Fatal(err)
	}
	for i := range list {
		if list[i].Player == player {
			return &list[i]
		}
	}
	return nil
}

// aliceOnFrozenNAS starts an emulator whose clock stands still, logs alice in, and returns the
// emulator and a run of plexkit as alice on alice-nas.
func aliceOnFrozenNAS(t *testing.T) (*emulator.Emulator, func(args ...string) cliResult) {
	t.Helper()
	e := emulator.New(emulator.Options{LibrarySize: 50, FreezeClock: true})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	env, _ := srvLogin(t, e, "alice")
	return e, func(args ...string) cliResult {
		t.Helper()
		return runCLI(t, env, "", append(args, "--server", emulator.ServerAliceNAS)...)
	}
}

// TestPlayerCommands drives a player through `plexkit player` against the emulator: each
// command changes the player's session on the server as the player itself would.
func TestPlayerCommands(t *testing.T) {
	t.Parallel()
	e, run := aliceOnFrozenNAS(t)
	const tv = "living-room-tv"
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", Player: tv, State: "playing", Offset: time.Minute}); err != nil {
		t.Fatal(err)
	}

	var players []pms.PlayerClient
	if err := json.Unmarshal([]byte(run("player", "list", "--json").mustSucceed(t).stdout), &players); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range players {
		found = found || (p.MachineIdentifier == tv && p.Name == tv && p.Host != "")
	}
	if !found {
		t.Fatalf("player list --json: %+v", players)
	}
	if out := run("player", "list").mustSucceed(t).stdout; !strings.Contains(out, "NAME") || !strings.Contains(out, tv) {
		t.Errorf("player list: %s", out)
	}

	if out := run("player", "pause", tv).mustSucceed(t).stdout; out != "Paused "+tv+".\n" {
		t.Errorf("pause said %q", out)
	}
	if s := liveSession(t, e, tv); s == nil || s.State != "paused" || s.Offset != time.Minute {
		t.Errorf("after pause: %+v", s)
	}
	if out := run("player", "seek", tv, "1:30").mustSucceed(t).stdout; !strings.Contains(out, "Moved to 1:30") {
		t.Errorf("seek said %q", out)
	}
	if s := liveSession(t, e, tv); s == nil || s.Offset != 90*time.Second {
		t.Errorf("after seek: %+v", s)
	}
	run("player", "play", tv).mustSucceed(t)
	if s := liveSession(t, e, tv); s == nil || s.State != "playing" {
		t.Errorf("after play: %+v", s)
	}
	var vol map[string]any
	if err := json.Unmarshal([]byte(run("player", "volume", tv, "40", "--json").mustSucceed(t).stdout), &vol); err != nil || vol["volume"] != 40.0 || vol["player"] != tv {
		t.Errorf("volume --json: %v %v", vol, err)
	}
	c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.Players.Remote(tv).Timelines(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tl, ok := pms.ActiveTimeline(ts); !ok || tl.Volume != 40 || tl.State != "playing" {
		t.Errorf("timeline after volume: %+v", ts)
	}

	// --offset takes the one time syntax of every command (here m:ss), and refuses a negative.
	run("player", "play-media", tv, "1000000011", "--offset", "-5m").expect(t, ExitUsage, `--offset "-5m" is not a time`)
	run("player", "play-media", tv, "1000000011", "--offset", "5:00").mustSucceed(t)
	if s := liveSession(t, e, tv); s == nil || s.RatingKey != "1000000011" || s.Offset != 5*time.Minute || s.State != "playing" {
		t.Errorf("after play-media: %+v", s)
	}
	run("player", "next", tv).mustSucceed(t) // a one-item queue: nothing next
	if s := liveSession(t, e, tv); s == nil || s.RatingKey != "1000000011" {
		t.Errorf("after next: %+v", s)
	}
	run("player", "stop", tv).mustSucceed(t)
	if s := liveSession(t, e, tv); s != nil {
		t.Errorf("after stop: %+v", s)
	}
}

func TestPlayerCommandErrors(t *testing.T) {
	t.Parallel()
	e, run := aliceOnFrozenNAS(t)
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", Player: "tv", State: "playing"}); err != nil {
		t.Fatal(err)
	}
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "bob", Item: "1000000012", Player: "bobs-phone", State: "playing"}); err != nil {
		t.Fatal(err)
	}
	run("player", "pause", "kitchen").expect(t, ExitUsage, `lists no player "kitchen"`, "tv")
	run("player", "volume", "tv", "loud").expect(t, ExitUsage, "LEVEL is a volume from 0 to 100")
	run("player", "seek", "tv", "soon").expect(t, ExitUsage, `POSITION "soon"`)
	run("player", "pause").expect(t, ExitUsage, "PLAYER")
	// The owner sees bob's player but bob's player answers only bob.
	run("player", "pause", "bobs-phone").expect(t, ExitFailure, "takes commands only from the account signed in on it")
	if s := liveSession(t, e, "bobs-phone"); s == nil || s.State != "playing" {
		t.Errorf("bob's session after a refused pause: %+v", s)
	}
}

// aliceNASClient returns a pms client of alice-nas as alice, to read what the tests expect.
func aliceNASClient(t *testing.T, e *emulator.Emulator) *pms.Client {
	t.Helper()
	c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPlayerPlayMediaNamesTheItem: play-media names what it plays by title, and an unknown
// rating key is said in words, not as a refusal of a request the person never saw.
func TestPlayerPlayMediaNamesTheItem(t *testing.T) {
	t.Parallel()
	e, run := aliceOnFrozenNAS(t)
	const tv = "living-room-tv"
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", Player: tv, State: "playing"}); err != nil {
		t.Fatal(err)
	}
	it, err := aliceNASClient(t, e).Metadata.Get(context.Background(), "1000000011")
	if err != nil {
		t.Fatal(err)
	}
	if out := run("player", "play-media", tv, "1000000011").mustSucceed(t).stdout; out != "Playing "+it.DisplayTitle()+" (1000000011) on "+tv+".\n" {
		t.Errorf("play-media said %q", out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(run("player", "play-media", tv, "1000000011", "--json").mustSucceed(t).stdout), &got); err != nil || got["title"] != it.DisplayTitle() {
		t.Errorf("play-media --json: %v %v", got, err)
	}
	r := run("player", "play-media", tv, "999")
	r.expect(t, ExitFailure, "alice-nas has no item 999 that this account sees; find rating keys with `plexkit items SECTION` or `plexkit search QUERY`")
	if strings.Contains(r.stderr, "/player/playback/playMedia") {
		t.Errorf("stderr blames the player command: %q", r.stderr)
	}
	if s := liveSession(t, e, tv); s == nil || s.RatingKey != "1000000011" {
		t.Errorf("an unknown item changed the session: %+v", s)
	}
}

// TestPlayerSeekPastTheEnd: a seek past the end of what the player plays is refused with the
// item's length, and the session stays where it was.
func TestPlayerSeekPastTheEnd(t *testing.T) {
	t.Parallel()
	e, run := aliceOnFrozenNAS(t)
	const tv = "living-room-tv"
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", Player: tv, State: "paused", Offset: time.Minute}); err != nil {
		t.Fatal(err)
	}
	it, err := aliceNASClient(t, e).Metadata.Get(context.Background(), "1000000010")
	if err != nil || it.Duration <= 0 {
		t.Fatalf("item: %+v %v", it, err)
	}
	long := clock(int64(it.Duration))
	run("player", "seek", tv, "9:00:00").expect(t, ExitUsage, `POSITION 9:00:00 is past the end: the `+it.Type+` is `+long+` long`)
	if s := liveSession(t, e, tv); s == nil || s.Offset != time.Minute {
		t.Errorf("after a refused seek: %+v", s)
	}
	// The end itself is a position.
	if out := run("player", "seek", tv, long).mustSucceed(t).stdout; !strings.Contains(out, "Moved to "+long) {
		t.Errorf("seek to the end said %q", out)
	}
}

// TestPlayerListTellsPlayersApart: the players list says whom each player plays for and what,
// so two players of the same name (the seed's two "Chrome") can be told apart; the owner reads
// it from the sessions, a shared user from its own player's timeline.
func TestPlayerListTellsPlayersApart(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, _ := srvLogin(t, e, "alice")
	bob, _ := srvLogin(t, e, "bob")
	nas := []string{"--server", emulator.ServerAliceNAS}

	var sessions []pms.Session
	if err := json.Unmarshal([]byte(runCLI(t, alice, "", append([]string{"sessions", "--json"}, nas...)...).mustSucceed(t).stdout), &sessions); err != nil {
		t.Fatal(err)
	}
	if len(sessions) < 2 {
		t.Fatalf("the seed plays %d sessions on alice-nas, want 2", len(sessions))
	}
	out := runCLI(t, alice, "", append([]string{"player", "list"}, nas...)...).mustSucceed(t).stdout
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if lines[0] != "NAME\tPRODUCT\tUSER\tSTATE\tPLAYING\tID" {
		t.Errorf("header %q", lines[0])
	}
	for _, ss := range sessions {
		want := strings.Join([]string{ss.Player.Title, ss.Player.Product, ss.User.Title, ss.Player.State, ss.DisplayTitle(), ss.Player.MachineIdentifier}, "\t")
		if !slices.Contains(lines[1:], want) {
			t.Errorf("player list lacks %q:\n%s", want, out)
		}
	}

	// bob sees only his own player, and what it plays, from its timeline.
	var bobs []playerStatus
	if err := json.Unmarshal([]byte(runCLI(t, bob, "", append([]string{"player", "list", "--json"}, nas...)...).mustSucceed(t).stdout), &bobs); err != nil {
		t.Fatal(err)
	}
	var bobSession *pms.Session
	for i := range sessions {
		if sessions[i].User.Title == "bob" {
			bobSession = &sessions[i]
		}
	}
	if bobSession == nil {
		t.Fatalf("no session of bob in the seed: %+v", sessions)
	}
	if len(bobs) != 1 || bobs[0].MachineIdentifier != bobSession.Player.MachineIdentifier || bobs[0].State != bobSession.Player.State ||
		bobs[0].Title != bobSession.DisplayTitle() || bobs[0].RatingKey != string(bobSession.RatingKey) {
		t.Errorf("bob's players %+v, want his session's %+v", bobs, bobSession)
	}

	// No players: a sentence on a terminal, the header alone when piped.
	if r := runTTY(t, alice, "", "player", "list", "--server", emulator.ServerAliceVault).mustSucceed(t); r.stdout != "No players on alice-vault.\n" {
		t.Errorf("empty list on a terminal: %q", r.stdout)
	}
	if r := runCLI(t, alice, "", "player", "list", "--server", emulator.ServerAliceVault).mustSucceed(t); r.stdout != "NAME\tPRODUCT\tUSER\tSTATE\tPLAYING\tID\n" {
		t.Errorf("empty list piped: %q", r.stdout)
	}
}
