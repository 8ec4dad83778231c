package pms_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// keysOf returns the rating keys of items.
func keysOf(items []pms.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = string(it.RatingKey)
	}
	return out
}

// TestPlaylistsEndToEnd creates, fills, reorders, renames and deletes a playlist, reading it
// back after each write, and makes a smart one from a query.
func TestPlaylistsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		movies := keysOf(collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Start: 5, Limit: 4})))
		p, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "Road trip " + enc, Type: "video", RatingKeys: movies[:2]})
		if err != nil || p.Title != "Road trip "+enc || p.LeafCount != 2 || bool(p.Smart) {
			t.Fatalf("%s: Create = %+v, %v", enc, p, err)
		}
		id := string(p.RatingKey)
		must(t, c.Playlists.Add(ctx, id, movies[2], movies[3]))
		items := collectItems(t, c.Playlists.Items(ctx, id, pms.ItemsOptions{PageSize: 3}))
		if !slices.Equal(keysOf(items), movies) {
			t.Fatalf("%s: after Add, the playlist holds %v, want %v", enc, keysOf(items), movies)
		}
		// The last entry to the top, then the first (now second) one out.
		must(t, c.Playlists.Move(ctx, id, int(items[3].PlaylistItemID), 0))
		must(t, c.Playlists.Remove(ctx, id, int(items[0].PlaylistItemID)))
		got := keysOf(collectItems(t, c.Playlists.Items(ctx, id, pms.ItemsOptions{})))
		if want := []string{movies[3], movies[1], movies[2]}; !slices.Equal(got, want) {
			t.Errorf("%s: after Move and Remove, %v, want %v", enc, got, want)
		}
		must(t, c.Playlists.Edit(ctx, id, "Renamed "+enc, "three films"))
		if p, err := c.Playlists.Get(ctx, id); err != nil || p.Title != "Renamed "+enc || p.Summary != "three films" || p.LeafCount != 3 {
			t.Errorf("%s: after Edit, Get = %+v, %v", enc, p, err)
		}
		list, err := c.Playlists.List(ctx, pms.PlaylistsOptions{Type: "video"})
		if err != nil || !slices.ContainsFunc(list, func(p pms.Playlist) bool { return string(p.RatingKey) == id }) {
			t.Errorf("%s: List = %+v, %v", enc, list, err)
		}
		must(t, c.Playlists.Clear(ctx, id))
		if n := len(collectItems(t, c.Playlists.Items(ctx, id, pms.ItemsOptions{}))); n != 0 {
			t.Errorf("%s: after Clear, %d items", enc, n)
		}
		must(t, c.Playlists.Delete(ctx, id))
		if _, err := c.Playlists.Get(ctx, id); !errors.Is(err, plexkit.ErrNotFound) {
			t.Errorf("%s: after Delete, Get = %v, want not found", enc, err)
		}

		q := pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2010").SortBy("year", true)
		smart, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "Recent " + enc, Type: "video", SectionKey: "1", Query: q})
		if err != nil || !bool(smart.Smart) {
			t.Fatalf("%s: a smart Create = %+v, %v", enc, smart, err)
		}
		want, err := c.Library.Count(ctx, "1", q)
		must(t, err)
		got = keysOf(collectItems(t, c.Playlists.Items(ctx, string(smart.RatingKey), pms.ItemsOptions{})))
		if len(got) != want || want == 0 {
			t.Errorf("%s: the smart playlist holds %d items, the query selects %d", enc, len(got), want)
		}
	}

	// Playlists are per account: bob does not see alice's.
	alice := clientFor(t, e, "alice", nas)
	p, err := alice.Playlists.Create(ctx, pms.NewPlaylist{Title: "alice's", Type: "video", RatingKeys: keysOf(collectItems(t, alice.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 1})))})
	must(t, err)
	bob := clientFor(t, e, "bob", nas)
	theirs, err := bob.Playlists.List(ctx, pms.PlaylistsOptions{})
	if err != nil || slices.ContainsFunc(theirs, func(q pms.Playlist) bool { return q.RatingKey == p.RatingKey }) {
		t.Errorf("bob's List = %+v, %v; alice's playlist must not be in it", theirs, err)
	}
}

// TestCollectionsEndToEnd creates a collection, changes it and reads it back; a shared user's
// change is refused.
func TestCollectionsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		movies := keysOf(collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Start: 20, Limit: 3})))
		col, err := c.Collections.Create(ctx, pms.NewCollection{SectionKey: "1", Title: "Favourites " + enc, Type: pms.TypeMovie, RatingKeys: movies[:2]})
		if err != nil || col.Title != "Favourites "+enc {
			t.Fatalf("%s: Create = %+v, %v", enc, col, err)
		}
		id := string(col.RatingKey)
		must(t, c.Collections.Add(ctx, id, movies[2]))
		got := keysOf(collectItems(t, c.Collections.Items(ctx, id, pms.ItemsOptions{})))
		slices.Sort(got)
		want := slices.Sorted(slices.Values(movies))
		if !slices.Equal(got, want) {
			t.Fatalf("%s: after Add, the collection holds %v, want %v", enc, got, want)
		}
		must(t, c.Collections.Move(ctx, id, movies[2], ""))
		if got := keysOf(collectItems(t, c.Collections.Items(ctx, id, pms.ItemsOptions{}))); len(got) != 3 || got[0] != movies[2] {
			t.Errorf("%s: after Move to the top, %v", enc, got)
		}
		must(t, c.Collections.Move(ctx, id, movies[2], movies[1]))
		if got := keysOf(collectItems(t, c.Collections.Items(ctx, id, pms.ItemsOptions{}))); len(got) != 3 || slices.Index(got, movies[2]) != slices.Index(got, movies[1])+1 {
			t.Errorf("%s: after Move after %s, %v", enc, movies[1], got)
		}
		must(t, c.Collections.Remove(ctx, id, movies[0]))
		got = keysOf(collectItems(t, c.Collections.Items(ctx, id, pms.ItemsOptions{})))
		if len(got) != 2 || slices.Contains(got, movies[0]) {
			t.Errorf("%s: after Remove, %v", enc, got)
		}
		if it, err := c.Metadata.Get(ctx, movies[1]); err != nil || !hasTag(it.Collections, "Favourites "+enc) {
			t.Errorf("%s: a collected item does not name its collection: %+v, %v", enc, it, err)
		}
		found := false
		for cl, err := range c.Collections.List(ctx, "1", pms.ItemsOptions{}) {
			must(t, err)
			found = found || string(cl.RatingKey) == id
		}
		if !found {
			t.Errorf("%s: List does not hold the new collection", enc)
		}
		bob := clientFor(t, e, "bob", nas, opts...)
		if err := bob.Collections.Add(ctx, id, movies[0]); !refusedAsSharedUser(err) {
			t.Errorf("%s: bob's Collections.Add = %v, want a refusal", enc, err)
		}
		must(t, c.Collections.Delete(ctx, "1", id))
		for cl, err := range c.Collections.List(ctx, "1", pms.ItemsOptions{}) {
			must(t, err)
			if string(cl.RatingKey) == id {
				t.Errorf("%s: after Delete, the collection is still listed", enc)
			}
		}
	}
}

