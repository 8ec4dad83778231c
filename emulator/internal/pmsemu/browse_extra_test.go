package pmsemu

import (
	"encoding/xml"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Setups for the conformance tests of managed hubs and stream selection: real hubs, a real
// part, and a collection to promote.
func init() {
	movie := strconv.Itoa(gref{sec: &Section{pos: 0}, i: 3}.ratingKey())
	newCollection := func(t *testing.T, f *fixture) string {
		l := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=c&uri=" + url.QueryEscape(listURI)})
		return l.MediaContainer.Metadata[0].RatingKey
	}
	setups["libraryPutPartsPart"] = func(*testing.T, *fixture) map[string]string { return map[string]string{"partId": movie} }
	setups["hubsSectionsSectionManagePutIdentifier"] = func(*testing.T, *fixture) map[string]string {
		return map[string]string{"identifier": "movie.recentlyadded"}
	}
	setups["hubsSectionsSectionManagePutMove"] = func(*testing.T, *fixture) map[string]string {
		return map[string]string{"query:identifier": "movie.recentlyviewed"}
	}
	setups["hubsSectionsSectionManagePostSlash"] = func(t *testing.T, f *fixture) map[string]string {
		return map[string]string{"query:metadataItemId": newCollection(t, f)}
	}
	setups["hubsSectionsSectionManageDeleteIdentifier"] = func(t *testing.T, f *fixture) map[string]string {
		col := newCollection(t, f)
		mustDo(t, f, req{method: "POST", path: "/hubs/sections/1/manage?metadataItemId=" + col, token: ownerToken})
		return map[string]string{"identifier": "custom.collection.1." + col}
	}
}

// dirJSON is a Directory element of a secondary list: a first character, a sort, a tag.
type dirJSON struct {
	Key              string `json:"key"`
	Title            string `json:"title"`
	Size             int    `json:"size"`
	DescKey          string `json:"descKey"`
	DefaultDirection string `json:"defaultDirection"`
	FirstCharKey     string `json:"firstCharacterKey"`
	ID               int    `json:"id"`
	Filter           string `json:"filter"`
	Tag              string `json:"tag"`
}

type dirsJSON struct {
	MediaContainer struct {
		Size      int `json:"size"`
		Title2    string
		ViewGroup string `json:"viewGroup"`
		Directory []dirJSON
		Metadata  []struct {
			RatingKey  string `json:"ratingKey"`
			Title      string `json:"title"`
			QueryRange string `json:"title.queryRange"`
		}
		Hub []struct {
			Identifier       string `json:"identifier"`
			HubIdentifier    string `json:"hubIdentifier"`
			Title            string `json:"title"`
			HomeVisibility   string `json:"homeVisibility"`
			RecVisibility    string `json:"recommendationsVisibility"`
			PromotedToRec    bool   `json:"promotedToRecommended"`
			PromotedToOwn    bool   `json:"promotedToOwnHome"`
			PromotedToShared bool   `json:"promotedToSharedHome"`
			Deletable        bool   `json:"deletable"`
			Size             int    `json:"size"`
		}
	}
}

func getDirs(t *testing.T, f *fixture, token, path string) dirsJSON {
	t.Helper()
	var d dirsJSON
	decodeJSON(t, mustDo(t, f, req{path: path, token: token, json: true}), &d)
	return d
}

// scanCounts counts first characters the slow way: every top-level item of the section read.
func scanCounts(f *fixture, key string) map[string]int {
	st := f.srv.impl().store
	out := map[string]int{}
	st.EachInSection(st.Section(key), func(rk int) bool {
		it, _ := st.Item(rk)
		out[charKey(sortTitle(&it))]++
		return true
	})
	return out
}

func TestFirstCharacters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	st := f.srv.impl().store
	counts := func(key string) map[string]int {
		got := map[string]int{}
		for _, d := range getDirs(t, f, ownerToken, "/library/sections/"+key+"/firstCharacter").MediaContainer.Directory {
			k := d.Title
			if d.Key != map[bool]string{true: "%23", false: d.Title}[d.Title == "#"] {
				t.Errorf("entry %q has key %q", d.Title, d.Key)
			}
			got[k] = d.Size
		}
		return got
	}
	check := func(what, key string) {
		t.Helper()
		got, want := counts(key), scanCounts(f, key)
		if len(got) != len(want) {
			t.Errorf("%s: %v, scan counts %v", what, got, want)
		}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %q: %d, scan counts %d", what, k, got[k], n)
			}
		}
	}
	check("section 1 as generated", "1")
	before := counts("1")
	// Edits, deletions and additions are what the overlay corrects the arithmetic with.
	sec := st.Section("1")
	st.Edit(gref{sec: sec, i: 100}.ratingKey(), func(it *Item) { it.Title = "9 Lives" })
	st.Edit(gref{sec: sec, i: 0}.ratingKey(), func(it *Item) { it.Title = "Zed" }) // a sample
	st.Delete(gref{sec: sec, i: 200}.ratingKey())
	st.Delete(gref{sec: sec, i: 1}.ratingKey())
	if _, ok := st.AddItem(Item{Type: "movie", SectionKey: "1", Title: "Quasar"}); !ok {
		t.Fatal("AddItem")
	}
	check("section 1 changed", "1")
	if got := counts("1"); got["#"] != 1 || got["Q"] != before["Q"]+1 {
		t.Errorf("# %d, Q %d (%d before): want the edited 9 Lives and the added Quasar", got["#"], got["Q"], before["Q"])
	}
	// The million-item section: the sum is the section's length, without a scan.
	total := 0
	for _, n := range counts("5") {
		total += n
	}
	if total != hugeSize {
		t.Errorf("section 5 first characters sum to %d", total)
	}
	// Another type is counted by a scan; a friend is refused sections not shared with them.
	if d := getDirs(t, f, ownerToken, "/library/sections/2/firstCharacters?type=4"); d.MediaContainer.Directory[0].Title != "E" || d.MediaContainer.Title2 != "By First Letter" {
		t.Errorf("episodes by first letter: %+v", d.MediaContainer)
	}
	if r := f.do(t, req{path: "/library/sections/3/firstCharacter", token: friendToken}); r.status != 404 {
		t.Errorf("friend on an unshared section: %d", r.status)
	}
	x := mustDo(t, f, req{path: "/library/sections/1/firstCharacter", token: ownerToken}).body
	if !strings.Contains(x, `<Directory key="%23" size="1" title="#"`) || !strings.Contains(x, `viewGroup="secondary"`) {
		t.Errorf("XML: %.400s", x)
	}
}

