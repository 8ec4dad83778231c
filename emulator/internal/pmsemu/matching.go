package pmsemu

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Matching (plex-beyond-spec.md B.1): GET /library/metadata/{id}/matches (the spec has PUT,
// python-plexapi sends GET) lists what an agent would match the item to, as <SearchResult guid
// name score year lifespanEnded> elements (JSON "SearchResult"); PUT …/match?guid=&name=&year=
// matches the item to one; PUT …/unmatch leaves it matched to nothing but its files. And the
// deletion of one Media of an item. All are the admin's (the spec's roles, and extra.go's row
// for GET …/matches).

// searchResult is one candidate match.
type searchResult struct {
	XMLName       xml.Name `json:"-" xml:"SearchResult"`
	GUID          string   `json:"guid" xml:"guid,attr"`
	Name          string   `json:"name" xml:"name,attr"`
	Score         int      `json:"score" xml:"score,attr"`
	Year          int      `json:"year,omitempty" xml:"year,attr,omitempty"`
	Type          string   `json:"type" xml:"type,attr"`
	LifespanEnded xbool    `json:"lifespanEnded" xml:"lifespanEnded,attr"`
}

// matchCandidates are what the emulator's agent finds for title and year. For the item's own
// title: its match first, with score 100 (the one it had before an unmatch when it has none:
// an agent finds the same film again for the same title, so Fix Match after Unmatch restores
// it), then the match it had before its last change (Fix Match can go back), then three
// weaker candidates; for another title, that title's best candidate and three weaker ones. The
// guids are derived from the title, so the same search always finds the same candidates, and
// no guid is listed twice.
func matchCandidates(it Item, title string, year int) []searchResult {
	typ := guidType(it.Type)
	own, previous := it.GUID, it.PreviousGUID
	if strings.HasPrefix(own, "local://") {
		own, previous = previous, ""
	}
	var out []searchResult
	if strings.EqualFold(title, it.Title) && own != "" {
		out = append(out, searchResult{GUID: own, Name: it.Title, Score: 100, Year: it.Year, Type: typ})
		if previous != "" && previous != own {
			out = append(out, searchResult{GUID: previous, Name: it.Title, Score: 96, Year: it.Year, Type: typ})
		}
	} else {
		out = append(out, searchResult{GUID: candidateGUID(typ, title, 0), Name: title, Score: 100, Year: year, Type: typ})
	}
	other := func(y int) int {
		if year == 0 {
			return 0
		}
		return year + y
	}
	for _, c := range []searchResult{
		{GUID: candidateGUID(typ, title, 1), Name: title, Score: 91, Year: other(3), Type: typ},
		{GUID: candidateGUID(typ, title, 2), Name: "The " + title, Score: 78, Year: other(-9), Type: typ},
		{GUID: candidateGUID(typ, title, 3), Name: title + " II", Score: 64, Year: other(5), Type: typ},
	} {
		if !slices.ContainsFunc(out, func(r searchResult) bool { return r.GUID == c.GUID }) {
			out = append(out, c)
		}
	}
	return out
}

func candidateGUID(typ, title string, n int) string {
	f := fnv.New64a()
	f.Write([]byte(strings.ToLower(title)))
	return fmt.Sprintf("plex://%s/%024x", typ, mix(f.Sum64(), uint64(n))>>2)
}

// matches serves GET (and the spec's PUT) /library/metadata/{id}/matches?manual=1&title=&year=
// &agent=&language=: the candidates for the title and year asked for, the item's own when
// absent (python-plexapi's matches() sends none of them by default).
func (h *handler) matches(c *call) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	title, year := it.Title, it.Year
	if vs, ok := c.query["title"]; ok && vs[0] != "" {
		title = vs[0]
	}
	if _, ok := c.query["year"]; ok {
		if year, ok = yearParam(c); !ok {
			return
		}
	}
	res := matchCandidates(it, title, year)
	list{head: metadataContainer{Size: len(res), Identifier: libraryIdentifier}, childKey: "SearchResult", n: len(res),
		child: func(i int) any { return res[i] }}.write(c.w, c.json)
}

