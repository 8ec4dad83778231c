package pms_test

import (
	"context"
	"fmt"

	"github.com/plexkit/plexkit/pms"
)

func ExampleMetadataService_AddMarker() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		const sintel = "1000000003"
		// The admin marks a span to skip; the server gives the marker its id.
		m, err := c.Metadata.AddMarker(ctx, sintel, pms.Marker{Type: "commercial", StartTimeOffset: 300_000, EndTimeOffset: 330_000})
		if err != nil {
			return err
		}
		m.EndTimeOffset = 345_000
		if _, err := c.Metadata.EditMarker(ctx, sintel, *m); err != nil {
			return err
		}
		ms, err := c.Metadata.Markers(ctx, sintel)
		if err != nil {
			return err
		}
		for _, x := range ms {
			fmt.Printf("%s %d–%d s\n", x.Type, x.StartTimeOffset/1000, x.EndTimeOffset/1000)
		}
		return c.Metadata.DeleteMarker(ctx, sintel, int(m.ID))
	})
	// Output:
	// commercial 300–345 s
	// credits 6835–7080 s
}

func ExampleMetadataService_Matches() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		const sintel = "1000000003"
		// Plex Web's "Fix Match": what the agent finds for another title, then the best of it.
		results, err := c.Metadata.Matches(ctx, sintel, pms.MatchOptions{Title: "Sintel", Year: 2010})
		if err != nil {
			return err
		}
		for _, r := range results {
			fmt.Printf("%3d %s (%d)\n", r.Score, r.Name, r.Year)
		}
		best := results[0]
		if err := c.Metadata.Match(ctx, sintel, best.GUID, best.Name, int(best.Year)); err != nil {
			return err
		}
		it, err := c.Metadata.Get(ctx, sintel)
		if err != nil {
			return err
		}
		fmt.Println(it.GUID == best.GUID, it.Title, it.Year)
		return nil
	})
	// Output:
	// 100 Sintel (2010)
	//  91 Sintel (2013)
	//  78 The Sintel (2001)
	//  64 Sintel II (2015)
	// true Sintel 2010
}

func ExampleLibraryService_FirstCharacters() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		chars, err := c.Library.FirstCharacters(ctx, "1")
		if err != nil {
			return err
		}
		for _, ch := range chars[:4] {
			fmt.Printf("%s (key %s): %d movies\n", ch.Title, ch.Key, ch.Size)
		}
		return nil
	})
	// Output:
	// A (key A): 62 movies
	// B (key B): 250 movies
	// C (key C): 63 movies
	// D (key D): 63 movies
}

func ExampleLibraryService_ManagedHubs() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		// Take Recently Played off the Movies section's Recommended page.
		no := false
		if err := c.Library.UpdateManagedHub(ctx, "1", "movie.recentlyviewed", pms.HubVisibility{Recommended: &no}); err != nil {
			return err
		}
		hubs, err := c.Library.ManagedHubs(ctx, "1")
		if err != nil {
			return err
		}
		for _, h := range hubs {
			fmt.Printf("%s: recommended %v, home %s\n", h.Identifier, bool(h.PromotedToRecommended), h.HomeVisibility)
		}
		return nil
	})
	// Output:
	// movie.recentlyadded: recommended true, home all
	// movie.recentlyviewed: recommended false, home none
}

func ExampleMetadataService_SelectStreams() {
	runExample("alice", func(ctx context.Context, c *pms.Client) error {
		const sintel = "1000000003"
		it, err := c.Metadata.Get(ctx, sintel)
		if err != nil {
			return err
		}
		part := it.Media[0].Parts[0]
		for _, s := range part.Streams {
			if s.StreamType == 3 { // subtitle
				// Subtitles on, for this account only.
				if err := c.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{Subtitle: int(s.ID)}); err != nil {
					return err
				}
				break
			}
		}
		if it, err = c.Metadata.Get(ctx, sintel); err != nil {
			return err
		}
		for _, s := range it.Media[0].Parts[0].Streams {
			if s.StreamType != 1 { // not video
				fmt.Printf("%s selected=%v\n", s.DisplayTitle, bool(s.Selected))
			}
		}
		return nil
	})
	// Output:
	// English (AAC 5.1) selected=true
	// English (SRT) selected=true
}
