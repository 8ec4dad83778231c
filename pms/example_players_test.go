package pms_test

import (
	"context"
	"fmt"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// Control a player through the server, as python-plexapi's PlexClient.proxyThroughServer
// does: find it among the server's players, pause it, move it, and read its timeline back.
func ExamplePlayersService_Remote() {
	e := emulator.New(emulator.Options{FreezeClock: true})
	if err := e.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	// A player in the living room plays a movie (here the emulator plays it).
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010",
		Player: "living-room-tv", State: "playing"}); err != nil {
		fmt.Println(err)
		return
	}
	refs, err := fetchRefs(e, "alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := pms.Connect(context.Background(), refs[emulator.ServerAliceNAS])
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	players, err := c.Players.List(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range players {
		if p.Name != "living-room-tv" {
			continue
		}
		tv := c.Players.Remote(p.MachineIdentifier)
		if err := tv.Pause(ctx); err != nil {
			fmt.Println(err)
			return
		}
		if err := tv.SeekTo(ctx, 90*time.Second); err != nil {
			fmt.Println(err)
			return
		}
		timelines, err := tv.Timelines(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		if t, ok := pms.ActiveTimeline(timelines); ok {
			fmt.Println(t.Type, t.State, t.Key, t.Position())
		}
	}
	// Output:
	// video paused /library/metadata/1000000010 1m30s
}
