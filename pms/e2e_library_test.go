package pms_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// encodings returns the client options of each encoding a test runs in.
func encodings() map[string][]pms.Option {
	return map[string][]pms.Option{"JSON": nil, "XML": {pms.WithXML()}}
}

// TestQueriesEndToEnd checks a media query against the emulator's model: Meta is read, a
// query checked against it returns only what it selects in its order, and a misspelt filter is
// caught before the request.
func TestQueriesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 500})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		meta, err := c.Library.Meta(ctx, "1")
		if err != nil {
			t.Fatalf("%s: Meta: %v", enc, err)
		}
		q := pms.NewQuery(pms.TypeMovie).Where("year", pms.AtLeast, "2000").SortBy("year", true)
		if err := q.Validate(meta); err != nil {
			t.Fatalf("%s: Validate: %v", enc, err)
		}
		items := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Query: q, PageSize: 37}))
		total, err := c.Library.Count(ctx, "1", q)
		if err != nil || total != len(items) || total == 0 || total == 500 {
			t.Fatalf("%s: the query selects %d items, Count says %d (%v); want some of 500", enc, len(items), total, err)
		}
		for i, it := range items {
			if it.Year < 2000 || i > 0 && it.Year > items[i-1].Year {
				t.Fatalf("%s: item %d (year %d) breaks year>=2000 sorted by year:desc", enc, i, it.Year)
			}
		}
		var qe *pms.QueryError
		if err := pms.NewQuery(pms.TypeMovie).Where("yaer", pms.Is, "2000").Validate(meta); !errors.As(err, &qe) {
			t.Errorf("%s: a misspelt filter = %v, want a *QueryError", enc, err)
		}
		if err := pms.NewQuery(pms.TypeMovie).SortBy("titel", false).Validate(meta); !errors.As(err, &qe) {
			t.Errorf("%s: a misspelt sort = %v, want a *QueryError", enc, err)
		}
		// Episodes of one show: a result type other than the section's, a field of the show.
		eps := pms.NewQuery(pms.TypeEpisode).Where("show.title", pms.Equals, "Game of Thrones")
		if m2, err := c.Library.Meta(ctx, "2"); err != nil {
			t.Errorf("%s: Meta of the TV section: %v", enc, err)
		} else if err := eps.Validate(m2); err != nil {
			t.Errorf("%s: Validate(%s): %v", enc, eps, err)
		}
		got := collectItems(t, c.Library.Items(ctx, "2", pms.ItemsOptions{Query: eps}))
		if len(got) != 20 {
			t.Errorf("%s: %d episodes of Game of Thrones, want 20", enc, len(got))
		}
		for _, ep := range got {
			if ep.Type != "episode" || ep.GrandparentTitle != "Game of Thrones" {
				t.Fatalf("%s: an episode of Game of Thrones is %+v", enc, ep)
			}
		}
		// The same with sourceType: unscoped fields refer to the show (the spec's own example).
		src := &pms.Query{Type: pms.TypeEpisode, SourceType: pms.TypeShow, Filters: []pms.Filter{pms.Where("title", pms.Equals, "Game of Thrones")}}
		if n := len(collectItems(t, c.Library.Items(ctx, "2", pms.ItemsOptions{Query: src}))); n != 20 {
			t.Errorf("%s: %s gave %d episodes, want 20", enc, src, n)
		}
		or := pms.NewQuery(pms.TypeMovie).WhereAny([]pms.Filter{pms.Where("year", pms.LessThan, "1960")}, []pms.Filter{pms.Where("year", pms.GreaterThan, "2015")})
		either := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{Query: or}))
		lo, hi := 0, 0
		for _, it := range either {
			switch {
			case it.Year < 1960:
				lo++
			case it.Year > 2015:
				hi++
			default:
				t.Fatalf("%s: year<1960 OR year>2015 gave year %d", enc, it.Year)
			}
		}
		if lo == 0 || hi == 0 {
			t.Errorf("%s: year<1960 OR year>2015 gave %d and %d items of each side", enc, lo, hi)
		}
	}
}

