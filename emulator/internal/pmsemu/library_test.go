package pmsemu

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// itemsPage is the JSON of a list of metadata items.
type itemsPage struct {
	MediaContainer struct {
		Size      int
		TotalSize *int
		Offset    *int
		Metadata  []jsonItem
	}
}

type jsonItem struct {
	RatingKey, Key, Type, Title, GrandparentTitle, LibrarySectionID string
	Year, Duration                                                  int
	Media                                                           []struct {
		Part []struct{ File string }
	}
}

func getItems(t *testing.T, f *fixture, r req) (itemsPage, response) {
	t.Helper()
	r.json = true
	resp := f.do(t, r)
	var p itemsPage
	if resp.status == 200 {
		if err := json.Unmarshal([]byte(resp.body), &p); err != nil {
			t.Fatalf("%s: %v\n%s", r.path, err, resp.body)
		}
	}
	return p, resp
}

func TestSectionSharing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := []struct {
		name, token string
		wantKeys    []string
	}{
		{"admin sees every section", ownerToken, []string{"1", "2", "3", "4", "5"}},
		{"friend sees the shared sections", friendToken, []string{"1", "2"}},
		{"managed user sees the shared section", managedToken, []string{"3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sectionKeys(t, f, tt.token); !slices.Equal(got, tt.wantKeys) {
				t.Errorf("sections = %v, want %v", got, tt.wantKeys)
			}
			alias := f.do(t, req{path: "/library/sections", token: tt.token, json: true})
			all := f.do(t, req{path: "/library/sections/all", token: tt.token, json: true})
			if alias.status != 200 || alias.body != all.body {
				t.Errorf("/library/sections differs from /library/sections/all: %d %q", alias.status, alias.body)
			}
			for _, key := range []string{"1", "2", "3", "4", "5", "99"} {
				shared := slices.Contains(tt.wantKeys, key)
				resp := f.do(t, req{path: "/library/sections/" + key + "/all?X-Plex-Container-Size=1", token: tt.token})
				want := http.StatusNotFound
				if shared {
					want = http.StatusOK
				}
				if resp.status != want {
					t.Errorf("section %s items: %d, want %d", key, resp.status, want)
				}
			}
		})
	}
	t.Run("nil Sections means every section", func(t *testing.T) {
		t.Parallel()
		auth := testAuth()
		auth["all-token"] = struct {
			caller Caller
			result AuthResult
		}{Caller{AccountID: 77, Role: RoleShared}, AuthOK}
		srv := New(testConfig(&clock{t: epoch}), auth)
		w := &discard{}
		r, _ := http.NewRequest("GET", "/library/sections/5/all?X-Plex-Container-Size=0", nil)
		r.Header.Set("X-Plex-Token", "all-token")
		srv.ServeHTTP(w, r)
		if w.status != 200 {
			t.Errorf("shared user with nil Sections on section 5: %d", w.status)
		}
	})
}

func TestPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const total = 2500
	tests := []struct {
		name             string
		query            string
		header           map[string]string
		wantStatus       int
		wantFirst, wantN int
		wantOffset       int
	}{
		{"no paging returns everything", "", nil, 200, 0, total, 0},
		{"first page by query", "?X-Plex-Container-Start=0&X-Plex-Container-Size=50", nil, 200, 0, 50, 0},
		{"middle page by headers", "", map[string]string{"X-Plex-Container-Start": "100", "X-Plex-Container-Size": "25"}, 200, 100, 25, 100},
		{"header wins over query", "?X-Plex-Container-Start=5", map[string]string{"X-Plex-Container-Start": "7", "X-Plex-Container-Size": "1"}, 200, 7, 1, 7},
		{"last partial page", "?X-Plex-Container-Start=2490&X-Plex-Container-Size=50", nil, 200, 2490, 10, 2490},
		{"start only", "?X-Plex-Container-Start=2495", nil, 200, 2495, 5, 2495},
		{"start at end", "?X-Plex-Container-Start=2500&X-Plex-Container-Size=10", nil, 200, 0, 0, 2500},
		{"start beyond end", "?X-Plex-Container-Start=9999&X-Plex-Container-Size=10", nil, 200, 0, 0, 9999},
		{"size 0 returns only the total", "?X-Plex-Container-Size=0", nil, 200, 0, 0, 0},
		{"negative start", "?X-Plex-Container-Start=-1", nil, 400, 0, 0, 0},
		{"non-numeric size", "?X-Plex-Container-Size=ten", nil, 400, 0, 0, 0},
		{"bad header", "", map[string]string{"X-Plex-Container-Size": "1.5"}, 400, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, resp := getItems(t, f, req{path: "/library/sections/1/all" + tt.query, token: ownerToken, header: tt.header})
			if resp.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %q", resp.status, tt.wantStatus, resp.body)
			}
			if resp.status != 200 {
				return
			}
			mc := p.MediaContainer
			if mc.Size != tt.wantN || len(mc.Metadata) != tt.wantN {
				t.Errorf("size %d with %d items, want %d", mc.Size, len(mc.Metadata), tt.wantN)
			}
			if mc.TotalSize == nil || *mc.TotalSize != total || mc.Offset == nil || *mc.Offset != tt.wantOffset {
				t.Errorf("totalSize %v offset %v, want %d and %d", mc.TotalSize, mc.Offset, total, tt.wantOffset)
			}
			if h := resp.header.Get("X-Plex-Container-Total-Size"); h != strconv.Itoa(total) {
				t.Errorf("X-Plex-Container-Total-Size = %q", h)
			}
			if h := resp.header.Get("X-Plex-Container-Start"); h != strconv.Itoa(tt.wantOffset) {
				t.Errorf("X-Plex-Container-Start = %q, want %d", h, tt.wantOffset)
			}
			for i, it := range mc.Metadata {
				if want := strconv.Itoa(1*ratingKeyStride + tt.wantFirst + i); it.RatingKey != want {
					t.Fatalf("item %d has ratingKey %s, want %s", i, it.RatingKey, want)
				}
			}
			if tt.wantN == 0 && strings.Contains(resp.body, "Metadata") {
				t.Errorf("an empty page lists Metadata: %s", resp.body)
			}
		})
	}
}

func TestPagesAreStable(t *testing.T) {
	t.Parallel()
	f, g := newFixture(t, nil), newFixture(t, nil)
	path := "/library/sections/5/all?X-Plex-Container-Start=123456&X-Plex-Container-Size=20"
	a, b := f.do(t, req{path: path, token: ownerToken}), g.do(t, req{path: path, token: ownerToken})
	if a.status != 200 || a.body != b.body {
		t.Error("two servers with the same config render the same page differently")
	}
	cfg := testConfig(&clock{t: epoch})
	cfg.MachineIdentifier = "another-server"
	mine, theirs := newHandler(testConfig(&clock{t: epoch}), nil).store, newHandler(cfg, nil).store
	for i := range 10 {
		x, _ := mine.Item(mine.SectionAt(mine.Section("5"), i))
		y, _ := theirs.Item(theirs.SectionAt(theirs.Section("5"), i))
		if x.Title != y.Title || x.RatingKey != y.RatingKey {
			t.Errorf("item %d: title or rating key depends on the machine identifier", i)
		}
		if x.Year == y.Year && x.Duration == y.Duration && x.AddedAt == y.AddedAt {
			t.Errorf("item %d is the same on two servers: %+v", i, x)
		}
	}
}

