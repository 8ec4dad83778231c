package pms_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestBrowseEndToEnd checks first characters, sorts and tags against the emulator's model, in
// both encodings: the index by letter adds up to the section and agrees with the titles, the
// sorts are Meta's, the tags are those items carry.
func TestBrowseEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 300})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		chars, err := c.Library.FirstCharacters(ctx, "1")
		if err != nil {
			t.Fatalf("%s: FirstCharacters: %v", enc, err)
		}
		items := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{}))
		want := map[string]int{}
		for _, it := range items {
			title := it.TitleSort
			if title == "" {
				title = it.Title
			}
			for _, a := range []string{"The ", "A ", "An "} {
				if len(title) > len(a) && strings.EqualFold(title[:len(a)], a) {
					title = title[len(a):]
				}
			}
			k := strings.ToUpper(title[:1])
			if k < "A" || k > "Z" {
				k = "#"
			}
			want[k]++
		}
		if len(chars) != len(want) {
			t.Errorf("%s: %d first characters, the titles begin with %d: %v", enc, len(chars), len(want), want)
		}
		for i, fc := range chars {
			if int(fc.Size) != want[fc.Title] || i > 0 && chars[i-1].Title >= fc.Title {
				t.Errorf("%s: %q: %d items (%d by the titles), after %v", enc, fc.Title, fc.Size, want[fc.Title], chars[max(i-1, 0)].Title)
			}
			if fc.Title == "#" && fc.Key != "%23" {
				t.Errorf("%s: # has key %q", enc, fc.Key)
			}
		}

		sorts, err := c.Library.Sorts(ctx, "1")
		if err != nil {
			t.Fatalf("%s: Sorts: %v", enc, err)
		}
		meta, err := c.Library.Meta(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(sorts, meta.Types[0].Sorts) || !slices.ContainsFunc(sorts, func(s pms.MetaSort) bool { return s.FirstCharacterKey != "" }) {
			t.Errorf("%s: Sorts %+v, Meta's %+v", enc, sorts, meta.Types[0].Sorts)
		}

		genres, err := c.Library.Tags(ctx, pms.TagGenre)
		if err != nil || len(genres) == 0 {
			t.Fatalf("%s: Tags(genre): %d, %v", enc, len(genres), err)
		}
		used := items[0].Genres[0].Tag
		i := slices.IndexFunc(genres, func(g pms.LibraryTag) bool { return g.Tag == used })
		if i < 0 || genres[i].TagType != 1 || genres[i].Filter != "genre="+strconv.Itoa(int(genres[i].ID)) {
			t.Fatalf("%s: genre %q of an item among %+v", enc, used, genres)
		}
		// The tag's filter selects the items that carry it.
		q := pms.NewQuery(pms.TypeMovie).Where("genre", pms.Is, strconv.Itoa(int(genres[i].ID)))
		tagged := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Query: q, Limit: 20}))
		if len(tagged) == 0 {
			t.Fatalf("%s: the filter of genre %q selects nothing, though an item carries it", enc, used)
		}
		for _, it := range tagged {
			if !slices.ContainsFunc(it.Genres, func(g pms.Tag) bool { return g.Tag == used }) {
				t.Errorf("%s: %s has no %s", enc, it.Title, used)
			}
		}
	}
	var ae *pms.ArgumentError
	if _, err := clientFor(t, e, "alice", nas).Library.Tags(ctx, 0); !errors.As(err, &ae) {
		t.Errorf("Tags(0) = %v", err)
	}
}

