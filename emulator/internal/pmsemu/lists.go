package pmsemu

import (
	"encoding/xml"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// Playlists, play queues and collections: ordered lists of library items that clients make.
// They live beside the media model, not in it: the model holds what the library is, a list
// holds rating keys of it, and every item is rendered from the model when the list is read, so
// an edit or a watch shows in every list that holds the item.

// maxListItems bounds a list made from a query or a whole section, as a PMS bounds a play queue
// made from a directory: a million-item section makes a list of its first maxListItems items.
const maxListItems = 10_000

// lists holds the server's playlists, play queues and collections.
type lists struct {
	h *handler

	mu          sync.Mutex
	playlists   map[int]*playlist   // by rating key
	queues      map[int]*playQueue  // by playQueueID
	collections map[int]*collection // by rating key
	nextQueueID int
	nextEntryID int // playlistItemID, playQueueItemID and collection entry ids: one sequence
}

func newLists(h *handler) *lists {
	return &lists{
		h:           h,
		playlists:   map[int]*playlist{},
		queues:      map[int]*playQueue{},
		collections: map[int]*collection{},
		nextQueueID: 1,
		nextEntryID: 1,
	}
}

// entry is one item of a list: the item's rating key and the entry's own id (playlistItemID,
// playQueueItemID), which stays the same when the list is reordered.
type entry struct {
	id, rk int
}

// newEntriesLocked gives each of keys an entry id. Called with l.mu held.
func (l *lists) newEntriesLocked(keys []int) []entry {
	out := make([]entry, len(keys))
	for i, rk := range keys {
		out[i] = entry{id: l.nextEntryID, rk: rk}
		l.nextEntryID++
	}
	return out
}

// errBadURI and errNoItems explain a uri that cannot be read, or names nothing the caller sees.
var (
	errBadURI  = errors.New("uri: want server://<machine>/com.plexapp.plugins.library/library/metadata/<ids> or …/library/sections/<id>/all?<query>")
	errNoItems = errors.New("uri: names no item you can see")
)

// source is what a uri names: rating keys, or (smart) a query over a section.
type source struct {
	keys    []int
	section *Section
	query   string // raw query of /library/sections/{id}/all, for a smart list
}

// parseURI reads the uri of a list or play queue. The forms clients send:
//
//	server://<machine>/com.plexapp.plugins.library/library/metadata/1,2,3
//	library:///directory/%2Flibrary%2Fmetadata%2F1%2C2          (@ctrl/plex play queues)
//	library://<section uuid>/item/library/metadata/1            (@ctrl/plex additions)
//	server://<machine>/com.plexapp.plugins.library/library/sections/1/all?type=1&year>>=2000
func (l *lists) parseURI(c *call, uri string) (source, error) {
	i := strings.Index(uri, "/library/")
	if i < 0 || strings.Contains(uri[:i], "%2F") {
		// The path is escaped after directory/ or item/.
		for _, marker := range []string{"/directory/", "/item/"} {
			if j := strings.Index(uri, marker); j >= 0 {
				rest, err := url.PathUnescape(uri[j+len(marker):])
				if err != nil {
					return source{}, errBadURI
				}
				uri = rest
				break
			}
		}
		if i = strings.Index(uri, "/library/"); i < 0 {
			return source{}, errBadURI
		}
	}
	path, query, _ := strings.Cut(uri[i:], "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(segs) >= 3 && segs[1] == "metadata":
		var keys []int
		for s := range strings.SplitSeq(segs[2], ",") {
			rk, ok := ParseRatingKey(s)
			if !ok {
				return source{}, errBadURI
			}
			if sec := l.h.store.SectionOf(rk); sec == nil || !c.canSee(sec) {
				return source{}, errNoItems
			}
			keys = append(keys, rk)
		}
		return source{keys: keys}, nil
	case len(segs) == 4 && segs[1] == "sections" && (segs[3] == "all" || segs[3] == "search"):
		sec := l.h.store.Section(segs[2])
		if sec == nil || !c.canSee(sec) {
			return source{}, errNoItems
		}
		return source{section: sec, query: query}, nil
	}
	return source{}, errBadURI
}

// leaves expands src to playable items, in order, as a play queue or a playlist holds them: a
// show to its episodes, an album to its tracks; a query is run as c's caller.
func (l *lists) leaves(c *call, src source) ([]int, error) {
	var keys []int
	if src.section != nil {
		var err error
		if keys, err = l.run(c, src.section, src.query); err != nil {
			return nil, err
		}
	} else {
		keys = src.keys
	}
	var out []int
	for _, rk := range keys {
		for _, leaf := range l.h.store.Leaves(rk) {
			if len(out) == maxListItems {
				return out, nil
			}
			out = append(out, leaf)
		}
	}
	if len(out) == 0 {
		return nil, errNoItems
	}
	return out, nil
}

// run evaluates a media query (the query string of /library/sections/{id}/all) over sec.
func (l *lists) run(c *call, sec *Section, rawQuery string) ([]int, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errors.New("uri: bad query: " + err.Error())
	}
	typ := sectionTypes[sec.Type][0]
	if v := q.Get("type"); v != "" {
		t, ok := typeOfNumber(v)
		if !ok {
			return nil, errors.New("uri: unknown type " + strconv.Quote(v))
		}
		typ = t
	}
	filter, err := parseFilters(rawQuery)
	if err != nil {
		return nil, errors.New("uri: " + err.Error())
	}
	sorts, err := parseSort(q.Get("sort"))
	if err != nil {
		return nil, errors.New("uri: " + err.Error())
	}
	limit, ok := parseCount(q.Get("limit"), maxListItems)
	if !ok || limit > maxListItems {
		limit = maxListItems
	}
	qc := &queryCtx{h: l.h, account: l.h.account(c), now: l.h.cfg.Now()}
	return l.h.collect(qc, sec, typ, filter, sorts, limit), nil
}

