package pmsemu

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Writes to the model: watch state and ratings (per account), edits and deletions (for
// everyone), section refreshes and history.

// keyParam returns the item the key= parameter (or the rating key at the end of a
// server://…/library/metadata/{id} uri=) names, if the caller can see it. It writes 400 for a
// missing or malformed key and 404 for an item that is not there.
func (h *handler) keyParam(c *call) (Item, bool) {
	key := c.query.Get("key")
	if key == "" {
		if uri := c.query.Get("uri"); uri != "" {
			key = uri[strings.LastIndexByte(uri, '/')+1:]
		}
	}
	if _, ok := ParseRatingKey(key); !ok {
		writeText(c, http.StatusBadRequest, "Bad Request: key must be the ratingKey of an item, got "+strconv.Quote(key))
		return Item{}, false
	}
	it, ok := h.visibleItem(c, key)
	if !ok {
		writeError(c.w, http.StatusNotFound)
	}
	return it, ok
}

// done answers a write that succeeded: with the empty answer the spec gives the operation, or
// 200 with an empty body.
func done(c *call) {
	if _, ok := emptyAnswers[c.op]; ok {
		serveEmpty(c, c.op)
		return
	}
	writeOK(c)
}

// scrobble serves /:/scrobble (PUT, and GET as clients send it): marks the item, or every leaf
// of a show, season, artist or album, watched for the caller. No history row is added.
func (h *handler) scrobble(c *call) {
	if it, ok := h.keyParam(c); ok {
		h.store.Scrobble(h.account(c), it.RatingKey)
		done(c)
	}
}

// unscrobble serves /:/unscrobble: marks the item unwatched for the caller.
func (h *handler) unscrobble(c *call) {
	if it, ok := h.keyParam(c); ok {
		h.store.Unscrobble(h.account(c), it.RatingKey)
		done(c)
	}
}

// rate serves /:/rate?key=&rating=0..10 (-1 clears the rating).
func (h *handler) rate(c *call) {
	rating, err := strconv.ParseFloat(c.query.Get("rating"), 64)
	if err != nil || rating > 10 || rating < 0 && rating != -1 {
		writeText(c, http.StatusBadRequest, "Bad Request: rating must be between 0 and 10, or -1 to clear it, got "+strconv.Quote(c.query.Get("rating")))
		return
	}
	if it, ok := h.keyParam(c); ok {
		h.store.Rate(h.account(c), it.RatingKey, rating)
		done(c)
	}
}

// refreshSection serves POST (and GET) /library/sections/{id}/refresh: a scan, which here only
// moves the section's scannedAt, and DELETE, which cancels one (nothing to cancel).
func (h *handler) refreshSection(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	if c.r.Method != http.MethodDelete {
		h.store.RefreshSection(s.Key)
	}
	done(c)
}

// refreshAll serves POST /library/sections/refresh and GET /library/sections/all/refresh: a
// scan of every section; DELETE /library/sections/all/refresh cancels (nothing to cancel).
func (h *handler) refreshAll(c *call) {
	if c.r.Method != http.MethodDelete {
		for _, s := range h.store.Sections() {
			h.store.RefreshSection(s.Key)
		}
	}
	done(c)
}

// historyEntry serves GET /status/sessions/history/{id}.
func (h *handler) historyEntry(c *call) {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	i := slices.IndexFunc(h.store.History(), func(e HistoryEntry) bool { return e.ID == id })
	if err != nil || i < 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	e := h.store.History()[i]
	it, _ := h.store.Item(e.RatingKey)
	list{head: metadataContainer{Size: 1}, childKey: "Metadata", n: 1, child: func(int) any { return h.historyItem(e, it) }}.write(c.w, c.json)
}

// deleteHistory serves DELETE /status/sessions/history/{id}.
func (h *handler) deleteHistory(c *call) {
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, 3))
	if err != nil || !h.store.DeleteHistory(id) {
		writeError(c.w, http.StatusNotFound)
		return
	}
	done(c)
}

// editTag matches the tag edits of PUT /library/metadata/{ids}: genre[0].tag.tag=Action adds,
// genre[].tag.tag-=Drama,Comedy removes.
var editTag = regexp.MustCompile(`^(genre|director|writer|actor|country|label|collection)\[\d*\]\.tag\.tag(-?)$`)

// editMetadata serves PUT /library/metadata/{ids}: field.value=… sets a field (title, titleSort,
// originalTitle, summary, tagline, studio, contentRating, year, originallyAvailableAt), and tag
// edits add or remove genres, labels, collections and the like. Locks (field.locked) are
// accepted and not modelled.
func (h *handler) editMetadata(c *call) {
	items, ok := h.pathItems(c)
	if !ok {
		return
	}
	q := c.query
	if v := q.Get("year.value"); v != "" {
		if _, err := strconv.Atoi(v); err != nil {
			writeError(c.w, http.StatusBadRequest)
			return
		}
	}
	for _, it := range items {
		h.store.Edit(it.RatingKey, func(e *Item) {
			for field, dst := range map[string]*string{"title": &e.Title, "titleSort": &e.TitleSort,
				"originalTitle": &e.OriginalTitle, "summary": &e.Summary, "tagline": &e.Tagline,
				"studio": &e.Studio, "contentRating": &e.ContentRating, "originallyAvailableAt": &e.OriginallyAvailableAt} {
				if vs, ok := q[field+".value"]; ok {
					*dst = vs[0]
				}
			}
			if v := q.Get("year.value"); v != "" {
				e.Year, _ = strconv.Atoi(v)
			}
			for key, vs := range q {
				m := editTag.FindStringSubmatch(key)
				if m == nil {
					continue
				}
				dst := map[string]*[]string{"genre": &e.Genres, "director": &e.Directors, "writer": &e.Writers,
					"actor": &e.Roles, "country": &e.Countries, "label": &e.Labels, "collection": &e.Collections}[m[1]]
				for _, v := range vs {
					for name := range strings.SplitSeq(v, ",") {
						name = strings.TrimSpace(name)
						if m[2] == "-" {
							*dst = slices.DeleteFunc(*dst, func(t string) bool { return strings.EqualFold(t, name) })
						} else if name != "" && !slices.ContainsFunc(*dst, func(t string) bool { return strings.EqualFold(t, name) }) {
							*dst = append(*dst, name)
						}
					}
				}
			}
		})
	}
	done(c)
}

// deleteMetadata serves DELETE /library/metadata/{ids}: the items leave the library. Deleting
// an item deletes its files, so a PMS refuses it with 403 unless the server allows media
// deletion, as it refuses DELETE …/media/{id} (deleteMedia): python-plexapi's and @ctrl/plex's
// delete() send this request and say it "has to be enabled under settings > server > library".
// A collection has no files of its own and can always be deleted.
func (h *handler) deleteMetadata(c *call) {
	var items []Item
	for key := range strings.SplitSeq(pathSegment(c.r.URL.Path, 2), ",") {
		if it, ok := h.visibleItem(c, key); ok {
			items = append(items, it)
		}
	}
	if h.admin.pref("allowMediaDeletion") != "1" && slices.ContainsFunc(items, func(it Item) bool { return it.Type != "collection" }) {
		writeError(c.w, http.StatusForbidden)
		return
	}
	n := 0
	for _, it := range items {
		if h.store.Delete(it.RatingKey) {
			n++
		}
	}
	if n == 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	done(c)
}