// TestHugeSection is not parallel: AllocsPerRun needs the process to itself.
func TestHugeSection(t *testing.T) {
	f := newFixture(t, nil)
	p, resp := getItems(t, f, req{path: "/library/sections/5/all?X-Plex-Container-Start=999950&X-Plex-Container-Size=100", token: ownerToken})
	if resp.status != 200 {
		t.Fatalf("status %d", resp.status)
	}
	mc := p.MediaContainer
	if mc.Size != 50 || *mc.TotalSize != hugeSize || *mc.Offset != 999_950 {
		t.Fatalf("size %d totalSize %d offset %d", mc.Size, *mc.TotalSize, *mc.Offset)
	}
	last := mc.Metadata[len(mc.Metadata)-1]
	if last.RatingKey != strconv.Itoa(5*ratingKeyStride+999_999) || last.Title != title(999_999) || !strings.HasSuffix(last.Title, " 977") {
		t.Errorf("last item = %+v", last)
	}
	// A page's cost must not depend on where it is: the last page of the million-item section
	// allocates as much as a page a fifth of the way in. (Both pages' titles carry a three-digit
	// round number, which costs the same.)
	srv := f.srv
	allocs := func(start int) float64 {
		return testing.AllocsPerRun(20, func() {
			r, _ := http.NewRequest("GET", fmt.Sprintf("/library/sections/5/all?X-Plex-Container-Start=%d&X-Plex-Container-Size=100", start), nil)
			r.Header.Set("X-Plex-Token", ownerToken)
			r.Header.Set("Accept", "application/json")
			w := &discard{}
			srv.ServeHTTP(w, r)
			if w.status != 200 {
				t.Fatalf("status %d", w.status)
			}
		})
	}
	// A page whose cost grew with its offset would allocate hundreds of thousands of times more;
	// the margin only absorbs the few dozen allocations that background work (the race
	// detector's runtime, an earlier test's idle servers) adds to AllocsPerRun's process-wide count.
	early, end := allocs(200_000), allocs(hugeSize-100)
	if end > early*1.25 {
		t.Errorf("the page at the end of a million items allocates %.0f times, a page at 200,000 %.0f", end, early)
	}
}

func TestMetadata(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// Every item listed in a page comes back, identical, from /library/metadata/{ratingKey}.
	for _, key := range []string{"1", "2", "3", "4", "5"} {
		page, _ := getItems(t, f, req{path: "/library/sections/" + key + "/all?X-Plex-Container-Start=3&X-Plex-Container-Size=4", token: ownerToken})
		if len(page.MediaContainer.Metadata) != 4 {
			t.Fatalf("section %s: %d items", key, len(page.MediaContainer.Metadata))
		}
		for _, it := range page.MediaContainer.Metadata {
			one, resp := getItems(t, f, req{path: "/library/metadata/" + it.RatingKey, token: ownerToken})
			if resp.status != 200 || len(one.MediaContainer.Metadata) != 1 {
				t.Fatalf("%s: %d %q", it.RatingKey, resp.status, resp.body)
			}
			got := one.MediaContainer.Metadata[0]
			if got.Title != it.Title || got.Type != it.Type || got.Year != it.Year || got.LibrarySectionID != key {
				t.Errorf("metadata %s = %+v, listed as %+v", it.RatingKey, got, it)
			}
		}
	}
	tests := []struct {
		name, ids, token string
		wantStatus       int
		wantTypes        []string
	}{
		{"episode of a show", strconv.Itoa(firstLeaf(2, 3)), ownerToken, 200, []string{"episode"}},
		{"track of an artist", strconv.Itoa(firstLeaf(3, 1)), ownerToken, 200, []string{"track"}},
		{"several ids", "1000000000,2000000001,4000000011", ownerToken, 200, []string{"movie", "show", "photo"}},
		{"unknown ids are left out", "1000000000,1000002500,77", ownerToken, 200, []string{"movie"}},
		{"last item of the million", "5000999999", ownerToken, 200, []string{"movie"}},
		{"one past the end", "5001000000", ownerToken, 404, nil},
		{"movies have no children", "1500000000", ownerToken, 404, nil},
		{"no such section", "9000000000", ownerToken, 404, nil},
		{"below every section", "999999999", ownerToken, 404, nil},
		{"not a number", "abc", ownerToken, 404, nil},
		{"negative", "-1000000000", ownerToken, 404, nil},
		{"too long", "100000000000000000000000", ownerToken, 404, nil},
		{"shared section", "2000000001", friendToken, 200, []string{"show"}},
		{"section not shared", "3000000001", friendToken, 404, nil},
		{"only shared items listed", "1000000000,3000000001", friendToken, 200, []string{"movie"}},
		{"managed user", strconv.Itoa(firstLeaf(3, 1)), managedToken, 200, []string{"track"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, resp := getItems(t, f, req{path: "/library/metadata/" + tt.ids, token: tt.token})
			if resp.status != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.status, tt.wantStatus)
			}
			var types []string
			for _, it := range p.MediaContainer.Metadata {
				types = append(types, it.Type)
			}
			if !slices.Equal(types, tt.wantTypes) {
				t.Errorf("types %v, want %v", types, tt.wantTypes)
			}
		})
	}
	t.Run("admin-only verbs", func(t *testing.T) {
		t.Parallel()
		for _, m := range []string{"PUT", "DELETE"} {
			if s := f.do(t, req{method: m, path: "/library/metadata/1000000000", token: friendToken}).status; s != 401 {
				t.Errorf("%s as friend: %d, want 401", m, s)
			}
		}
	})
}

func TestSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	type hubJSON struct {
		HubIdentifier, Type string
		Size                int
		More                bool
		Metadata            []jsonItem
	}
	search := func(t *testing.T, q, token string) ([]hubJSON, int) {
		t.Helper()
		resp := f.do(t, req{path: "/hubs/search?" + q, token: token, json: true})
		var body struct {
			MediaContainer struct {
				Size int
				Hub  []hubJSON
			}
		}
		if resp.status == 200 {
			if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
				t.Fatal(err)
			}
			if body.MediaContainer.Size != len(body.MediaContainer.Hub) {
				t.Errorf("size %d for %d hubs", body.MediaContainer.Size, len(body.MediaContainer.Hub))
			}
		}
		return body.MediaContainer.Hub, resp.status
	}
	// brute is the oracle: the first limit matching titles of a section, found by scanning
	// every title.
	brute := func(size int, q string, limit int) (titles []string, more bool) {
		query := bytes.ToLower([]byte(q))
		var buf []byte
		for i := range size {
			buf = appendTitle(buf[:0], i)
			for k, c := range buf {
				if 'A' <= c && c <= 'Z' {
					buf[k] = c + 'a' - 'A'
				}
			}
			if bytes.Contains(buf, query) {
				if len(titles) == limit {
					return titles, true
				}
				titles = append(titles, title(i))
			}
		}
		return titles, false
	}
	tests := []struct {
		name, query string
		section     int // index into the config's sections: the huge one by default
		limit       int
	}{
		{"word", "river", 4, 10},
		{"case-insensitive", "GOLDEN", 4, 5},
		{"across words", "en ri", 4, 7},
		{"rare combination", "last winter", 4, 3},
		{"sequel number", "river 977", 4, 10},
		{"start of a sequel number", "winter 97", 4, 40},
		{"number alone", "12", 4, 20},
		{"space and number", " 12", 4, 20},
		{"end of a word and number", "r 1", 4, 50},
		{"trailing space reaches the number", "winter ", 4, 4},
		{"digit then letters never match", "9 x", 4, 10},
		{"longer than any title", strings.Repeat("river ", 10), 4, 10},
		{"no match", "zebra", 4, 10},
		{"limit zero", "river", 4, 0},
		{"small section", "e", 1, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := testConfig(&clock{}).Sections[tt.section]
			q := fmt.Sprintf("query=%s&limit=%d&sectionId=%s", strings.ReplaceAll(tt.query, " ", "%20"), tt.limit, sc.Key)
			hubs, status := search(t, q, ownerToken)
			// The first hub holds the section's top-level items; later ones its seasons and
			// episodes, albums and tracks.
			if status != 200 || len(hubs) == 0 || hubs[0].HubIdentifier != sc.Type {
				t.Fatalf("status %d, hubs %+v", status, hubs)
			}
			var got []string
			for _, it := range hubs[0].Metadata {
				got = append(got, it.Title)
			}
			want, more := brute(sc.Size, tt.query, tt.limit)
			if !slices.Equal(got, want) || hubs[0].More != more || hubs[0].Size != len(want) {
				t.Errorf("got %q (more %v, size %d), want %q (more %v)", got, hubs[0].More, hubs[0].Size, want, more)
			}
		})
	}
	t.Run("hubs by type across sections", func(t *testing.T) {
		t.Parallel()
		hubs, status := search(t, "query=silent%20river", ownerToken)
		if status != 200 {
			t.Fatal(status)
		}
		var ids []string
		for _, h := range hubs {
			ids = append(ids, h.HubIdentifier)
			if h.Type != h.HubIdentifier || len(h.Metadata) == 0 || h.Metadata[0].Title != "Silent River" {
				t.Errorf("hub %+v", h)
			}
		}
		if !slices.Equal(ids, []string{"movie", "show", "artist", "track", "photo"}) {
			t.Errorf("hubs %v", ids)
		}
		// Two movie sections feed one hub, in section order, up to the default limit of 10:
		// section 1's 2,500 items hold Silent River three times (items 0, 1024 and 2048).
		m := hubs[0].Metadata
		var from []string
		for _, it := range m {
			from = append(from, it.LibrarySectionID)
		}
		if want := []string{"1", "1", "1", "5", "5", "5", "5", "5", "5", "5"}; !slices.Equal(from, want) || !hubs[0].More {
			t.Errorf("movie hub items come from sections %v (more %v), want %v", from, hubs[0].More, want)
		}
	})
	t.Run("shared user searches shared sections only", func(t *testing.T) {
		t.Parallel()
		hubs, status := search(t, "query=river", friendToken)
		if status != 200 {
			t.Fatal(status)
		}
		for _, h := range hubs {
			for _, it := range h.Metadata {
				if it.LibrarySectionID != "1" && it.LibrarySectionID != "2" {
					t.Errorf("friend found %s in section %s", it.Title, it.LibrarySectionID)
				}
			}
		}
		if len(hubs) != 2 {
			t.Errorf("friend got %d hubs, want 2 (movie, show)", len(hubs))
		}
	})
	for _, tt := range []struct {
		name, q, token string
		want           int
	}{
		{"no query", "limit=3", ownerToken, 400},
		{"blank query", "query=%20%20", ownerToken, 400},
		{"bad limit", "query=river&limit=x", ownerToken, 400},
		{"negative limit", "query=river&limit=-1", ownerToken, 400},
		{"bad section id", "query=river&sectionId=movies", ownerToken, 400},
		{"section not shared", "query=river&sectionId=5", friendToken, 404},
		{"no such section", "query=river&sectionId=42", ownerToken, 404},
		{"no token", "query=river", "", 401},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, status := search(t, tt.q, tt.token); status != tt.want {
				t.Errorf("status %d, want %d", status, tt.want)
			}
		})
	}
}

