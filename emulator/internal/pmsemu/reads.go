package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// More library reads from the model: a music section's albums, items of a type across the
// library, the tags of a kind, and related items.

// sectionAlbums serves GET /library/sections/{id}/albums: the albums of a music section (none
// for other sections), as a media query of type album.
func (h *handler) sectionAlbums(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	c.query.Set("type", strconv.Itoa(typeNumbers["album"]))
	c.r.URL.RawQuery = c.query.Encode()
	h.queryItems(c, s, s.container)
}

// libraryAll serves GET /library/all?type=N[&filters]: the items of that type across the
// sections the caller can see, section by section. Without a type there is no result type
// ("a type parameter must be included", the spec's Field Scoping) and the list is empty.
func (h *handler) libraryAll(c *call) {
	filter, err := parseFilters(c.r.URL.RawQuery)
	sorts, serr := parseSort(c.query.Get("sort"))
	if err != nil || serr != nil {
		writeText(c, http.StatusBadRequest, "Bad Request: "+strings.TrimSpace(errText(err)+" "+errText(serr)))
		return
	}
	typ := ""
	if v := c.query.Get("type"); v != "" {
		t, ok := typeOfNumber(v)
		if !ok {
			writeText(c, http.StatusBadRequest, "Bad Request: type "+strconv.Quote(v)+" is no library type")
			return
		}
		typ = t
	}
	q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
	var keys []int
	for _, s := range h.visibleSections(c) {
		if typ != "" && slices.Contains(sectionTypes[s.Type], typ) {
			keys = append(keys, h.collect(q, s, typ, filter, sorts, -1)...)
		}
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier, MediaTagPrefix: "/system/bundle/media/flags/"}, keys, h.viewOf(c, false), nil)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// tagKinds are the tag types of /library/tags?type=N, with the names the model has for them.
var tagKinds = map[int]struct {
	kind  string
	names []string
}{
	1: {"genre", append(slices.Clone(genres[:]), musicGenres[:]...)},
	4: {"director", people[:]},
	5: {"writer", people[:]},
	6: {"role", people[:]},
	8: {"country", countries[:]},
}

type tagDir struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	ID      int      `json:"id" xml:"id,attr"`
	Filter  string   `json:"filter" xml:"filter,attr"`
	Tag     string   `json:"tag" xml:"tag,attr"`
	TagType int      `json:"tagType" xml:"tagType,attr"`
}

// libraryTags serves GET /library/tags?type=N: the tags of that type the library uses (the
// generated vocabulary, and those of items added to it).
func (h *handler) libraryTags(c *call) {
	n, err := strconv.Atoi(c.query.Get("type"))
	if v := c.query.Get("type"); v != "" && err != nil {
		writeText(c, http.StatusBadRequest, "Bad Request: type must be a tag type number (1 genre, 4 director, 5 writer, 6 actor, 8 country)")
		return
	}
	k := tagKinds[n] // no type, or one the model has no tags of: none
	names := slices.Clone(k.names)
	h.store.mu.RLock()
	for _, it := range h.store.static {
		names = append(names, map[string][]string{"genre": it.Genres, "director": it.Directors, "writer": it.Writers, "role": it.Roles, "country": it.Countries}[k.kind]...)
	}
	h.store.mu.RUnlock()
	slices.Sort(names)
	names = slices.Compact(names)
	writeDirectories(c, len(names), func(i int) any {
		id := tagID(names[i])
		return tagDir{ID: id, Filter: filterName(k.kind) + "=" + strconv.Itoa(id), Tag: names[i], TagType: n}
	})
}

// related returns up to n items like it: of its type, from its section, sharing its first
// genre, nearest after it in library order.
func (h *handler) related(c *call, it Item, n int) []int {
	s := h.store.Section(it.SectionKey)
	if s == nil || len(it.Genres) == 0 || n <= 0 {
		return nil
	}
	q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
	filter := &node{kids: []*node{{and: true, kids: []*node{{clause: &clause{field: fieldByKey["genre"], op: "=", values: []string{strconv.Itoa(tagID(it.Genres[0]))}}}}}}}
	var out []int
	h.scan(q, s, it.Type, filter, func(o Item) bool {
		if o.RatingKey != it.RatingKey {
			out = append(out, o.RatingKey)
		}
		return len(out) < n
	})
	return out
}

// similar serves GET /library/metadata/{ids}/similar[?count=N]: items like the first one.
func (h *handler) similar(c *call) {
	it, ok := h.parentFor(c)
	if !ok {
		return
	}
	n, ok := parseCount(c.query.Get("count"), 10)
	if !ok {
		writeText(c, http.StatusBadRequest, "Bad Request: count must be a whole number")
		return
	}
	h.listItems(c, metadataContainer{Identifier: libraryIdentifier}, h.related(c, it, min(n, 50)), h.viewOf(c, false), nil)
}

// relatedHubs serves GET /library/metadata/{ids}/related and /hubs/metadata/{id}/related: one
// hub of items like the item.
func (h *handler) relatedHubs(c *call) {
	it, ok := h.parentFor(c)
	if !ok {
		return
	}
	typ := wireType(it.Type)
	hb := h.makeHub(c, typ+".similar", "Related "+typeTitle[it.Type], typ, "/library/metadata/"+strconv.Itoa(it.RatingKey)+"/similar", h.related(c, it, hubItems+1))
	hb.Context = "hub." + typ + ".similar"
	h.writeHubs(c, []homeHub{hb})
}
