package pmsemu

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Browsing the library beyond a section's list: /library, a section's own directory, the
// hierarchy (children, grandchildren, allLeaves), and the views computed from watch state
// (On Deck, Continue Watching, Recently Added, hubs). Every list leaves out what the caller's
// shares do not cover.

type libraryContainer struct {
	XMLName        xml.Name `json:"-" xml:"MediaContainer"`
	Size           int      `json:"size" xml:"size,attr"`
	AllowSync      xbool    `json:"allowSync" xml:"allowSync,attr"`
	Art            string   `json:"art" xml:"art,attr"`
	Content        string   `json:"content" xml:"content,attr"`
	Identifier     string   `json:"identifier" xml:"identifier,attr"`
	MediaTagPrefix string   `json:"mediaTagPrefix" xml:"mediaTagPrefix,attr"`
	MediaTagVer    int64    `json:"mediaTagVersion" xml:"mediaTagVersion,attr"`
	Title1         string   `json:"title1" xml:"title1,attr"`
	Title2         string   `json:"title2" xml:"title2,attr"`
}

type keyDir struct {
	XMLName   xml.Name `json:"-" xml:"Directory"`
	Key       string   `json:"key" xml:"key,attr"`
	Title     string   `json:"title" xml:"title,attr"`
	Secondary xbool    `json:"secondary,omitempty" xml:"secondary,attr,omitempty"`
	Prompt    string   `json:"prompt,omitempty" xml:"prompt,attr,omitempty"`
}

// library serves GET /library: the library's top-level directories. python-plexapi reads its
// identifier to build play-queue URIs.
func (h *handler) library(c *call) {
	dirs := []keyDir{{Key: "sections", Title: "Library Sections"}, {Key: "recentlyAdded", Title: "Recently Added Content"}, {Key: "onDeck", Title: "On Deck Content"}}
	list{head: libraryContainer{Size: len(dirs), Art: "/:/resources/library-art.png", Identifier: libraryIdentifier,
		MediaTagPrefix: "/system/bundle/media/flags/", MediaTagVer: addedBase, Title1: "Plex Library"},
		childKey: "Directory", n: len(dirs), child: func(i int) any { return dirs[i] }}.write(c.w, c.json)
}

// sectionDirectory serves GET /library/sections/{id}: the section's views and secondary
// filters.
func (h *handler) sectionDirectory(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	dirs := []keyDir{
		{Key: "all", Title: "All " + typeTitles[s.Type]}, {Key: "unwatched", Title: "Unplayed"},
		{Key: "newest", Title: "Recently Released"}, {Key: "recentlyAdded", Title: "Recently Added"},
		{Key: "recentlyViewed", Title: "Recently Viewed"}, {Key: "onDeck", Title: "On Deck"},
	}
	for _, f := range h.metaType(s, sectionTypes[s.Type][0], true).Filter {
		dirs = append(dirs, keyDir{Key: f.Filter, Title: "By " + f.Title, Secondary: true})
	}
	dirs = append(dirs, keyDir{Key: "search?type=" + strconv.Itoa(typeNumbers[sectionTypes[s.Type][0]]), Title: "Search...", Prompt: "Search " + s.Title})
	head := s.container(len(dirs))
	head.Title2, head.ViewGroup, head.Content = "", "secondary", "secondary"
	list{head: head, childKey: "Directory", n: len(dirs), child: func(i int) any { return dirs[i] }}.write(c.w, c.json)
}

// allLeavesDir is the "All episodes" entry that leads a show's seasons.
type allLeavesDir struct {
	XMLName         xml.Name `json:"-" xml:"Directory"`
	LeafCount       int      `json:"leafCount" xml:"leafCount,attr"`
	Thumb           string   `json:"thumb" xml:"thumb,attr"`
	ViewedLeafCount int      `json:"viewedLeafCount" xml:"viewedLeafCount,attr"`
	Key             string   `json:"key" xml:"key,attr"`
	Title           string   `json:"title" xml:"title,attr"`
}

