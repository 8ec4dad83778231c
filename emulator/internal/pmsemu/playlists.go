package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
)

// A playlist belongs to the account that made it, as on Plex: each account lists and opens
// only its own. A smart playlist keeps its query and runs it whenever it is read.
type playlist struct {
	id, owner          int // rating key; server-local account id
	title, summary     string
	kind               string // playlistType: video, audio, photo
	smart              bool
	src                source  // a smart playlist's query
	uri                string  // a smart playlist's uri, as given
	entries            []entry // a plain playlist's items
	addedAt, updatedAt int64
}

// playlistElement is a playlist as lists and its own page render it.
type playlistElement struct {
	XMLName      xml.Name `json:"-" xml:"Playlist"`
	RatingKey    string   `json:"ratingKey" xml:"ratingKey,attr"`
	Key          string   `json:"key" xml:"key,attr"`
	GUID         string   `json:"guid" xml:"guid,attr"`
	Type         string   `json:"type" xml:"type,attr"`
	Title        string   `json:"title" xml:"title,attr"`
	Summary      string   `json:"summary" xml:"summary,attr"`
	Smart        xbool    `json:"smart" xml:"smart,attr"`
	PlaylistType string   `json:"playlistType" xml:"playlistType,attr"`
	Composite    string   `json:"composite" xml:"composite,attr"`
	Icon         string   `json:"icon,omitempty" xml:"icon,attr,omitempty"`
	LeafCount    int      `json:"leafCount" xml:"leafCount,attr"`
	Duration     int      `json:"duration" xml:"duration,attr"`
	AddedAt      int64    `json:"addedAt" xml:"addedAt,attr"`
	UpdatedAt    int64    `json:"updatedAt" xml:"updatedAt,attr"`
}

// playlistItemsContainer heads GET /playlists/{id}/items: the playlist's own attributes on the
// container, as a PMS writes them, and paging.
type playlistItemsContainer struct {
	XMLName      xml.Name `json:"-" xml:"MediaContainer"`
	Size         int      `json:"size" xml:"size,attr"`
	TotalSize    int      `json:"totalSize" xml:"totalSize,attr"`
	Offset       int      `json:"offset" xml:"offset,attr"`
	RatingKey    string   `json:"ratingKey" xml:"ratingKey,attr"`
	Key          string   `json:"key" xml:"key,attr"`
	Title        string   `json:"title" xml:"title,attr"`
	Smart        xbool    `json:"smart" xml:"smart,attr"`
	PlaylistType string   `json:"playlistType" xml:"playlistType,attr"`
	Composite    string   `json:"composite" xml:"composite,attr"`
	LeafCount    int      `json:"leafCount" xml:"leafCount,attr"`
	Duration     int      `json:"duration" xml:"duration,attr"`
}

// playlistEntries returns the playlist's entries now: a plain one's stored entries, or a smart
// one's query run as c's caller (entries without ids: items of a smart playlist are not
// removed or moved one by one).
func (l *lists) playlistEntries(c *call, p *playlist) []entry {
	if !p.smart {
		l.mu.Lock()
		defer l.mu.Unlock()
		return slices.Clone(p.entries)
	}
	l.mu.Lock()
	src := p.src
	l.mu.Unlock()
	keys, _ := l.leaves(c, src)
	out := make([]entry, len(keys))
	for i, rk := range keys {
		out[i] = entry{rk: rk}
	}
	return out
}

func (l *lists) playlistElement(c *call, p *playlist) playlistElement {
	es := l.playlistEntries(c, p)
	dur := 0
	for _, e := range es {
		if it, ok := l.h.store.Item(e.rk); ok {
			dur += it.Duration
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	id := strconv.Itoa(p.id)
	el := playlistElement{
		RatingKey: id, Key: "/playlists/" + id + "/items", Type: "playlist",
		GUID:  "com.plexapp.agents.none://" + l.h.cfg.MachineIdentifier + "/" + id,
		Title: p.title, Summary: p.summary, Smart: xbool(p.smart), PlaylistType: p.kind,
		Composite: "/playlists/" + id + "/composite/" + strconv.FormatInt(p.updatedAt, 10),
		LeafCount: len(es), Duration: dur, AddedAt: p.addedAt, UpdatedAt: p.updatedAt,
	}
	if p.smart {
		el.Icon = "playlist://image.smart"
	}
	return el
}

// playlistOf returns the playlist in path segment seg of c's path if it is the caller's, or
// answers 404 and returns nil.
func (l *lists) playlistOf(c *call, seg int) *playlist {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, seg))
	l.mu.Lock()
	p := l.playlists[id]
	l.mu.Unlock()
	if err != nil || p == nil || p.owner != l.h.account(c) {
		writeError(c.w, http.StatusNotFound)
		return nil
	}
	return p
}

