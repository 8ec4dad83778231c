package pmsemu

import (
	"net/http"
	"strconv"
	"strings"
)

// Paging follows PMS: X-Plex-Container-Start and X-Plex-Container-Size come as request headers
// or query parameters (the header wins). Without a size a PMS returns everything from start on,
// and so does the emulator: lists are streamed one item at a time, so even a whole
// million-item section costs memory for one item, and time in proportion to what is sent.
// Size 0 returns only the total. A start beyond the end returns no items and the total.

// paging returns the requested start and size (size -1: all); ok is false when either is not a
// non-negative integer.
func (c *call) paging() (start, size int, ok bool) {
	start, ok = c.intParam("X-Plex-Container-Start", 0)
	if !ok {
		return 0, 0, false
	}
	size, ok = c.intParam("X-Plex-Container-Size", -1)
	return start, size, ok
}

// pagingOr400 is paging for handlers that answer a bad start or size with 400.
func (c *call) pagingOr400() (start, size int, ok bool) {
	start, size, ok = c.paging()
	if !ok {
		writeError(c.w, http.StatusBadRequest)
	}
	return start, size, ok
}

// intParam reads a non-negative integer from the header or, failing that, the query parameter
// name; def when neither is present.
func (c *call) intParam(name string, def int) (int, bool) {
	v := c.r.Header.Get(name)
	if v == "" {
		v = c.query.Get(name)
	}
	return parseCount(v, def)
}

// parseCount parses a non-negative integer; def when v is empty, ok false when v is not one.
func parseCount(v string, def int) (n int, ok bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// window returns the half-open range [from, to) of a list of total items that start and size
// select.
func window(start, size, total int) (from, to int) {
	from = min(start, total)
	to = total
	if size >= 0 && size < total-from {
		to = from + size
	}
	return from, to
}

// setPagingHeaders sends the paging response headers a PMS sends with a MediaContainer.
func setPagingHeaders(w http.ResponseWriter, start, total int) {
	w.Header().Set("X-Plex-Container-Start", strconv.Itoa(start))
	w.Header().Set("X-Plex-Container-Total-Size", strconv.Itoa(total))
}

// pathSegment returns the i-th segment of path (0 is the first after the leading slash).
func pathSegment(path string, i int) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if i >= len(segs) {
		return ""
	}
	return segs[i]
}

var (
	sectionAgents = map[string][2]string{
		"movie":  {"tv.plex.agents.movie", "Plex Movie"},
		"show":   {"tv.plex.agents.series", "Plex TV Series"},
		"artist": {"tv.plex.agents.music", "Plex Music"},
		"photo":  {"com.plexapp.agents.none", "Plex Photo Scanner"},
	}
	typeTitles = map[string]string{"movie": "Movies", "show": "TV Shows", "artist": "Artists", "photo": "Photos"}
)

func (h *handler) wireSection(s *Section) librarySection {
	created := int64(addedBase - 86400*365 + int(s.seed%86400))
	h.store.mu.RLock()
	scanned := s.scannedAt
	h.store.mu.RUnlock()
	agent := sectionAgents[s.Type]
	return librarySection{
		AllowSync:        true,
		Art:              "/:/resources/" + s.Type + "-fanart.jpg",
		Composite:        "/library/sections/" + s.Key + "/composite/" + strconv.FormatInt(scanned, 10),
		Filters:          true,
		Thumb:            "/:/resources/" + s.Type + ".png",
		Key:              s.Key,
		Type:             s.Type,
		Title:            s.Title,
		Agent:            agent[0],
		Scanner:          agent[1],
		Language:         s.language,
		UUID:             s.uuid,
		UpdatedAt:        scanned,
		CreatedAt:        created,
		ScannedAt:        scanned,
		Content:          true,
		Directory:        true,
		ContentChangedAt: int64(h.store.SectionLen(s)),
		Location:         []location{{ID: s.pos + 1, Path: "/data/" + s.Title}},
	}
}

// visibleSections returns the sections c's caller can see, in library order.
func (h *handler) visibleSections(c *call) []*Section {
	var visible []*Section
	for _, s := range h.store.Sections() {
		if c.canSee(s) {
			visible = append(visible, s)
		}
	}
	return visible
}

// librarySections serves GET /library/sections/all (and /library/sections, /library/sections/):
// the sections the caller can see.
func (h *handler) librarySections(c *call) {
	visible := h.visibleSections(c)
	setPagingHeaders(c.w, 0, len(visible))
	list{
		head: sectionsContainer{
			Size: len(visible), AllowSync: true, Identifier: libraryIdentifier, Title1: "Plex Library",
		},
		childKey: "Directory",
		n:        len(visible),
		child:    func(i int) any { return h.wireSection(visible[i]) },
	}.write(c.w, c.json)
}

const libraryIdentifier = "com.plexapp.plugins.library"

// sectionFor returns the section named by path segment i of c's path, or writes 404 and returns
// nil. A section that does not exist and a section not shared with the caller are both 404: a
// PMS does not reveal to a shared user which other sections exist.
func (h *handler) sectionFor(c *call, seg int) *Section {
	s := h.store.Section(pathSegment(c.r.URL.Path, seg))
	if !c.canSee(s) {
		writeError(c.w, http.StatusNotFound)
		return nil
	}
	return s
}