// TestPlayQueuesEndToEnd makes queues from an item, a playlist and a query, and changes one.
func TestPlayQueuesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		movies := keysOf(collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Start: 30, Limit: 3})))
		pq, err := c.PlayQueues.Create(ctx, pms.PlayQueueSource{RatingKey: movies[0], Type: "video"})
		if err != nil || pq.ID == 0 || len(pq.Items) != 1 || string(pq.Items[0].RatingKey) != movies[0] {
			t.Fatalf("%s: Create from an item = %+v, %v", enc, pq, err)
		}
		id := int(pq.ID)
		_, err = c.PlayQueues.Add(ctx, id, movies[1], false)
		must(t, err)
		pq, err = c.PlayQueues.Add(ctx, id, movies[2], true)
		must(t, err)
		if got := keysOf(pq.Items); !slices.Equal(got, []string{movies[0], movies[2], movies[1]}) {
			t.Errorf("%s: after Add and Add next, %v", enc, got)
		}
		pq, err = c.PlayQueues.Move(ctx, id, int(pq.Items[2].PlayQueueItemID), 0)
		must(t, err)
		if string(pq.Items[0].RatingKey) != movies[1] {
			t.Errorf("%s: after Move to the top, %v", enc, keysOf(pq.Items))
		}
		pq, err = c.PlayQueues.Remove(ctx, id, int(pq.Items[0].PlayQueueItemID))
		must(t, err)
		if len(pq.Items) != 2 || slices.Contains(keysOf(pq.Items), movies[1]) {
			t.Errorf("%s: after Remove, %v", enc, keysOf(pq.Items))
		}
		pq, err = c.PlayQueues.Shuffle(ctx, id)
		if err != nil || !bool(pq.Shuffled) {
			t.Errorf("%s: Shuffle = %+v, %v", enc, pq, err)
		}
		pq, err = c.PlayQueues.Unshuffle(ctx, id)
		if err != nil || bool(pq.Shuffled) {
			t.Errorf("%s: Unshuffle = %+v, %v", enc, pq, err)
		}
		got, err := c.PlayQueues.Get(ctx, id)
		if err != nil || got.ID != pq.ID || len(got.Items) != 2 {
			t.Errorf("%s: Get = %+v, %v", enc, got, err)
		}
		if _, err := c.PlayQueues.Clear(ctx, id); err != nil {
			t.Errorf("%s: Clear: %v", enc, err)
		}

		pl, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "for a queue", Type: "video", RatingKeys: movies})
		must(t, err)
		pq, err = c.PlayQueues.Create(ctx, pms.PlayQueueSource{PlaylistID: string(pl.RatingKey), Type: "video"})
		if err != nil || !slices.Equal(keysOf(pq.Items), movies) {
			t.Errorf("%s: Create from a playlist = %+v, %v", enc, pq, err)
		}
		q := pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2010")
		pq, err = c.PlayQueues.Create(ctx, pms.PlayQueueSource{SectionKey: "1", Query: q, Type: "video"})
		if err != nil || len(pq.Items) == 0 {
			t.Fatalf("%s: Create from a query = %+v, %v", enc, pq, err)
		}
		for _, it := range pq.Items {
			if it.Year < 2010 {
				t.Errorf("%s: a queue from year>=2010 holds year %d", enc, it.Year)
			}
		}
	}
}

// TestSectionMaintenanceEndToEnd empties a section's trash and analyzes it: each shows as an
// activity; a shared user is refused.
func TestSectionMaintenanceEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	must(t, c.Library.Analyze(ctx, "1"))
	must(t, c.Library.EmptyTrash(ctx, "2"))
	acts, err := c.Activities.List(ctx)
	must(t, err)
	if len(acts) < 2 {
		t.Errorf("after Analyze and EmptyTrash, %d activities: %+v", len(acts), acts)
	}
	bob := clientFor(t, e, "bob", nas)
	for name, err := range map[string]error{"Analyze": bob.Library.Analyze(ctx, "1"), "EmptyTrash": bob.Library.EmptyTrash(ctx, "1")} {
		if !refusedAsSharedUser(err) {
			t.Errorf("bob's %s = %v, want a refusal", name, err)
		}
	}
}
