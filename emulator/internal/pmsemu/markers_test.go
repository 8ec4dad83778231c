package pmsemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

type markerJSON struct {
	ID              int    `json:"id"`
	Type            string `json:"type"`
	StartTimeOffset int    `json:"startTimeOffset"`
	EndTimeOffset   int    `json:"endTimeOffset"`
	Final           bool   `json:"final"`
	Attributes      struct {
		Version int `json:"version"`
	} `json:"Attributes"`
}

type detailJSON struct {
	MediaContainer struct {
		Metadata []struct {
			RatingKey       string       `json:"ratingKey"`
			Type            string       `json:"type"`
			Title           string       `json:"title"`
			GUID            string       `json:"guid"`
			Year            int          `json:"year"`
			Duration        int          `json:"duration"`
			PrimaryExtraKey string       `json:"primaryExtraKey"`
			ExtraType       int          `json:"extraType"`
			Subtype         string       `json:"subtype"`
			Marker          []markerJSON `json:"Marker"`
			Guid            []guid       `json:"Guid"`
			Media           []media      `json:"Media"`
			Extras          *struct {
				Size     int `json:"size"`
				Metadata []struct {
					RatingKey string `json:"ratingKey"`
					Type      string `json:"type"`
					Subtype   string `json:"subtype"`
					ExtraType int    `json:"extraType"`
				} `json:"Metadata"`
			} `json:"Extras"`
		} `json:"Metadata"`
	} `json:"MediaContainer"`
}

// movieAt is the i-th movie of the first section: its rating key and its metadata path.
func movieAt(i int) (int, string) {
	rk := gref{sec: &Section{pos: 0}, i: i}.ratingKey()
	return rk, "/library/metadata/" + strconv.Itoa(rk)
}

// detail GETs /library/metadata/{rk}{query} as the owner in JSON.
func detail(t *testing.T, f *fixture, rk int, query string) detailJSON {
	t.Helper()
	var d detailJSON
	r := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(rk) + query, token: ownerToken, json: true})
	if r.status != 200 {
		t.Fatalf("GET %d%s: %d %s", rk, query, r.status, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), &d); err != nil || len(d.MediaContainer.Metadata) != 1 {
		t.Fatalf("GET %d%s: %v %s", rk, query, err, r.body)
	}
	return d
}

func TestMarkersAreComputedAndShownOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ep := firstLeaf(2, 0)
	movie, _ := movieAt(3)

	if d := detail(t, f, ep, ""); d.MediaContainer.Metadata[0].Marker != nil {
		t.Errorf("markers without includeMarkers: %+v", d.MediaContainer.Metadata[0].Marker)
	}
	m := detail(t, f, ep, "?includeMarkers=1").MediaContainer.Metadata[0]
	if len(m.Marker) != 2 || m.Marker[0].Type != "intro" || m.Marker[1].Type != "credits" {
		t.Fatalf("episode markers %+v", m.Marker)
	}
	intro, credits := m.Marker[0], m.Marker[1]
	if intro.StartTimeOffset >= intro.EndTimeOffset || intro.EndTimeOffset > credits.StartTimeOffset ||
		credits.EndTimeOffset != m.Duration || !credits.Final || intro.Final || credits.Attributes.Version != markerVersion {
		t.Errorf("episode of %d ms: markers %+v", m.Duration, m.Marker)
	}
	again := detail(t, f, ep, "?includeMarkers=1").MediaContainer.Metadata[0].Marker
	if again[0] != intro || again[1] != credits {
		t.Errorf("markers changed between reads: %+v, then %+v", m.Marker, again)
	}
	mv := detail(t, f, movie, "?includeMarkers=1").MediaContainer.Metadata[0]
	if len(mv.Marker) != 1 || mv.Marker[0].Type != "credits" || mv.Marker[0].EndTimeOffset != mv.Duration || !mv.Marker[0].Final {
		t.Errorf("movie markers %+v (duration %d)", mv.Marker, mv.Duration)
	}
	// XML: <Marker …><Attributes …/></Marker> inside the Video.
	x := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(ep) + "?includeMarkers=1", token: ownerToken})
	if !strings.Contains(x.body, `<Marker id="`+strconv.Itoa(intro.ID)+`" type="intro" startTimeOffset="`) ||
		!strings.Contains(x.body, `final="1"><Attributes id="`+strconv.Itoa(credits.ID)+`" version="5"></Attributes></Marker>`) {
		t.Errorf("XML markers: %s", x.body)
	}
	if n := len(f.srv.impl().store.markers); n != 0 {
		t.Errorf("reading markers stored %d items' markers", n)
	}
}