func BenchmarkFirstCharactersMillion(b *testing.B) {
	f := newFixture(b, nil)
	for b.Loop() {
		if r := f.do(b, req{path: "/library/sections/5/firstCharacter", token: ownerToken}); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}

func TestSortsAndAutocomplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	sorts := getDirs(t, f, ownerToken, "/library/sections/1/sorts").MediaContainer
	i := slices.IndexFunc(sorts.Directory, func(d dirJSON) bool {
		return d.Key == "titleSort"
	})
	if i < 0 || sorts.Directory[i].FirstCharKey != "/library/sections/1/firstCharacter" || sorts.Directory[i].DescKey != "titleSort:desc" || sorts.ViewGroup != "secondary" {
		t.Errorf("sorts: %+v", sorts)
	}

	ac := getDirs(t, f, ownerToken, "/library/sections/5/autocomplete?type=1&title.query=Sil").MediaContainer
	if len(ac.Metadata) == 0 || len(ac.Metadata) > maxAutocomplete {
		t.Fatalf("autocomplete Sil in the million: %d items", len(ac.Metadata))
	}
	for _, m := range ac.Metadata {
		if !strings.HasPrefix(m.Title, "Sil") || m.QueryRange != "0,2" {
			t.Errorf("autocomplete Sil: %q range %q", m.Title, m.QueryRange)
		}
	}
	tags := getDirs(t, f, ownerToken, "/library/sections/1/autocomplete?genre.query=dr").MediaContainer
	if len(tags.Directory) != 1 || tags.Directory[0].Tag != "Drama" || tags.Directory[0].Filter != "genre="+strconv.Itoa(tagID("Drama")) {
		t.Errorf("autocomplete genre dr: %+v", tags.Directory)
	}
	if r := f.do(t, req{path: "/library/sections/1/autocomplete?nosuch.query=x", token: ownerToken}); r.status != 400 {
		t.Errorf("unknown field: %d", r.status)
	}
	// Two fields at once: refused, the same way every time (not whichever a map yields first).
	for range 5 {
		r := f.do(t, req{path: "/library/sections/1/autocomplete?title.query=Wild&genre.query=dr", token: ownerToken})
		if r.status != 400 || !strings.Contains(r.body, `"genre.query" and "title.query"`) {
			t.Fatalf("two fields: %d %s", r.status, r.body)
		}
	}
	x := mustDo(t, f, req{path: "/library/sections/1/autocomplete?title.query=Wild", token: ownerToken}).body
	if !strings.Contains(x, `title.queryRange="0,3"`) || !strings.Contains(x, "<Video ") {
		t.Errorf("XML: %.400s", x)
	}
}