func (l *lists) writePlaylists(c *call, ps []*playlist) {
	list{head: metadataContainer{Size: len(ps)}, childKey: "Metadata", n: len(ps), child: func(i int) any {
		return l.playlistElement(c, ps[i])
	}}.write(c.w, c.json)
}

// playlistsList serves GET /playlists[?playlistType=&smart=0|1]: the caller's playlists.
func (l *lists) playlistsList(c *call) {
	me := l.h.account(c)
	kind, smart := c.query.Get("playlistType"), c.query.Get("smart")
	l.mu.Lock()
	var ps []*playlist
	for _, p := range l.playlists {
		if p.owner == me && (kind == "" || kind == p.kind) && (smart == "" || (smart == "1") == p.smart) {
			ps = append(ps, p)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(ps, func(a, b *playlist) int { return a.id - b.id })
	l.writePlaylists(c, ps)
}

// playlistCreate serves POST /playlists?type=&title=&smart=0|1&uri= (or playQueueID=): a
// playlist of the items the uri names, or a smart one that keeps the uri's query.
func (l *lists) playlistCreate(c *call) {
	// The spec lists only uri and playQueueID; clients send title, type and smart too. A
	// playlist without a title is made with an empty one.
	p := &playlist{owner: l.h.account(c), title: c.query.Get("title"), smart: c.query.Get("smart") == "1"}
	var keys []int
	switch {
	case c.query.Get("uri") != "":
		src, err := l.parseURI(c, c.query.Get("uri"))
		if err == nil && p.smart && src.section == nil {
			err = errBadURI
		}
		if err == nil {
			keys, err = l.leaves(c, src)
		}
		if err != nil {
			writeText(c, http.StatusBadRequest, err.Error())
			return
		}
		if p.smart {
			p.src, p.uri = src, c.query.Get("uri")
		}
	case c.query.Get("playQueueID") != "" && !p.smart:
		q := l.queueByID(c, c.query.Get("playQueueID"))
		if q == nil {
			writeText(c, http.StatusBadRequest, "playQueueID: no such play queue")
			return
		}
		l.mu.Lock()
		for _, e := range q.entries {
			keys = append(keys, e.rk)
		}
		l.mu.Unlock()
	default:
		writeText(c, http.StatusBadRequest, "uri or playQueueID is required")
		return
	}
	if len(keys) == 0 {
		writeText(c, http.StatusBadRequest, errNoItems.Error())
		return
	}
	p.kind = c.query.Get("type")
	first, _ := l.h.store.Item(keys[0])
	if p.kind == "" {
		p.kind = listType(first.Type)
	}
	if p.kind != "video" && p.kind != "audio" && p.kind != "photo" {
		writeText(c, http.StatusBadRequest, "type must be video, audio or photo")
		return
	}
	now := l.h.cfg.Now().Unix()
	p.addedAt, p.updatedAt = now, now
	p.id = l.h.store.NewRatingKey()
	l.mu.Lock()
	if !p.smart {
		p.entries = l.newEntriesLocked(keys)
	}
	l.playlists[p.id] = p
	l.mu.Unlock()
	l.writePlaylists(c, []*playlist{p})
}

// playlistGet serves GET /playlists/{id}.
func (l *lists) playlistGet(c *call) {
	if p := l.playlistOf(c, 1); p != nil {
		l.writePlaylists(c, []*playlist{p})
	}
}

// playlistEdit serves PUT /playlists/{id}?title=&summary=: 204.
func (l *lists) playlistEdit(c *call) {
	p := l.playlistOf(c, 1)
	if p == nil {
		return
	}
	l.mu.Lock()
	if v, ok := c.query["title"]; ok && v[0] != "" {
		p.title = v[0]
	}
	if v, ok := c.query["summary"]; ok {
		p.summary = v[0]
	}
	p.updatedAt = l.h.cfg.Now().Unix()
	l.mu.Unlock()
	writeStatus(c, http.StatusNoContent)
}

// playlistDelete serves DELETE /playlists/{id}: 204.
func (l *lists) playlistDelete(c *call) {
	p := l.playlistOf(c, 1)
	if p == nil {
		return
	}
	l.mu.Lock()
	delete(l.playlists, p.id)
	l.mu.Unlock()
	writeStatus(c, http.StatusNoContent)
}

// playlistItems serves GET /playlists/{id}/items, paged.
func (l *lists) playlistItems(c *call) {
	p := l.playlistOf(c, 1)
	if p == nil {
		return
	}
	start, size, ok := c.paging()
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	el := l.playlistElement(c, p)
	es := l.playlistEntries(c, p)
	from, to := window(start, size, len(es))
	setPagingHeaders(c.w, start, len(es))
	v := l.h.viewOf(c, false)
	head := playlistItemsContainer{
		Size: to - from, TotalSize: len(es), Offset: start, RatingKey: el.RatingKey, Key: el.Key,
		Title: el.Title, Smart: el.Smart, PlaylistType: el.PlaylistType, Composite: el.Composite,
		LeafCount: el.LeafCount, Duration: el.Duration,
	}
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		e := es[from+i]
		m, _ := l.h.renderKey(e.rk, v)
		return listedItem{metadata: m, PlaylistItemID: e.id}
	}}.write(c.w, c.json)
}

