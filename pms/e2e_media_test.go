package pms_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// The end-to-end tests of markers, extras, matching and media deletion: each write is followed
// by a read that shows it, and bob, a friend, is refused the admin's operations.

func TestMarkersEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	i := 0
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		show := itemAt(t, alice, "2", 10+i)
		i++
		eps := collectItems(t, alice.Library.AllLeaves(ctx, string(show.RatingKey), pms.ItemsOptions{Limit: 1}))
		ep := string(eps[0].RatingKey)
		it, err := alice.Metadata.Get(ctx, ep)
		must(t, err)

		ms, err := alice.Metadata.Markers(ctx, ep)
		if err != nil || len(ms) != 2 || ms[0].Type != "intro" || ms[1].Type != "credits" || !bool(ms[1].Final) ||
			ms[1].EndTimeOffset != it.Duration || ms[0].EndTimeOffset <= ms[0].StartTimeOffset {
			t.Fatalf("%s: an episode's Markers = %+v, %v", enc, ms, err)
		}

		added, err := alice.Metadata.AddMarker(ctx, ep, pms.Marker{Type: "commercial", StartTimeOffset: 300_000, EndTimeOffset: 330_000})
		if err != nil || added.ID == 0 || added.Type != "commercial" || added.StartTimeOffset != 300_000 || added.EndTimeOffset != 330_000 {
			t.Fatalf("%s: AddMarker = %+v, %v", enc, added, err)
		}
		if got, _ := alice.Metadata.Markers(ctx, ep); len(got) != 3 || !hasMarker(got, *added) {
			t.Errorf("%s: after AddMarker, Markers = %+v", enc, got)
		}
		edited, err := alice.Metadata.EditMarker(ctx, ep, pms.Marker{ID: added.ID, Type: "commercial", StartTimeOffset: 310_000, EndTimeOffset: 340_000})
		if err != nil || edited.ID != added.ID || edited.StartTimeOffset != 310_000 || edited.EndTimeOffset != 340_000 {
			t.Fatalf("%s: EditMarker = %+v, %v", enc, edited, err)
		}
		if got, _ := alice.Metadata.Markers(ctx, ep); len(got) != 3 || !hasMarker(got, *edited) || hasMarker(got, *added) {
			t.Errorf("%s: after EditMarker, Markers = %+v", enc, got)
		}
		// A span past the item's end, and a marker that is not there.
		if _, err := alice.Metadata.AddMarker(ctx, ep, pms.Marker{Type: "intro", StartTimeOffset: 1000, EndTimeOffset: it.Duration + 1}); !errors.Is(err, plexkit.ErrBadRequest) {
			t.Errorf("%s: a marker past the end = %v, want a bad request", enc, err)
		}
		if err := alice.Metadata.DeleteMarker(ctx, ep, int(edited.ID)+4); !errors.Is(err, plexkit.ErrNotFound) {
			t.Errorf("%s: deleting an unknown marker = %v, want not found", enc, err)
		}

		must(t, alice.Metadata.DeleteMarker(ctx, ep, int(edited.ID)))
		if got, _ := alice.Metadata.Markers(ctx, ep); len(got) != 2 || got[0] != ms[0] || got[1] != ms[1] {
			t.Errorf("%s: after DeleteMarker, Markers = %+v, want %+v", enc, got, ms)
		}

		film := itemAt(t, alice, "1", 20+i)
		mm, err := alice.Metadata.Markers(ctx, string(film.RatingKey))
		if err != nil || len(mm) != 1 || mm[0].Type != "credits" || !bool(mm[0].Final) {
			t.Fatalf("%s: a movie's Markers = %+v, %v", enc, mm, err)
		}

		// bob (who sees the movies, not the shows) may call the marker operations, as the spec
		// says, but his writes change nothing, and AddMarker says no marker came back.
		bob := clientFor(t, e, "bob", nas, opts...)
		movie := string(film.RatingKey)
		var re *pms.ResponseError
		if m, err := bob.Metadata.AddMarker(ctx, movie, pms.Marker{Type: "intro", StartTimeOffset: 1, EndTimeOffset: 2}); !errors.As(err, &re) {
			t.Errorf("%s: bob's AddMarker = %+v, %v; want a ResponseError", enc, m, err)
		}
		must(t, bob.Metadata.DeleteMarker(ctx, movie, int(mm[0].ID)))
		if got, _ := alice.Metadata.Markers(ctx, movie); len(got) != 1 || got[0] != mm[0] {
			t.Errorf("%s: after bob's writes, Markers = %+v", enc, got)
		}
	}
}