// TestBrowsingEndToEnd walks a show down to its episodes, and reads the hubs.
func TestBrowsingEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		c := clientFor(t, e, "alice", nas, opts...)
		shows := collectItems(t, c.Library.Items(ctx, "2", pms.ItemsOptions{Limit: 1}))
		if len(shows) != 1 || shows[0].Type != "show" {
			t.Fatalf("%s: section 2 starts with %+v", enc, shows)
		}
		show := string(shows[0].RatingKey)
		seasons := collectItems(t, c.Library.Children(ctx, show, pms.ItemsOptions{}))
		if len(seasons) == 0 || slices.ContainsFunc(seasons, func(s pms.Item) bool { return s.Type != "season" }) {
			t.Fatalf("%s: the show's children are %+v", enc, seasons)
		}
		episodes := collectItems(t, c.Library.Children(ctx, string(seasons[0].RatingKey), pms.ItemsOptions{}))
		if len(episodes) == 0 || episodes[0].Type != "episode" || string(episodes[0].ParentRatingKey) != string(seasons[0].RatingKey) {
			t.Fatalf("%s: season 1's children are %+v", enc, episodes)
		}
		leaves := collectItems(t, c.Library.AllLeaves(ctx, show, pms.ItemsOptions{}))
		sum := 0
		for _, s := range seasons {
			sum += int(s.LeafCount)
		}
		if len(leaves) != sum || int(shows[0].LeafCount) != sum {
			t.Errorf("%s: AllLeaves = %d episodes; the seasons count %d, the show %d", enc, len(leaves), sum, shows[0].LeafCount)
		}
		recent := collectItems(t, c.Library.RecentlyAdded(ctx, "1", pms.ItemsOptions{Limit: 10}))
		for i := 1; i < len(recent); i++ {
			if recent[i].AddedAt > recent[i-1].AddedAt {
				t.Errorf("%s: RecentlyAdded is not newest first at %d", enc, i)
			}
		}
		if len(recent) == 0 {
			t.Errorf("%s: RecentlyAdded is empty", enc)
		}
		related, err := c.Library.Related(ctx, "1000000003")
		if err != nil || len(related) == 0 || len(related[0].Items) == 0 {
			t.Errorf("%s: Related = %+v, %v", enc, related, err)
		}
		similar, err := c.Library.Similar(ctx, "1000000003")
		if err != nil || len(similar) == 0 || slices.ContainsFunc(similar, func(it pms.Item) bool { return it.RatingKey == "1000000003" }) {
			t.Errorf("%s: Similar = %d items, %v (want some, not the item itself)", enc, len(similar), err)
		}
		hubs, err := c.Library.Hubs(ctx, "")
		if err != nil || len(hubs) == 0 {
			t.Errorf("%s: Hubs = %d, %v", enc, len(hubs), err)
		}
		hubs, err = c.Library.Hubs(ctx, "1")
		if err != nil || len(hubs) == 0 {
			t.Errorf("%s: Hubs of section 1 = %d, %v", enc, len(hubs), err)
		}
	}
}