// parentFor returns the item named by the path's rating key when the caller can see it, or
// writes 404.
func (h *handler) parentFor(c *call) (Item, bool) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
	}
	return it, ok
}

// listItems writes keys as a paged list of items under head.
func (h *handler) listItems(c *call, head metadataContainer, keys []int, v view, lead []any) {
	start, size, ok := c.pagingOr400()
	if !ok {
		return
	}
	total := len(keys) + len(lead)
	from, to := window(start, size, total)
	head.Size, head.TotalSize, head.Offset = to-from, &total, &start
	setPagingHeaders(c.w, start, total)
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		if from+i < len(lead) {
			return lead[from+i]
		}
		it, _ := h.store.Item(keys[from+i-len(lead)])
		return h.render(it, v)
	}}.write(c.w, c.json)
}

// childrenHead is the container of a parent's children.
func (h *handler) childrenHead(p Item) metadataContainer {
	head := metadataContainer{Identifier: libraryIdentifier, MediaTagPrefix: "/system/bundle/media/flags/"}
	if sec := h.store.Section(p.SectionKey); sec != nil {
		head = sec.container(0)
	}
	head.Title2 = p.Title
	head.Key = strconv.Itoa(p.RatingKey)
	head.ParentTitle, head.ParentIndex, head.ParentYear = p.Title, p.Index, p.Year
	head.ViewGroup = childType(p.Type)
	return head
}

func childType(t string) string {
	switch t {
	case "show":
		return "season"
	case "season":
		return "episode"
	case "artist":
		return "album"
	case "album":
		return "track"
	}
	return "photo"
}

// children serves GET /library/metadata/{id}/children[?excludeAllLeaves=1][&index=N]: a show's
// seasons (led by "All episodes" unless excluded), a season's episodes, an artist's albums, an
// album's tracks, a photo album's sub-albums and photos.
func (h *handler) children(c *call) {
	p, ok := h.parentFor(c)
	if !ok {
		return
	}
	keys := h.store.Children(p.RatingKey)
	if idx := c.query.Get("index"); idx != "" {
		n, err := strconv.Atoi(idx)
		if err != nil {
			writeError(c.w, http.StatusBadRequest)
			return
		}
		keys = slices.DeleteFunc(keys, func(rk int) bool {
			it, _ := h.store.Item(rk)
			return it.Index != n
		})
	}
	var lead []any
	if p.Type == "show" && c.query.Get("excludeAllLeaves") != "1" && c.query.Get("index") == "" {
		lead = append(lead, allLeavesDir{LeafCount: p.LeafCount, Thumb: p.Thumb,
			ViewedLeafCount: h.store.ViewedLeafCount(h.account(c), p.RatingKey),
			Key:             "/library/metadata/" + strconv.Itoa(p.RatingKey) + "/allLeaves", Title: "All episodes"})
	}
	h.listItems(c, h.childrenHead(p), keys, h.viewOf(c, false), lead)
}

// grandchildren serves GET /library/metadata/{id}/grandchildren: a show's episodes, an
// artist's tracks.
func (h *handler) grandchildren(c *call) {
	p, ok := h.parentFor(c)
	if !ok {
		return
	}
	var keys []int
	for _, ch := range h.store.Children(p.RatingKey) {
		keys = append(keys, h.store.Children(ch)...)
	}
	h.listItems(c, h.childrenHead(p), keys, h.viewOf(c, false), nil)
}

// allLeaves serves GET /library/metadata/{id}/allLeaves: every playable item below the item.
func (h *handler) allLeaves(c *call) {
	p, ok := h.parentFor(c)
	if !ok {
		return
	}
	keys := h.store.Leaves(p.RatingKey)
	if len(keys) == 1 && keys[0] == p.RatingKey && p.ChildCount == 0 && isParentType(p.Type) {
		keys = nil
	}
	h.listItems(c, h.childrenHead(p), keys, h.viewOf(c, false), nil)
}

