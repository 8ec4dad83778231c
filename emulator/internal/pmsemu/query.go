package pmsemu

import (
	"cmp"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Media queries, as the spec's "Media Queries" section defines them: filters with per-type
// operators (field=v, field!=v, field==v, field!==v, field<=v, field>=v, field>>=v, field<<=v,
// and for tags field&=v), ORs within a value (a,b,c), push=1/or=1/pop=1 for parentheses,
// field scoping (show.title), type, sort with :desc/:asc/:nullsLast and several keys, limit.
// Every filter and sort a section offers is described once, in fieldDefs; the Meta element
// (includeMeta=1), /filters and /sorts are rendered from the same table.

// Type numbers, as clients send them in type=.
var typeNumbers = map[string]int{
	"movie": 1, "show": 2, "season": 3, "episode": 4, "artist": 8, "album": 9, "track": 10,
	"photoalbum": 14, "photo": 13, "collection": 18, "playlist": 15,
}

// typeOfNumber maps a type= value (number or name) to a model type.
func typeOfNumber(v string) (string, bool) {
	if n, err := strconv.Atoi(v); err == nil {
		for t, k := range typeNumbers {
			if k == n {
				return t, true
			}
		}
		return "", false
	}
	if v == "photoalbum" || typeNumbers[v] != 0 {
		return v, true
	}
	return "", false
}

// sectionTypes lists the types a section holds, top-level first.
var sectionTypes = map[string][]string{
	"movie":  {"movie"},
	"show":   {"show", "season", "episode"},
	"artist": {"artist", "album", "track"},
	"photo":  {"photoalbum", "photo"},
}

// fieldKind is a field's type in the spec's words.
type fieldKind string

const (
	kindInteger fieldKind = "integer"
	kindBoolean fieldKind = "boolean"
	kindTag     fieldKind = "tag"
	kindString  fieldKind = "string"
	kindDate    fieldKind = "date"
)

// fieldDef is one field of the query language.
type fieldDef struct {
	key, title string
	kind       fieldKind
	types      []string // the item types it applies to
	filter     bool     // offered as a Filter (with choices) in Meta
	sort       bool     // offered as a Sort in Meta
	desc       bool     // sort descending by default
	// byValue: a tag field whose filter choices are keyed by the value itself
	// (contentRating=PG-13), not by a tag id.
	byValue bool
	get     func(q *queryCtx, it *Item) any
}

var videoTypes = []string{"movie", "show", "season", "episode"}
var allTypes = []string{"movie", "show", "season", "episode", "artist", "album", "track", "photoalbum", "photo"}

var fieldDefs = []fieldDef{
	{key: "title", title: "Title", kind: kindString, types: allTypes, sort: true, get: func(_ *queryCtx, it *Item) any { return it.Title }},
	{key: "titleSort", title: "Title", kind: kindString, types: allTypes, sort: true, get: func(_ *queryCtx, it *Item) any { return sortTitle(it) }},
	{key: "originalTitle", title: "Original Title", kind: kindString, types: allTypes, get: func(_ *queryCtx, it *Item) any { return it.OriginalTitle }},
	{key: "studio", title: "Studio", kind: kindString, types: []string{"movie", "show", "album"}, get: func(_ *queryCtx, it *Item) any { return it.Studio }},
	{key: "summary", title: "Summary", kind: kindString, types: allTypes, get: func(_ *queryCtx, it *Item) any { return it.Summary }},
	{key: "tagline", title: "Tagline", kind: kindString, types: []string{"movie"}, get: func(_ *queryCtx, it *Item) any { return it.Tagline }},
	{key: "guid", title: "Guid", kind: kindString, types: allTypes, get: func(_ *queryCtx, it *Item) any { return it.GUID }},
	{key: "year", title: "Year", kind: kindInteger, types: []string{"movie", "show", "season", "episode", "album", "photo"}, filter: true, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return int64(it.Year) }},
	{key: "decade", title: "Decade", kind: kindInteger, types: []string{"movie", "show", "album"}, filter: true, get: func(_ *queryCtx, it *Item) any { return int64(it.Year / 10 * 10) }},
	{key: "duration", title: "Duration", kind: kindInteger, types: []string{"movie", "episode", "track"}, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return int64(it.Duration) }},
	{key: "index", title: "Index", kind: kindInteger, types: []string{"season", "episode", "album", "track", "photo"}, sort: true, get: func(_ *queryCtx, it *Item) any { return int64(it.Index) }},
	{key: "id", title: "Rating Key", kind: kindInteger, types: allTypes, sort: true, get: func(_ *queryCtx, it *Item) any { return int64(it.RatingKey) }},
	{key: "rating", title: "Critic Rating", kind: kindInteger, types: videoTypes, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return it.Rating }},
	{key: "audienceRating", title: "Audience Rating", kind: kindInteger, types: videoTypes, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return it.AudienceRating }},
	{key: "contentRating", title: "Content Rating", kind: kindTag, types: []string{"movie", "show", "episode"}, filter: true, sort: true, byValue: true, get: func(_ *queryCtx, it *Item) any { return nonEmpty(it.ContentRating) }},
	{key: "genre", title: "Genre", kind: kindTag, types: []string{"movie", "show", "artist", "album"}, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Genres }},
	{key: "director", title: "Director", kind: kindTag, types: []string{"movie", "episode"}, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Directors }},
	{key: "writer", title: "Writer", kind: kindTag, types: []string{"movie", "episode"}, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Writers }},
	{key: "actor", title: "Actor", kind: kindTag, types: []string{"movie", "show", "episode"}, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Roles }},
	{key: "country", title: "Country", kind: kindTag, types: []string{"movie", "show", "artist"}, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Countries }},
	{key: "label", title: "Labels", kind: kindTag, types: allTypes, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Labels }},
	{key: "collection", title: "Collection", kind: kindTag, types: allTypes, filter: true, get: func(_ *queryCtx, it *Item) any { return it.Collections }},
	{key: "addedAt", title: "Date Added", kind: kindDate, types: allTypes, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return it.AddedAt }},
	{key: "updatedAt", title: "Date Updated", kind: kindDate, types: allTypes, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return it.UpdatedAt }},
	{key: "originallyAvailableAt", title: "Release Date", kind: kindDate, types: []string{"movie", "show", "episode", "album", "photo"}, sort: true, desc: true, get: func(_ *queryCtx, it *Item) any { return releaseDate(it) }},
	{key: "unwatched", title: "Unplayed", kind: kindBoolean, types: []string{"movie", "show", "season", "episode", "artist", "album", "track"}, filter: true, get: func(q *queryCtx, it *Item) any { return q.unwatched(it) }},
	{key: "inProgress", title: "In Progress", kind: kindBoolean, types: []string{"movie", "episode", "track"}, filter: true, get: func(q *queryCtx, it *Item) any { return q.state(it).ViewOffset > 0 }},
	{key: "viewCount", title: "Plays", kind: kindInteger, types: []string{"movie", "show", "season", "episode", "artist", "album", "track"}, sort: true, desc: true, get: func(q *queryCtx, it *Item) any { return int64(q.state(it).ViewCount) }},
	{key: "lastViewedAt", title: "Last Played", kind: kindDate, types: []string{"movie", "show", "season", "episode", "artist", "album", "track"}, sort: true, desc: true, get: func(q *queryCtx, it *Item) any { return q.state(it).LastViewedAt }},
	{key: "userRating", title: "Rating", kind: kindInteger, types: allTypes, filter: true, sort: true, desc: true, get: func(q *queryCtx, it *Item) any { return q.state(it).UserRating }},
	{key: "lastRatedAt", title: "Last Rated", kind: kindDate, types: allTypes, sort: true, desc: true, get: func(q *queryCtx, it *Item) any { return q.state(it).LastRatedAt }},
	{key: "viewOffset", title: "View Offset", kind: kindInteger, types: []string{"movie", "episode", "track"}, get: func(q *queryCtx, it *Item) any { return int64(q.state(it).ViewOffset) }},
}