func hasMarker(ms []pms.Marker, m pms.Marker) bool {
	for _, x := range ms {
		if x.ID == m.ID && x.Type == m.Type && x.StartTimeOffset == m.StartTimeOffset && x.EndTimeOffset == m.EndTimeOffset {
			return true
		}
	}
	return false
}

func TestExtrasEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		film := itemAt(t, alice, "1", 5)
		extras, err := alice.Metadata.Extras(ctx, string(film.RatingKey))
		if err != nil || len(extras) != 1 {
			t.Fatalf("%s: Extras = %+v, %v", enc, extras, err)
		}
		tr := extras[0]
		if tr.Type != "clip" || tr.Subtype != "trailer" || tr.ExtraType != 1 || len(tr.Media) != 1 || len(tr.Media[0].Parts) != 1 ||
			!strings.HasSuffix(tr.Media[0].Parts[0].File, "-trailer.mp4") {
			t.Errorf("%s: the trailer %+v", enc, tr)
		}
		if film.PrimaryExtraKey != tr.Key {
			t.Errorf("%s: the movie's primaryExtraKey %q, the trailer's key %q", enc, film.PrimaryExtraKey, tr.Key)
		}
		again, err := alice.Metadata.Get(ctx, string(tr.RatingKey))
		if err != nil || again.Type != "clip" || again.Title != film.Title || again.Duration != tr.Duration {
			t.Errorf("%s: Get(trailer) = %+v, %v", enc, again, err)
		}
		show := itemAt(t, alice, "2", 0)
		if none, err := alice.Metadata.Extras(ctx, string(show.RatingKey)); err != nil || len(none) != 0 {
			t.Errorf("%s: a show's Extras = %+v, %v", enc, none, err)
		}
	}
}

func TestMatchingEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	i := 0
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		rk := string(itemAt(t, alice, "1", 30+i).RatingKey)
		i++
		own, err := alice.Metadata.Get(ctx, rk)
		must(t, err)

		res, err := alice.Metadata.Matches(ctx, rk, pms.MatchOptions{})
		if err != nil || len(res) < 2 || res[0].GUID != own.GUID || res[0].Score != 100 || res[0].Name != own.Title || res[1].Score >= 100 {
			t.Fatalf("%s: Matches = %+v, %v (own guid %s)", enc, res, err, own.GUID)
		}
		res, err = alice.Metadata.Matches(ctx, rk, pms.MatchOptions{Title: "A Different Film", Year: 1971, Agent: "tv.plex.agents.movie", Language: "en-US"})
		if err != nil || len(res) == 0 || res[0].Name != "A Different Film" || res[0].Year != 1971 || res[0].GUID == own.GUID {
			t.Fatalf("%s: Matches(another title) = %+v, %v", enc, res, err)
		}
		pick := res[0]
		must(t, alice.Metadata.Match(ctx, rk, pick.GUID, pick.Name, int(pick.Year)))
		got, err := alice.Metadata.Get(ctx, rk)
		if err != nil || got.GUID != pick.GUID || got.Title != pick.Name || got.Year != pick.Year {
			t.Errorf("%s: after Match, Get = %+v, %v", enc, got, err)
		}
		must(t, alice.Metadata.Unmatch(ctx, rk))
		if got, err := alice.Metadata.Get(ctx, rk); err != nil || got.GUID != "local://"+rk || len(got.GUIDs) != 0 {
			t.Errorf("%s: after Unmatch, Get = %+v, %v", enc, got, err)
		}

		bob := clientFor(t, e, "bob", nas, opts...)
		if _, err := bob.Metadata.Matches(ctx, rk, pms.MatchOptions{}); !refusedAsSharedUser(err) {
			t.Errorf("%s: bob's Matches = %v, want a refusal", enc, err)
		}
		if err := bob.Metadata.Match(ctx, rk, pick.GUID, "bob was here", 0); !refusedAsSharedUser(err) {
			t.Errorf("%s: bob's Match = %v, want a refusal", enc, err)
		}
		if err := bob.Metadata.Unmatch(ctx, rk); !refusedAsSharedUser(err) {
			t.Errorf("%s: bob's Unmatch = %v, want a refusal", enc, err)
		}
	}
}

func TestDeleteMediaEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	alice, bob := clientFor(t, e, "alice", nas), clientFor(t, e, "bob", nas)
	rk := string(itemAt(t, alice, "1", 40).RatingKey)
	it, err := alice.Metadata.Get(ctx, rk)
	if err != nil || len(it.Media) != 1 {
		t.Fatalf("Get = %+v, %v", it, err)
	}
	mediaID := int(it.Media[0].ID)

	if err := bob.Metadata.DeleteMedia(ctx, rk, mediaID); !refusedAsSharedUser(err) {
		t.Errorf("bob's DeleteMedia = %v, want a refusal", err)
	}
	must(t, alice.Prefs.Set(ctx, "allowMediaDeletion", "false"))
	if err := alice.Metadata.DeleteMedia(ctx, rk, mediaID); !errors.Is(err, plexkit.ErrForbidden) {
		t.Errorf("DeleteMedia with deletion off = %v, want forbidden", err)
	}
	must(t, alice.Prefs.Set(ctx, "allowMediaDeletion", "true"))
	if err := alice.Metadata.DeleteMedia(ctx, rk, mediaID+1); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("DeleteMedia of a media the item does not have = %v, want not found", err)
	}
	// Its only media gone, the item leaves the library.
	must(t, alice.Metadata.DeleteMedia(ctx, rk, mediaID))
	if _, err := alice.Metadata.Get(ctx, rk); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("after deleting its only media, Get = %v, want not found", err)
	}
}

// TestBookmarkMarkerIsAPoint: a bookmark is a point of an item (the spec makes endTimeOffset
// optional, and the server keeps a point), so AddMarker takes one with its offsets equal, while
// another type needs a span.
func TestBookmarkMarkerIsAPoint(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		movie := string(itemAt(t, alice, "1", 0).RatingKey)
		m, err := alice.Metadata.AddMarker(ctx, movie, pms.Marker{Type: "bookmark", StartTimeOffset: 60_000, EndTimeOffset: 60_000})
		if err != nil || m.Type != "bookmark" || m.StartTimeOffset != 60_000 || m.EndTimeOffset != 60_000 {
			t.Fatalf("%s: AddMarker of a bookmark = %+v, %v", enc, m, err)
		}
		if got, _ := alice.Metadata.Markers(ctx, movie); !hasMarker(got, *m) {
			t.Errorf("%s: Markers = %+v, without the bookmark %+v", enc, got, *m)
		}
		must(t, alice.Metadata.DeleteMarker(ctx, movie, int(m.ID)))
		var ae *pms.ArgumentError
		if _, err := alice.Metadata.AddMarker(ctx, movie, pms.Marker{Type: "intro", StartTimeOffset: 60_000, EndTimeOffset: 60_000}); !errors.As(err, &ae) {
			t.Errorf("%s: AddMarker of an empty intro = %v, want an *ArgumentError", enc, err)
		}
	}
}
