package pmsemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// page is the JSON of a list of items with the fields these tests read.
type page struct {
	MediaContainer struct {
		Size      int
		TotalSize int
		Offset    int
		Meta      *struct {
			Type []struct {
				Key, Type, Title string
				Active           bool
				Filter           []struct{ Filter, FilterType, Key string }
				Sort             []struct{ Key, DescKey, DefaultDirection string }
				Field            []struct{ Key, Type string }
			}
			FieldType []struct {
				Type     string
				Operator []struct{ Key, Title string }
			}
		}
		Metadata []struct {
			RatingKey, Key, Type, Title, ParentRatingKey, GrandparentRatingKey, ParentTitle, GrandparentTitle string
			Year, Index, ParentIndex, LeafCount, ChildCount, ViewCount, ViewOffset                            int
			ViewedLeafCount                                                                                   *int
			LastViewedAt, AddedAt                                                                             int64
			UserRating                                                                                        *float64
			Genre                                                                                             []struct {
				ID     int
				Tag    string
				Filter string
			}
			GUID  string                `json:"guid"`
			Guid  []struct{ ID string } `json:"Guid"`
			Media []struct {
				Part []struct {
					Stream []struct{ StreamType int }
				}
			}
		}
	}
}

func getPage(t *testing.T, f *fixture, token, path string) page {
	t.Helper()
	resp := f.do(t, req{path: path, token: token, json: true})
	if resp.status != 200 {
		t.Fatalf("GET %s: status %d %s", path, resp.status, resp.body)
	}
	var p page
	if err := json.Unmarshal([]byte(resp.body), &p); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, resp.body)
	}
	return p
}

func titles(p page) []string {
	var out []string
	for _, m := range p.MediaContainer.Metadata {
		out = append(out, m.Title)
	}
	return out
}

func TestHierarchy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	if n := getXML(t, f, "/library/metadata/2000000003", ownerToken).Children[0]; !slices.Contains(n.childNames(), "Location") {
		t.Errorf("show detail children %v lack Location", n.childNames())
	}
	show := getPage(t, f, ownerToken, "/library/metadata/2000000003").MediaContainer.Metadata[0]
	if show.Type != "show" || show.Key != "/library/metadata/2000000003/children" || show.ChildCount < 1 || show.LeafCount < show.ChildCount {
		t.Fatalf("show %+v", show)
	}
	// Seasons, led by "All episodes" unless excluded.
	withAll := getPage(t, f, ownerToken, "/library/metadata/2000000003/children")
	seasons := getPage(t, f, ownerToken, "/library/metadata/2000000003/children?excludeAllLeaves=1")
	if n := len(seasons.MediaContainer.Metadata); n != show.ChildCount || len(withAll.MediaContainer.Metadata) != n+1 || withAll.MediaContainer.Metadata[0].Title != "All episodes" {
		t.Fatalf("%d seasons (%d with All episodes), show says %d", n, len(withAll.MediaContainer.Metadata), show.ChildCount)
	}
	episodes := 0
	for i, s := range seasons.MediaContainer.Metadata {
		if s.Type != "season" || s.Index != i+1 || s.ParentRatingKey != show.RatingKey || s.ParentTitle != show.Title || s.Title != "Season "+strconv.Itoa(i+1) {
			t.Errorf("season %d = %+v", i, s)
		}
		eps := getPage(t, f, ownerToken, "/library/metadata/"+s.RatingKey+"/children")
		for j, e := range eps.MediaContainer.Metadata {
			if e.Type != "episode" || e.Index != j+1 || e.ParentIndex != i+1 || e.ParentRatingKey != s.RatingKey ||
				e.GrandparentRatingKey != show.RatingKey || e.GrandparentTitle != show.Title || len(e.Media) != 1 {
				t.Errorf("episode %d of season %d = %+v", j, i, e)
			}
		}
		episodes += len(eps.MediaContainer.Metadata)
	}
	all := getPage(t, f, ownerToken, "/library/metadata/2000000003/allLeaves")
	grand := getPage(t, f, ownerToken, "/library/metadata/2000000003/grandchildren")
	if episodes != show.LeafCount || len(all.MediaContainer.Metadata) != episodes || all.MediaContainer.TotalSize != episodes || len(grand.MediaContainer.Metadata) != episodes {
		t.Errorf("episodes: %d by season, %d allLeaves, %d grandchildren; leafCount %d", episodes, len(all.MediaContainer.Metadata), len(grand.MediaContainer.Metadata), show.LeafCount)
	}
	if idx := getPage(t, f, ownerToken, "/library/metadata/2000000003/children?index=1"); len(idx.MediaContainer.Metadata) != 1 || idx.MediaContainer.Metadata[0].Index != 1 {
		t.Errorf("index=1: %v", titles(idx))
	}
	// Artists have albums of tracks; photo albums have photos.
	albums := getPage(t, f, ownerToken, "/library/metadata/3000000002/children")
	if len(albums.MediaContainer.Metadata) == 0 || albums.MediaContainer.Metadata[0].Type != "album" {
		t.Fatalf("albums %+v", albums)
	}
	tracks := getPage(t, f, ownerToken, "/library/metadata/"+albums.MediaContainer.Metadata[0].RatingKey+"/children")
	if len(tracks.MediaContainer.Metadata) < 4 || tracks.MediaContainer.Metadata[0].Type != "track" {
		t.Errorf("tracks %v", titles(tracks))
	}
	photos := getPage(t, f, ownerToken, "/library/metadata/4000000001/children")
	if len(photos.MediaContainer.Metadata) < 3 || photos.MediaContainer.Metadata[0].Type != "photo" {
		t.Errorf("photos %v", titles(photos))
	}
	// A movie has no children; a missing item is 404.
	for _, p := range []string{"/library/metadata/1000000000/children", "/library/metadata/1999999999/children", "/library/metadata/x/allLeaves"} {
		if p == "/library/metadata/1000000000/children" {
			if n := len(getPage(t, f, ownerToken, p).MediaContainer.Metadata); n != 0 {
				t.Errorf("%s: %d children", p, n)
			}
			continue
		}
		if s := f.do(t, req{path: p, token: ownerToken}).status; s != 404 {
			t.Errorf("%s: %d", p, s)
		}
	}
	// Detail views carry streams of every type.
	movie := getPage(t, f, ownerToken, "/library/metadata/1000000004").MediaContainer.Metadata[0]
	var types []int
	for _, s := range movie.Media[0].Part[0].Stream {
		types = append(types, s.StreamType)
	}
	if !slices.Equal(types, []int{1, 2, 3}) || len(movie.Genre) == 0 || movie.Genre[0].ID == 0 || !strings.HasPrefix(movie.Genre[0].Filter, "genre=") {
		t.Errorf("movie detail: streams %v, genres %+v", types, movie.Genre)
	}
	list := getPage(t, f, ownerToken, "/library/sections/1/all?X-Plex-Container-Start=4&X-Plex-Container-Size=1").MediaContainer.Metadata[0]
	if len(list.Genre) == 0 || list.Genre[0].ID != 0 || list.Genre[0].Filter != "" || len(list.Guid) != 0 {
		t.Errorf("list view: genres %+v guids %+v; want bare tags and no Guid unasked", list.Genre, list.Guid)
	}
	if g := getPage(t, f, ownerToken, "/library/sections/1/all?X-Plex-Container-Start=4&X-Plex-Container-Size=1&includeGuids=1").MediaContainer.Metadata[0]; len(g.Guid) == 0 || !strings.HasPrefix(g.Guid[0].ID, "imdb://") {
		t.Errorf("includeGuids=1: %+v", g.Guid)
	}
}