// sectionAllLeaves serves GET /library/sections/{id}/allLeaves: every playable item of the
// section (episodes, tracks, photos; movies for a movie section).
func (h *handler) sectionAllLeaves(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	types := sectionTypes[s.Type]
	q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
	keys := h.collect(q, s, types[len(types)-1], nil, nil, -1)
	h.listItems(c, s.container(0), keys, h.viewOf(c, false), nil)
}

// sectionsOf returns the sections a request covers: the one in path segment seg when the
// path has one (404 when the caller cannot see it), else every section the caller can see.
func (h *handler) sectionsOf(c *call, seg int) ([]*Section, bool) {
	if seg < 0 || pathSegment(c.r.URL.Path, seg) == "" {
		return h.visibleSections(c), true
	}
	s := h.sectionFor(c, seg)
	if s == nil {
		return nil, false
	}
	return []*Section{s}, true
}

// deck returns the caller's On Deck: items in progress, then the next episode of each show
// the caller has started, most recently viewed first.
func (h *handler) deck(c *call, secs []*Section) []int {
	st := h.store
	states := st.States(h.account(c))
	visible := map[string]bool{}
	for _, s := range secs {
		visible[s.Key] = true
	}
	type entry struct {
		rk   int
		last int64
	}
	var out []entry
	seen := map[int]bool{}
	lastOfShow := map[int]entry{} // grandparent → the latest watched episode
	for rk, s := range states {
		it, ok := st.Item(rk)
		if !ok || !visible[it.SectionKey] || len(st.Children(rk)) > 0 {
			continue
		}
		if s.ViewOffset > 0 {
			out = append(out, entry{rk, s.LastViewedAt})
			seen[rk] = true
		} else if s.ViewCount > 0 && it.Type == "episode" {
			if e, ok := lastOfShow[it.GrandparentRatingKey]; !ok || s.LastViewedAt > e.last || s.LastViewedAt == e.last && rk > e.rk {
				lastOfShow[it.GrandparentRatingKey] = entry{rk, s.LastViewedAt}
			}
		}
	}
	for show, e := range lastOfShow {
		leaves := st.Leaves(show)
		i := slices.Index(leaves, e.rk)
		for _, next := range leaves[i+1:] {
			if states[next].ViewCount == 0 {
				if !seen[next] {
					out = append(out, entry{next, e.last})
					seen[next] = true
				}
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b entry) int {
		if c := cmp.Compare(b.last, a.last); c != 0 {
			return c
		}
		return cmp.Compare(a.rk, b.rk)
	})
	keys := make([]int, len(out))
	for i, e := range out {
		keys[i] = e.rk
	}
	return keys
}

// onDeck serves GET /library/onDeck and /library/sections/{id}/onDeck.
func (h *handler) onDeck(c *call) {
	secs, ok := h.sectionsOf(c, 2)
	if !ok {
		return
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier, MediaTagPrefix: "/system/bundle/media/flags/", Title1: "On Deck"},
		h.deck(c, secs), h.viewOf(c, false), nil)
}

// continueWatching serves GET /hubs/continueWatching/items and
// /hubs/sections/{id}/continueWatching/items: the same items as On Deck.
func (h *handler) continueWatching(c *call) {
	seg := -1
	if strings.HasPrefix(c.r.URL.Path, "/hubs/sections/") {
		seg = 2
	}
	secs, ok := h.sectionsOf(c, seg)
	if !ok {
		return
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier, Title1: "Continue Watching"}, h.deck(c, secs), h.viewOf(c, false), nil)
}

// recentLimit bounds Recently Added lists.
const recentLimit = 50