// TestWatchStateEndToEnd marks an episode watched and reads it back, watches the next one come
// On Deck, rates, and checks that each account keeps its own state.
func TestWatchStateEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		carol := clientFor(t, e, "carol", nas, opts...) // a managed user of alice's home, with all sections
		shows := collectItems(t, alice.Library.Items(ctx, "2", pms.ItemsOptions{Start: 3, Limit: 1}))
		leaves := collectItems(t, alice.Library.AllLeaves(ctx, string(shows[0].RatingKey), pms.ItemsOptions{Limit: 3}))
		ep := string(leaves[0].RatingKey)

		must(t, alice.Watch.MarkWatched(ctx, ep))
		it, err := alice.Metadata.Get(ctx, ep)
		if err != nil || it.ViewCount < 1 {
			t.Fatalf("%s: after MarkWatched, viewCount = %v, %v", enc, it, err)
		}
		other, err := carol.Metadata.Get(ctx, ep)
		if err != nil || other.ViewCount != 0 {
			t.Errorf("%s: alice's watch shows in carol's state: %+v, %v", enc, other, err)
		}
		for name, seq := range map[string]func(func(pms.Item, error) bool){
			"On Deck":                  alice.Library.OnDeck(ctx, "2", pms.ItemsOptions{}),
			"On Deck of every section": alice.Library.OnDeck(ctx, "", pms.ItemsOptions{}),
			"Continue Watching":        alice.Library.ContinueWatching(ctx, "2", pms.ItemsOptions{}),
		} {
			deck := collectItems(t, seq)
			if !slices.ContainsFunc(deck, func(d pms.Item) bool { return d.RatingKey == leaves[1].RatingKey }) {
				t.Errorf("%s: after episode 1 is watched, episode 2 is not in %s: %d items", enc, name, len(deck))
			}
		}
		if deck := collectItems(t, carol.Library.OnDeck(ctx, "2", pms.ItemsOptions{})); slices.ContainsFunc(deck, func(d pms.Item) bool { return d.RatingKey == leaves[1].RatingKey }) {
			t.Errorf("%s: alice's next episode is On Deck for carol", enc)
		}
		must(t, alice.Watch.MarkUnwatched(ctx, ep))
		if it, _ := alice.Metadata.Get(ctx, ep); it == nil || it.ViewCount != 0 {
			t.Errorf("%s: after MarkUnwatched, %+v", enc, it)
		}

		must(t, alice.Watch.Rate(ctx, ep, 7))
		if it, _ := alice.Metadata.Get(ctx, ep); it == nil || it.UserRating != 7 {
			t.Errorf("%s: after Rate 7, %+v", enc, it)
		}
		must(t, alice.Watch.ClearRating(ctx, ep))
		if it, _ := alice.Metadata.Get(ctx, ep); it == nil || it.UserRating != 0 {
			t.Errorf("%s: after ClearRating, userRating %v", enc, it.UserRating)
		}
	}
}

// TestMetadataEndToEnd edits an item and reads the edit back, deletes one, and checks that a
// shared user's edit, deletion and scan are refused with the typed error.
func TestMetadataEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		movies := collectItems(t, alice.Library.Items(ctx, "1", pms.ItemsOptions{Limit: 3}))
		rk := string(movies[0].RatingKey)
		title := "Edited in " + enc
		must(t, alice.Metadata.Edit(ctx, pms.Edit{
			Fields:  map[string]string{"title": title, "summary": "A new summary."},
			AddTags: map[string][]string{"genre": {"Plexkit"}, "label": {"kept"}}, Lock: true,
		}, rk))
		it, err := alice.Metadata.Get(ctx, rk)
		if err != nil || it.Title != title || it.Summary != "A new summary." || !hasTag(it.Genres, "Plexkit") || !hasTag(it.Labels, "kept") {
			t.Fatalf("%s: after Edit, Get = %+v, %v", enc, it, err)
		}
		must(t, alice.Metadata.Edit(ctx, pms.Edit{RemoveTags: map[string][]string{"genre": {"Plexkit"}}}, rk))
		if it, _ := alice.Metadata.Get(ctx, rk); it == nil || hasTag(it.Genres, "Plexkit") {
			t.Errorf("%s: after removing the genre, %+v", enc, it)
		}

		many, err := alice.Metadata.GetMany(ctx, string(movies[1].RatingKey), string(movies[2].RatingKey))
		if err != nil || len(many) != 2 || many[1].RatingKey != movies[2].RatingKey {
			t.Errorf("%s: GetMany = %d items, %v", enc, len(many), err)
		}

		before, err := alice.Library.Section(ctx, "1")
		must(t, err)
		must(t, alice.Library.Refresh(ctx, "1", pms.RefreshOptions{Path: "/data/movies/x", Force: true}))
		after, err := alice.Library.Section(ctx, "1")
		if err != nil || after.ScannedAt < before.ScannedAt {
			t.Errorf("%s: scannedAt went from %d to %d (%v)", enc, before.ScannedAt, after.ScannedAt, err)
		}
		must(t, alice.Library.CancelRefresh(ctx, "1"))
	}

	alice := clientFor(t, e, "alice", nas)
	movies := collectItems(t, alice.Library.Items(ctx, "1", pms.ItemsOptions{Start: 10, Limit: 1}))
	gone := string(movies[0].RatingKey)
	bob := clientFor(t, e, "bob", nas)
	for name, err := range map[string]error{
		"Edit":    bob.Metadata.Edit(ctx, pms.Edit{Fields: map[string]string{"title": "bob was here"}}, gone),
		"Delete":  bob.Metadata.Delete(ctx, gone),
		"Refresh": bob.Library.Refresh(ctx, "1", pms.RefreshOptions{}),
	} {
		if !refusedAsSharedUser(err) {
			t.Errorf("bob's %s = %v, want a refusal", name, err)
		}
	}
	if it, err := alice.Metadata.Get(ctx, gone); err != nil || it.Title == "bob was here" {
		t.Fatalf("after bob's refused edit: %+v, %v", it, err)
	}
	must(t, alice.Metadata.Delete(ctx, gone))
	if _, err := alice.Metadata.Get(ctx, gone); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("after Delete, Get = %v, want not found", err)
	}
}

