package pms_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestTagNamesEndToEnd resolves a genre given by name to its id through the section's filter
// choices, for the owner and for bob, a friend the section is shared with, in both encodings:
// the server filters by id only, so the name alone finds nothing and the resolved query finds
// exactly the items with the genre.
func TestTagNamesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	for enc, opts := range encodings() {
		for _, user := range []string{"alice", "bob"} {
			t.Run(enc+"/"+user, func(t *testing.T) {
				c := clientFor(t, e, user, nas, opts...)
				meta, err := c.Library.Meta(ctx, "1")
				if err != nil {
					t.Fatalf("Meta: %v", err)
				}
				choices, err := c.Library.FilterChoices(ctx, "1", "genre", pms.TypeMovie)
				if err != nil {
					t.Fatalf("FilterChoices: %v", err)
				}
				i := slices.IndexFunc(choices, func(c pms.FilterChoice) bool { return c.Title == "Drama" })
				if i < 0 || choices[i].Key == "" || choices[i].Key == "Drama" {
					t.Fatalf("no Drama with an id among the genre choices %+v", choices)
				}
				drama := string(choices[i].Key)

				byName := pms.NewQuery(pms.TypeMovie).Where("genre", pms.Is, "dRAMA")
				if err := byName.Validate(meta); err != nil {
					t.Fatalf("Validate: %v", err)
				}
				if n, err := c.Library.Count(ctx, "1", byName); err != nil || n != 0 {
					t.Fatalf("the server matched genre=dRAMA by name: %d items (%v); real servers take ids", n, err)
				}
				before := statsFor(e, nas, "GET /library/sections/{id}/{filter}")
				resolved, err := c.Library.ResolveTags(ctx, meta, byName)
				if err != nil {
					t.Fatalf("ResolveTags: %v", err)
				}
				if got := statsFor(e, nas, "GET /library/sections/{id}/{filter}") - before; got != 1 {
					t.Errorf("ResolveTags fetched the genre choices %d times, want 1", got)
				}
				if v := resolved.Filters[0].Values; !slices.Equal(v, []string{drama}) {
					t.Fatalf("genre=dRAMA resolved to %q, want [%s]", v, drama)
				}
				if v := byName.Filters[0].Values; !slices.Equal(v, []string{"dRAMA"}) {
					t.Errorf("ResolveTags changed the query it was given: %q", v)
				}
				items := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Query: resolved}))
				if len(items) == 0 {
					t.Fatal("the resolved query finds no Drama")
				}
				for _, it := range items[:min(5, len(items))] {
					full, err := c.Library.Metadata(ctx, string(it.RatingKey))
					if err != nil {
						t.Fatal(err)
					}
					if !slices.ContainsFunc(full.Genres, func(g pms.Tag) bool { return g.Tag == "Drama" }) {
						t.Errorf("%s is no Drama: %+v", it.Title, full.Genres)
					}
				}
				not := pms.NewQuery(pms.TypeMovie).Where("genre", pms.IsNot, "drama")
				if not, err = c.Library.ResolveTags(ctx, meta, not); err != nil {
					t.Fatal(err)
				}
				others, err1 := c.Library.Count(ctx, "1", not)
				all, err2 := c.Library.ItemCount(ctx, "1")
				if err1 != nil || err2 != nil || others+len(items) != all {
					t.Errorf("genre!=Drama %d + genre=Drama %d != %d items (%v, %v)", others, len(items), all, err1, err2)
				}
			})
		}
	}
}

// TestResolveTagsValues: ids pass unchanged, a name in an OR group and a content rating are
// resolved (each field's choices fetched once), and an unknown name is a *QueryError that
// names the field, the name and close choices.
func TestResolveTagsValues(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c := clientFor(t, e, "alice", nas)
	meta, err := c.Library.Meta(ctx, "1")
	must(t, err)
	genres, err := c.Library.FilterChoices(ctx, "1", "genre", 0)
	must(t, err)
	key := func(title string) string {
		i := slices.IndexFunc(genres, func(c pms.FilterChoice) bool { return c.Title == title })
		if i < 0 {
			t.Fatalf("no genre %s among %+v", title, genres)
		}
		return string(genres[i].Key)
	}

	t.Run("ids and names", func(t *testing.T) {
		q := pms.NewQuery(pms.TypeMovie).
			Where("genre", pms.Is, key("Drama"), "animation", "999999999").
			WhereAny([]pms.Filter{pms.Where("genre", pms.IsNot, "Western")}, []pms.Filter{pms.Where("contentRating", pms.Is, "pg-13")}).
			Where("year", pms.AtLeast, "2000")
		before := statsFor(e, nas, "GET /library/sections/{id}/{filter}")
		r, err := c.Library.ResolveTags(ctx, meta, q)
		if err != nil {
			t.Fatal(err)
		}
		if got := statsFor(e, nas, "GET /library/sections/{id}/{filter}") - before; got != 2 {
			t.Errorf("%d choice lists fetched for two tag fields, want 2", got)
		}
		want := "type=1&genre=" + key("Drama") + "%2C" + key("Animation") + "%2C999999999&push=1&genre%21=" + key("Western") +
			"&or=1&contentRating=PG-13&pop=1&year%3E=2000"
		if got, err := r.Encode(); err != nil || got != want {
			t.Errorf("resolved\n got %s (%v)\nwant %s", got, err, want)
		}
	})

	t.Run("== and !== on a tag are = and !=", func(t *testing.T) {
		q := pms.NewQuery(pms.TypeMovie).Where("genre", pms.Equals, "Comedy").Where("genre", pms.NotEquals, "drama").Where("title", pms.Equals, "Drama")
		r, err := c.Library.ResolveTags(ctx, meta, q)
		if err != nil {
			t.Fatal(err)
		}
		want := "type=1&genre=" + key("Comedy") + "&genre%21=" + key("Drama") + "&title%3D=Drama"
		if got, err := r.Encode(); err != nil || got != want {
			t.Errorf("resolved\n got %s (%v)\nwant %s", got, err, want)
		}
		if err := r.Validate(meta); err != nil {
			t.Errorf("Validate(%s): %v", r, err)
		}
	})

	t.Run("unknown name", func(t *testing.T) {
		_, err := c.Library.ResolveTags(ctx, meta, pms.NewQuery(pms.TypeMovie).Where("genre", pms.Is, "Dramma"))
		var qe *pms.QueryError
		if !errors.As(err, &qe) || qe.Name != "genre" {
			t.Fatalf("an unknown genre = %v, want a *QueryError on genre", err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"Dramma"`) || !strings.Contains(msg, "close: Drama") {
			t.Errorf("the error %q does not name the genre and suggest Drama", msg)
		}
	})

	t.Run("a name the section has none like", func(t *testing.T) {
		_, err := c.Library.ResolveTags(ctx, meta, pms.NewQuery(pms.TypeMovie).Where("genre", pms.Is, "Xyzzyplugh"))
		var qe *pms.QueryError
		if !errors.As(err, &qe) || !strings.Contains(err.Error(), "the section's: ") {
			t.Errorf("= %v, want a *QueryError listing some of the section's genres", err)
		}
	})
}
