package cli

import (
	"context"
	"encoding/json"
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

	run("player", "play-media", tv, "1000000011", "--offset", "5m").mustSucceed(t)
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
