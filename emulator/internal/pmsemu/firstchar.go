package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Browsing a section by letter, and autocompletion: GET /library/sections/{id}/firstCharacter
// and /library/sections/{id}/autocomplete.

// charKey is the first-character entry a sort title counts under: its first letter upper-cased,
// "#" for anything else (digits, punctuation, an empty title).
func charKey(title string) string {
	r, _ := utf8.DecodeRuneInString(title)
	if !unicode.IsLetter(r) {
		return "#"
	}
	return strings.ToUpper(string(r))
}

// firstCharCounts counts the top-level items of s by the first character of their sort title,
// without generating the section: generated item i (past the samples) is titled after
// adjective i mod len(adjectives) (see appendTitle), so the generated items are counted by
// arithmetic, then corrected for what the overlay holds (deletions, edits) and for the samples
// and the items added to the section, which are read one by one. The cost grows with the
// changes, not with the section.
func (h *handler) firstCharCounts(s *Section) map[string]int {
	st := h.store
	counts := map[string]int{}
	n, first := len(adjectives), min(len(s.samples), s.size)
	genKey := func(i int) string { return charKey(adjectives[i%n]) }
	for a := range n {
		// Indexes i in [first, size) with i mod n == a.
		lo := first + (a-first%n+n)%n
		if lo < s.size {
			counts[genKey(a)] += (s.size-1-lo)/n + 1
		}
	}
	st.mu.RLock()
	deleted := slices.Clone(s.deletedTop)
	var edited []int
	for rk := range st.edits {
		if ref, ok := st.decode(rk); ok && ref.sec == s && ref.level == 0 && ref.i >= first && !st.deleted[rk] {
			edited = append(edited, rk)
		}
	}
	added := st.liveStaticTops(s)
	st.mu.RUnlock()
	for _, i := range deleted {
		if i >= first {
			counts[genKey(i)]--
		}
	}
	count := func(rk int) {
		if it, ok := st.queryItem(rk); ok {
			counts[charKey(sortTitle(&it))]++
		}
	}
	for _, rk := range edited {
		ref, _ := st.decode(rk)
		counts[genKey(ref.i)]--
		count(rk)
	}
	for i := range first {
		count(gref{sec: s, i: i}.ratingKey()) // a deleted sample is not found
	}
	for _, rk := range added {
		count(rk)
	}
	for k, v := range counts {
		if v <= 0 {
			delete(counts, k)
		}
	}
	return counts
}

