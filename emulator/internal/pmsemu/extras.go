package pmsemu

import (
	"net/http"
	"strconv"
)

// Extras: every movie has a trailer, a local one (a "-trailer" file beside the movie's, as
// Plex's naming rules have it): an item of type "clip" with extraType 1 and subtype "trailer",
// its own Media and Part, reachable at /library/metadata/{its rating key}. The movie names it
// in primaryExtraKey, GET /library/metadata/{movie}/extras lists it, and the movie fetched
// with includeExtras=1 nests it in <Extras size> (JSON "Extras": {size, Metadata}), where
// python-plexapi's extras() and Plex for Kodi find them.
//
// A trailer is computed from its movie, like the generated items: the trailer of item rk (a
// movie, which is always a top-level item, rk < 10¹³) has rating key 3·10¹³ + rk, a level no
// generated item uses.

const extraBase = 3 * levelBase

// extraKey is the rating key of the trailer of movie rk.
func extraKey(rk int) int { return extraBase + rk }

// extraParent returns the item whose extra rk is, if rk is an extra's key.
func extraParent(rk int) (int, bool) {
	if rk <= extraBase || rk >= extraBase+levelBase {
		return 0, false
	}
	return rk - extraBase, true
}

// Extra types, as Plex numbers them (python-plexapi's Clip.extraType).
const extraTrailer = 1

// extraOf computes the trailer of movie rk (st.mu held).
func (st *Store) extraOf(rk int, withMedia bool) (Item, bool) {
	m, ok := st.rawOpt(rk, false)
	if !ok || m.Type != "movie" {
		return Item{}, false
	}
	key := extraKey(rk)
	h := mix(uint64(key), 0x747261696c6572)
	updated := strconv.FormatInt(m.UpdatedAt, 10)
	it := Item{
		RatingKey:             key,
		Type:                  "clip",
		SectionKey:            m.SectionKey,
		Title:                 m.Title,
		Year:                  m.Year,
		OriginallyAvailableAt: m.OriginallyAvailableAt,
		Index:                 1,
		Duration:              (90 + int(h%90)) * 1000,
		AddedAt:               m.AddedAt,
		UpdatedAt:             m.UpdatedAt,
		Thumb:                 "/library/metadata/" + strconv.Itoa(key) + "/thumb/" + updated,
		GUID:                  "local://" + strconv.Itoa(key),
		ExtraType:             extraTrailer,
		Subtype:               "trailer",
	}
	if sec := st.byKey[m.SectionKey]; sec != nil && withMedia {
		md := sec.media(it, m.Title, h, "mp4")
		md.Parts[0].File = "/data/" + sec.Title + "/" + m.Title + "-trailer.mp4"
		it.Media = []Media{md}
	}
	return it, true
}

// Extras returns the rating keys of item rk's extras (a movie's trailer, unless it was
// deleted); none for another item or no item.
func (st *Store) Extras(rk int) []int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if k, ok := st.primaryExtraLocked(rk); ok {
		return []int{k}
	}
	return nil
}

// primaryExtraLocked is the rating key of movie rk's trailer, if it has one. It reads only the
// deletions, so that rendering a page of movies does not compute their trailers.
func (st *Store) primaryExtraLocked(rk int) (int, bool) {
	if _, extra := extraParent(rk); extra || rk >= levelBase || st.deleted[extraKey(rk)] {
		return 0, false
	}
	it, ok := st.rawOpt(rk, false)
	return extraKey(rk), ok && it.Type == "movie"
}

// primaryExtraKey is the primaryExtraKey attribute of it: its trailer's key, for a movie.
func (st *Store) primaryExtraKey(it Item) string {
	if it.Type != "movie" {
		return ""
	}
	st.mu.RLock()
	k, ok := extraKey(it.RatingKey), !st.deleted[extraKey(it.RatingKey)] && it.RatingKey < levelBase
	st.mu.RUnlock()
	if !ok {
		return ""
	}
	return "/library/metadata/" + strconv.Itoa(k)
}

// extras serves GET /library/metadata/{id}/extras: the item's extras, as Video elements.
func (h *handler) extras(c *call) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	items := h.extraItems(it.RatingKey)
	head := metadataContainer{Size: len(items), Identifier: libraryIdentifier}
	if sec := h.store.Section(it.SectionKey); sec != nil {
		head = sec.container(len(items))
		head.Title2 = ""
	}
	v := h.viewOf(c, false)
	setPagingHeaders(c.w, 0, len(items))
	list{head: head, childKey: "Metadata", n: len(items), child: func(i int) any {
		return h.render(items[i], v)
	}}.write(c.w, c.json)
}

// extraItems returns item rk's extras.
func (h *handler) extraItems(rk int) []Item {
	var out []Item
	for _, k := range h.store.Extras(rk) {
		if it, ok := h.store.Item(k); ok {
			out = append(out, it)
		}
	}
	return out
}