func TestSamples(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		for i := range c.Sections[:4] {
			c.Sections[i].Samples = true
		}
	})
	movies := getPage(t, f, ownerToken, "/library/sections/1/all?X-Plex-Container-Size=5")
	if got := titles(movies); !slices.Equal(got, []string{"Elephants Dream", "Sita Sings the Blues", "Big Buck Bunny", "Sintel", title(4)}) {
		t.Errorf("movies %q", got)
	}
	shows := getPage(t, f, ownerToken, "/library/sections/2/all?X-Plex-Container-Size=2")
	got := shows.MediaContainer.Metadata
	if got[0].Title != "Game of Thrones" || got[0].LeafCount != 20 || got[0].ChildCount != 2 || got[1].Title != "The 100" || got[1].LeafCount != 29 {
		t.Errorf("shows %+v", got)
	}
	s1 := getPage(t, f, ownerToken, "/library/metadata/"+got[0].RatingKey+"/children?excludeAllLeaves=1").MediaContainer.Metadata[0]
	e1 := getPage(t, f, ownerToken, "/library/metadata/"+s1.RatingKey+"/children").MediaContainer.Metadata[0]
	if e1.Title != "Winter Is Coming" || e1.GrandparentTitle != "Game of Thrones" || e1.Year != 2011 {
		t.Errorf("S01E01 %+v", e1)
	}
	sita := getPage(t, f, ownerToken, "/library/metadata/1000000001?includeGuids=1").MediaContainer.Metadata[0]
	if len(sita.Guid) == 0 || sita.Guid[0].ID != "imdb://tt1172203" || sita.Year != 2008 {
		t.Errorf("Sita %+v", sita)
	}
	track := getPage(t, f, ownerToken, "/library/metadata/3000000000/allLeaves").MediaContainer.Metadata
	if len(track) != 1 || track[0].Title != "As Colourful as Ever" || track[0].ParentTitle != "Layers" || track[0].GrandparentTitle != "Broke For Free" {
		t.Errorf("track %+v", track)
	}
	cats := getPage(t, f, ownerToken, "/library/metadata/4000000000/children")
	if got := titles(cats); !slices.Equal(got, []string{"Cats in bed", "Cats not in bed", "Not cats in bed", "photo1", "photo2", "photo3"}) {
		t.Errorf("Cats %q", got)
	}
}

func TestMediaQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	st := f.srv.Store()
	sec := st.Section("1")
	var all []Item
	st.EachInSection(sec, func(rk int) bool {
		it, _ := st.Item(rk)
		all = append(all, it)
		return true
	})
	want := func(keep func(Item) bool) []string {
		var out []string
		for _, it := range all {
			if keep(it) {
				out = append(out, it.Title)
			}
		}
		return out
	}
	query := func(q string) page {
		return getPage(t, f, ownerToken, "/library/sections/1/all?"+q)
	}
	tests := []struct {
		name, query string
		keep        func(Item) bool
	}{
		{"year after", "year%3E%3E=2000", func(it Item) bool { return it.Year > 2000 }},
		{"year at least and before", "year%3E=1990&year%3C%3C=1995", func(it Item) bool { return it.Year >= 1990 && it.Year < 1995 }},
		{"year is one of", "year=1960,1970", func(it Item) bool { return it.Year == 1960 || it.Year == 1970 }},
		{"title contains", "title=distant%20river", func(it Item) bool { return strings.Contains(strings.ToLower(it.Title), "distant river") }},
		{"title is", "title==Distant%20River", func(it Item) bool { return it.Title == "Distant River" }},
		{"title begins with", "title%3C=Golden", func(it Item) bool { return strings.HasPrefix(it.Title, "Golden") }},
		{"title does not contain", "title!=river&year=1999", func(it Item) bool { return !strings.Contains(it.Title, "River") && it.Year == 1999 }},
		// Real servers filter tags by id (Config.TagFilterByName): a name matches no tag.
		{"genre by name matches nothing", "genre=Western", func(Item) bool { return false }},
		{"genre by id", "genre=" + strconv.Itoa(tagID("Drama")), func(it Item) bool { return slices.Contains(it.Genres, "Drama") }},
		{"genre is not", "genre!=" + strconv.Itoa(tagID("Drama")) + "&year=2001", func(it Item) bool { return !slices.Contains(it.Genres, "Drama") && it.Year == 2001 }},
		{"content rating by value", "contentRating=PG-13", func(it Item) bool { return it.ContentRating == "PG-13" }},
		{"push or pop", "push=1&year=1960&or=1&year=1961&pop=1&genre=" + strconv.Itoa(tagID("Comedy")), func(it Item) bool {
			return (it.Year == 1960 || it.Year == 1961) && slices.Contains(it.Genres, "Comedy")
		}},
		{"unknown parameters are ignored", "includeAdvanced=1&checkFiles=0&year=1980", func(it Item) bool { return it.Year == 1980 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := query(tt.query)
			w := want(tt.keep)
			if got := titles(p); !slices.Equal(got, w) || p.MediaContainer.TotalSize != len(w) || len(w) == 0 && tt.name != "title is" && tt.name != "genre by name matches nothing" {
				t.Errorf("%s: %d items (totalSize %d), want %d", tt.query, len(got), p.MediaContainer.TotalSize, len(w))
			}
		})
	}
	t.Run("TagFilterByName matches a name", func(t *testing.T) {
		t.Parallel()
		byName := newFixture(t, func(c *Config) { c.TagFilterByName = true })
		got := titles(getPage(t, byName, ownerToken, "/library/sections/1/all?genre=western"))
		if w := want(func(it Item) bool { return slices.Contains(it.Genres, "Western") }); len(w) == 0 || !slices.Equal(got, w) {
			t.Errorf("genre=western with TagFilterByName: %q, want %q", got, w)
		}
	})
	t.Run("Distant River is not Silent River", func(t *testing.T) {
		t.Parallel()
		for _, got := range titles(query("title=Distant%20River&type=1")) {
			if !strings.Contains(got, "Distant River") {
				t.Errorf("title=Distant River found %q", got)
			}
		}
	})
	t.Run("sort with direction and several keys", func(t *testing.T) {
		t.Parallel()
		p := query("sort=year:desc,titleSort&X-Plex-Container-Size=50")
		sorted := slices.Clone(all)
		slices.SortStableFunc(sorted, func(a, b Item) int {
			if a.Year != b.Year {
				return b.Year - a.Year
			}
			return strings.Compare(strings.ToLower(sortTitle(&a)), strings.ToLower(sortTitle(&b)))
		})
		var w []string
		for _, it := range sorted[:50] {
			w = append(w, it.Title)
		}
		if got := titles(p); !slices.Equal(got, w) || p.MediaContainer.TotalSize != len(all) {
			t.Errorf("got %q\nwant %q", got, w)
		}
		if got := titles(query("sort=movie.addedAt:desc&limit=3")); len(got) != 3 {
			t.Errorf("scoped sort with limit: %q", got)
		}
	})
	t.Run("type selects episodes across shows", func(t *testing.T) {
		t.Parallel()
		p := getPage(t, f, ownerToken, "/library/sections/2/all?type=4&show.title==Hidden%20River")
		if len(p.MediaContainer.Metadata) == 0 {
			t.Fatal("no episodes")
		}
		// sourceType moves unqualified fields to the shows: the same episodes.
		if q := getPage(t, f, ownerToken, "/library/sections/2/all?type=4&sourceType=2&title==Hidden%20River"); !slices.Equal(titles(q), titles(p)) || q.MediaContainer.TotalSize != p.MediaContainer.TotalSize {
			t.Errorf("sourceType: %d episodes, want %d", q.MediaContainer.TotalSize, p.MediaContainer.TotalSize)
		}
		for _, m := range p.MediaContainer.Metadata {
			if m.Type != "episode" || m.GrandparentTitle != "Hidden River" {
				t.Errorf("episode %+v", m)
			}
		}
	})
	t.Run("bad queries", func(t *testing.T) {
		t.Parallel()
		for q, why := range map[string]string{
			"year%3E%3E=soon":    `year: "soon" is not a number`,
			"sort=nonsense":      `unknown sort field "nonsense"`,
			"sort=year:sideways": `unknown sort feature "sideways"`,
			"type=99":            `type "99"`,
			"unwatched=maybe":    `unwatched: "maybe" is not a boolean`,
			"title%3E%3E=x":      `operator ">>=" does not apply to string field "title"`,
			"push=1&year=1":      "push=1 without a matching pop=1",
			"pop=1":              "pop=1 without a matching push=1",
		} {
			if r := f.do(t, req{path: "/library/sections/1/all?" + q, token: ownerToken}); r.status != 400 || !strings.Contains(r.body, why) {
				t.Errorf("%s: %d %q, want 400 naming %s", q, r.status, r.body, why)
			}
		}
	})
	t.Run("includeMeta", func(t *testing.T) {
		t.Parallel()
		p := getPage(t, f, ownerToken, "/library/sections/2/all?includeMeta=1&X-Plex-Container-Start=0&X-Plex-Container-Size=0")
		m := p.MediaContainer.Meta
		if m == nil || len(m.Type) != 3 || m.Type[0].Type != "show" || !m.Type[0].Active || m.Type[2].Key != "/library/sections/2/all?type=4" {
			t.Fatalf("Meta %+v", m)
		}
		var filters, sorts, fields []string
		for _, x := range m.Type[0].Filter {
			filters = append(filters, x.Filter)
		}
		for _, x := range m.Type[0].Sort {
			sorts = append(sorts, x.Key)
		}
		for _, x := range m.Type[0].Field {
			fields = append(fields, x.Key)
		}
		for _, w := range []string{"genre", "year", "unwatched"} {
			if !slices.Contains(filters, w) {
				t.Errorf("filters %v lack %s", filters, w)
			}
		}
		if !slices.Contains(sorts, "titleSort") || !slices.Contains(fields, "title") || len(m.FieldType) != 5 || p.MediaContainer.TotalSize != 40 || len(p.MediaContainer.Metadata) != 0 {
			t.Errorf("sorts %v fields %v fieldTypes %d totalSize %d", sorts, fields, len(m.FieldType), p.MediaContainer.TotalSize)
		}
		// /filters and /sorts answer from the same table.
		var fl struct {
			MediaContainer struct {
				Directory []struct{ Filter, Key string }
			}
		}
		if err := f.ownerJSON(t, "/library/sections/2/filters", &fl); err != nil || len(fl.MediaContainer.Directory) != len(filters) {
			t.Errorf("/filters: %v %+v", err, fl)
		}
		var so struct {
			MediaContainer struct {
				Directory []struct{ Key, DescKey string }
			}
		}
		if err := f.ownerJSON(t, "/library/sections/2/sorts", &so); err != nil || len(so.MediaContainer.Directory) != len(sorts) {
			t.Errorf("/sorts: %v %+v", err, so)
		}
		// A filter's key lists its choices, each a key that filters.
		var ch struct {
			MediaContainer struct {
				Directory []struct{ Key, Title, FastKey string }
			}
		}
		if err := f.ownerJSON(t, "/library/sections/1/genre?type=1", &ch); err != nil || len(ch.MediaContainer.Directory) == 0 {
			t.Fatalf("genre choices: %v %+v", err, ch)
		}
		c := ch.MediaContainer.Directory[0]
		if got := titles(getPage(t, f, ownerToken, "/library/sections/1/all?genre="+c.Key)); len(got) == 0 {
			t.Errorf("filtering by choice %+v found nothing", c)
		}
	})
	t.Run("firstCharacters", func(t *testing.T) {
		t.Parallel()
		var fc struct {
			MediaContainer struct {
				Directory []struct {
					Title string
					Size  int
				}
			}
		}
		if err := f.ownerJSON(t, "/library/sections/1/firstCharacters", &fc); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, d := range fc.MediaContainer.Directory {
			n += d.Size
		}
		if n != len(all) {
			t.Errorf("first characters count %d items, want %d", n, len(all))
		}
	})
}