func TestManagedHubs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	managed := func() []string {
		var ids []string
		for _, h := range getDirs(t, f, ownerToken, "/hubs/sections/1/manage").MediaContainer.Hub {
			ids = append(ids, h.Identifier)
		}
		return ids
	}
	sectionHubs := func(token string) []string {
		var ids []string
		for _, h := range getDirs(t, f, token, "/hubs/sections/1").MediaContainer.Hub {
			ids = append(ids, h.HubIdentifier)
		}
		return ids
	}
	def := getDirs(t, f, ownerToken, "/hubs/sections/1/manage").MediaContainer.Hub
	if len(def) != 2 || def[0].Identifier != "movie.recentlyadded" || def[0].HomeVisibility != "all" || def[0].Deletable ||
		def[1].HomeVisibility != "none" || def[1].RecVisibility != "all" || !def[1].PromotedToRec || def[1].PromotedToOwn {
		t.Fatalf("defaults: %+v", def)
	}
	if got := sectionHubs(ownerToken); !slices.Equal(got, []string{"movie.inprogress", "movie.recentlyadded", "movie.recentlyviewed"}) {
		t.Errorf("section hubs %v", got)
	}

	// The friend is refused management (an admin operation), whatever the method.
	for _, m := range []string{"GET", "POST", "DELETE"} {
		if r := f.do(t, req{method: m, path: "/hubs/sections/1/manage", token: friendToken}); r.status != 401 {
			t.Errorf("friend %s manage: %d", m, r.status)
		}
	}

	// Hide Recently Added from the Recommended page and from the shared users' home.
	mustDo(t, f, req{method: "PUT", path: "/hubs/sections/1/manage/movie.recentlyadded?promotedToRecommended=0&promotedToSharedHome=0", token: ownerToken})
	if got := sectionHubs(ownerToken); !slices.Equal(got, []string{"movie.inprogress", "movie.recentlyviewed"}) {
		t.Errorf("after hiding: section hubs %v", got)
	}
	if h := getDirs(t, f, ownerToken, "/hubs/sections/1/manage").MediaContainer.Hub[0]; h.HomeVisibility != "admin" || h.PromotedToShared || !h.PromotedToOwn {
		t.Errorf("after hiding: %+v", h)
	}
	homeIDs := func(token string) []string {
		var ids []string
		for _, h := range getDirs(t, f, token, "/hubs").MediaContainer.Hub {
			ids = append(ids, h.HubIdentifier)
		}
		return ids
	}
	if got := homeIDs(friendToken); slices.Contains(got, "home.movie.recent") || !slices.Contains(got, "home.show.recent") {
		t.Errorf("friend's home %v: Movies' Recently Added is no longer shared", got)
	}
	if got := homeIDs(ownerToken); !slices.Contains(got, "home.movie.recent") {
		t.Errorf("owner's home %v", got)
	}

	// A collection's hub, then reordering, both forms of move.
	col := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=Picks&uri=" + url.QueryEscape(listURI)}).MediaContainer.Metadata[0].RatingKey
	custom := "custom.collection.1." + col
	mustDo(t, f, req{method: "POST", path: "/hubs/sections/1/manage?metadataItemId=" + col + "&promotedToRecommended=1", token: ownerToken})
	if r := f.do(t, req{method: "POST", path: "/hubs/sections/1/manage?metadataItemId=" + col, token: ownerToken}); r.status != 400 {
		t.Errorf("a second hub of the collection: %d", r.status)
	}
	mustDo(t, f, req{method: "PUT", path: "/hubs/sections/1/manage/move?identifier=" + custom, token: ownerToken})
	if got := managed(); !slices.Equal(got, []string{custom, "movie.recentlyadded", "movie.recentlyviewed"}) {
		t.Errorf("after moving first: %v", got)
	}
	mustDo(t, f, req{method: "PUT", path: "/hubs/sections/1/manage/" + custom + "/move?after=movie.recentlyadded", token: ownerToken})
	if got := managed(); !slices.Equal(got, []string{"movie.recentlyadded", custom, "movie.recentlyviewed"}) {
		t.Errorf("after python-plexapi's move: %v", got)
	}
	hubs := getDirs(t, f, ownerToken, "/hubs/sections/1").MediaContainer.Hub
	if len(hubs) != 3 || hubs[1].HubIdentifier != custom || hubs[1].Title != "Picks" || hubs[1].Size != 2 {
		t.Errorf("section hubs with the collection's: %+v", hubs)
	}
	if only := getDirs(t, f, ownerToken, "/hubs/sections/1/manage?metadataItemId="+col).MediaContainer.Hub; len(only) != 1 || !only[0].Deletable {
		t.Errorf("the collection's hub alone: %+v", only)
	}
	if r := f.do(t, req{method: "DELETE", path: "/hubs/sections/1/manage/movie.recentlyadded", token: ownerToken}); r.status != 400 {
		t.Errorf("deleting a built-in hub: %d", r.status)
	}
	mustDo(t, f, req{method: "DELETE", path: "/hubs/sections/1/manage/" + custom, token: ownerToken})
	if got := managed(); slices.Contains(got, custom) {
		t.Errorf("after deleting the custom hub: %v", got)
	}
	mustDo(t, f, req{method: "DELETE", path: "/hubs/sections/1/manage", token: ownerToken})
	if got := sectionHubs(ownerToken); !slices.Equal(got, []string{"movie.inprogress", "movie.recentlyadded", "movie.recentlyviewed"}) {
		t.Errorf("after reset: %v", got)
	}
	x := mustDo(t, f, req{path: "/hubs/sections/1/manage", token: ownerToken}).body
	if !strings.Contains(x, `<Hub identifier="movie.recentlyadded" title="Recently Added Movies" recommendationsVisibility="all" homeVisibility="all" promotedToRecommended="1" promotedToOwnHome="1" promotedToSharedHome="1" deletable="0"`) {
		t.Errorf("XML: %.600s", x)
	}
}