// fieldAliases are other names clients use for a field.
var fieldAliases = map[string]string{"role": "actor", "ratingKey": "id", "viewedAt": "lastViewedAt"}

var fieldByKey = func() map[string]*fieldDef {
	m := map[string]*fieldDef{}
	for i := range fieldDefs {
		m[fieldDefs[i].key] = &fieldDefs[i]
	}
	return m
}()

func lookupField(key string) *fieldDef {
	if a, ok := fieldAliases[key]; ok {
		key = a
	}
	return fieldByKey[key]
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func sortTitle(it *Item) string {
	t := it.TitleSort
	if t == "" {
		t = it.Title
	}
	for _, article := range []string{"The ", "A ", "An "} {
		if len(t) > len(article) && strings.EqualFold(t[:len(article)], article) {
			return t[len(article):]
		}
	}
	return t
}

func releaseDate(it *Item) int64 {
	t, err := time.Parse(time.DateOnly, it.OriginallyAvailableAt)
	if err != nil {
		return 0
	}
	return t.Unix()
}

// queryCtx is one query being evaluated: whose state it sees, when "now" is, and the items of
// other levels it has looked up (scoped fields).
type queryCtx struct {
	h       *handler
	account int
	now     time.Time
}

func (q *queryCtx) state(it *Item) UserState { return q.h.store.State(q.account, it.RatingKey) }

func (q *queryCtx) unwatched(it *Item) bool {
	if it.LeafCount > 0 {
		return q.h.store.ViewedLeafCount(q.account, it.RatingKey) < it.LeafCount
	}
	return q.state(it).ViewCount == 0
}

// scope returns the item a scoped field of it refers to: it itself, or its parent or
// grandparent of type typ.
func (q *queryCtx) scope(it *Item, typ string) (Item, bool) {
	if typ == "" || typ == it.Type {
		return *it, true
	}
	for _, rk := range []int{it.ParentRatingKey, it.GrandparentRatingKey} {
		if rk == 0 {
			continue
		}
		if p, ok := q.h.store.Item(rk); ok && p.Type == typ {
			return p, true
		}
	}
	return Item{}, false
}

// clause is one field-operator-values condition; values are ORed.
type clause struct {
	scope  string // "" or a type ("show" in show.title)
	field  *fieldDef
	op     string
	values []string
}

// node is a boolean expression over clauses.
type node struct {
	clause *clause
	and    bool // for an inner node: AND (else OR) of kids
	kids   []*node
}

// queryParams are the parameters of a listing that are not filters.
var queryParams = map[string]bool{
	"type": true, "sort": true, "limit": true, "group": true, "sourceType": true, "push": true,
	"pop": true, "or": true, "checkFiles": true, "skipRefresh": true, "asyncAugmentMetadata": true,
	"excludeFields": true, "excludeElements": true, "query": true, "sectionId": true, "uri": true,
}

// parseFilters reads the filter expression of raw (a URL query). ok is false, with the reason,
// when a filter names a field that does not exist or a value its type cannot take.
func parseFilters(raw string) (*node, error) {
	type token struct {
		kind string // "clause", "or", "push", "pop"
		c    *clause
	}
	var toks []token
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("malformed query parameter %q", part)
		}
		switch {
		case key == "push" || key == "pop" || key == "or":
			if val == "1" {
				toks = append(toks, token{kind: key})
			}
			continue
		case queryParams[key] || strings.HasPrefix(key, "include") || strings.HasPrefix(key, "X-Plex-") || strings.HasPrefix(key, "x-plex-"):
			continue
		}
		c, ok, err := parseClause(key, val)
		if err != nil {
			return nil, err
		}
		if ok {
			toks = append(toks, token{kind: "clause", c: c})
		}
	}
	pos := 0
	var parseOr func() (*node, error)
	parseAnd := func() (*node, error) {
		n := &node{and: true}
		for pos < len(toks) && toks[pos].kind != "or" && toks[pos].kind != "pop" {
			t := toks[pos]
			pos++
			if t.kind == "push" {
				inner, err := parseOr()
				if err != nil {
					return nil, err
				}
				if pos >= len(toks) || toks[pos].kind != "pop" {
					return nil, fmt.Errorf("push=1 without a matching pop=1")
				}
				pos++
				n.kids = append(n.kids, inner)
				continue
			}
			n.kids = append(n.kids, &node{clause: t.c})
		}
		return n, nil
	}
	parseOr = func() (*node, error) {
		first, err := parseAnd()
		if err != nil {
			return nil, err
		}
		n := &node{kids: []*node{first}}
		for pos < len(toks) && toks[pos].kind == "or" {
			pos++
			next, err := parseAnd()
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, next)
		}
		return n, nil
	}
	n, err := parseOr()
	if err != nil {
		return nil, err
	}
	if pos < len(toks) {
		return nil, fmt.Errorf("pop=1 without a matching push=1")
	}
	return n, nil
}