func TestWatchState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	item := func(token, rk string) struct {
		ViewCount, ViewOffset int
		LastViewedAt          int64
		UserRating            *float64
		ViewedLeafCount       *int
	} {
		m := getPage(t, f, token, "/library/metadata/"+rk).MediaContainer.Metadata[0]
		return struct {
			ViewCount, ViewOffset int
			LastViewedAt          int64
			UserRating            *float64
			ViewedLeafCount       *int
		}{m.ViewCount, m.ViewOffset, m.LastViewedAt, m.UserRating, m.ViewedLeafCount}
	}
	historyLen := func() int {
		return getPage(t, f, ownerToken, "/status/sessions/history/all").MediaContainer.TotalSize
	}
	before := historyLen()
	var events []Event
	var mu sync.Mutex
	cancel := f.srv.Store().Subscribe(func(e Event) { mu.Lock(); events = append(events, e); mu.Unlock() })
	defer cancel()

	// GET /:/scrobble, as python-plexapi sends it.
	if s := f.do(t, req{path: "/:/scrobble?key=1000000010&identifier=com.plexapp.plugins.library", token: ownerToken}).status; s != 200 {
		t.Fatalf("scrobble: %d", s)
	}
	if got := item(ownerToken, "1000000010"); got.ViewCount != 1 || got.LastViewedAt != epoch.Unix() {
		t.Errorf("after scrobble: %+v", got)
	}
	if got := item(friendToken, "1000000010"); got.ViewCount != 0 {
		t.Errorf("the friend sees the owner's views: %+v", got)
	}
	if historyLen() != before {
		t.Error("a scrobble added a history row")
	}
	if got := titles(getPage(t, f, ownerToken, "/library/sections/1/all?unwatched=0")); !slices.Equal(got, []string{title(10)}) {
		t.Errorf("watched movies %q", got)
	}
	// A show scrobbles all its episodes.
	if s := f.do(t, req{method: "PUT", path: "/:/scrobble?key=2000000005&identifier=com.plexapp.plugins.library", token: friendToken}).status; s != 200 {
		t.Fatalf("show scrobble: %d", s)
	}
	if got := item(friendToken, "2000000005"); got.ViewedLeafCount == nil || *got.ViewedLeafCount == 0 {
		t.Errorf("show after scrobble: %+v", got)
	}
	// Unscrobble clears it.
	if s := f.do(t, req{path: "/:/unscrobble?key=1000000010&identifier=com.plexapp.plugins.library", token: ownerToken}).status; s != 200 {
		t.Fatalf("unscrobble: %d", s)
	}
	if got := item(ownerToken, "1000000010"); got.ViewCount != 0 || got.LastViewedAt != 0 {
		t.Errorf("after unscrobble: %+v", got)
	}
	// Ratings: set, then cleared with -1.
	f.do(t, req{method: "PUT", path: "/:/rate?key=1000000011&identifier=com.plexapp.plugins.library&rating=8", token: ownerToken})
	if got := item(ownerToken, "1000000011"); got.UserRating == nil || *got.UserRating != 8 {
		t.Errorf("after rating: %+v", got)
	}
	f.do(t, req{path: "/:/rate?key=1000000011&identifier=com.plexapp.plugins.library&rating=-1", token: ownerToken})
	if got := item(ownerToken, "1000000011"); got.UserRating != nil {
		t.Errorf("after clearing the rating: %+v", got)
	}
	for _, q := range []string{"/:/scrobble?identifier=x", "/:/scrobble?key=abc", "/:/rate?key=1000000011&rating=11", "/:/rate?key=1000000011"} {
		if s := f.do(t, req{path: q, token: ownerToken}).status; s != 400 {
			t.Errorf("%s: %d, want 400", q, s)
		}
	}
	// Progress puts an item on deck and in Continue Watching, and playback to the end adds a
	// history row under the server's id for the owner.
	st := f.srv.Store()
	st.SetViewOffset(OwnerLocalID, 1000000012, 60_000)
	deck := getPage(t, f, ownerToken, "/library/onDeck")
	cw := getPage(t, f, ownerToken, "/hubs/continueWatching/items")
	if got := titles(deck); !slices.Contains(got, title(12)) || !slices.Equal(titles(cw), got) || deck.MediaContainer.Metadata[0].ViewOffset != 60_000 {
		t.Errorf("on deck %q, continue watching %q", got, titles(cw))
	}
	st.Watched(OwnerLocalID, 1000000012)
	h := getPage(t, f, ownerToken, "/status/sessions/history/all?sort=viewedAt:desc&accountID=1")
	if historyLen() != before+1 || h.MediaContainer.Metadata[0].RatingKey != "1000000012" {
		t.Errorf("history after playback: %d rows, first %+v", historyLen(), h.MediaContainer.Metadata[0])
	}
	// The next episode of a started show is on deck.
	leaves := st.Leaves(2000000006)
	st.Scrobble(friendOf(st), leaves[0])
	if got := getPage(t, f, friendToken, "/library/sections/2/onDeck").MediaContainer.Metadata; len(got) == 0 || got[0].RatingKey != strconv.Itoa(leaves[1]) {
		t.Errorf("friend's deck %+v, want episode %d", got, leaves[1])
	}
	mu.Lock()
	defer mu.Unlock()
	var kinds []EventKind
	for _, e := range events {
		kinds = append(kinds, e.Kind)
	}
	for _, k := range []EventKind{EventWatched, EventUnwatched, EventRated, EventProgress, EventHistoryAdded} {
		if !slices.Contains(kinds, k) {
			t.Errorf("events %v lack %s", kinds, k)
		}
	}
}

