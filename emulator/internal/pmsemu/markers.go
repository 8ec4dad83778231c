package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Markers: the spans of a playable item a player skips or jumps to (plex-beyond-spec.md B.2,
// B.3): <Marker id type startTimeOffset endTimeOffset final> children of an item fetched with
// includeMarkers=1, and POST/PUT/DELETE /library/metadata/{id}/marker[/{marker}].
//
// Every episode has an intro and a credits marker, every movie a credits marker, computed from
// the item's rating key and duration as the rest of a generated item is (a million items cost
// nothing); an item's markers are stored, in Store.markers, only once a client changes them.

// Marker is one marker of an item. Times are milliseconds from the start.
type Marker struct {
	ID    int
	Type  string // intro, credits, commercial, bookmark, resume
	Start int
	End   int
}

// markerTypes are the types a marker has, in the order of the spec's enum of them (intro,
// commercial, bookmark, resume, credit): the spec types the type parameter of POST and PUT as
// an integer without saying which integer is which, so an integer is read as an index of
// that list (a choice, not a fact: clients seen send the name). A PMS writes "credits", which
// is also what the spec's own example shows; "credit" is taken as its alias.
var markerTypes = []string{"intro", "commercial", "bookmark", "resume", "credits"}

// markerVersion is the version attribute of the <Attributes> child of every marker: PMS's
// marker detection version, which python-plexapi's Marker reads from that child (and crashes
// without it).
const markerVersion = 5

// Marker ids: a computed marker of item rk is rk·4 (intro) or rk·4+1 (credits); a marker a
// client adds gets 4n+2, so no added id is ever a computed one.
func computedMarkers(it Item) []Marker {
	d := it.Duration
	if d <= 0 || it.Type != "episode" && it.Type != "movie" {
		return nil
	}
	h := mix(uint64(it.RatingKey), 0x6d61726b)
	var out []Marker
	if it.Type == "episode" {
		start := min((15+int(h%105))*1000, d/4) // after a cold open of up to two minutes
		out = append(out, Marker{ID: it.RatingKey * 4, Type: "intro", Start: start, End: min(start+(30+int(h>>8%60))*1000, d)})
	}
	credits := (60 + int(h>>16%120)) * 1000
	if it.Type == "movie" {
		credits = (180 + int(h>>24%420)) * 1000
	}
	out = append(out, Marker{ID: it.RatingKey*4 + 1, Type: "credits", Start: max(d-credits, d/2), End: d})
	return out
}

// Markers returns item rk's markers, ordered by start; ok is false when there is no item rk.
func (st *Store) Markers(rk int) ([]Marker, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	it, ok := st.rawOpt(rk, false)
	if !ok {
		return nil, false
	}
	return st.markersLocked(it), true
}

func (st *Store) markersLocked(it Item) []Marker {
	if ms, ok := st.markers[it.RatingKey]; ok {
		return slices.Clone(ms)
	}
	return computedMarkers(it)
}

// EditMarkers changes item rk's markers for everyone: edit gets the item, a copy of its
// markers and a function that reserves a new marker id, and returns the markers to keep, or
// false to change nothing. A change is published as an edit of the item. exists is false when
// there is no item rk.
func (st *Store) EditMarkers(rk int, edit func(it Item, ms []Marker, newID func() int) ([]Marker, bool)) (exists, changed bool) {
	now := st.now()
	st.mu.Lock()
	it, ok := st.rawOpt(rk, false)
	if !ok {
		st.mu.Unlock()
		return false, false
	}
	newID := func() int {
		st.nextMark++
		return st.nextMark*4 + 2
	}
	ms, changed := edit(it, st.markersLocked(it), newID)
	if changed {
		slices.SortStableFunc(ms, func(a, b Marker) int { return a.Start - b.Start })
		st.markers[rk] = ms
	}
	st.mu.Unlock()
	if changed {
		st.publish(Event{Kind: EventEdited, SectionKey: it.SectionKey, RatingKey: rk, At: now})
	}
	return true, changed
}

// markerElem is a marker on the wire. Final marks the last credits marker, the one that runs
// to the end, as a PMS does.
type markerElem struct {
	XMLName         xml.Name     `json:"-" xml:"Marker"`
	ID              int          `json:"id" xml:"id,attr"`
	Type            string       `json:"type" xml:"type,attr"`
	StartTimeOffset int          `json:"startTimeOffset" xml:"startTimeOffset,attr"`
	EndTimeOffset   int          `json:"endTimeOffset" xml:"endTimeOffset,attr"`
	Final           xbool        `json:"final,omitempty" xml:"final,attr,omitempty"`
	Attributes      markerAttrib `json:"Attributes" xml:"Attributes"`
}

type markerAttrib struct {
	ID      int `json:"id" xml:"id,attr"`
	Version int `json:"version" xml:"version,attr"`
}

// wireMarkers renders ms.
func wireMarkers(ms []Marker) []markerElem {
	last := -1
	for i, m := range ms {
		if m.Type == "credits" && (last < 0 || m.Start >= ms[last].Start) {
			last = i
		}
	}
	out := make([]markerElem, len(ms))
	for i, m := range ms {
		out[i] = markerElem{ID: m.ID, Type: m.Type, StartTimeOffset: m.Start, EndTimeOffset: m.End,
			Final: xbool(i == last), Attributes: markerAttrib{ID: m.ID, Version: markerVersion}}
	}
	return out
}

// markerItem returns the item of a marker request (/library/metadata/{id}/marker…), writing
// 404 when the caller cannot see it, and whether the caller may change its markers: the spec
// lets shared users call the marker operations ("for this user"), but markers are the
// server's, edited by its admin, so a shared user's change gets the spec's empty answer and
// changes nothing, as an edit of an item's fields does (sectionedit.go).
func (h *handler) markerItem(c *call) (Item, bool) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return Item{}, false
	}
	if c.caller.Role != RoleAdmin {
		serveEmpty(c, c.op)
		return Item{}, false
	}
	return it, true
}