// scopeTo makes the unqualified fields of filter refer to items of type typ (sourceType=):
// type=4&sourceType=2&title==24 is "episodes of the show titled 24".
func scopeTo(n *node, typ string) {
	if n == nil {
		return
	}
	if n.clause != nil && n.clause.scope == "" {
		n.clause.scope = typ
	}
	for _, k := range n.kids {
		scopeTo(k, typ)
	}
}

// parseClause splits "year>>"/"2000" into a clause. Unknown fields are ignored (ok false), as a
// PMS ignores parameters it does not know; a known field with a bad operator or value is an
// error.
func parseClause(key, val string) (*clause, bool, error) {
	op := "="
	switch {
	case strings.HasSuffix(key, "!=") && len(key) > 2:
		// The second "=" escaped into the key, as a client that encodes keys sends "!==".
		key, op = key[:len(key)-2], "!=="
	case strings.HasSuffix(key, "=") && len(key) > 1:
		key, op = key[:len(key)-1], "=="
	case strings.HasSuffix(key, "!") && strings.HasPrefix(val, "="):
		key, val, op = key[:len(key)-1], val[1:], "!=="
	case strings.HasSuffix(key, "!"):
		key, op = key[:len(key)-1], "!="
	case strings.HasSuffix(key, ">>"):
		key, op = key[:len(key)-2], ">>="
	case strings.HasSuffix(key, "<<"):
		key, op = key[:len(key)-2], "<<="
	case strings.HasSuffix(key, ">"):
		key, op = key[:len(key)-1], ">="
	case strings.HasSuffix(key, "<"):
		key, op = key[:len(key)-1], "<="
	case strings.HasSuffix(key, "&"):
		key = key[:len(key)-1]
	case strings.HasPrefix(val, "="):
		val, op = val[1:], "=="
	}
	scope, name := "", key
	if t, f, ok := strings.Cut(key, "."); ok {
		if _, known := typeNumbers[t]; !known {
			return nil, false, nil
		}
		scope, name = t, f
	}
	f := lookupField(name)
	if f == nil {
		return nil, false, nil
	}
	allowed := map[fieldKind][]string{
		kindInteger: {"=", "!=", ">>=", "<<=", "<=", ">="},
		kindBoolean: {"=", "!="},
		kindTag:     {"=", "!="},
		kindString:  {"=", "!=", "==", "!==", "<=", ">="},
		kindDate:    {"=", "!=", ">>=", "<<=", "<=", ">="},
	}[f.kind]
	if !slices.Contains(allowed, op) {
		return nil, false, fmt.Errorf("operator %q does not apply to %s field %q", op, f.kind, name)
	}
	c := &clause{scope: scope, field: f, op: op, values: strings.Split(val, ",")}
	for _, v := range c.values {
		switch f.kind {
		case kindInteger:
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return nil, false, fmt.Errorf("%s: %q is not a number", name, v)
			}
		case kindBoolean:
			if v != "0" && v != "1" && v != "true" && v != "false" {
				return nil, false, fmt.Errorf("%s: %q is not a boolean (0 or 1)", name, v)
			}
		case kindDate:
			if _, ok := parseDate(v, time.Time{}); !ok {
				return nil, false, fmt.Errorf("%s: %q is not a date (epoch seconds, or relative like -30d)", name, v)
			}
		}
	}
	return c, true, nil
}