func friendOf(st *Store) int { return st.LocalAccountID(friendID) }

func TestEditsAndDeletions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	before := getPage(t, f, ownerToken, "/library/sections/5/all?X-Plex-Container-Size=0").MediaContainer.TotalSize
	if s := f.do(t, req{method: "DELETE", path: "/library/metadata/5000000001", token: ownerToken}).status; s != 200 {
		t.Fatalf("delete: %d", s)
	}
	p := getPage(t, f, ownerToken, "/library/sections/5/all?X-Plex-Container-Size=3")
	if p.MediaContainer.TotalSize != before-1 || !slices.Equal(titles(p), []string{title(0), title(2), title(3)}) {
		t.Errorf("after delete: total %d, %q", p.MediaContainer.TotalSize, titles(p))
	}
	if s := f.do(t, req{path: "/library/metadata/5000000001", token: ownerToken}).status; s != 404 {
		t.Errorf("deleted item: %d", s)
	}
	// A deleted show takes its seasons and episodes with it.
	leaves := f.srv.Store().Leaves(2000000007)
	if s := f.do(t, req{method: "DELETE", path: "/library/metadata/2000000007", token: ownerToken}).status; s != 200 {
		t.Fatalf("delete show: %d", s)
	}
	if s := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(leaves[0]), token: ownerToken}).status; s != 404 {
		t.Errorf("an episode of a deleted show: %d", s)
	}
	q := url.Values{"title.value": {"Zebra Crossing"}, "genre[0].tag.tag": {"Zoology"}, "year.value": {"2024"}}
	if s := f.do(t, req{method: "PUT", path: "/library/metadata/1000000002?" + q.Encode(), token: ownerToken}).status; s != 200 {
		t.Fatalf("edit: %d", s)
	}
	m := getPage(t, f, ownerToken, "/library/metadata/1000000002").MediaContainer.Metadata[0]
	if m.Title != "Zebra Crossing" || m.Year != 2024 || !slices.ContainsFunc(m.Genre, func(g struct {
		ID     int
		Tag    string
		Filter string
	}) bool {
		return g.Tag == "Zoology"
	}) {
		t.Errorf("edited %+v", m)
	}
	var hubs struct {
		MediaContainer struct {
			Hub []struct{ Metadata []struct{ Title string } }
		}
	}
	if err := f.ownerJSON(t, "/hubs/search?query=zebra&sectionId=1", &hubs); err != nil ||
		len(hubs.MediaContainer.Hub) == 0 || len(hubs.MediaContainer.Hub[0].Metadata) != 1 {
		t.Errorf("search for the new title: %v %+v", err, hubs)
	}
	if got := titles(getPage(t, f, ownerToken, "/library/sections/1/all?genre="+strconv.Itoa(tagID("Zoology")))); !slices.Equal(got, []string{"Zebra Crossing"}) {
		t.Errorf("filter by the new genre: %q", got)
	}
	if s := f.do(t, req{method: "PUT", path: "/library/metadata/1000000002?title.value=x", token: friendToken}).status; s != 401 {
		t.Errorf("friend edits: %d", s)
	}
}

func TestExtraRoutesAndRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	g := newFixture(t, func(c *Config) { c.SharedAdminStatus = http.StatusForbidden })
	tests := []struct {
		path, token string
		want        int
	}{
		{"/library", friendToken, 200},
		{"/library/sections/", friendToken, 200},
		{"/accounts", ownerToken, 200},
		{"/accounts", friendToken, 401},
		{"/devices", managedToken, 401},
		{"/myplex/account", friendToken, 401},
		{"/system/agents", friendToken, 401},
		{"/statistics/bandwidth?timespan=6", friendToken, 401},
		{"/library/sections/1/refresh", friendToken, 401},
		{"/library/sections/1/refresh", ownerToken, 200},
		{"/library/sections/all/refresh", ownerToken, 200},
		{"/library/metadata/3000000001/children", friendToken, 404}, // section 3 is not shared with bob
		{"/library/metadata/2000000001/children", friendToken, 200},
		{"/:/scrobble?key=3000000001&identifier=com.plexapp.plugins.library", friendToken, 404},
		{"/library/sections/3/onDeck", friendToken, 404},
		{"/hubs/sections/3", friendToken, 404},
		{"/library/nonsense", ownerToken, 404},
		{"/library/nonsense", friendToken, 404},
		{"/library/nonsense", "", 401},
	}
	for _, tt := range tests {
		if got := f.do(t, req{path: tt.path, token: tt.token}).status; got != tt.want {
			t.Errorf("GET %s as %s: %d, want %d", tt.path, tt.token, got, tt.want)
		}
	}
	if got := g.do(t, req{path: "/accounts", token: friendToken}).status; got != 403 {
		t.Errorf("configured 403: %d", got)
	}
	// A shared user sees only shared sections everywhere.
	for _, path := range []string{"/hubs", "/library/recentlyAdded", "/library/onDeck", "/search?query=river", "/status/sessions/history/all"} {
		resp := f.do(t, req{path: path, token: friendToken, json: true})
		if resp.status != 200 || strings.Contains(resp.body, `"librarySectionID":"3"`) || strings.Contains(resp.body, `"librarySectionID":"4"`) || strings.Contains(resp.body, `"librarySectionID":"5"`) {
			t.Errorf("%s as friend: %d, shows an unshared section", path, resp.status)
		}
	}
	if rec := getPage(t, f, ownerToken, "/library/recentlyAdded"); len(rec.MediaContainer.Metadata) == 0 ||
		rec.MediaContainer.Metadata[0].AddedAt < rec.MediaContainer.Metadata[len(rec.MediaContainer.Metadata)-1].AddedAt {
		t.Errorf("recently added is not newest first")
	}
	// /library tells python-plexapi its identifier.
	if n := getXML(t, f, "/library", ownerToken); n.attr("identifier") != libraryIdentifier || len(n.Children) != 3 {
		t.Errorf("/library %+v", n)
	}
	// The owner is account 1 on their server; everyone else keeps their plex.tv id.
	var acc struct {
		MediaContainer struct {
			Account []struct {
				ID   int
				Name string
			}
		}
	}
	if err := f.ownerJSON(t, "/accounts", &acc); err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, a := range acc.MediaContainer.Account {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []int{0, 1, friendID, managedID}) || acc.MediaContainer.Account[1].Name != "alice" {
		t.Errorf("accounts %+v", acc.MediaContainer.Account)
	}
	// /accounts/{id} and /devices/{id} answer the one element, or 404.
	for _, tt := range []struct {
		path, elem, id string
	}{
		{"/accounts/1", "Account", "1"},
		{"/devices/" + strconv.Itoa(deviceID(1)), "Device", strconv.Itoa(deviceID(1))},
	} {
		n := getXML(t, f, tt.path, ownerToken)
		if len(n.Children) != 1 || n.Children[0].XMLName.Local != tt.elem || n.Children[0].attr("id") != tt.id || n.attr("size") != "1" {
			t.Errorf("%s: %+v", tt.path, n)
		}
	}
	for _, path := range []string{"/accounts/424242", "/devices/424242"} {
		if got := f.do(t, req{path: path, token: ownerToken}).status; got != 404 {
			t.Errorf("%s: %d, want 404", path, got)
		}
	}
	h := getPage(t, f, ownerToken, "/status/sessions/history/all?accountID=1")
	if h.MediaContainer.TotalSize != 2 {
		t.Errorf("owner's history under account 1: %d rows", h.MediaContainer.TotalSize)
	}
	var my struct {
		MyPlex struct{ SignInState, Username string }
	}
	if err := f.ownerJSON(t, "/myplex/account", &my); err != nil || my.MyPlex.SignInState != "ok" || my.MyPlex.Username == "" {
		t.Errorf("/myplex/account %+v %v", my, err)
	}
	if n := getXML(t, f, "/system/agents", ownerToken); len(n.Children) == 0 || !strings.Contains(n.Children[0].attr("identifier"), ".") {
		t.Errorf("agents %+v", n)
	}
	if n := getXML(t, f, "/library/sections/1/folder?X-Plex-Container-Size=2", friendToken); len(n.Children) != 2 || n.Children[0].attr("key") != "/library/metadata/1000000000" {
		t.Errorf("folders %+v", n)
	}
	if n := getXML(t, f, "/library/sections/1/timeline", friendToken); n.attr("latestEntryTime") == "" || n.attr("identifier") != libraryIdentifier {
		t.Errorf("timeline %+v", n)
	}
	if n := getXML(t, f, "/servers", friendToken); len(n.Children) != 1 || n.Children[0].attr("machineIdentifier") != testMachineID || n.Children[0].attr("host") == "" {
		t.Errorf("servers %+v", n)
	}
	// A refresh moves the section's scannedAt to now.
	f.clock.Advance(time.Hour)
	f.do(t, req{method: "POST", path: "/library/sections/2/refresh", token: ownerToken})
	if n := getXML(t, f, "/library/sections/all", ownerToken); n.Children[1].attr("scannedAt") != strconv.FormatInt(epoch.Add(time.Hour).Unix(), 10) {
		t.Errorf("scannedAt %s", n.Children[1].attr("scannedAt"))
	}
}