// listType is the playlist type of an item type: video, audio or photo.
func listType(itemType string) string {
	switch itemType {
	case "track", "album", "artist":
		return "audio"
	case "photo", "photoalbum":
		return "photo"
	}
	return "video"
}

// listedItem is an item as a list renders it: the item, plus its entry id under the list's
// attribute name (playlistItemID, playQueueItemID).
type listedItem struct {
	metadata
	PlaylistItemID  int `json:"playlistItemID,omitempty"`
	PlayQueueItemID int `json:"playQueueItemID,omitempty"`
}

// MarshalXML implements xml.Marshaler: the item's own element with the entry id added.
func (li listedItem) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if li.PlaylistItemID != 0 {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "playlistItemID"}, Value: strconv.Itoa(li.PlaylistItemID)})
	}
	if li.PlayQueueItemID != 0 {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "playQueueItemID"}, Value: strconv.Itoa(li.PlayQueueItemID)})
	}
	return li.metadata.MarshalXML(e, start)
}

// moveAfter moves the entry with id to just after the entry with id after (0: to the front).
// It reports false when either is not in es.
func moveAfter(es []entry, id, after int) ([]entry, bool) {
	from := indexOfEntry(es, id)
	if from < 0 || after == id {
		return es, from >= 0
	}
	e := es[from]
	es = append(es[:from:from], es[from+1:]...)
	to := 0
	if after != 0 {
		j := indexOfEntry(es, after)
		if j < 0 {
			return nil, false
		}
		to = j + 1
	}
	es = append(es[:to], append([]entry{e}, es[to:]...)...)
	return es, true
}

func indexOfEntry(es []entry, id int) int {
	for i, e := range es {
		if e.id == id {
			return i
		}
	}
	return -1
}

func removeEntry(es []entry, id int) ([]entry, bool) {
	i := indexOfEntry(es, id)
	if i < 0 {
		return es, false
	}
	return append(es[:i:i], es[i+1:]...), true
}