func TestMarkerEdits(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications?filters=timeline", ownerToken)
	ep := firstLeaf(2, 0)
	base := "/library/metadata/" + strconv.Itoa(ep) + "/marker"
	send := func(method, path, token string, q url.Values) response {
		t.Helper()
		if q != nil {
			path += "?" + q.Encode()
		}
		return f.do(t, req{method: method, path: path, token: token, json: true})
	}
	markers := func() []markerJSON {
		t.Helper()
		return detail(t, f, ep, "?includeMarkers=1").MediaContainer.Metadata[0].Marker
	}
	before := markers()
	duration := detail(t, f, ep, "").MediaContainer.Metadata[0].Duration

	r := send("POST", base, ownerToken, url.Values{"type": {"commercial"}, "startTimeOffset": {"200000"}, "endTimeOffset": {"260000"}})
	var added struct {
		MediaContainer struct {
			Size   int          `json:"size"`
			Marker []markerJSON `json:"Marker"`
		}
	}
	if err := json.Unmarshal([]byte(r.body), &added); r.status != 200 || err != nil || added.MediaContainer.Size != 1 || len(added.MediaContainer.Marker) != 1 {
		t.Fatalf("POST marker: %d %v %s", r.status, err, r.body)
	}
	m := added.MediaContainer.Marker[0]
	if m.Type != "commercial" || m.StartTimeOffset != 200000 || m.EndTimeOffset != 260000 || m.ID%4 != 2 {
		t.Errorf("added %+v", m)
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"itemID":"`+strconv.Itoa(ep)+`"`) || !strings.Contains(frame, `"state":5`) {
		t.Errorf("after adding a marker: %s", frame)
	}
	if got := markers(); len(got) != len(before)+1 {
		t.Fatalf("markers after POST: %+v", got)
	}

	// Edit: type by the spec's integer, end kept when absent.
	id := strconv.Itoa(m.ID)
	if r := send("PUT", base+"/"+id, ownerToken, url.Values{"type": {"2"}, "startTimeOffset": {"210000"}}); r.status != 200 ||
		!strings.Contains(r.body, `"type":"bookmark","startTimeOffset":210000,"endTimeOffset":260000`) {
		t.Errorf("PUT marker: %d %s", r.status, r.body)
	}
	for name, tt := range map[string]struct {
		method, path string
		q            url.Values
		want         int
	}{
		"backwards span":      {"POST", base, url.Values{"type": {"intro"}, "startTimeOffset": {"5000"}, "endTimeOffset": {"4000"}}, 400},
		"past the end":        {"POST", base, url.Values{"type": {"intro"}, "startTimeOffset": {"5000"}, "endTimeOffset": {strconv.Itoa(duration + 1)}}, 400},
		"unknown type":        {"POST", base, url.Values{"type": {"recap"}, "startTimeOffset": {"5000"}}, 400},
		"no start":            {"POST", base, url.Values{"type": {"intro"}}, 400},
		"edit backwards":      {"PUT", base + "/" + id, url.Values{"type": {"intro"}, "startTimeOffset": {"300000"}}, 400},
		"edit unknown marker": {"PUT", base + "/7", url.Values{"type": {"intro"}, "startTimeOffset": {"1"}}, 404},
		"delete unknown":      {"DELETE", base + "/7", nil, 404},
		"unknown item":        {"POST", "/library/metadata/999999/marker", url.Values{"type": {"intro"}, "startTimeOffset": {"1"}}, 404},
	} {
		if r := send(tt.method, tt.path, ownerToken, tt.q); r.status != tt.want {
			t.Errorf("%s: %d, want %d (%s)", name, r.status, tt.want, r.body)
		}
	}
	// A shared user's marker writes change nothing (the spec's empty answer).
	if r := send("POST", base, friendToken, url.Values{"type": {"intro"}, "startTimeOffset": {"1"}}); r.status != 200 || strings.Contains(r.body, "Marker") {
		t.Errorf("friend's POST: %d %s", r.status, r.body)
	}
	if r := send("DELETE", base+"/"+id, friendToken, nil); r.status != 200 {
		t.Errorf("friend's DELETE: %d %s", r.status, r.body)
	}
	if got := markers(); len(got) != len(before)+1 {
		t.Errorf("markers after the friend's writes: %+v", got)
	}

	if r := send("DELETE", base+"/"+id, ownerToken, nil); r.status != 200 {
		t.Fatalf("DELETE: %d %s", r.status, r.body)
	}
	if got := markers(); len(got) != len(before) || got[0] != before[0] {
		t.Errorf("after DELETE %+v, want %+v", got, before)
	}
	// A computed marker can be deleted too.
	if r := send("DELETE", base+"/"+strconv.Itoa(before[0].ID), ownerToken, nil); r.status != 200 {
		t.Errorf("DELETE the intro: %d", r.status)
	}
	if got := markers(); len(got) != 1 || got[0].Type != "credits" {
		t.Errorf("after deleting the intro: %+v", got)
	}
}

func TestExtras(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	movie, _ := movieAt(4)
	m := detail(t, f, movie, "?includeExtras=1").MediaContainer.Metadata[0]
	want := "/library/metadata/" + strconv.Itoa(extraKey(movie))
	if m.PrimaryExtraKey != want || m.Extras == nil || m.Extras.Size != 1 || len(m.Extras.Metadata) != 1 {
		t.Fatalf("movie: primaryExtraKey %q, Extras %+v", m.PrimaryExtraKey, m.Extras)
	}
	if e := m.Extras.Metadata[0]; e.Type != "clip" || e.Subtype != "trailer" || e.ExtraType != 1 || "/library/metadata/"+e.RatingKey != want {
		t.Errorf("nested extra %+v", e)
	}
	if d := detail(t, f, movie, ""); d.MediaContainer.Metadata[0].Extras != nil {
		t.Error("Extras without includeExtras")
	}
	var list detailJSON
	if err := f.ownerJSON(t, "/library/metadata/"+strconv.Itoa(movie)+"/extras", &list); err != nil || len(list.MediaContainer.Metadata) != 1 {
		t.Fatalf("extras: %v %+v", err, list)
	}
	clip := detail(t, f, extraKey(movie), "").MediaContainer.Metadata[0]
	if clip.Type != "clip" || clip.Title != m.Title || len(clip.Media) != 1 || len(clip.Media[0].Part) != 1 ||
		!strings.HasSuffix(clip.Media[0].Part[0].File, m.Title+"-trailer.mp4") || clip.Duration <= 0 {
		t.Errorf("the trailer itself: %+v", clip)
	}
	x := f.do(t, req{path: "/library/metadata/" + strconv.Itoa(movie) + "?includeExtras=1", token: ownerToken})
	if !strings.Contains(x.body, `<Extras size="1"><Video ratingKey="`+strconv.Itoa(extraKey(movie))+`"`) {
		t.Errorf("XML Extras: %s", x.body)
	}
	// A show has none; a deleted movie takes its trailer along.
	var none detailJSON
	if err := f.ownerJSON(t, "/library/metadata/"+strconv.Itoa(gref{sec: &Section{pos: 1}}.ratingKey())+"/extras", &none); err != nil || len(none.MediaContainer.Metadata) != 0 {
		t.Errorf("a show's extras: %v %+v", err, none)
	}
	if r := f.do(t, req{method: "DELETE", path: "/library/metadata/" + strconv.Itoa(movie), token: ownerToken}); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := f.do(t, req{path: want, token: ownerToken}); r.status != 404 {
		t.Errorf("the trailer of a deleted movie: %d", r.status)
	}
	// Section listings are not changed by extras: a movie section lists movies only.
	var page detailJSON
	if err := f.ownerJSON(t, "/library/sections/1/all?X-Plex-Container-Start=0&X-Plex-Container-Size=50", &page); err != nil {
		t.Fatal(err)
	}
	for _, it := range page.MediaContainer.Metadata {
		if it.Type != "movie" || it.PrimaryExtraKey == "" {
			t.Errorf("listed %+v", it)
		}
	}
}

func TestMatching(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications?filters=timeline", ownerToken)
	movie, path := movieAt(5)
	orig := detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]

	type results struct {
		MediaContainer struct {
			Size         int `json:"size"`
			SearchResult []struct {
				GUID  string `json:"guid"`
				Name  string `json:"name"`
				Score int    `json:"score"`
				Year  int    `json:"year"`
			} `json:"SearchResult"`
		}
	}
	var res results
	if err := f.ownerJSON(t, path+"/matches?manual=1", &res); err != nil || res.MediaContainer.Size != 4 || len(res.MediaContainer.SearchResult) != 4 {
		t.Fatalf("matches: %v %+v", err, res)
	}
	if first := res.MediaContainer.SearchResult[0]; first.GUID != orig.GUID || first.Score != 100 || first.Name != orig.Title || first.Year != orig.Year {
		t.Errorf("first match %+v, want the item's own", first)
	}
	if err := f.ownerJSON(t, path+"/matches?manual=1&title=Other+Film&year=1999&agent=tv.plex.agents.movie&language=en-US", &res); err != nil {
		t.Fatal(err)
	}
	pick := res.MediaContainer.SearchResult[0]
	if pick.GUID == orig.GUID || pick.Name != "Other Film" || pick.Year != 1999 || pick.Score != 100 {
		t.Errorf("matches for another title: %+v", res.MediaContainer.SearchResult)
	}
	if x := f.do(t, req{method: "PUT", path: path + "/matches?title=Other+Film", token: ownerToken}); !strings.Contains(x.body, `<SearchResult guid="`+pick.GUID+`" name="Other Film" score="100"`) {
		t.Errorf("PUT matches, XML: %s", x.body)
	}

	q := url.Values{"guid": {pick.GUID}, "name": {pick.Name}, "year": {"1999"}}
	if r := f.do(t, req{method: "PUT", path: path + "/match?" + q.Encode(), token: ownerToken}); r.status != 200 {
		t.Fatalf("match: %d %s", r.status, r.body)
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"itemID":"`+strconv.Itoa(movie)+`"`) || !strings.Contains(frame, `"state":5`) {
		t.Errorf("after a match: %s", frame)
	}
	got := detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]
	if got.GUID != pick.GUID || got.Title != "Other Film" || got.Year != 1999 || len(got.Guid) != 2 || got.Guid[0] == orig.Guid[0] {
		t.Errorf("after match: %+v", got)
	}
	if r := f.do(t, req{method: "PUT", path: path + "/match?name=x", token: ownerToken}); r.status != 400 {
		t.Errorf("match without a guid: %d", r.status)
	}
	for _, y := range []string{"-1", "10000", "199x"} {
		bad := url.Values{"guid": {pick.GUID}, "year": {y}}
		if r := f.do(t, req{method: "PUT", path: path + "/match?" + bad.Encode(), token: ownerToken}); r.status != 400 || !strings.Contains(r.body, "year must be a number from 0 to 9999") {
			t.Errorf("match with year %s: %d %s", y, r.status, r.body)
		}
		if r := f.do(t, req{path: path + "/matches?year=" + y, token: ownerToken}); r.status != 400 {
			t.Errorf("matches with year %s: %d", y, r.status)
		}
	}
	if got := detail(t, f, movie, "").MediaContainer.Metadata[0]; got.Year != 1999 {
		t.Errorf("a refused match changed the year to %d", got.Year)
	}

	if r := f.do(t, req{method: "PUT", path: path + "/unmatch", token: ownerToken}); r.status != 200 {
		t.Fatalf("unmatch: %d", r.status)
	}
	got = detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]
	if got.GUID != "local://"+strconv.Itoa(movie) || len(got.Guid) != 0 || got.Title != "Other Film" {
		t.Errorf("after unmatch: %+v", got)
	}

	for _, r := range []req{
		{path: path + "/matches", token: friendToken},
		{method: "PUT", path: path + "/match?" + q.Encode(), token: friendToken},
		{method: "PUT", path: path + "/unmatch", token: friendToken},
		{method: "DELETE", path: path + "/media/" + strconv.Itoa(movie), token: friendToken},
	} {
		if s := f.do(t, r).status; s != http.StatusUnauthorized {
			t.Errorf("friend %s %s: %d", r.method, r.path, s)
		}
	}
}

