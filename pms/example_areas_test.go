package pms_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// exampleClient starts an emulator and returns a client for user on alice-nas, and a function
// that stops the emulator.
func exampleClient(user string) (*pms.Client, func(), error) {
	e := emulator.New(emulator.Options{LibrarySize: 2000})
	if err := e.Start(); err != nil {
		return nil, nil, err
	}
	refs, err := fetchRefs(e, user)
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	c, err := pms.Connect(context.Background(), refs[emulator.ServerAliceNAS])
	if err != nil {
		e.Close()
		return nil, nil, err
	}
	return c, func() { e.Close() }, nil
}

// runExample runs body with a client for user on alice-nas and prints the error it returns, so
// that each example shows only the calls it is about.
func runExample(user string, body func(ctx context.Context, c *pms.Client) error) {
	c, stop, err := exampleClient(user)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer stop()
	if err := body(context.Background(), c); err != nil {
		fmt.Println(err)
	}
}

func ExampleClient_Do() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		// One struct with json and xml tags reads the answer in either encoding.
		var root struct {
			Sections []struct {
				Key   string `json:"key" xml:"key,attr"`
				Type  string `json:"type" xml:"type,attr"`
				Title string `json:"title" xml:"title,attr"`
			} `json:"Directory" xml:"Directory"`
		}
		if err := c.Do(context.Background(), http.MethodGet, "/library/sections", nil, nil, &root); err != nil {
			return err
		}
		for _, s := range root.Sections {
			fmt.Println(s.Key, s.Type, s.Title)
		}
		return nil
	})
	// Output:
	// 1 movie Movies
	// 2 show TV Shows
	// 3 artist Music
	// 4 photo Photos
}

func ExampleQuery_Encode() {
	q := pms.NewQuery(pms.TypeMovie).
		Where("year", pms.GreaterThan, "2000").
		Where("genre", pms.Is, "92", "93"). // genre 92 or 93
		SortBy("addedAt", true)
	s, err := q.Encode()
	fmt.Println(s, err)
	// Output:
	// type=1&year%3E%3E=2000&genre=92%2C93&sort=addedAt%3Adesc <nil>
}

func ExampleQuery_Validate() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		meta, err := c.Library.Meta(ctx, "1")
		if err != nil {
			return err
		}
		// A misspelt field is an error before any request, not an empty list.
		err = pms.NewQuery(pms.TypeMovie).Where("yaer", pms.AtLeast, "2008").Validate(meta)
		var qe *pms.QueryError
		fmt.Println(errors.As(err, &qe), qe.What, qe.Name)

		q := pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2008").SortBy("year", false).SortBy("titleSort", false)
		fmt.Println(q.Validate(meta))
		for it, err := range c.Library.Items(ctx, "1", pms.ItemsOptions{Query: q, Limit: 3}) {
			if err != nil {
				return err
			}
			fmt.Println(it.Year, it.Title)
		}
		return nil
	})
	// Output:
	// true filter yaer
	// <nil>
	// 2008 Big Buck Bunny
	// 2008 Bright Empire
	// 2008 Bright Empire 2
}

func ExampleLibraryService_Children() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		// Game of Thrones, the first show of the TV section: its seasons, then season 1's first
		// episodes.
		var first string
		for season, err := range c.Library.Children(ctx, "2000000000", pms.ItemsOptions{}) {
			if err != nil {
				return err
			}
			if first == "" {
				first = string(season.RatingKey)
			}
			fmt.Printf("%s: %d episodes\n", season.Title, season.LeafCount)
		}
		for ep, err := range c.Library.Children(ctx, first, pms.ItemsOptions{Limit: 2}) {
			if err != nil {
				return err
			}
			fmt.Printf("%d. %s\n", ep.Index, ep.Title)
		}
		return nil
	})
	// Output:
	// Season 1: 10 episodes
	// Season 2: 10 episodes
	// 1. Winter Is Coming
	// 2. Episode 2
}

func ExampleWatchService_MarkWatched() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		const sintel = "1000000003"
		if err := c.Watch.MarkWatched(ctx, sintel); err != nil {
			return err
		}
		if err := c.Watch.Rate(ctx, sintel, 9); err != nil {
			return err
		}
		it, err := c.Metadata.Get(ctx, sintel)
		if err != nil {
			return err
		}
		fmt.Printf("%s: played %d time(s), rated %g\n", it.Title, it.ViewCount, it.UserRating)
		return nil
	})
	// Output:
	// Sintel: played 1 time(s), rated 9
}

func ExampleMetadataService_Edit() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		const bunny = "1000000002"
		err := c.Metadata.Edit(ctx, pms.Edit{
			Fields:  map[string]string{"title": "Big Buck Bunny (4K)"},
			AddTags: map[string][]string{"label": {"Blender"}},
			Lock:    true, // an agent's refresh will not undo it
		}, bunny)
		if err != nil {
			return err
		}
		it, err := c.Metadata.Get(ctx, bunny)
		if err != nil {
			return err
		}
		fmt.Println(it.Title, it.Labels[0].Tag)

		// A shared user may not edit: the server refuses, and the error says so.
		bob, stopBob, err := exampleClient("bob")
		if err != nil {
			return err
		}
		defer stopBob()
		err = bob.Metadata.Edit(ctx, pms.Edit{Fields: map[string]string{"title": "mine"}}, bunny)
		fmt.Println(errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrForbidden))
		return nil
	})
	// Output:
	// Big Buck Bunny (4K) Blender
	// true
}

func ExamplePlaylistsService_Create() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		p, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "Blender films", Type: "video", RatingKeys: []string{"1000000000", "1000000002", "1000000003"}})
		if err != nil {
			return err
		}
		fmt.Println(p.Title, p.LeafCount)
		// Items is an iterator: a long playlist is fetched a page at a time.
		for it, err := range c.Playlists.Items(ctx, string(p.RatingKey), pms.ItemsOptions{}) {
			if err != nil {
				return err
			}
			fmt.Println("-", it.Title)
		}
		return nil
	})
	// Output:
	// Blender films 3
	// - Elephants Dream
	// - Big Buck Bunny
	// - Sintel
}

func ExamplePrefsService_Set() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		if err := c.Prefs.Set(ctx, "FriendlyName", "Living room"); err != nil {
			return err
		}
		st, err := c.Prefs.Get(ctx, "FriendlyName")
		if err != nil {
			return err
		}
		fmt.Println(st.Value)
		// Values are checked against the setting's type before anything is sent.
		err = c.Prefs.Set(ctx, "GdmEnabled", "maybe")
		var pe *pms.PrefError
		fmt.Println(errors.As(err, &pe), pe.Type)
		return nil
	})
	// Output:
	// Living room
	// true bool
}

func ExampleMetadataService_ImageURL() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		it, err := c.Metadata.Get(ctx, "1000000000")
		if err != nil {
			return err
		}
		// A URL for a browser or a player carries a transient token, never the client's own.
		u, err := c.Metadata.ImageURL(ctx, it.Thumb, 300, 450)
		if err != nil {
			return err
		}
		fmt.Println(strings.Contains(u, "/photo/:/transcode?"), strings.Contains(u, "X-Plex-Token=transient-"))
		return nil
	})
	// Output:
	// true true
}