// TestManagedHubsEndToEnd manages a section's hubs as the owner and checks what the section's
// hubs and the friend's home then show; the friend may not manage them.
func TestManagedHubsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	alice, bob := clientFor(t, e, "alice", nas), clientFor(t, e, "bob", nas, pms.WithXML())
	ids := func(hubs []pms.Hub) []string {
		var out []string
		for _, h := range hubs {
			out = append(out, h.HubIdentifier)
		}
		return out
	}
	managed := func() []pms.ManagedHub {
		t.Helper()
		hubs, err := alice.Library.ManagedHubs(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		return hubs
	}
	def := managed()
	if len(def) == 0 || !def[0].PromotedToRecommended || def[0].Deletable {
		t.Fatalf("default managed hubs %+v", def)
	}
	if _, err := bob.Library.ManagedHubs(ctx, "1"); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("bob's ManagedHubs: %v, want the refusal a friend gets", err)
	}
	if err := bob.Library.ResetManagedHubs(ctx, "1"); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("bob's ResetManagedHubs: %v", err)
	}

	// Hide the first hub from the Recommended page and from friends' homes.
	no := false
	first := def[0].Identifier
	must(t, alice.Library.UpdateManagedHub(ctx, "1", first, pms.HubVisibility{Recommended: &no, SharedHome: &no}))
	if got := managed()[0]; got.PromotedToRecommended || got.PromotedToSharedHome || !got.PromotedToOwnHome || got.HomeVisibility != "admin" {
		t.Errorf("after hiding: %+v", got)
	}
	hubs, err := alice.Library.Hubs(ctx, "1")
	if err != nil || slices.Contains(ids(hubs), first) {
		t.Errorf("section hubs %v (%v) still show %s", ids(hubs), err, first)
	}
	home, err := bob.Library.Hubs(ctx, "")
	if err != nil || len(home) == 0 || slices.ContainsFunc(home, func(h pms.Hub) bool { return strings.HasSuffix(h.Title, "in Movies") }) {
		t.Errorf("bob's home %v (%v) still shows Movies' Recently Added", ids(home), err)
	}

	// Promote a collection, move it first, then delete it; reset brings the defaults back.
	keys := []string{}
	for it := range c2(alice.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 2})) {
		keys = append(keys, string(it.RatingKey))
	}
	col, err := alice.Collections.Create(ctx, pms.NewCollection{SectionKey: "1", Title: "Picks", Type: pms.TypeMovie, RatingKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	must(t, alice.Library.PromoteCollection(ctx, "1", string(col.RatingKey), pms.HubVisibility{Recommended: &yes}))
	after := managed()
	custom := after[len(after)-1]
	if custom.Title != "Picks" || !custom.Deletable {
		t.Fatalf("the collection's hub: %+v", custom)
	}
	must(t, alice.Library.MoveManagedHub(ctx, "1", custom.Identifier, ""))
	if got := managed(); got[0].Identifier != custom.Identifier {
		t.Errorf("after moving first: %+v", got)
	}
	hubs, err = alice.Library.Hubs(ctx, "1")
	if err != nil || len(hubs) < 2 || hubs[1].HubIdentifier != custom.Identifier || len(hubs[1].Items) != 2 {
		t.Errorf("section hubs after promoting: %v (%v): the collection's should follow Continue Watching", ids(hubs), err)
	}
	if err := alice.Library.DeleteManagedHub(ctx, "1", first); !errors.Is(err, plexkit.ErrBadRequest) {
		t.Errorf("deleting a built-in hub: %v", err)
	}
	must(t, alice.Library.DeleteManagedHub(ctx, "1", custom.Identifier))
	must(t, alice.Library.ResetManagedHubs(ctx, "1"))
	if got := managed(); !slices.Equal(got, def) {
		t.Errorf("after reset: %+v, want %+v", got, def)
	}
}

// c2 drops the errors of an iterator the test has no use for beyond its values.
func c2[T any](seq func(func(T, error) bool)) func(func(T) bool) {
	return func(yield func(T) bool) {
		for v, err := range seq {
			if err != nil || !yield(v) {
				return
			}
		}
	}
}

// TestSelectStreamsEndToEnd chooses streams as alice and as bob: each sees his own choice.
func TestSelectStreamsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 20})
	ctx := context.Background()
	alice, bob := clientFor(t, e, "alice", nas), clientFor(t, e, "bob", nas, pms.WithXML())
	var movie string
	for it := range c2(alice.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 1})) {
		movie = string(it.RatingKey)
	}
	// selected returns the ids of the chosen streams of the movie's first part, as c sees them.
	type choice struct{ audio, subtitle int }
	selected := func(c *pms.Client) (pms.Part, choice) {
		t.Helper()
		it, err := c.Metadata.Get(ctx, movie)
		if err != nil || len(it.Media) == 0 || len(it.Media[0].Parts) == 0 {
			t.Fatalf("Get %s: %v", movie, err)
		}
		p := it.Media[0].Parts[0]
		var ch choice
		for _, s := range p.Streams {
			if s.Selected && s.StreamType == 2 {
				ch.audio = int(s.ID)
			}
			if s.Selected && s.StreamType == 3 {
				ch.subtitle = int(s.ID)
			}
		}
		return p, ch
	}
	part, before := selected(alice)
	var audio, sub int
	for _, s := range part.Streams {
		switch s.StreamType {
		case 2:
			audio = int(s.ID)
		case 3:
			sub = int(s.ID)
		}
	}
	if audio == 0 || sub == 0 || before.subtitle != 0 {
		t.Fatalf("the movie's part: %+v", part)
	}
	must(t, alice.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{Audio: audio, Subtitle: sub, AllParts: true}))
	if _, got := selected(alice); got != (choice{audio, sub}) {
		t.Errorf("alice after choosing: %+v", got)
	}
	if _, got := selected(bob); got.subtitle != 0 {
		t.Errorf("bob sees alice's subtitles: %+v", got)
	}
	must(t, bob.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{Subtitle: sub}))
	must(t, alice.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{NoSubs: true}))
	if _, got := selected(bob); got.subtitle != sub {
		t.Errorf("bob after choosing: %+v", got)
	}
	if _, got := selected(alice); got != (choice{audio, 0}) {
		t.Errorf("alice after turning subtitles off: %+v", got)
	}
	if err := alice.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{Audio: sub}); !errors.Is(err, plexkit.ErrBadRequest) {
		t.Errorf("a subtitle stream as audio: %v", err)
	}
	var ae *pms.ArgumentError
	if err := alice.Metadata.SelectStreams(ctx, int(part.ID), pms.StreamSelection{Subtitle: sub, NoSubs: true}); !errors.As(err, &ae) {
		t.Errorf("Subtitle with NoSubs: %v", err)
	}
}
