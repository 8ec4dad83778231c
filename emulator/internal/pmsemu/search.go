package pmsemu

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Search matches the query, case-insensitively, as a substring of item titles, over every item
// of the sections the caller can see, without scanning them. Item round*titleCycle+j is titled
// base(j), plus " <round+1>" from the second round on (see title). Bases have no digits, so a
// query matches an item in one of three ways, each computable once per query or per round:
//
//   - inside the base: the same bases match in every round;
//   - inside the number: the query is all digits, contained in the round number;
//   - across the space: the query is H + " " + D, with D digits (maybe none) that begin the
//     round number and H a suffix of the base (maybe empty).
//
// Matches are listed in index order round by round; a round in which only the first kind can
// match costs the matching bases alone, so a search costs time in proportion to the matches it
// returns plus one small step per round.

const (
	defaultSearchLimit = 10
	// maxSearchLimit bounds a hub's items, which (unlike lists) are built before they are sent.
	maxSearchLimit = 1000
)

var hubTitles = map[string]string{"movie": "Movies", "show": "Shows", "season": "Seasons", "episode": "Episodes", "artist": "Artists", "album": "Albums", "track": "Tracks", "photo": "Photos"}

// titleMatcher finds the items whose title contains a query.
type titleMatcher struct {
	bases     []int // the j whose base contains the query, ascending
	baseMatch [titleCycle]bool
	// digits is set when the query is all digits: it matches rounds whose number contains it.
	digits []byte
	// Across the space: the query is head + " " + lead; it matches the items of rounds whose
	// number starts with lead and whose base ends with head (every base when head is empty).
	across    bool
	lead      []byte
	headMatch [titleCycle]bool
}

func newTitleMatcher(query string) *titleMatcher {
	q := []byte(strings.ToLower(query))
	m := &titleMatcher{}
	var buf [64]byte
	for j := range titleCycle {
		if bytes.Contains(baseTitle(buf[:0], j), q) {
			m.baseMatch[j] = true
			m.bases = append(m.bases, j)
		}
	}
	lead := q[len(bytes.TrimRight(q, "0123456789")):]
	if len(lead) == len(q) {
		m.digits = q
	}
	if sp := len(q) - len(lead) - 1; sp >= 0 && q[sp] == ' ' {
		m.across, m.lead = true, lead
		head := q[:sp]
		for j := range titleCycle {
			m.headMatch[j] = bytes.HasSuffix(baseTitle(buf[:0], j), head)
		}
	}
	return m
}

// baseTitle appends the lower-case base title of cycle position j to b.
func baseTitle(b []byte, j int) []byte {
	b = append(b, lowerAdjectives[j%len(adjectives)]...)
	b = append(b, ' ')
	return append(b, lowerNouns[j/len(adjectives)]...)
}

var lowerAdjectives, lowerNouns = lower(adjectives[:]), lower(nouns[:])

func lower(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToLower(w)
	}
	return out
}

// each calls yield with the indexes of matching items below size, in order, until yield
// returns false.
func (m *titleMatcher) each(size int, yield func(index int) bool) {
	if len(m.bases) == 0 && m.digits == nil && !m.across {
		return
	}
	var num [20]byte
	for round := 0; round*titleCycle < size; round++ {
		all, across := false, false
		if round > 0 {
			n := strconv.AppendInt(num[:0], int64(round+1), 10)
			all = m.digits != nil && bytes.Contains(n, m.digits)
			across = m.across && bytes.HasPrefix(n, m.lead)
		}
		first := round * titleCycle
		if !all && !across {
			for _, j := range m.bases {
				if i := first + j; i >= size || !yield(i) {
					return
				}
			}
			continue
		}
		for j := range titleCycle {
			i := first + j
			if i >= size {
				return
			}
			if (all || m.baseMatch[j] || m.headMatch[j]) && !yield(i) {
				return
			}
		}
	}
}