// markerParams reads type, startTimeOffset and endTimeOffset; end is -1 when absent. It
// writes 400 and returns ok false for a missing or bad value.
func markerParams(c *call) (typ string, start, end int, ok bool) {
	bad := func(msg string) (string, int, int, bool) {
		writeText(c, http.StatusBadRequest, "Bad Request: "+msg)
		return "", 0, 0, false
	}
	typ = parseMarkerType(c.query.Get("type"))
	if typ == "" {
		return bad("type must be one of " + strings.Join(markerTypes, ", ") + ", got " + strconv.Quote(c.query.Get("type")))
	}
	start, err := strconv.Atoi(c.query.Get("startTimeOffset"))
	if err != nil || start < 0 {
		return bad("startTimeOffset must be a number of milliseconds, got " + strconv.Quote(c.query.Get("startTimeOffset")))
	}
	end = -1
	if v := c.query.Get("endTimeOffset"); v != "" {
		if end, err = strconv.Atoi(v); err != nil || end < 0 {
			return bad("endTimeOffset must be a number of milliseconds, got " + strconv.Quote(v))
		}
	}
	return typ, start, end, true
}

// markerWrite reads a POST or PUT of a marker: its item (markerItem) and its parameters
// (markerParams); ok is false when the answer is written.
func (h *handler) markerWrite(c *call) (it Item, typ string, start, end int, ok bool) {
	if it, ok = h.markerItem(c); !ok {
		return
	}
	typ, start, end, ok = markerParams(c)
	return
}

