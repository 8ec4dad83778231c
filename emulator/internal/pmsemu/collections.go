package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
)

// A collection groups items of one section for everyone who sees the section. Its items carry
// its title as a Collection tag (so collection= filters find them); a smart collection keeps a
// query instead and runs it when read.
type collection struct {
	id                 int
	section            *Section
	title, subtype     string
	smart              bool
	src                source
	keys               []int // a plain collection's items, by rating key
	addedAt, updatedAt int64
}

type collectionElement struct {
	XMLName             xml.Name `json:"-" xml:"Directory"`
	RatingKey           string   `json:"ratingKey" xml:"ratingKey,attr"`
	Key                 string   `json:"key" xml:"key,attr"`
	GUID                string   `json:"guid" xml:"guid,attr"`
	Type                string   `json:"type" xml:"type,attr"`
	Subtype             string   `json:"subtype" xml:"subtype,attr"`
	Title               string   `json:"title" xml:"title,attr"`
	Smart               xbool    `json:"smart" xml:"smart,attr"`
	ChildCount          int      `json:"childCount" xml:"childCount,attr"`
	LibrarySectionID    int      `json:"librarySectionID" xml:"librarySectionID,attr"`
	LibrarySectionTitle string   `json:"librarySectionTitle" xml:"librarySectionTitle,attr"`
	LibrarySectionKey   string   `json:"librarySectionKey" xml:"librarySectionKey,attr"`
	AddedAt             int64    `json:"addedAt" xml:"addedAt,attr"`
	UpdatedAt           int64    `json:"updatedAt" xml:"updatedAt,attr"`
}

// collectionKeys returns the collection's items now.
func (l *lists) collectionKeys(c *call, col *collection) []int {
	if col.smart {
		keys, _ := l.run(c, col.section, col.src.query)
		return keys
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(col.keys)
}

func (l *lists) collectionElement(c *call, col *collection) collectionElement {
	n := len(l.collectionKeys(c, col))
	l.mu.Lock()
	defer l.mu.Unlock()
	id := strconv.Itoa(col.id)
	secID, _ := strconv.Atoi(col.section.Key)
	return collectionElement{
		RatingKey: id, Key: "/library/collections/" + id + "/children",
		GUID: "collection://" + l.h.cfg.MachineIdentifier + "/" + id, Type: "collection",
		Subtype: col.subtype, Title: col.title, Smart: xbool(col.smart), ChildCount: n,
		LibrarySectionID: secID, LibrarySectionTitle: col.section.Title,
		LibrarySectionKey: "/library/sections/" + col.section.Key,
		AddedAt:           col.addedAt, UpdatedAt: col.updatedAt,
	}
}

func (l *lists) writeCollections(c *call, cols []*collection) {
	list{head: metadataContainer{Size: len(cols)}, childKey: "Metadata", n: len(cols), child: func(i int) any {
		return l.collectionElement(c, cols[i])
	}}.write(c.w, c.json)
}

// collectionOf returns the collection in path segment seg if the caller sees its section, or
// answers 404 and returns nil.
func (l *lists) collectionOf(c *call, seg int) *collection {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, seg))
	l.mu.Lock()
	col := l.collections[id]
	l.mu.Unlock()
	if err != nil || col == nil || !c.canSee(col.section) {
		writeError(c.w, http.StatusNotFound)
		return nil
	}
	return col
}

// tag adds (or removes) the collection's title to the Collection tags of keys.
func (l *lists) tag(col *collection, keys []int, add bool) {
	for _, rk := range keys {
		l.h.store.Edit(rk, func(it *Item) {
			it.Collections = slices.DeleteFunc(it.Collections, func(t string) bool { return t == col.title })
			if add {
				it.Collections = append(it.Collections, col.title)
			}
		})
	}
}

// collectionCreate serves POST /library/collections?sectionId=&title=&smart=0|1&uri=&type=.
func (l *lists) collectionCreate(c *call) {
	sec := l.h.store.Section(c.query.Get("sectionId"))
	title := c.query.Get("title")
	if sec == nil || !c.canSee(sec) || title == "" {
		writeText(c, http.StatusBadRequest, "sectionId of a section and title are required")
		return
	}
	col := &collection{section: sec, title: title, smart: c.query.Get("smart") == "1", subtype: sectionTypes[sec.Type][0]}
	if t, ok := typeOfNumber(c.query.Get("type")); ok {
		col.subtype = t
	}
	if uri := c.query.Get("uri"); uri != "" {
		src, err := l.parseURI(c, uri)
		switch {
		case err != nil:
			writeText(c, http.StatusBadRequest, err.Error())
			return
		case col.smart && src.section != sec, !col.smart && src.section != nil:
			writeText(c, http.StatusBadRequest, "uri: a smart collection takes a query of its section, a plain one items")
			return
		case col.smart:
			col.src = src
		default:
			col.keys = src.keys
		}
	}
	now := l.h.cfg.Now().Unix()
	col.addedAt, col.updatedAt = now, now
	col.id = l.h.store.NewRatingKey()
	l.mu.Lock()
	l.collections[col.id] = col
	l.mu.Unlock()
	l.tag(col, col.keys, true)
	l.writeCollections(c, []*collection{col})
}

