package pms_test

import (
	"context"
	"fmt"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// The examples run against the emulator. fetchRefs stands for a call to plex.tv's
// GET /api/v2/resources (plextv's Resources.List): it gives each server's connections and the
// access token to present to it.

func ExampleNewClient() {
	e := emulator.New(emulator.Options{})
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
	ref := refs[emulator.ServerAliceNAS]
	baseURL := e.Servers()[0].URL // e.g. http://192.168.1.10:32400

	c, err := pms.NewClient(baseURL,
		pms.WithToken(ref.AccessToken),
		pms.WithClientInfo(plexkit.DefaultClientInfo("5f8c1a2e-my-installation")))
	if err != nil {
		fmt.Println(err)
		return
	}
	sessions, err := c.Sessions.List(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sessions {
		fmt.Printf("%s: %s %q on %s\n", s.User.Title, s.Player.State, s.DisplayTitle(), s.Player.Product)
	}
	// Output:
	// alice: playing "Frozen River" on Plex Web
	// bob: paused "Midnight Empire" on Plex Web
}

func ExampleConnect() {
	e := emulator.New(emulator.Options{})
	if err := e.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	refs, err := fetchRefs(e, "bob")
	if err != nil {
		fmt.Println(err)
		return
	}
	ref := refs[emulator.ServerAliceNAS]
	fmt.Println(ref.Name, "lists", len(ref.Connections), "connections")

	// Connect races the connections (three of which never answer) and keeps the first that
	// answers as this server; the client then uses ref.AccessToken.
	ctx := context.Background()
	c, err := pms.Connect(ctx, ref)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("connected to the right server:", c.MachineIdentifier() == ref.MachineIdentifier)
	sections, err := c.Library.Sections(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range sections {
		fmt.Println("shared with bob:", s.Key, s.Title)
	}
	// Output:
	// alice-nas lists 5 connections
	// connected to the right server: true
	// shared with bob: 1 Movies
}

func ExampleLibraryService_Items() {
	e := emulator.New(emulator.Options{LibrarySize: 100_000})
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
	ctx := context.Background()
	c, err := pms.Connect(ctx, refs[emulator.ServerAliceNAS])
	if err != nil {
		fmt.Println(err)
		return
	}
	total, err := c.Library.ItemCount(ctx, "1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(total, "movies; the first three:")
	// Items fetches a page at a time and decodes items as they arrive; breaking out of the loop
	// stops fetching.
	for it, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 3}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (%d)\n", it.Title, it.Year)
	}
	// Output:
	// 100000 movies; the first three:
	// Elephants Dream (2006)
	// Sita Sings the Blues (2008)
	// Big Buck Bunny (2008)
}