// changePlaylist applies change to a plain playlist of c's caller and answers with the
// playlist; a smart playlist cannot be changed item by item (400).
func (l *lists) changePlaylist(c *call, change func(p *playlist) (status int, msg string)) {
	p := l.playlistOf(c, 1)
	if p == nil {
		return
	}
	if p.smart {
		writeText(c, http.StatusBadRequest, "a smart playlist's items come from its query")
		return
	}
	status, msg := change(p)
	if status != 0 {
		writeText(c, status, msg)
		return
	}
	l.mu.Lock()
	p.updatedAt = l.h.cfg.Now().Unix()
	l.mu.Unlock()
	l.writePlaylists(c, []*playlist{p})
}

// playlistAdd serves PUT /playlists/{id}/items?uri= (or playQueueID=): the items are appended;
// to a smart playlist, the uri is its new query (python-plexapi's updateFilters).
func (l *lists) playlistAdd(c *call) {
	if p := l.playlistOf(c, 1); p == nil {
		return
	} else if p.smart {
		src, err := l.parseURI(c, c.query.Get("uri"))
		if err == nil && src.section == nil {
			err = errBadURI
		}
		if err != nil {
			writeText(c, http.StatusBadRequest, err.Error())
			return
		}
		l.mu.Lock()
		p.src, p.uri, p.updatedAt = src, c.query.Get("uri"), l.h.cfg.Now().Unix()
		l.mu.Unlock()
		l.writePlaylists(c, []*playlist{p})
		return
	}
	l.changePlaylist(c, func(p *playlist) (int, string) {
		var keys []int
		if pq := c.query.Get("playQueueID"); pq != "" {
			q := l.queueByID(c, pq)
			if q == nil {
				return http.StatusBadRequest, "playQueueID: no such play queue"
			}
			l.mu.Lock()
			for _, e := range q.entries {
				keys = append(keys, e.rk)
			}
			l.mu.Unlock()
		} else {
			src, err := l.parseURI(c, c.query.Get("uri"))
			if err == nil {
				keys, err = l.leaves(c, src)
			}
			if err != nil {
				return http.StatusBadRequest, err.Error()
			}
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		p.entries = append(p.entries, l.newEntriesLocked(keys)...)
		return 0, ""
	})
}

// playlistClear serves DELETE /playlists/{id}/items.
func (l *lists) playlistClear(c *call) {
	l.changePlaylist(c, func(p *playlist) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		p.entries = nil
		return 0, ""
	})
}

// playlistRemove serves DELETE /playlists/{id}/items/{playlistItemID} (the spec calls the id a
// generator's; for a plain playlist it is the item's playlistItemID, as clients send it).
func (l *lists) playlistRemove(c *call) {
	id, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	l.changePlaylist(c, func(p *playlist) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		var ok bool
		if p.entries, ok = removeEntry(p.entries, id); !ok {
			return http.StatusNotFound, "no item " + strconv.Itoa(id) + " in the playlist"
		}
		return 0, ""
	})
}

// playlistMove serves PUT /playlists/{id}/items/{playlistItemID}/move[?after=playlistItemID]:
// the item moves after the other, or to the front.
func (l *lists) playlistMove(c *call) {
	id, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	after, _ := strconv.Atoi(c.query.Get("after"))
	l.changePlaylist(c, func(p *playlist) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		es, ok := moveAfter(slices.Clone(p.entries), id, after)
		if !ok {
			return http.StatusNotFound, "no such item in the playlist"
		}
		p.entries = es
		return 0, ""
	})
}