func TestRootAttributes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Accounts[0].Email, c.Accounts[0].PlexPass = "alice@example.com", true
	})
	n := getXML(t, f, "/", ownerToken)
	for attr, want := range map[string]string{"myPlexUsername": "alice@example.com", "myPlexSubscription": "1", "myPlex": "1",
		"myPlexSigninState": "ok", "machineIdentifier": testMachineID, "apiVersion": APIVersion, "platform": "Linux"} {
		if got := n.attr(attr); got != want {
			t.Errorf("%s = %q, want %q", attr, got, want)
		}
	}
}

func TestFixtureItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Sections = append(c.Sections, SectionConfig{Key: "9", Type: "show", Title: "Mine"})
		c.Items = []Item{
			{RatingKey: 100, SectionKey: "9", Type: "show", Title: "My Show", Year: 2020, Genres: []string{"Drama"}},
			{RatingKey: 101, SectionKey: "9", ParentRatingKey: 100, Type: "season", Title: "Season 1", Index: 1},
			{RatingKey: 102, SectionKey: "9", ParentRatingKey: 101, Type: "episode", Title: "Hello", Index: 1, Duration: 60_000},
			{RatingKey: 103, SectionKey: "9", ParentRatingKey: 101, Type: "episode", Title: "Goodbye", Index: 2, Duration: 60_000},
			{RatingKey: 104, SectionKey: "nope", Type: "movie", Title: "Dropped"},
		}
		c.History = []HistoryConfig{{AccountID: friendID, RatingKey: 103, ViewedAt: epoch}}
	})
	shows := getPage(t, f, ownerToken, "/library/sections/9/all")
	if got := titles(shows); !slices.Equal(got, []string{"My Show"}) || shows.MediaContainer.Metadata[0].LeafCount != 2 {
		t.Fatalf("shows %+v", shows.MediaContainer.Metadata)
	}
	eps := getPage(t, f, ownerToken, "/library/metadata/100/allLeaves")
	if got := titles(eps); !slices.Equal(got, []string{"Hello", "Goodbye"}) || eps.MediaContainer.Metadata[1].GrandparentTitle != "My Show" {
		t.Errorf("episodes %+v", eps.MediaContainer.Metadata)
	}
	if got := titles(getPage(t, f, ownerToken, "/library/sections/9/all?type=4&title=good")); !slices.Equal(got, []string{"Goodbye"}) {
		t.Errorf("query on fixture items: %q", got)
	}
	if s := f.do(t, req{path: "/library/metadata/104", token: ownerToken}).status; s != 404 {
		t.Errorf("an item of a missing section: %d", s)
	}
	if h := getPage(t, f, ownerToken, "/status/sessions/history/all?metadataItemID=100"); h.MediaContainer.TotalSize != 1 {
		t.Errorf("history of the fixture show: %d", h.MediaContainer.TotalSize)
	}
}

// TestRecentlyAdded checks the early stop of Recently Added against a full sort.
func TestRecentlyAdded(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) {
		c.Items = []Item{{SectionKey: "1", Type: "movie", Title: "Brand New", AddedAt: epoch.Unix()}}
	})
	for _, tc := range []struct{ recent, full string }{
		{"/library/sections/1/recentlyAdded", "/library/sections/1/all?sort=addedAt:desc&limit=50"},
		{"/library/sections/2/recentlyAdded", "/library/sections/2/all?type=4&sort=addedAt:desc&limit=50"},
	} {
		got, want := titles(getPage(t, f, ownerToken, tc.recent)), titles(getPage(t, f, ownerToken, tc.full))
		if len(got) != 50 || !slices.Equal(got, want) {
			t.Errorf("%s = %q\nwant %q", tc.recent, got, want)
		}
	}
	if got := titles(getPage(t, f, ownerToken, "/library/recentlyAdded")); len(got) == 0 || got[0] != "Brand New" {
		t.Errorf("the item added last is not first: %q", got)
	}
}

func TestShapingAndHistoryDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	full := f.do(t, req{path: "/library/metadata/1000000004", token: ownerToken, json: true}).body
	shaped := f.do(t, req{path: "/library/metadata/1000000004?excludeFields=summary,tagline&excludeElements=Media,Genre,Role", token: ownerToken, json: true}).body
	for _, s := range []string{`"summary"`, `"tagline"`, `"Media"`, `"Genre"`, `"Role"`} {
		if !strings.Contains(full, s) || strings.Contains(shaped, s) {
			t.Errorf("%s: in the full answer %v, in the shaped one %v", s, strings.Contains(full, s), strings.Contains(shaped, s))
		}
	}
	if !strings.Contains(shaped, `"Director"`) || !strings.Contains(shaped, `"title"`) {
		t.Errorf("shaping removed more than asked: %s", shaped)
	}
	// Paging attributes and headers agree.
	resp := f.do(t, req{path: "/library/sections/1/all?X-Plex-Container-Start=10&X-Plex-Container-Size=5&year%3E%3E=2000", token: ownerToken, json: true})
	var p page
	if err := json.Unmarshal([]byte(resp.body), &p); err != nil {
		t.Fatal(err)
	}
	if p.MediaContainer.Offset != 10 || p.MediaContainer.Size != 5 || resp.header.Get("X-Plex-Container-Total-Size") != strconv.Itoa(p.MediaContainer.TotalSize) || resp.header.Get("X-Plex-Container-Start") != "10" {
		t.Errorf("paging: %+v, headers %v", p.MediaContainer, resp.header)
	}
	// History entries can be read one by one and deleted by the owner only.
	if s := f.do(t, req{path: "/status/sessions/history/1", token: ownerToken}).status; s != 200 {
		t.Errorf("history entry 1: %d", s)
	}
	if s := f.do(t, req{method: "DELETE", path: "/status/sessions/history/1", token: friendToken}).status; s != 401 {
		t.Errorf("friend deletes history: %d", s)
	}
	if s := f.do(t, req{method: "DELETE", path: "/status/sessions/history/1", token: ownerToken}).status; s != 200 {
		t.Errorf("owner deletes history: %d", s)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if s := f.do(t, req{method: m, path: "/status/sessions/history/1", token: ownerToken}).status; s != 404 {
			t.Errorf("%s a deleted entry: %d", m, s)
		}
	}
	if n := getPage(t, f, ownerToken, "/status/sessions/history/all").MediaContainer.TotalSize; n != 5 {
		t.Errorf("%d entries left, want 5", n)
	}
}

