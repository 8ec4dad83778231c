package pms_test

import (
	"context"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// hierarchyFixture is a server with generated music and photo sections, whose items have
// children: artists → albums → tracks, photo albums → photos.
const hierarchyFixture = `
accounts:
  - username: erin
    password: erin-password
    kind: owner
servers:
  - name: erin-server
    owner: erin
    sections:
      - {key: "1", type: artist, title: Music, size: 3}
      - {key: "2", type: photo, title: Photos, size: 3}
`

// TestHierarchyEndToEnd walks an artist down to its tracks and a photo album to its photos.
func TestHierarchyEndToEnd(t *testing.T) {
	t.Parallel()
	fx, err := emulator.ParseFixture([]byte(hierarchyFixture), false)
	must(t, err)
	e := startEmulator(t, emulator.Options{Fixture: fx})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "erin", "erin-server", opts...)
		artists := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 1}))
		if len(artists) != 1 || artists[0].Type != "artist" {
			t.Fatalf("%s: the music section starts with %+v", enc, artists)
		}
		albums := collectItems(t, c.Library.Children(ctx, string(artists[0].RatingKey), pms.ItemsOptions{}))
		if len(albums) == 0 || albums[0].Type != "album" {
			t.Fatalf("%s: the artist's children are %+v", enc, albums)
		}
		tracks := collectItems(t, c.Library.Children(ctx, string(albums[0].RatingKey), pms.ItemsOptions{}))
		if len(tracks) == 0 || tracks[0].Type != "track" || tracks[0].GrandparentRatingKey != artists[0].RatingKey {
			t.Fatalf("%s: the album's children are %+v", enc, tracks)
		}
		leaves := collectItems(t, c.Library.AllLeaves(ctx, string(artists[0].RatingKey), pms.ItemsOptions{}))
		if len(leaves) < len(tracks) || leaves[0].Type != "track" {
			t.Errorf("%s: the artist's leaves are %d, its first album alone has %d tracks", enc, len(leaves), len(tracks))
		}

		albumsOfPhotos := collectItems(t, c.Library.Items(ctx, "2", pms.ItemsOptions{Limit: 1}))
		if len(albumsOfPhotos) != 1 {
			t.Fatalf("%s: the photo section is empty", enc)
		}
		photos := collectItems(t, c.Library.Children(ctx, string(albumsOfPhotos[0].RatingKey), pms.ItemsOptions{}))
		if len(photos) == 0 {
			t.Fatalf("%s: the photo album %q has no children", enc, albumsOfPhotos[0].Title)
		}
		for _, p := range photos {
			if p.Type != "photo" {
				t.Errorf("%s: a photo album holds a %q", enc, p.Type)
			}
		}
	}
}