// matchTitles calls yield, in library order, with the top-level items of sec whose title
// contains the matcher's query (lower-case q), until yield returns false: the samples and the
// generated items through the matcher (computed, not scanned), then edited and added items by
// scan, since their titles are their own.
func (h *handler) matchTitles(sec *Section, m *titleMatcher, q string, yield func(Item) bool) {
	st := h.store
	matches := func(it Item) bool { return strings.Contains(strings.ToLower(it.Title), q) }
	st.mu.RLock()
	var edited []int
	for rk, it := range st.edits {
		if it.SectionKey == sec.Key {
			if ref, ok := st.decode(rk); ok && ref.level == 0 {
				edited = append(edited, rk)
			}
		}
	}
	st.mu.RUnlock()
	slices.Sort(edited)
	for i := range sec.samples {
		if it, ok := st.Item(gref{sec: sec, i: i}.ratingKey()); ok && !slices.Contains(edited, it.RatingKey) && matches(it) && !yield(it) {
			return
		}
	}
	stop := false
	m.each(sec.size, func(i int) bool {
		if i < len(sec.samples) {
			return true
		}
		rk := gref{sec: sec, i: i}.ratingKey()
		if _, was := slices.BinarySearch(edited, rk); was {
			return true
		}
		if it, ok := st.Item(rk); ok && !yield(it) {
			stop = true
			return false
		}
		return true
	})
	if stop {
		return
	}
	for _, rk := range edited {
		if it, ok := st.Item(rk); ok && matches(it) && !yield(it) {
			return
		}
	}
	st.mu.RLock()
	added := st.liveStaticTops(sec)
	st.mu.RUnlock()
	for _, rk := range added {
		if it, ok := st.Item(rk); ok && matches(it) && !yield(it) {
			return
		}
	}
}

// maxScannedLeaves bounds the episodes and tracks a search scans in one section; sections
// with more are searched by their top-level titles only.
const maxScannedLeaves = 20_000

// search serves GET /hubs/search?query=…[&sectionId=…][&limit=…]: one hub per item type among
// the sections searched (movies, shows, episodes, artists, albums, tracks, photos), each with up
// to limit matching items. Searching no section (none visible, or a sectionId the caller cannot
// see) is 404, as the spec documents.
func (h *handler) search(c *call) {
	query, sectionID := c.query.Get("query"), c.query.Get("sectionId")
	limit, limitOK := parseCount(c.query.Get("limit"), defaultSearchLimit)
	_, sectionOK := parseCount(sectionID, 0)
	if strings.TrimSpace(query) == "" || !limitOK || !sectionOK {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	limit = min(limit, maxSearchLimit)
	v := h.viewOf(c, false)
	var hubs []hub
	hubOf := map[string]int{}
	add := func(it Item) bool {
		typ := wireType(it.Type)
		k, ok := hubOf[typ]
		if !ok {
			k = len(hubs)
			hubOf[typ] = k
			hubs = append(hubs, hub{Context: "hub.search." + typ, Style: "shelf", HubIdentifier: typ, Title: hubTitles[typ], Type: typ})
		}
		hb := &hubs[k]
		if len(hb.Metadata) == limit {
			hb.More = true
			return true
		}
		hb.Metadata = append(hb.Metadata, h.render(it, v))
		return true
	}
	searched := false
	q := strings.ToLower(query)
	m := newTitleMatcher(query)
	for _, s := range h.store.Sections() {
		if !c.canSee(s) || sectionID != "" && s.Key != sectionID {
			continue
		}
		searched = true
		if _, ok := hubOf[wireType(topType[s.Type])]; !ok {
			hubOf[wireType(topType[s.Type])] = len(hubs)
			hubs = append(hubs, hub{Context: "hub.search." + s.Type, Style: "shelf", HubIdentifier: s.Type, Title: hubTitles[s.Type], Type: wireType(topType[s.Type])})
		}
		n := 0
		h.matchTitles(s, m, q, func(it Item) bool {
			n++
			add(it)
			return n <= limit // one more than the limit tells the hub it has more
		})
		if s.Type != "movie" && h.store.SectionLen(s)*60 <= maxScannedLeaves*4 {
			h.store.EachInSection(s, func(rk int) bool {
				for _, d := range h.store.Descendants(rk) {
					if it, ok := h.store.Item(d); ok && strings.Contains(strings.ToLower(it.Title), q) {
						add(it)
					}
				}
				return true
			})
		}
	}
	if !searched {
		writeError(c.w, http.StatusNotFound)
		return
	}
	for i := range hubs {
		hubs[i].Size = len(hubs[i].Metadata)
	}
	list{head: hubsContainer{Size: len(hubs)}, childKey: "Hub", n: len(hubs), child: func(i int) any {
		return hubs[i]
	}}.write(c.w, c.json)
}

// topType is the type of a section's top-level items.
var topType = map[string]string{"movie": "movie", "show": "show", "artist": "artist", "photo": "photoalbum"}