// TestServerReadsEndToEnd reads the server-local accounts, devices, clients and statistics.
func TestServerReadsEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	for enc, opts := range encodings() {
		alice := clientFor(t, e, "alice", nas, opts...)
		accts, err := alice.Server.Accounts(ctx)
		if err != nil || len(accts) < 2 || !slices.ContainsFunc(accts, func(a pms.Account) bool { return a.ID == 1 }) {
			t.Errorf("%s: Accounts = %+v, %v; want the owner as 1", enc, accts, err)
		}
		if _, err := alice.Server.Devices(ctx); err != nil {
			t.Errorf("%s: Devices: %v", enc, err)
		}
		if _, err := alice.Server.Clients(ctx); err != nil {
			t.Errorf("%s: Clients: %v", enc, err)
		}
		if _, err := alice.Statistics.Bandwidth(ctx, pms.TimespanDays); err != nil {
			t.Errorf("%s: Bandwidth: %v", enc, err)
		}
		if _, err := alice.Statistics.Resources(ctx, pms.TimespanSeconds); err != nil {
			t.Errorf("%s: Resources: %v", enc, err)
		}
		if _, err := alice.Statistics.Media(ctx, pms.TimespanDays); err != nil {
			t.Errorf("%s: Media: %v", enc, err)
		}
	}
	bob := clientFor(t, e, "bob", nas)
	if _, err := bob.Server.Accounts(ctx); !refusedAsSharedUser(err) {
		t.Errorf("bob's Accounts = %v, want a refusal", err)
	}
	if _, err := bob.Statistics.Bandwidth(ctx, pms.TimespanDays); !refusedAsSharedUser(err) {
		t.Errorf("bob's Bandwidth = %v, want a refusal", err)
	}
}

func hasTag(tags []pms.Tag, name string) bool {
	return slices.ContainsFunc(tags, func(t pms.Tag) bool { return t.Tag == name })
}

// TestURLEndToEnd checks that a URL built for another program works on its own — its
// transient token is accepted by the server — and carries neither of the client's tokens.
func TestURLEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{LibrarySize: 50})
	ctx := context.Background()
	token := accessToken(t, e, "alice", nas)
	c := clientFor(t, e, "alice", nas)
	u, err := c.Metadata.URL(ctx, "/library/metadata/1000000003", nil)
	must(t, err)
	if strings.Contains(u, token) || !strings.Contains(u, "X-Plex-Token=transient-") {
		t.Fatalf("URL %s: want a transient token, not the client's", plexkit.RedactURL(u))
	}
	resp, err := http.Get(u) // no header, no client: what a browser does
	must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `title="Sintel"`) {
		t.Errorf("GET of the URL = %d %.200s", resp.StatusCode, body)
	}
	// Bob's URLs carry bob's access: an admin operation stays refused through them.
	bob := clientFor(t, e, "bob", nas)
	u, err = bob.Metadata.URL(ctx, "/status/sessions", nil)
	must(t, err)
	resp, err = http.Get(u)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob's transient URL of /status/sessions = %d, want a refusal", resp.StatusCode)
	}
}