// recent returns the newest items (movies, episodes, albums, photos; or of type typ) of secs,
// newest first. Generated items were added in library order (see Section.addStep), so a
// section is read from its end and only until older items cannot make the list; items added
// to a section are all looked at.
func (h *handler) recent(c *call, secs []*Section, typ string, limit int) []int {
	st := h.store
	type entry struct {
		rk    int
		added int64
	}
	var best []entry
	newer := func(a, b entry) int {
		if a.added != b.added {
			return cmp.Compare(b.added, a.added)
		}
		return cmp.Compare(a.rk, b.rk)
	}
	consider := func(rk int, t string) {
		it, ok := st.Item(rk)
		if !ok || it.Type != t {
			return
		}
		e := entry{rk, it.AddedAt}
		i, _ := slices.BinarySearchFunc(best, e, newer)
		if i < limit {
			best = slices.Insert(best, i, e)
			best = best[:min(len(best), limit)]
		}
	}
	considerTree := func(rk int, t string) {
		consider(rk, t)
		for _, d := range st.Descendants(rk) {
			consider(d, t)
		}
	}
	for _, s := range secs {
		t := typ
		if t == "" {
			t = map[string]string{"movie": "movie", "show": "episode", "artist": "album", "photo": "photo"}[s.Type]
		}
		if !slices.Contains(sectionTypes[s.Type], t) {
			continue
		}
		step := s.addStep()
		for i := s.size - 1; i >= 0; i-- {
			if len(best) == limit && addedBase+int64(i+1)*step <= best[limit-1].added {
				break
			}
			considerTree(gref{sec: s, i: i}.ratingKey(), t)
		}
		st.mu.RLock()
		added := st.liveStaticTops(s)
		st.mu.RUnlock()
		for _, rk := range added {
			considerTree(rk, t)
		}
	}
	keys := make([]int, len(best))
	for i, e := range best {
		keys[i] = e.rk
	}
	return keys
}

// recentlyAdded serves GET /library/recentlyAdded, /library/sections/{id}/recentlyAdded and
// /hubs/home/recentlyAdded?type=N.
func (h *handler) recentlyAdded(c *call) {
	seg := 2
	if strings.HasPrefix(c.r.URL.Path, "/hubs/") || c.r.URL.Path == "/library/recentlyAdded" {
		seg = -1
	}
	secs, ok := h.sectionsOf(c, seg)
	if !ok {
		return
	}
	typ := ""
	if v := c.query.Get("type"); v != "" {
		t, ok := typeOfNumber(v)
		if !ok {
			writeError(c.w, http.StatusBadRequest)
			return
		}
		typ = t
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier, MediaTagPrefix: "/system/bundle/media/flags/", Title1: "Recently Added"},
		h.recent(c, secs, typ, recentLimit), h.viewOf(c, false), nil)
}

// homeHub is a hub of the home screen or of a section.
type homeHub struct {
	XMLName       xml.Name   `json:"-" xml:"Hub"`
	Context       string     `json:"context" xml:"context,attr"`
	HubKey        string     `json:"hubKey,omitempty" xml:"hubKey,attr,omitempty"`
	HubIdentifier string     `json:"hubIdentifier" xml:"hubIdentifier,attr"`
	Key           string     `json:"key" xml:"key,attr"`
	More          xbool      `json:"more" xml:"more,attr"`
	Size          int        `json:"size" xml:"size,attr"`
	Style         string     `json:"style" xml:"style,attr"`
	Title         string     `json:"title" xml:"title,attr"`
	Type          string     `json:"type" xml:"type,attr"`
	Promoted      xbool      `json:"promoted" xml:"promoted,attr"`
	Metadata      []metadata `json:"Metadata,omitempty" xml:"Metadata"`
}

const hubItems = 10

func (h *handler) makeHub(c *call, id, title, typ, key string, keys []int) homeHub {
	v := h.viewOf(c, false)
	hb := homeHub{Context: "hub." + id, HubIdentifier: id, Key: key, Style: "shelf", Title: title, Type: typ, More: xbool(len(keys) > hubItems)}
	for _, rk := range keys[:min(len(keys), hubItems)] {
		if m, ok := h.renderKey(rk, v); ok {
			hb.Metadata = append(hb.Metadata, m)
		}
	}
	hb.Size = len(hb.Metadata)
	hb.HubKey = "/library/metadata/"
	for i, m := range hb.Metadata {
		if i > 0 {
			hb.HubKey += ","
		}
		hb.HubKey += m.RatingKey
	}
	return hb
}