// match serves PUT /library/metadata/{id}/match?guid=&name=&year=: the item takes the guid,
// and the name as its title and the year when given, and the external ids (Guid children) of
// the new match. Without a guid there is nothing to match to: 400.
func (h *handler) match(c *call) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	guid, name := c.query.Get("guid"), c.query.Get("name")
	year, ok := yearParam(c)
	if !ok {
		return
	}
	if guid == "" {
		writeText(c, http.StatusBadRequest, "Bad Request: guid is required: the guid of one of the item's matches")
		return
	}
	h.store.Edit(it.RatingKey, func(e *Item) {
		switch prevGUID, prevGuids := e.PreviousGUID, e.PreviousGuids; {
		case guid == e.GUID: // the same match: the ids stay
		case guid == prevGUID:
			e.PreviousGUID, e.PreviousGuids = e.GUID, e.Guids
			e.Guids = slices.Clone(prevGuids)
		default:
			if !strings.HasPrefix(e.GUID, "local://") {
				e.PreviousGUID, e.PreviousGuids = e.GUID, e.Guids
			}
			e.Guids = externalIDs(e.Type, guid)
		}
		if strings.HasPrefix(e.PreviousGUID, "local://") {
			e.PreviousGUID, e.PreviousGuids = "", nil
		}
		e.GUID = guid
		if name != "" {
			e.Title = name
		}
		if year != 0 {
			e.Year = year
		}
	})
	done(c)
}

// yearParam reads the year parameter: 0 when empty or absent; a year that is not a number from
// 0 to 9999 is answered 400, and ok is false.
func yearParam(c *call) (year int, ok bool) {
	v := c.query.Get("year")
	if v == "" {
		return 0, true
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 0 || y > 9999 {
		writeText(c, http.StatusBadRequest, "Bad Request: year must be a number from 0 to 9999, got "+strconv.Quote(v))
		return 0, false
	}
	return y, true
}

// externalIDs are the Guid children an agent gives a match to a plex:// guid: IMDb and TMDB
// ids for a movie, TVDB and TMDB for a show, derived from the guid. Other guids (a legacy
// agent's) carry none.
func externalIDs(typ, guid string) []string {
	if !strings.HasPrefix(guid, "plex://") {
		return nil
	}
	f := fnv.New64a()
	f.Write([]byte(guid))
	h := f.Sum64()
	switch typ {
	case "movie":
		return []string{fmt.Sprintf("imdb://tt%07d", h%10_000_000), fmt.Sprintf("tmdb://%d", h>>24%1_000_000)}
	case "show":
		return []string{fmt.Sprintf("tvdb://%d", h%1_000_000), fmt.Sprintf("tmdb://%d", h>>24%1_000_000)}
	}
	return nil
}

// unmatch serves PUT /library/metadata/{id}/unmatch: the item's guid becomes local://{its
// rating key}, as a PMS gives items no agent matched, and its external ids go.
func (h *handler) unmatch(c *call) {
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	h.store.Edit(it.RatingKey, func(e *Item) {
		if !strings.HasPrefix(e.GUID, "local://") {
			e.PreviousGUID, e.PreviousGuids = e.GUID, e.Guids
		}
		e.GUID = "local://" + strconv.Itoa(e.RatingKey)
		e.Guids = nil
	})
	done(c)
}

// deleteMedia serves DELETE /library/metadata/{id}/media/{mediaId}: one version of the item,
// and its files, leave the library. A PMS refuses it with 403 unless the server allows media
// deletion (the allowMediaDeletion preference; a PMS answered 403 to Cleanarr's
// DELETE …/media/… where deletion was not allowed, se1exin/Cleanarr#150). An item whose last
// Media is deleted has no file left and leaves the library itself (timeline state 9), as a
// PMS removes an item whose files are gone when it empties the trash, which it does on its own
// by default.
func (h *handler) deleteMedia(c *call) {
	if h.admin.pref("allowMediaDeletion") != "1" {
		writeError(c.w, http.StatusForbidden)
		return
	}
	it, ok := h.visibleItem(c, pathSegment(c.r.URL.Path, 2))
	id, err := strconv.Atoi(pathSegment(c.r.URL.Path, 4))
	if !ok || err != nil || !slices.ContainsFunc(it.Media, func(m Media) bool { return m.ID == id }) {
		writeError(c.w, http.StatusNotFound)
		return
	}
	if len(it.Media) == 1 {
		h.store.Delete(it.RatingKey)
	} else {
		h.store.Edit(it.RatingKey, func(e *Item) {
			e.Media = slices.DeleteFunc(e.Media, func(m Media) bool { return m.ID == id })
		})
	}
	done(c)
}