// TestTitleQueryOnAMillion checks the title filter of a huge section, answered from the title
// matcher: the same items, in the same order, as the definition of the titles gives.
func TestTitleQueryOnAMillion(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	got := titles(getPage(t, f, ownerToken, "/library/sections/5/all?title=distant%20river%2097&year%3E%3E=1900"))
	var want []string
	for i := range hugeSize {
		if s := title(i); strings.Contains(strings.ToLower(s), "distant river 97") {
			want = append(want, s)
		}
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("got %d titles, want %d: %q", len(got), len(want), got)
	}
	if got := titles(getPage(t, f, ownerToken, "/library/sections/5/all?title==Distant%20River%20977")); !slices.Equal(got, []string{"Distant River 977"}) {
		t.Errorf("title== %q", got)
	}
}

func TestIncludeOnDeckAndChildren(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var body struct {
		MediaContainer struct {
			Metadata []struct {
				OnDeck *struct {
					Metadata []struct{ RatingKey, Type string }
				}
				Children *struct {
					Size     int
					Metadata []struct{ Type string }
				}
			}
		}
	}
	leaves := f.srv.Store().Leaves(2000000002)
	f.srv.Store().Scrobble(OwnerLocalID, leaves[0])
	resp := f.do(t, req{path: "/library/metadata/2000000002?includeOnDeck=1&includeChildren=1", token: ownerToken, json: true})
	if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
		t.Fatal(err)
	}
	m := body.MediaContainer.Metadata[0]
	if m.OnDeck == nil || len(m.OnDeck.Metadata) != 1 || m.OnDeck.Metadata[0].RatingKey != strconv.Itoa(leaves[1]) || m.OnDeck.Metadata[0].Type != "episode" {
		t.Errorf("OnDeck %+v, want episode %d", m.OnDeck, leaves[1])
	}
	if m.Children == nil || m.Children.Size == 0 || m.Children.Size != len(m.Children.Metadata) || m.Children.Metadata[0].Type != "season" {
		t.Errorf("Children %+v", m.Children)
	}
	if n := getXML(t, f, "/library/metadata/2000000002?includeOnDeck=1", ownerToken).Children[0]; !slices.Contains(n.childNames(), "OnDeck") {
		t.Errorf("XML children %v lack OnDeck", n.childNames())
	}
}

func TestMoreReads(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	albums := getPage(t, f, ownerToken, "/library/sections/3/albums?X-Plex-Container-Size=5")
	if len(albums.MediaContainer.Metadata) != 5 || albums.MediaContainer.Metadata[0].Type != "album" {
		t.Errorf("albums %+v", albums.MediaContainer)
	}
	if n := getPage(t, f, ownerToken, "/library/sections/1/albums").MediaContainer.TotalSize; n != 0 {
		t.Errorf("a movie section has %d albums", n)
	}
	// /library/all covers the sections the caller sees.
	all := getPage(t, f, friendToken, "/library/all?type=1&year=1999")
	for _, m := range all.MediaContainer.Metadata {
		if m.Type != "movie" || m.Year != 1999 {
			t.Errorf("/library/all item %+v", m)
		}
	}
	if len(all.MediaContainer.Metadata) == 0 {
		t.Error("/library/all found nothing")
	}
	if n := getPage(t, f, ownerToken, "/library/all").MediaContainer.TotalSize; n != 0 {
		t.Errorf("/library/all without a type: %d items", n)
	}
	var tags struct {
		MediaContainer struct {
			Directory []struct {
				ID      int
				Tag     string
				Filter  string
				TagType int
			}
		}
	}
	if err := f.ownerJSON(t, "/library/tags?type=1", &tags); err != nil || len(tags.MediaContainer.Directory) == 0 {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	g := tags.MediaContainer.Directory[0]
	if g.TagType != 1 || g.Filter != "genre="+strconv.Itoa(g.ID) {
		t.Errorf("tag %+v", g)
	}
	if got := titles(getPage(t, f, ownerToken, "/library/sections/1/all?"+g.Filter)); len(got) == 0 {
		t.Errorf("the tag's filter finds nothing")
	}
	movie := getPage(t, f, ownerToken, "/library/metadata/1000000004").MediaContainer.Metadata[0]
	sim := getPage(t, f, ownerToken, "/library/metadata/1000000004/similar?count=5")
	if len(sim.MediaContainer.Metadata) != 5 {
		t.Fatalf("similar %+v", sim.MediaContainer)
	}
	for _, m := range sim.MediaContainer.Metadata {
		if m.RatingKey == movie.RatingKey || !slices.ContainsFunc(m.Genre, func(x struct {
			ID     int
			Tag    string
			Filter string
		}) bool {
			return x.Tag == movie.Genre[0].Tag
		}) {
			t.Errorf("similar item %+v shares no genre with %+v", m, movie.Genre)
		}
	}
	if n := getXML(t, f, "/hubs/metadata/1000000004/related", ownerToken); len(n.Children) != 1 || n.Children[0].attr("hubIdentifier") != "movie.similar" || len(n.Children[0].Children) == 0 {
		t.Errorf("related %+v", n)
	}
}