// container is the head of a list of n of s's items.
func (s *Section) container(n int) metadataContainer {
	allow := xbool(true)
	head := metadataContainer{
		Size:                n,
		AllowSync:           &allow,
		Identifier:          libraryIdentifier,
		LibrarySectionTitle: s.Title,
		LibrarySectionUUID:  s.uuid,
		MediaTagPrefix:      "/system/bundle/media/flags/",
		Title1:              s.Title,
		Title2:              "All " + typeTitles[s.Type],
		ViewGroup:           s.Type,
	}
	if id, err := strconv.Atoi(s.Key); err == nil {
		head.LibrarySectionID = &id
	}
	return head
}

// pathItems returns the items whose comma-separated rating keys are the path's third segment
// (/library/metadata/{ids}), leaving out those that do not exist or are in a section the caller
// cannot see; it answers 404 when none is left.
func (h *handler) pathItems(c *call) ([]Item, bool) {
	var items []Item
	for key := range strings.SplitSeq(pathSegment(c.r.URL.Path, 2), ",") {
		if it, ok := h.visibleItem(c, key); ok {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		writeError(c.w, http.StatusNotFound)
		return nil, false
	}
	return items, true
}

// metadataItems serves GET /library/metadata/{ids}: the items whose comma-separated rating keys
// are given, leaving out those that do not exist or are in a section the caller cannot see;
// 404 when none is left.
func (h *handler) metadataItems(c *call) {
	items, ok := h.pathItems(c)
	if !ok {
		return
	}
	head := metadataContainer{Size: len(items), Identifier: libraryIdentifier}
	if sec := h.store.Section(items[0].SectionKey); sec != nil && sameSection(items) {
		head = sec.container(len(items))
		head.Title2 = ""
	}
	v := h.viewOf(c, true)
	setPagingHeaders(c.w, 0, len(items))
	list{head: head, childKey: "Metadata", n: len(items), child: func(i int) any {
		m := h.render(items[i], v)
		h.include(c, items[i], &m)
		return m
	}}.write(c.w, c.json)
}

// visibleItem returns the item with rating key key when it exists in a section c's caller can
// see.
func (h *handler) visibleItem(c *call, key string) (Item, bool) {
	rk, ok := ParseRatingKey(key)
	if !ok {
		return Item{}, false
	}
	it, ok := h.store.Item(rk)
	if !ok || !c.canSee(h.store.Section(it.SectionKey)) {
		return Item{}, false
	}
	return it, true
}

func sameSection(items []Item) bool {
	for _, it := range items[1:] {
		if it.SectionKey != items[0].SectionKey {
			return false
		}
	}
	return true
}

// include adds what includeOnDeck=1, includeChildren=1, includeMarkers=1 and includeExtras=1
// ask for to an item in detail view: the caller's next episode of a show (or season), the
// item's children, its markers (absent unasked, as on a PMS: python-plexapi's detail reload
// asks for them), its extras.
func (h *handler) include(c *call, it Item, m *metadata) {
	lv := h.viewOf(c, false)
	if c.query.Get("includeMarkers") == "1" {
		if ms, _ := h.store.Markers(it.RatingKey); len(ms) > 0 {
			m.Marker = wireMarkers(ms)
		}
	}
	if c.query.Get("includeExtras") == "1" {
		if extras := h.extraItems(it.RatingKey); len(extras) > 0 {
			m.Extras = &nested{Size: len(extras)}
			for _, e := range extras {
				m.Extras.Metadata = append(m.Extras.Metadata, h.render(e, lv))
			}
		}
	}
	if c.query.Get("includeOnDeck") == "1" && (it.Type == "show" || it.Type == "season") {
		if next, ok := h.nextUp(c, it.RatingKey); ok {
			if e, ok := h.renderKey(next, lv); ok {
				m.OnDeck = &nested{Size: 1, Metadata: []metadata{e}}
			}
		}
	}
	if c.query.Get("includeChildren") == "1" {
		kids := h.store.Children(it.RatingKey)
		m.Children = &nested{Size: len(kids)}
		for _, k := range kids {
			if e, ok := h.renderKey(k, lv); ok {
				m.Children.Metadata = append(m.Children.Metadata, e)
			}
		}
	}
}

// nextUp is the leaf of rk the caller should watch next: one in progress, else the first
// unwatched one after the last watched; ok is false when there is none.
func (h *handler) nextUp(c *call, rk int) (int, bool) {
	acct := h.account(c)
	leaves := h.store.Leaves(rk)
	last := -1
	for i, l := range leaves {
		s := h.store.State(acct, l)
		if s.ViewOffset > 0 {
			return l, true
		}
		if s.ViewCount > 0 {
			last = i
		}
	}
	for _, l := range leaves[last+1:] {
		if h.store.State(acct, l).ViewCount == 0 {
			return l, true
		}
	}
	return 0, false
}
