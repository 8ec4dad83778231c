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

func (s *section) wire() librarySection {
	created := int64(addedBase - 86400*365 + int(s.seed%86400))
	scanned := int64(addedBase + int(s.seed>>20%86400))
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
		Language:         "en-US",
		UUID:             s.uuid,
		UpdatedAt:        scanned,
		CreatedAt:        created,
		ScannedAt:        scanned,
		Content:          true,
		Directory:        true,
		ContentChangedAt: int64(s.Size),
		Location:         []location{{ID: s.pos + 1, Path: "/data/" + s.Title}},
	}
}

// librarySections serves GET /library/sections/all (and /library/sections): the sections the
// caller can see.
func (h *handler) librarySections(c *call) {
	var visible []*section
	for _, s := range h.sections {
		if c.canSee(s) {
			visible = append(visible, s)
		}
	}
	setPagingHeaders(c.w, 0, len(visible))
	list{
		head: sectionsContainer{
			Size: len(visible), AllowSync: true, Identifier: libraryIdentifier, Title1: "Plex Library",
		},
		childKey: "Directory",
		n:        len(visible),
		child:    func(i int) any { return visible[i].wire() },
	}.write(c.w, c.json)
}

const libraryIdentifier = "com.plexapp.plugins.library"

// sectionItems serves GET /library/sections/{sectionId}/all, one page of a section's items.
// A section that does not exist and a section not shared with the caller are both 404: a PMS
// does not reveal to a shared user which other sections exist.
func (h *handler) sectionItems(c *call) {
	s := h.byKey[pathSegment(c.r.URL.Path, 2)]
	if s == nil || !c.canSee(s) {
		writeError(c.w, http.StatusNotFound)
		return
	}
	start, size, ok := c.paging()
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	from, to := window(start, size, s.Size)
	head := s.container(to - from)
	head.TotalSize, head.Offset = &s.Size, &start
	setPagingHeaders(c.w, start, s.Size)
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		return s.item(from+i, false)
	}}.write(c.w, c.json)
}

// container is the head of a list of n of s's items.
func (s *section) container(n int) metadataContainer {
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

// itemRef names one item: a section's own item, or its child.
type itemRef struct {
	s     *section
	index int
	child bool
}

// metadataItems serves GET /library/metadata/{ids}: the items whose comma-separated rating keys
// are given, leaving out those that do not exist or are in a section the caller cannot see;
// 404 when none is left.
func (h *handler) metadataItems(c *call) {
	var refs []itemRef
	for key := range strings.SplitSeq(pathSegment(c.r.URL.Path, 2), ",") {
		if s, index, child, ok := h.decodeRatingKey(key); ok && c.canSee(s) {
			refs = append(refs, itemRef{s, index, child})
		}
	}
	if len(refs) == 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	head := metadataContainer{Size: len(refs), Identifier: libraryIdentifier}
	if sameSection(refs) {
		head = refs[0].s.container(len(refs))
		head.Title2 = ""
	}
	setPagingHeaders(c.w, 0, len(refs))
	list{head: head, childKey: "Metadata", n: len(refs), child: func(i int) any {
		return refs[i].s.item(refs[i].index, refs[i].child)
	}}.write(c.w, c.json)
}

func sameSection(refs []itemRef) bool {
	for _, r := range refs[1:] {
		if r.s != refs[0].s {
			return false
		}
	}
	return true
}