func (h *handler) writeHubs(c *call, hubs []homeHub) {
	list{head: hubsContainer{Size: len(hubs)}, childKey: "Hub", n: len(hubs), child: func(i int) any { return hubs[i] }}.write(c.w, c.json)
}

// hubsContinueWatching serves GET /hubs/continueWatching: the Continue Watching hub.
func (h *handler) hubsContinueWatching(c *call) {
	h.writeHubs(c, []homeHub{h.makeHub(c, "home.continue", "Continue Watching", "mixed", "/hubs/continueWatching/items", h.deck(c, h.visibleSections(c)))})
}

// legacySearch serves GET /search?query=…: items of every visible section whose title contains
// the query, as one flat list.
func (h *handler) legacySearch(c *call) {
	query := c.query.Get("query")
	if strings.TrimSpace(query) == "" {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	q := strings.ToLower(query)
	m := newTitleMatcher(query)
	var keys []int
	for _, s := range h.visibleSections(c) {
		h.matchTitles(s, m, q, func(it Item) bool {
			keys = append(keys, it.RatingKey)
			return len(keys) < maxSearchLimit
		})
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier, MediaTagPrefix: "/system/bundle/media/flags/"}, keys, h.viewOf(c, false), nil)
}

type timelineContainer struct {
	XMLName         xml.Name `json:"-" xml:"MediaContainer"`
	Size            int      `json:"size" xml:"size,attr"`
	AllowSync       xbool    `json:"allowSync" xml:"allowSync,attr"`
	Art             string   `json:"art" xml:"art,attr"`
	Content         string   `json:"content" xml:"content,attr"`
	Identifier      string   `json:"identifier" xml:"identifier,attr"`
	LatestEntryTime int64    `json:"latestEntryTime" xml:"latestEntryTime,attr"`
	MediaTagPrefix  string   `json:"mediaTagPrefix" xml:"mediaTagPrefix,attr"`
	MediaTagVersion int64    `json:"mediaTagVersion" xml:"mediaTagVersion,attr"`
	Thumb           string   `json:"thumb" xml:"thumb,attr"`
	Title1          string   `json:"title1" xml:"title1,attr"`
	UpdateQueueSize int      `json:"updateQueueSize" xml:"updateQueueSize,attr"`
	ViewGroup       string   `json:"viewGroup" xml:"viewGroup,attr"`
	ViewMode        int      `json:"viewMode" xml:"viewMode,attr"`
}

// sectionTimeline serves GET /library/sections/{id}/timeline: when the section last changed
// (its last scan).
func (h *handler) sectionTimeline(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	h.store.mu.RLock()
	scanned := s.scannedAt
	h.store.mu.RUnlock()
	writeValue(c, "MediaContainer", timelineContainer{AllowSync: true, Art: "/:/resources/" + s.Type + "-fanart.jpg",
		Content: "secondary", Identifier: libraryIdentifier, LatestEntryTime: scanned, MediaTagPrefix: "/system/bundle/media/flags/",
		MediaTagVersion: addedBase, Thumb: "/:/resources/" + s.Type + ".png", Title1: s.Title, ViewGroup: "secondary", ViewMode: 65592})
}

// sectionFolders serves GET /library/sections/{id}/folder: the section's folders, one per
// top-level item, each leading to the item.
func (h *handler) sectionFolders(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	start, size, ok := c.pagingOr400()
	if !ok {
		return
	}
	total := h.store.SectionLen(s)
	from, to := window(start, size, total)
	head := s.container(to - from)
	head.TotalSize, head.Offset = &total, &start
	setPagingHeaders(c.w, start, total)
	list{head: head, childKey: "Directory", n: to - from, child: func(i int) any {
		it, _ := h.store.Item(h.store.SectionAt(s, from+i))
		return keyDir{Key: "/library/metadata/" + strconv.Itoa(it.RatingKey), Title: it.Title}
	}}.write(c.w, c.json)
}