// inSection returns the collections of sec, oldest first.
func (l *lists) inSection(sec *Section) []*collection {
	l.mu.Lock()
	var cols []*collection
	for _, col := range l.collections {
		if col.section == sec {
			cols = append(cols, col)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(cols, func(a, b *collection) int { return a.id - b.id })
	return cols
}

// collectionItems serves GET /library/collections/{id}/items (and …/children).
func (l *lists) collectionItems(c *call) {
	col := l.collectionOf(c, 2)
	if col == nil {
		return
	}
	keys := l.collectionKeys(c, col)
	start, size, ok := c.paging()
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	from, to := window(start, size, len(keys))
	setPagingHeaders(c.w, start, len(keys))
	total := len(keys)
	v := l.h.viewOf(c, false)
	list{head: metadataContainer{Size: to - from, TotalSize: &total, Offset: &start}, childKey: "Metadata", n: to - from, child: func(i int) any {
		m, _ := l.h.renderKey(keys[from+i], v)
		return m
	}}.write(c.w, c.json)
}

// changeCollection applies change to a plain collection and answers with it.
func (l *lists) changeCollection(c *call, change func(col *collection) (int, string)) {
	col := l.collectionOf(c, 2)
	if col == nil {
		return
	}
	if col.smart {
		writeText(c, http.StatusBadRequest, "a smart collection's items come from its query")
		return
	}
	if status, msg := change(col); status != 0 {
		writeText(c, status, msg)
		return
	}
	l.mu.Lock()
	col.updatedAt = l.h.cfg.Now().Unix()
	l.mu.Unlock()
	l.writeCollections(c, []*collection{col})
}

// collectionAdd serves PUT /library/collections/{id}/items?uri=: items of the collection's
// section are added once each.
func (l *lists) collectionAdd(c *call) {
	l.changeCollection(c, func(col *collection) (int, string) {
		src, err := l.parseURI(c, c.query.Get("uri"))
		if err == nil && src.section != nil {
			err = errBadURI
		}
		if err != nil {
			return http.StatusBadRequest, err.Error()
		}
		var added []int
		l.mu.Lock()
		for _, rk := range src.keys {
			if l.h.store.SectionOf(rk) == col.section && !slices.Contains(col.keys, rk) {
				col.keys = append(col.keys, rk)
				added = append(added, rk)
			}
		}
		l.mu.Unlock()
		l.tag(col, added, true)
		return 0, ""
	})
}

// collectionRemove serves PUT /library/collections/{id}/items/{ratingKey}: the item leaves.
func (l *lists) collectionRemove(c *call) {
	rk, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 4))
	l.changeCollection(c, func(col *collection) (int, string) {
		l.mu.Lock()
		i := slices.Index(col.keys, rk)
		if i >= 0 {
			col.keys = slices.Delete(col.keys, i, i+1)
		}
		l.mu.Unlock()
		if i < 0 {
			return http.StatusNotFound, "no item " + strconv.Itoa(rk) + " in the collection"
		}
		l.tag(col, []int{rk}, false)
		return 0, ""
	})
}

// collectionMove serves PUT /library/collections/{id}/items/{ratingKey}/move[?after=ratingKey].
func (l *lists) collectionMove(c *call) {
	rk, _ := strconv.Atoi(pathSegment(c.r.URL.Path, 4))
	after, _ := strconv.Atoi(c.query.Get("after"))
	l.changeCollection(c, func(col *collection) (int, string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		es := make([]entry, len(col.keys))
		for i, k := range col.keys {
			es[i] = entry{id: k, rk: k}
		}
		es, ok := moveAfter(es, rk, after)
		if !ok {
			return http.StatusNotFound, "no such item in the collection"
		}
		for i, e := range es {
			col.keys[i] = e.rk
		}
		return 0, ""
	})
}

// collectionDelete serves DELETE /library/sections/{sectionId}/collection/{collectionId}.
func (l *lists) collectionDelete(c *call) {
	col := l.collectionOf(c, 4)
	if col == nil || pathSegment(c.r.URL.Path, 2) != col.section.Key {
		if col != nil {
			writeError(c.w, http.StatusNotFound)
		}
		return
	}
	l.deleteCollection(col)
	writeOK(c)
}

// collectionAt returns the collection whose rating key is the whole of path segment 2 (as in
// /library/metadata/{id}) if c's caller sees its section, else nil.
func (l *lists) collectionAt(c *call) *collection {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, 2))
	if err != nil {
		return nil
	}
	l.mu.Lock()
	col := l.collections[id]
	l.mu.Unlock()
	if col == nil || !c.canSee(col.section) {
		return nil
	}
	return col
}

// asMetadata extends the library's GET and DELETE /library/metadata/{id} to collections, which
// are library items on a PMS (python-plexapi reloads and deletes them there); any other id goes
// to the library's own handlers, get and del.
func (l *lists) asMetadata(get, del func(*call)) (func(*call), func(*call)) {
	return func(c *call) {
			if col := l.collectionAt(c); col != nil {
				l.writeCollections(c, []*collection{col})
				return
			}
			get(c)
		}, func(c *call) {
			if col := l.collectionAt(c); col != nil {
				l.deleteCollection(col)
				serveEmpty(c, "libraryMetadataDeleteSlash")
				return
			}
			del(c)
		}
}

func (l *lists) deleteCollection(col *collection) {
	l.mu.Lock()
	delete(l.collections, col.id)
	keys := col.keys
	l.mu.Unlock()
	l.tag(col, keys, false)
}