func parseMarkerType(v string) string {
	if v == "credit" {
		return "credits"
	}
	if slices.Contains(markerTypes, v) {
		return v
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(markerTypes) {
		return markerTypes[n]
	}
	return ""
}

// spanOK reports whether start–end is a span of an item of duration d (0: unknown): it may be
// a point (a bookmark), not run backwards, and not end after the item does.
func spanOK(start, end, d int) bool { return end >= start && (d <= 0 || end <= d) }

// writeMarker answers with the one marker m, as a PMS answers POST and PUT.
func (h *handler) writeMarker(c *call, it Item, id int) {
	ms, _ := h.store.Markers(it.RatingKey)
	i := slices.IndexFunc(ms, func(m Marker) bool { return m.ID == id })
	if i < 0 { // deleted meanwhile
		writeError(c.w, http.StatusNotFound)
		return
	}
	el := wireMarkers(ms)[i]
	list{head: metadataContainer{Size: 1}, childKey: "Marker", n: 1, child: func(int) any { return el }}.write(c.w, c.json)
}

// addMarker serves POST /library/metadata/{id}/marker?type=&startTimeOffset=&endTimeOffset=:
// a new marker with a new id, answered. Without endTimeOffset the marker is a point (as a
// bookmark is); a span that runs backwards or past the item's end is 400.
func (h *handler) addMarker(c *call) {
	it, typ, start, end, ok := h.markerWrite(c)
	if !ok {
		return
	}
	if end < 0 {
		end = start
	}
	if !spanOK(start, end, it.Duration) {
		writeText(c, http.StatusBadRequest, "Bad Request: the span "+strconv.Itoa(start)+"–"+strconv.Itoa(end)+" ms is not within the item")
		return
	}
	id := 0
	exists, _ := h.store.EditMarkers(it.RatingKey, func(_ Item, ms []Marker, newID func() int) ([]Marker, bool) {
		id = newID()
		return append(ms, Marker{ID: id, Type: typ, Start: start, End: end}), true
	})
	if !exists {
		writeError(c.w, http.StatusNotFound)
		return
	}
	h.writeMarker(c, it, id)
}

// markerID is the {marker} path segment.
func markerID(c *call) int {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, 4))
	if err != nil {
		return -1
	}
	return id
}

// editMarker serves PUT /library/metadata/{id}/marker/{marker}: type and startTimeOffset as
// POST takes them, endTimeOffset kept when absent; an unknown marker is 404.
func (h *handler) editMarker(c *call) {
	it, typ, start, end, ok := h.markerWrite(c)
	if !ok {
		return
	}
	id, status := markerID(c), http.StatusNotFound
	h.store.EditMarkers(it.RatingKey, func(it Item, ms []Marker, _ func() int) ([]Marker, bool) {
		i := slices.IndexFunc(ms, func(m Marker) bool { return m.ID == id })
		if i < 0 {
			return nil, false
		}
		e := end
		if e < 0 {
			e = ms[i].End
		}
		if !spanOK(start, e, it.Duration) {
			status = http.StatusBadRequest
			return nil, false
		}
		ms[i] = Marker{ID: id, Type: typ, Start: start, End: e}
		status = http.StatusOK
		return ms, true
	})
	switch status {
	case http.StatusOK:
		h.writeMarker(c, it, id)
	case http.StatusBadRequest:
		writeText(c, status, "Bad Request: the span is not within the item")
	default:
		writeError(c.w, status)
	}
}

// deleteMarker serves DELETE /library/metadata/{id}/marker/{marker}; an unknown marker is 404.
func (h *handler) deleteMarker(c *call) {
	it, ok := h.markerItem(c)
	if !ok {
		return
	}
	id := markerID(c)
	_, changed := h.store.EditMarkers(it.RatingKey, func(_ Item, ms []Marker, _ func() int) ([]Marker, bool) {
		n := len(ms)
		ms = slices.DeleteFunc(ms, func(m Marker) bool { return m.ID == id })
		return ms, len(ms) < n
	})
	if !changed {
		writeError(c.w, http.StatusNotFound)
		return
	}
	done(c)
}