// sectionFirstCharacters serves GET /library/sections/{id}/firstCharacters (and the singular
// form clients use): how many items' sort titles begin with each character ("#" for
// non-letters, sent as the key "%23", as a PMS does), in order. Top-level items without a
// filter are counted without a scan (firstCharCounts); other types, or a media query, are
// counted by scanning.
func (h *handler) sectionFirstCharacters(c *call) {
	s, typ, ok := h.sectionAndType(c)
	if !ok {
		return
	}
	filter, err := parseFilters(c.r.URL.RawQuery)
	if err != nil {
		writeText(c, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	var counts map[string]int
	noFilter := filter == nil || len(filter.kids) == 1 && len(filter.kids[0].kids) == 0
	if noFilter && typ == sectionTypes[s.Type][0] {
		counts = h.firstCharCounts(s)
	} else {
		counts = map[string]int{}
		q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
		h.scan(q, s, typ, filter, func(it Item) bool {
			counts[charKey(sortTitle(&it))]++
			return true
		})
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys) // "#" sorts before the letters
	head := s.secondaryContainer(len(keys))
	head.Title2 = "By First Letter"
	list{head: head, childKey: "Directory", n: len(keys), child: func(i int) any {
		k := keys[i]
		if k == "#" {
			return firstChar{Key: "%23", Size: counts[k], Title: k}
		}
		return firstChar{Key: k, Size: counts[k], Title: k}
	}}.write(c.w, c.json)
}

// secondaryContainer is the head of a section's secondary lists (first characters, sorts,
// autocompletion), as the spec's examples show it.
func (s *Section) secondaryContainer(n int) metadataContainer {
	head := s.container(n)
	head.Title2, head.ViewGroup, head.Content = "", "secondary", "secondary"
	head.LibrarySectionID, head.LibrarySectionTitle, head.LibrarySectionUUID = nil, "", ""
	return head
}

// tagChoice is a tag an autocompletion offers.
type tagChoice struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	ID      int      `json:"id" xml:"id,attr"`
	Filter  string   `json:"filter" xml:"filter,attr"`
	Tag     string   `json:"tag" xml:"tag,attr"`
}

// maxAutocomplete bounds the matches of one autocompletion.
const maxAutocomplete = 100

// autocomplete serves GET /library/sections/{id}/autocomplete?[type=N&]{field}.query=text: the
// items of the type whose field begins with text (case-insensitively), each with
// "{field}.queryRange" = "start,end" of the match; for a tag field, the tags (Directory
// elements with id, filter and tag) that begin with it. Titles of top-level items are matched
// through the title matcher (search.go), other fields by a scan; at most maxAutocomplete
// matches are listed. A request without a {field}.query has nothing to complete: an empty list.
func (h *handler) autocomplete(c *call) {
	s, typ, ok := h.sectionAndType(c)
	if !ok {
		return
	}
	var field, text string
	for k, v := range c.query {
		if name, ok := strings.CutSuffix(k, ".query"); ok && len(v) > 0 {
			if field != "" { // one field at a time: which of two to complete is not for a map to say
				writeText(c, http.StatusBadRequest, "Bad Request: autocomplete completes one field at a time, got "+
					strconv.Quote(min(field, name)+".query")+" and "+strconv.Quote(max(field, name)+".query"))
				return
			}
			field, text = name, v[0]
		}
	}
	if field == "" { // nothing to complete
		list{head: s.secondaryContainer(0), childKey: "Metadata"}.write(c.w, c.json)
		return
	}
	f := lookupField(field)
	if f == nil || text == "" || !slices.Contains(f.types, typ) {
		writeText(c, http.StatusBadRequest, "Bad Request: autocomplete needs {field}.query=text on a field of the type")
		return
	}
	prefix := strings.ToLower(text)
	q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
	head := s.secondaryContainer(0)
	if f.kind == kindTag {
		seen := map[string]bool{}
		var tags []tagChoice
		h.scan(q, s, typ, nil, func(it Item) bool {
			vals, _ := f.get(q, &it).([]string)
			for _, v := range vals {
				if !seen[v] && strings.HasPrefix(strings.ToLower(v), prefix) {
					seen[v] = true
					id := tagID(v)
					tags = append(tags, tagChoice{ID: id, Filter: f.key + "=" + strconv.Itoa(id), Tag: v})
				}
			}
			return len(tags) < maxAutocomplete
		})
		slices.SortFunc(tags, func(a, b tagChoice) int { return strings.Compare(a.Tag, b.Tag) })
		head.Size = len(tags)
		list{head: head, childKey: "Directory", n: len(tags), child: func(i int) any { return tags[i] }}.write(c.w, c.json)
		return
	}
	var keys []int
	match := func(it Item) bool {
		if v, ok := f.get(q, &it).(string); ok && strings.HasPrefix(strings.ToLower(v), prefix) {
			keys = append(keys, it.RatingKey)
		}
		return len(keys) < maxAutocomplete
	}
	if f.key == "title" && typ == sectionTypes[s.Type][0] {
		h.matchTitles(s, newTitleMatcher(text), prefix, match)
	} else {
		h.scan(q, s, typ, nil, match)
	}
	head.Size = len(keys)
	rangeAttr := "0," + strconv.Itoa(utf8.RuneCountInString(text)-1)
	v := h.viewOf(c, false)
	list{head: head, childKey: "Metadata", n: len(keys), child: func(i int) any {
		it, _ := h.store.Item(keys[i])
		m := h.render(it, v)
		if f.key == "title" {
			m.TitleQueryRange = rangeAttr
		}
		return m
	}}.write(c.w, c.json)
}