// parseDate reads epoch seconds, or a time relative to now: -N/+N with an optional unit
// (s, m, h, d, w, mon, y).
func parseDate(v string, now time.Time) (int64, bool) {
	if v == "" {
		return 0, false
	}
	if v[0] != '-' && v[0] != '+' {
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	sign := int64(1)
	if v[0] == '-' {
		sign = -1
	}
	body := v[1:]
	unit := strings.TrimLeft(body, "0123456789")
	n, err := strconv.ParseInt(body[:len(body)-len(unit)], 10, 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]int64{"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mon": 30 * 86400, "y": 365 * 86400}
	m, ok := mult[unit]
	if !ok {
		return 0, false
	}
	return now.Unix() + sign*n*m, true
}

func (q *queryCtx) eval(n *node, it *Item) bool {
	if n == nil {
		return true
	}
	if n.clause != nil {
		return q.evalClause(n.clause, it)
	}
	if n.and {
		for _, k := range n.kids {
			if !q.eval(k, it) {
				return false
			}
		}
		return true
	}
	for _, k := range n.kids {
		if q.eval(k, it) {
			return true
		}
	}
	return len(n.kids) == 0
}

func (q *queryCtx) evalClause(c *clause, it *Item) bool {
	target := it
	if c.scope != "" && c.scope != it.Type {
		p, ok := q.scope(it, c.scope)
		if !ok {
			return false
		}
		target = &p
	}
	v := c.field.get(q, target)
	negative := c.op == "!=" || c.op == "!=="
	any := false
	for _, want := range c.values {
		if q.match(c.field, c.op, v, want) {
			any = true
			break
		}
	}
	if negative {
		// "is not a, b" means none of them.
		for _, want := range c.values {
			if !q.match(c.field, c.op, v, want) {
				return false
			}
		}
		return true
	}
	return any
}

// match applies one operator to a field value and one wanted value. For negative operators
// it reports whether the value passes (is not the wanted one).
func (q *queryCtx) match(f *fieldDef, op string, v any, want string) bool {
	switch f.kind {
	case kindString:
		s, w := strings.ToLower(v.(string)), strings.ToLower(want)
		switch op {
		case "=":
			return strings.Contains(s, w)
		case "!=":
			return !strings.Contains(s, w)
		case "==":
			return s == w
		case "!==":
			return s != w
		case "<=":
			return strings.HasPrefix(s, w)
		case ">=":
			return strings.HasSuffix(s, w)
		}
	case kindTag:
		names := v.([]string)
		has := slices.ContainsFunc(names, func(n string) bool {
			if f.byValue || q.h.cfg.TagFilterByName {
				if strings.EqualFold(n, want) {
					return true
				}
			}
			return !f.byValue && strconv.Itoa(tagID(n)) == want
		})
		if op == "!=" {
			return !has
		}
		return has
	case kindBoolean:
		b := v.(bool)
		w := want == "1" || want == "true"
		if op == "!=" {
			return b != w
		}
		return b == w
	default:
		var x float64
		switch t := v.(type) {
		case int64:
			x = float64(t)
		case float64:
			x = t
		}
		var w float64
		if f.kind == kindDate {
			n, _ := parseDate(want, q.now)
			w = float64(n)
		} else {
			w, _ = strconv.ParseFloat(want, 64)
		}
		switch op {
		case "=":
			return x == w
		case "!=":
			return x != w
		case ">>=":
			return x > w
		case "<<=":
			return x < w
		case ">=":
			return x >= w
		case "<=":
			return x <= w
		}
	}
	return false
}

// sortSpec is one key of sort=.
type sortSpec struct {
	scope     string
	field     *fieldDef
	desc      bool
	nullsLast bool
}

func parseSort(v string) ([]sortSpec, error) {
	var out []sortSpec
	if v == "" {
		return nil, nil
	}
	for f := range strings.SplitSeq(v, ",") {
		parts := strings.Split(f, ":")
		name := parts[0]
		scope := ""
		if t, rest, ok := strings.Cut(name, "."); ok {
			if _, known := typeNumbers[t]; known {
				scope, name = t, rest
			}
		}
		if name == "random" {
			continue // a stable emulator has no random order; library order stands in
		}
		fd := lookupField(name)
		if fd == nil {
			return nil, fmt.Errorf("unknown sort field %q", name)
		}
		s := sortSpec{scope: scope, field: fd}
		for _, feat := range parts[1:] {
			switch feat {
			case "desc":
				s.desc = true
			case "asc":
			case "nullsLast":
				s.nullsLast = true
			default:
				return nil, fmt.Errorf("unknown sort feature %q in %q", feat, f)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		return cmp.Compare(strings.ToLower(x), strings.ToLower(b.(string)))
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case bool:
		y := b.(bool)
		if x == y {
			return 0
		}
		if !x {
			return -1
		}
		return 1
	case []string:
		y := b.([]string)
		return cmp.Compare(strings.Join(x, ","), strings.Join(y, ","))
	}
	return 0
}

func isNull(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case int64:
		return x == 0
	case float64:
		return x == 0 || math.IsNaN(x)
	case []string:
		return len(x) == 0
	}
	return false
}

// sectionItems serves GET /library/sections/{sectionId}/all: a page of the section's items of
// the requested type, filtered and sorted as the media query asks, with the Meta element when
// includeMeta=1. Without filters or sort, a page of top-level items costs only that page, however
// large the section; a filtered or sorted query scans the section.
func (h *handler) sectionItems(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	h.queryItems(c, s, s.container)
}

// queryItems answers a media query over section s.
func (h *handler) queryItems(c *call, s *Section, head func(n int) metadataContainer) {
	bad := func(format string, args ...any) {
		writeText(c, http.StatusBadRequest, "Bad Request: "+fmt.Sprintf(format, args...))
	}
	start, size, ok := c.paging()
	if !ok {
		bad("X-Plex-Container-Start and X-Plex-Container-Size must be whole numbers")
		return
	}
	typ := sectionTypes[s.Type][0]
	if v := c.query.Get("type"); v != "" {
		t, ok := typeOfNumber(v)
		if !ok {
			bad("type %q is no library type", v)
			return
		}
		typ = t
	}
	filter, err := parseFilters(c.r.URL.RawQuery)
	if err != nil {
		bad("%v", err)
		return
	}
	if v := c.query.Get("sourceType"); v != "" {
		src, ok := typeOfNumber(v)
		if !ok {
			bad("sourceType %q is no library type", v)
			return
		}
		scopeTo(filter, src)
	}
	sorts, err := parseSort(c.query.Get("sort"))
	if err != nil {
		bad("%v", err)
		return
	}
	limit, ok := parseCount(c.query.Get("limit"), -1)
	if !ok {
		bad("limit %q is not a whole number", c.query.Get("limit"))
		return
	}
	v := h.viewOf(c, false)
	var mc metadataContainer
	if c.query.Get("includeMeta") == "1" {
		mc = head(0)
		mc.Meta = h.meta(s)
	} else {
		mc = head(0)
	}
	if !slices.Contains(sectionTypes[s.Type], typ) {
		// A type the section does not hold: an empty list, as a PMS gives.
		zero := 0
		mc.TotalSize, mc.Offset = &zero, &start
		setPagingHeaders(c.w, start, 0)
		list{head: mc}.write(c.w, c.json)
		return
	}
	empty := filter == nil || len(filter.kids) == 1 && len(filter.kids[0].kids) == 0
	if empty && len(sorts) == 0 && typ == sectionTypes[s.Type][0] && limit < 0 {
		total := h.store.SectionLen(s)
		from, to := window(start, size, total)
		mc.Size, mc.TotalSize, mc.Offset = to-from, &total, &start
		setPagingHeaders(c.w, start, total)
		list{head: mc, childKey: "Metadata", n: to - from, child: func(i int) any {
			it, _ := h.store.Item(h.store.SectionAt(s, from+i))
			return h.render(it, v)
		}}.write(c.w, c.json)
		return
	}
	q := &queryCtx{h: h, account: v.account, now: h.cfg.Now()}
	keys := h.collect(q, s, typ, filter, sorts, limit)
	total := len(keys)
	from, to := window(start, size, total)
	mc.Size, mc.TotalSize, mc.Offset = to-from, &total, &start
	setPagingHeaders(c.w, start, total)
	list{head: mc, childKey: "Metadata", n: to - from, child: func(i int) any {
		it, _ := h.store.Item(keys[from+i])
		return h.render(it, v)
	}}.write(c.w, c.json)
}

// scan calls yield with every item of type typ in s that passes filter, in library order,
// until yield returns false.
func (h *handler) scan(q *queryCtx, s *Section, typ string, filter *node, yield func(Item) bool) {
	st := h.store
	depth := slices.Index(sectionTypes[s.Type], typ)
	if title, ok := titleClause(filter, typ); ok && depth == 0 {
		h.scanTitles(q, s, title, filter, yield)
		return
	}
	st.EachInSection(s, func(rk int) bool {
		if depth <= 0 {
			it, ok := st.queryItem(rk)
			return !ok || it.Type != typ || !q.eval(filter, &it) || yield(it)
		}
		for _, d := range st.Descendants(rk) {
			if it, ok := st.queryItem(d); ok && it.Type == typ && q.eval(filter, &it) && !yield(it) {
				return false
			}
		}
		return true
	})
}

// titleClause returns the text of a title=… or title==… clause (one value) that every match
// of filter must satisfy, if there is one.
func titleClause(filter *node, typ string) (string, bool) {
	if filter == nil || len(filter.kids) != 1 {
		return "", false
	}
	for _, k := range filter.kids[0].kids {
		c := k.clause
		if c != nil && c.field.key == "title" && (c.scope == "" || c.scope == typ) && (c.op == "=" || c.op == "==") && len(c.values) == 1 && c.values[0] != "" {
			return c.values[0], true
		}
	}
	return "", false
}

// scanTitles is scan for a filter that requires a title: the candidates come from the title
// matcher (computed, not scanned; see search.go), in library order, and then the whole filter
// decides.
func (h *handler) scanTitles(q *queryCtx, s *Section, title string, filter *node, yield func(Item) bool) {
	var cands []Item
	h.matchTitles(s, newTitleMatcher(title), strings.ToLower(title), func(it Item) bool {
		cands = append(cands, it)
		return true
	})
	order := func(it Item) int {
		if ref, ok := h.store.decode(it.RatingKey); ok {
			return ref.i
		}
		return s.size + it.RatingKey // added items follow the generated ones, oldest first
	}
	slices.SortStableFunc(cands, func(a, b Item) int { return cmp.Compare(order(a), order(b)) })
	for _, it := range cands {
		if q.eval(filter, &it) && !yield(it) {
			return
		}
	}
}

// ranked is a matching item with its sort keys.
type ranked struct {
	rk   int
	keys []any
}

// collect returns the rating keys of the items of type typ in s that pass filter, sorted, at
// most limit of them (-1: all). Memory grows with the matches (rating keys and sort keys only),
// or with limit when both sort and limit are given.
func (h *handler) collect(q *queryCtx, s *Section, typ string, filter *node, sorts []sortSpec, limit int) []int {
	var out []ranked
	less := func(a, b ranked) int {
		for k, sp := range sorts {
			va, vb := a.keys[k], b.keys[k]
			if sp.nullsLast && isNull(va) != isNull(vb) {
				if isNull(va) {
					return 1
				}
				return -1
			}
			c := compareValues(va, vb)
			if sp.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a.rk, b.rk)
	}
	h.scan(q, s, typ, filter, func(it Item) bool {
		r := ranked{rk: it.RatingKey}
		for _, sp := range sorts {
			target := &it
			if sp.scope != "" && sp.scope != it.Type {
				p, _ := q.scope(&it, sp.scope)
				target = &p
			}
			r.keys = append(r.keys, sp.field.get(q, target))
		}
		switch {
		case len(sorts) == 0:
			out = append(out, r)
			return limit < 0 || len(out) < limit
		case limit < 0:
			out = append(out, r)
		default:
			// Keep the best limit so far, in order.
			i, _ := slices.BinarySearchFunc(out, r, less)
			if i < limit {
				out = slices.Insert(out, i, r)
				if len(out) > limit {
					out = out[:limit]
				}
			}
		}
		return true
	})
	if len(sorts) > 0 && limit < 0 {
		slices.SortStableFunc(out, less)
	}
	keys := make([]int, len(out))
	for i, r := range out {
		keys[i] = r.rk
	}
	return keys
}