// partStreams returns the selected attribute of each Stream of item rk's first part, by id, as
// token sees it in XML.
func partStreams(t *testing.T, f *fixture, token string, rk int) map[string]string {
	t.Helper()
	var mc struct {
		Video struct {
			Media struct {
				Part struct {
					Stream []struct {
						ID       string `xml:"id,attr"`
						Selected string `xml:"selected,attr"`
					} `xml:"Stream"`
				} `xml:"Part"`
			} `xml:"Media"`
		} `xml:"Video"`
	}
	body := mustDo(t, f, req{path: "/library/metadata/" + strconv.Itoa(rk), token: token}).body
	if err := xml.Unmarshal([]byte(body), &mc); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, s := range mc.Video.Media.Part.Stream {
		out[s.ID] = s.Selected
	}
	return out
}

func TestSelectStreams(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	rk := gref{sec: f.srv.impl().store.Section("1"), i: 42}.ratingKey()
	part := "/library/parts/" + strconv.Itoa(rk)
	audio, sub := strconv.Itoa(rk*4+2), strconv.Itoa(rk*4+3)
	if s := partStreams(t, f, ownerToken, rk); s[audio] != "1" || s[sub] != "" {
		t.Fatalf("as generated: %v", s)
	}
	mustDo(t, f, req{method: "PUT", path: part + "?subtitleStreamID=" + sub + "&audioStreamID=" + audio + "&allParts=1", token: ownerToken})
	if s := partStreams(t, f, ownerToken, rk); s[audio] != "1" || s[sub] != "1" {
		t.Errorf("owner after choosing subtitles: %v", s)
	}
	if s := partStreams(t, f, friendToken, rk); s[sub] != "" {
		t.Errorf("the friend sees the owner's choice: %v", s)
	}
	// The friend chooses for himself; subtitleStreamID=0 turns the owner's off.
	mustDo(t, f, req{method: "PUT", path: part + "?subtitleStreamID=" + sub, token: friendToken})
	mustDo(t, f, req{method: "PUT", path: part + "?subtitleStreamID=0&allParts=1", token: ownerToken})
	if s := partStreams(t, f, friendToken, rk); s[sub] != "1" {
		t.Errorf("friend after choosing: %v", s)
	}
	if s := partStreams(t, f, ownerToken, rk); s[sub] != "" || s[audio] != "1" {
		t.Errorf("owner after subtitles off: %v", s)
	}
	for _, bad := range []string{"?audioStreamID=" + sub, "?subtitleStreamID=" + audio, "?audioStreamID=x"} {
		if r := f.do(t, req{method: "PUT", path: part + bad, token: ownerToken}); r.status != 400 {
			t.Errorf("PUT %s: %d", bad, r.status)
		}
	}
	music := gref{sec: f.srv.impl().store.Section("3"), i: 0, level: 2}.ratingKey()
	if r := f.do(t, req{method: "PUT", path: "/library/parts/" + strconv.Itoa(music) + "?audioStreamID=1", token: friendToken}); r.status != 404 {
		t.Errorf("friend on a part of an unshared section: %d", r.status)
	}
	if r := f.do(t, req{method: "PUT", path: "/library/parts/999", token: ownerToken}); r.status != 404 {
		t.Errorf("no such part: %d", r.status)
	}
}
