package pmsemu

import (
	"bytes"
	"net/http"
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

var hubTitles = map[string]string{"movie": "Movies", "show": "Shows", "artist": "Artists", "photo": "Photos"}

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

// search serves GET /hubs/search?query=…[&sectionId=…][&limit=…]: one hub per library type
// among the sections searched, each with up to limit matching items. Searching no section (none
// visible, or a sectionId the caller cannot see) is 404, as the spec documents.
func (h *handler) search(c *call) {
	query, sectionID := c.query.Get("query"), c.query.Get("sectionId")
	limit, limitOK := parseCount(c.query.Get("limit"), defaultSearchLimit)
	_, sectionOK := parseCount(sectionID, 0)
	if strings.TrimSpace(query) == "" || !limitOK || !sectionOK {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	limit = min(limit, maxSearchLimit)
	var hubs []hub
	hubOf := map[string]int{}
	m := newTitleMatcher(query)
	for _, s := range h.sections {
		if !c.canSee(s) || sectionID != "" && s.Key != sectionID {
			continue
		}
		k, ok := hubOf[s.Type]
		if !ok {
			k = len(hubs)
			hubOf[s.Type] = k
			hubs = append(hubs, hub{HubIdentifier: s.Type, Title: hubTitles[s.Type], Type: s.Type})
		}
		hb := &hubs[k]
		m.each(s.Size, func(i int) bool {
			if len(hb.Metadata) == limit {
				hb.More = true
				return false
			}
			hb.Metadata = append(hb.Metadata, s.item(i, false))
			return true
		})
		hb.Size = len(hb.Metadata)
	}
	if len(hubs) == 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	list{head: hubsContainer{Size: len(hubs)}, childKey: "Hub", n: len(hubs), child: func(i int) any {
		return hubs[i]
	}}.write(c.w, c.json)
}
