package pms_test

import (
	"context"
	"fmt"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// Listen to a server's playback: the loop gets typed notifications for as long as it runs;
// breaking out of it closes the connection.
func ExampleClient_Notifications() {
	e := emulator.New(emulator.Options{FreezeClock: true})
	if err := e.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	refs, err := fetchRefs(e, "alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := pms.NewClient(e.Servers()[0].URL, pms.WithToken(refs[emulator.ServerAliceNAS].AccessToken))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	for n, err := range c.Notifications(ctx, pms.TypePlaying) {
		if err != nil {
			fmt.Println("stream:", err) // it reconnects by itself
			continue
		}
		if n.Type == pms.TypeConnected {
			fmt.Println("connected over", n.Stream.Transport)
			// A player starts a movie (here the emulator plays it).
			_ = e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", State: "playing"})
			continue
		}
		p := n.Playing[0]
		fmt.Println(n.Type, p.State, p.Key)
		break
	}
	// Output:
	// connected over websocket
	// playing playing /library/metadata/1000000010
}