// xmlNode is a generic XML element for checking the shape of XML answers.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xmlNode  `xml:",any"`
}

func (n xmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n xmlNode) childNames() []string {
	var names []string
	for _, c := range n.Children {
		names = append(names, c.XMLName.Local)
	}
	return names
}

func getXML(t *testing.T, f *fixture, path, token string) xmlNode {
	t.Helper()
	resp := f.do(t, req{path: path, token: token})
	if resp.status != 200 {
		t.Fatalf("%s: %d", path, resp.status)
	}
	if ct := resp.header.Get("Content-Type"); ct != "text/xml;charset=utf-8" {
		t.Errorf("%s: Content-Type %q", path, ct)
	}
	if !strings.HasPrefix(resp.body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("%s: no XML declaration: %.60q", path, resp.body)
	}
	var n xmlNode
	if err := xml.Unmarshal([]byte(resp.body), &n); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if n.XMLName.Local != "MediaContainer" {
		t.Errorf("%s: root %s", path, n.XMLName.Local)
	}
	return n
}

func TestXML(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	t.Run("identity", func(t *testing.T) {
		t.Parallel()
		n := getXML(t, f, "/identity", "")
		for k, want := range map[string]string{"size": "0", "claimed": "1", "machineIdentifier": testMachineID, "apiVersion": "1.2.2", "version": DefaultVersion} {
			if got := n.attr(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	})
	t.Run("unclaimed identity", func(t *testing.T) {
		t.Parallel()
		g := newFixture(t, func(c *Config) { c.OwnerAccountID = 0; c.Version = "1.40.0.1-abc" })
		n := getXML(t, g, "/identity", "")
		if n.attr("claimed") != "0" || n.attr("version") != "1.40.0.1-abc" {
			t.Errorf("claimed %q version %q", n.attr("claimed"), n.attr("version"))
		}
	})
	t.Run("sections", func(t *testing.T) {
		t.Parallel()
		n := getXML(t, f, "/library/sections", ownerToken)
		if n.attr("size") != "5" || len(n.Children) != 5 {
			t.Fatalf("size %s, %d children", n.attr("size"), len(n.Children))
		}
		d := n.Children[1]
		if d.XMLName.Local != "Directory" || d.attr("key") != "2" || d.attr("type") != "show" || d.attr("allowSync") != "1" ||
			!slices.Equal(d.childNames(), []string{"Location"}) {
			t.Errorf("section element %+v", d)
		}
	})
	t.Run("element per type", func(t *testing.T) {
		t.Parallel()
		for key, want := range map[string]string{"1": "Video", "2": "Directory", "3": "Directory", "4": "Directory"} {
			n := getXML(t, f, "/library/sections/"+key+"/all?X-Plex-Container-Size=2", ownerToken)
			if !slices.Equal(n.childNames(), []string{want, want}) || n.attr("totalSize") == "" || n.attr("offset") != "0" {
				t.Errorf("section %s: children %v, totalSize %q", key, n.childNames(), n.attr("totalSize"))
			}
		}
		n := getXML(t, f, "/library/metadata/1000000000,"+strconv.Itoa(firstLeaf(3, 0))+"?includeGuids=1", ownerToken)
		if !slices.Equal(n.childNames(), []string{"Video", "Track"}) {
			t.Errorf("movie and track: %v", n.childNames())
		}
		if v := n.Children[0]; len(v.Children) == 0 || v.childNames()[0] != "Media" || !slices.Equal(v.Children[0].childNames(), []string{"Part"}) ||
			!slices.Contains(v.childNames(), "Genre") || !slices.Contains(v.childNames(), "Guid") {
			t.Errorf("movie children %v", v.childNames())
		}
	})
	t.Run("sessions", func(t *testing.T) {
		t.Parallel()
		n := getXML(t, f, "/status/sessions", ownerToken)
		if !slices.Equal(n.childNames(), []string{"Video", "Video", "Track"}) {
			t.Fatalf("sessions %v", n.childNames())
		}
		v := n.Children[1]
		if names := v.childNames(); names[0] != "Media" || !slices.Equal(names[len(names)-3:], []string{"User", "Player", "Session"}) {
			t.Errorf("session children %v", v.childNames())
		}
		k := len(v.Children) - 3
		if v.attr("type") != "episode" || v.Children[k].attr("title") != "bob" || v.Children[k+1].attr("state") != "paused" || v.Children[k+1].attr("local") != "1" {
			t.Errorf("session %+v", v)
		}
	})
	t.Run("empty list", func(t *testing.T) {
		t.Parallel()
		g := newFixture(t, func(c *Config) { c.Sessions = nil })
		resp := g.do(t, req{path: "/status/sessions", token: ownerToken})
		if want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MediaContainer size=\"0\"></MediaContainer>\n"; resp.body != want {
			t.Errorf("body %q, want %q", resp.body, want)
		}
		if j := g.do(t, req{path: "/status/sessions", token: ownerToken, json: true}); j.body != `{"MediaContainer":{"size":0}}` {
			t.Errorf("JSON body %q", j.body)
		}
	})
	t.Run("search hubs", func(t *testing.T) {
		t.Parallel()
		n := getXML(t, f, "/hubs/search?query=river&limit=1", ownerToken)
		if len(n.Children) < 4 || n.Children[0].XMLName.Local != "Hub" {
			t.Fatalf("hubs %v", n.childNames())
		}
		if h := n.Children[1]; h.attr("type") != "show" || h.attr("more") != "1" || !slices.Equal(h.childNames(), []string{"Directory"}) {
			t.Errorf("show hub %+v", h)
		}
	})
	t.Run("root", func(t *testing.T) {
		t.Parallel()
		n := getXML(t, f, "/", friendToken)
		if n.attr("friendlyName") != "emulated-nas" || n.attr("myPlexUsername") != "alice" || n.attr("machineIdentifier") != testMachineID ||
			n.attr("size") != strconv.Itoa(len(n.Children)) || n.Children[0].XMLName.Local != "Directory" {
			t.Errorf("root %+v", n.Attrs)
		}
	})
	t.Run("escaping", func(t *testing.T) {
		t.Parallel()
		g := newFixture(t, func(c *Config) {
			c.Name = `<Tom & "Jerry">`
			c.Sections = []SectionConfig{{Key: "1", Type: "movie", Title: `Films <&> "quoted"`, Size: 1}}
		})
		if n := getXML(t, g, "/", ownerToken); n.attr("friendlyName") != `<Tom & "Jerry">` {
			t.Errorf("friendlyName %q", n.attr("friendlyName"))
		}
		if n := getXML(t, g, "/library/sections/1/all", ownerToken); n.attr("librarySectionTitle") != `Films <&> "quoted"` {
			t.Errorf("librarySectionTitle %q", n.attr("librarySectionTitle"))
		}
		var j struct{ MediaContainer struct{ FriendlyName string } }
		resp := g.do(t, req{path: "/", token: ownerToken, json: true})
		if err := json.Unmarshal([]byte(resp.body), &j); err != nil || j.MediaContainer.FriendlyName != `<Tom & "Jerry">` {
			t.Errorf("JSON friendlyName %q, %v", j.MediaContainer.FriendlyName, err)
		}
	})
}

func TestConfigEdges(t *testing.T) {
	t.Parallel()
	h := newHandler(Config{
		MachineIdentifier: "m",
		Sections: []SectionConfig{
			{Key: "1", Size: -5},
			{Key: "1", Type: "show", Size: 9},
			{Key: "", Size: 3},
			{Key: "big", Type: "photo", Size: MaxSectionSize + 10},
			{Key: "odd", Type: "podcast", Size: 1},
		},
	}, nil)
	secs := h.store.Sections()
	if len(secs) != 3 || secs[2].Type != "movie" || secs[0].Type != "movie" || h.store.SectionLen(secs[0]) != 0 || secs[0].Title != "Library 1" {
		t.Errorf("first section %+v of %d", secs[0], len(secs))
	}
	if n := h.store.SectionLen(secs[1]); n != MaxSectionSize {
		t.Errorf("oversized section clamped to %d, want %d", n, MaxSectionSize)
	}
	if h.cfg.Now == nil || h.cfg.SharedAdminStatus != 401 || h.cfg.Version != DefaultVersion {
		t.Errorf("defaults: SharedAdminStatus %d, Version %q", h.cfg.SharedAdminStatus, h.cfg.Version)
	}
	last := h.store.SectionAt(secs[1], MaxSectionSize-1)
	if it, ok := h.store.Item(last); !ok || it.SectionKey != "big" || it.Type != "photoalbum" || it.Title != title(MaxSectionSize-1) {
		t.Errorf("last item %d = %+v %v", last, it, ok)
	}
	// The deepest item of the last album is distinct and decodes back to its place.
	leaves := h.store.Leaves(last)
	if it, ok := h.store.Item(leaves[len(leaves)-1]); !ok || it.ParentRatingKey != last || it.Type != "photo" {
		t.Errorf("last photo = %+v %v", it, ok)
	}
	// A nil Authorizer refuses every token.
	w := &discard{}
	r, _ := http.NewRequest("GET", "/library/sections/all", nil)
	r.Header.Set("X-Plex-Token", ownerToken)
	h.ServeHTTP(w, r)
	if w.status != 401 {
		t.Errorf("nil Authorizer: %d", w.status)
	}
}