func TestDeleteMedia(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	ws := dialWS(t, f, "/:/websockets/notifications?filters=timeline", ownerToken)
	st := f.srv.impl().store
	movie, mpath := movieAt(6)

	if r := f.do(t, req{method: "PUT", path: "/:/prefs?allowMediaDeletion=0", token: ownerToken}); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := f.do(t, req{method: "DELETE", path: mpath + "/media/" + strconv.Itoa(movie), token: ownerToken}); r.status != http.StatusForbidden {
		t.Errorf("with deletion off: %d", r.status)
	}
	if r := f.do(t, req{method: "PUT", path: "/:/prefs?allowMediaDeletion=1", token: ownerToken}); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := f.do(t, req{method: "DELETE", path: mpath + "/media/12345", token: ownerToken}); r.status != 404 {
		t.Errorf("an unknown media: %d", r.status)
	}

	// Two versions: one goes, the item stays with the other.
	two := Item{SectionKey: "1", Type: "movie", Title: "Two Cuts", Duration: 6_000_000}
	rk, ok := st.AddItem(two)
	if !ok {
		t.Fatal("AddItem")
	}
	readFrame(t, ws) // created
	readFrame(t, ws) // processed
	it, _ := st.Item(rk)
	second := it.Media[0]
	second.ID = 777
	st.Edit(rk, func(e *Item) { e.Media = append(e.Media, second) })
	readFrame(t, ws)
	tpath := "/library/metadata/" + strconv.Itoa(rk)
	if r := f.do(t, req{method: "DELETE", path: tpath + "/media/777", token: ownerToken}); r.status != 200 {
		t.Fatalf("DELETE one of two: %d %s", r.status, r.body)
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"state":5`) {
		t.Errorf("after deleting a version: %s", frame)
	}
	if m := detail(t, f, rk, "").MediaContainer.Metadata[0].Media; len(m) != 1 || m[0].ID != it.Media[0].ID {
		t.Errorf("media left %+v", m)
	}

	// The last version: the item goes.
	if r := f.do(t, req{method: "DELETE", path: mpath + "/media/" + strconv.Itoa(movie), token: ownerToken}); r.status != 200 {
		t.Fatalf("DELETE the only media: %d %s", r.status, r.body)
	}
	if frame := readFrame(t, ws); !strings.Contains(frame, `"itemID":"`+strconv.Itoa(movie)+`"`) || !strings.Contains(frame, `"state":9`) {
		t.Errorf("after deleting the last media: %s", frame)
	}
	if r := f.do(t, req{path: mpath, token: ownerToken}); r.status != 404 {
		t.Errorf("the item after its last media went: %d", r.status)
	}
}

// TestDeleteItemNeedsMediaDeletion: DELETE /library/metadata/{id} (python-plexapi's and
// @ctrl/plex's delete()) deletes the item's files too, so it is refused with 403 while the
// server does not allow media deletion, and leaves the item; a collection, which has no files,
// is deleted all the same. Allowed again, the item goes.
func TestDeleteItemNeedsMediaDeletion(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	movie, mpath := movieAt(7)
	col := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=Keep&uri=" + itemsURI(strconv.Itoa(movie))}).MediaContainer.Metadata[0]

	mustDo(t, f, req{method: "PUT", path: "/:/prefs?allowMediaDeletion=0", token: ownerToken})
	if r := f.do(t, req{method: "DELETE", path: mpath, token: ownerToken}); r.status != http.StatusForbidden {
		t.Errorf("DELETE an item with deletion off: %d, want 403", r.status)
	}
	if r := f.do(t, req{method: "DELETE", path: mpath + "," + col.RatingKey, token: ownerToken}); r.status != http.StatusForbidden {
		t.Errorf("DELETE an item and a collection with deletion off: %d, want 403", r.status)
	}
	if r := f.do(t, req{path: mpath, token: ownerToken}); r.status != 200 {
		t.Errorf("the item after a refused DELETE: %d, want 200", r.status)
	}
	mustDo(t, f, req{method: "DELETE", path: "/library/metadata/" + col.RatingKey, token: ownerToken})
	if r := f.do(t, req{path: "/library/metadata/" + col.RatingKey, token: ownerToken}); r.status != 404 {
		t.Errorf("a collection deleted with deletion off: %d, want 404", r.status)
	}

	mustDo(t, f, req{method: "PUT", path: "/:/prefs?allowMediaDeletion=1", token: ownerToken})
	mustDo(t, f, req{method: "DELETE", path: mpath, token: ownerToken})
	if r := f.do(t, req{path: mpath, token: ownerToken}); r.status != 404 {
		t.Errorf("the item after DELETE with deletion on: %d, want 404", r.status)
	}
}

// TestMatchAfterUnmatch: an agent that matched an item finds the same match again once it was
// unmatched, as @ctrl/plex's fixMatch(undefined, true) and Plex Web's Fix Match do after an
// Unmatch: the first of the item's matches is its former guid, and taking it restores it. A
// match to another candidate keeps the former one in the list, once.
func TestMatchAfterUnmatch(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	movie, path := movieAt(9)
	orig := detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]
	mustDo(t, f, req{method: "PUT", path: path + "/unmatch", token: ownerToken})

	var res struct {
		MediaContainer struct {
			SearchResult []struct {
				GUID  string `json:"guid"`
				Name  string `json:"name"`
				Score int    `json:"score"`
				Year  int    `json:"year"`
			} `json:"SearchResult"`
		}
	}
	if err := f.ownerJSON(t, path+"/matches?manual=1", &res); err != nil || len(res.MediaContainer.SearchResult) == 0 {
		t.Fatalf("matches after unmatch: %v %+v", err, res)
	}
	first := res.MediaContainer.SearchResult[0]
	if first.GUID != orig.GUID || first.Name != orig.Title || first.Year != orig.Year || first.Score != 100 {
		t.Errorf("first match after unmatch %+v, want the former match %s", first, orig.GUID)
	}
	q := url.Values{"guid": {first.GUID}, "name": {first.Name}}
	mustDo(t, f, req{method: "PUT", path: path + "/match?" + q.Encode(), token: ownerToken})
	got := detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]
	if got.GUID != orig.GUID || len(got.Guid) != len(orig.Guid) || (len(got.Guid) > 0 && got.Guid[0] != orig.Guid[0]) {
		t.Errorf("after matching again: %s %+v, want %s %+v", got.GUID, got.Guid, orig.GUID, orig.Guid)
	}
	// Matched to the next candidate for its title: that match comes first, the former one
	// second, and no guid twice; going back brings the former ids back.
	if err := f.ownerJSON(t, path+"/matches?manual=1", &res); err != nil || len(res.MediaContainer.SearchResult) < 2 {
		t.Fatalf("matches: %v %+v", err, res)
	}
	next := res.MediaContainer.SearchResult[1]
	q = url.Values{"guid": {next.GUID}, "name": {next.Name}}
	mustDo(t, f, req{method: "PUT", path: path + "/match?" + q.Encode(), token: ownerToken})
	if err := f.ownerJSON(t, path+"/matches?manual=1", &res); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range res.MediaContainer.SearchResult {
		if seen[r.GUID] {
			t.Errorf("%s listed twice: %+v", r.GUID, res.MediaContainer.SearchResult)
		}
		seen[r.GUID] = true
	}
	if r := res.MediaContainer.SearchResult; len(r) < 2 || r[0].GUID != next.GUID || r[0].Score != 100 || r[1].GUID != orig.GUID {
		t.Errorf("matches after matching to %s: %+v, want it first and %s second", next.GUID, r, orig.GUID)
	}
	q = url.Values{"guid": {orig.GUID}, "name": {orig.Title}}
	mustDo(t, f, req{method: "PUT", path: path + "/match?" + q.Encode(), token: ownerToken})
	got = detail(t, f, movie, "?includeGuids=1").MediaContainer.Metadata[0]
	if got.GUID != orig.GUID || len(got.Guid) != len(orig.Guid) || (len(got.Guid) > 0 && got.Guid[0] != orig.Guid[0]) {
		t.Errorf("after matching back: %s %+v, want %s %+v", got.GUID, got.Guid, orig.GUID, orig.Guid)
	}

	// A search for another title still finds that title's candidates.
	if err := f.ownerJSON(t, path+"/matches?manual=1&title=Elsewhere&year=2001", &res); err != nil {
		t.Fatal(err)
	}
	if c := res.MediaContainer.SearchResult[0]; c.GUID == orig.GUID || c.Name != "Elsewhere" {
		t.Errorf("matches for another title: %+v", c)
	}
}
