package pms

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/plexkit/plexkit/internal/textdist"
)

// A PMS filters tags by id (genre=87), not by name: a name matches nothing. FilterChoices lists
// the values a filter takes in a section, each with the key to filter by, and ResolveTags turns
// the names in a query's tag filters into those keys, as python-plexapi does before it sends a
// search (library.py _validateFieldValueTag).

// FilterChoice is one value a filter can take in a section: a genre, an actor, a content rating,
// a year.
type FilterChoice struct {
	// Key is the value to filter by: a tag's id ("87"), or, for a field whose values are
	// their own keys, the value itself (contentRating "PG-13", year "2008").
	Key FlexString `json:"key" xml:"key,attr"`
	// Title is the value's name ("Drama", "PG-13").
	Title string `json:"title" xml:"title,attr"`
	// FastKey is a path that lists the section's items with this value.
	FastKey string `json:"fastKey,omitempty" xml:"fastKey,attr"`
	// Type is "filter".
	Type string `json:"type,omitempty" xml:"type,attr"`
}

// FilterChoices returns the values filter field (a MetaFilter's Filter: "genre", "actor",
// "contentRating", "year") takes among the section's items of type t (0: the section's own
// type): GET /library/sections/{key}/{field}?type=N, the path a MetaFilter's Key names. A
// user a section is shared with gets the choices of the items they can see.
func (s *LibraryService) FilterChoices(ctx context.Context, sectionKey, field string, t MediaType) ([]FilterChoice, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return nil, err
	}
	if err := checkKey("field", field); err != nil {
		return nil, err
	}
	var q url.Values
	if t > 0 {
		q = url.Values{"type": {strconv.Itoa(int(t))}}
	}
	return list[FilterChoice](ctx, s.client, get, "library/sections/"+sectionKey+"/"+field, q, "Directory")
}

// tagLikeTypes are the field types whose values are looked up among filter choices
// (python-plexapi treats these four alike).
var tagLikeTypes = []string{"tag", "subtitleLanguage", "audioLanguage", "resolution"}

// ResolveTags returns a copy of q in which each value of a tag filter (genre, director, actor,
// label, contentRating, …) that names a filter choice, by its key or its title and ignoring
// case, is that choice's key: genre=Drama becomes genre=87. A value already a key passes
// unchanged, and so does one of only digits that no choice has (an id of a tag the section
// does not use; the server then matches nothing). Any other value is a *QueryError naming
// the field, the value and the closest choices. A tag filter with == or !== (operators the
// grammar gives strings) becomes = or !=: a tag either is the one named or is not. Fields m
// does not describe, and other field types, are left as they are, for Validate (before or
// after) to judge.
//
// The choices of each field are fetched once per call (GET of the MetaFilter's Key), and not
// kept: a section's tags change as items are added and edited, and a cache outliving the
// call would turn a new genre into an error until it was dropped. A query that filters on
// three tag fields costs three small requests; python-plexapi fetches them once per value.
// m is the section's Meta (Library.Meta), which names where each filter's choices are.
func (s *LibraryService) ResolveTags(ctx context.Context, m *Meta, q *Query) (*Query, error) {
	if m == nil || len(m.Types) == 0 {
		return nil, &QueryError{"type", q.Type.String(), "the section's Meta describes no types"}
	}
	mt := &m.Types[0]
	if q.Type != 0 {
		if mt = m.typeNamed(q.Type.String()); mt == nil {
			return nil, &QueryError{"type", q.Type.String(), "the section has no items of this type"}
		}
	}
	src := mt
	if q.SourceType != 0 {
		if src = m.typeNamed(q.SourceType.String()); src == nil {
			return nil, &QueryError{"type", q.SourceType.String(), "the section has no items of this source type"}
		}
	}
	r := &tagResolver{lib: s, m: m, mt: mt, src: src, choices: map[string][]FilterChoice{}}
	out := *q
	var err error
	if out.Filters, err = r.filters(ctx, q.Filters); err != nil {
		return nil, err
	}
	return &out, nil
}

// tagResolver resolves the tag values of one query, holding the choices it fetched.
type tagResolver struct {
	lib     *LibraryService
	m       *Meta
	mt, src *MetaType
	choices map[string][]FilterChoice // by MetaFilter.Key
}

func (r *tagResolver) filters(ctx context.Context, in []Filter) ([]Filter, error) {
	if in == nil {
		return nil, nil
	}
	out := make([]Filter, len(in))
	for i, f := range in {
		if f.AnyOf != nil {
			groups := make([][]Filter, len(f.AnyOf))
			for j, g := range f.AnyOf {
				var err error
				if groups[j], err = r.filters(ctx, g); err != nil {
					return nil, err
				}
			}
			out[i] = Filter{AnyOf: groups}
			continue
		}
		values, err := r.values(ctx, f)
		if err != nil {
			return nil, err
		}
		op := f.Op
		if r.isTag(f.Field) {
			switch op {
			case Equals:
				op = Is
			case NotEquals:
				op = IsNot
			}
		}
		out[i] = Filter{Field: f.Field, Op: op, Values: values}
	}
	return out, nil
}

// isTag reports whether field is of a tag-like type.
func (r *tagResolver) isTag(field string) bool {
	ftype, _ := r.m.fieldType(field, r.mt, r.src)
	return contains(tagLikeTypes, ftype)
}

// values returns f's values resolved to choice keys.
func (r *tagResolver) values(ctx context.Context, f Filter) ([]string, error) {
	values := slices.Clone(f.Values)
	mf := r.m.filterOf(f.Field, r.mt, r.src)
	if !r.isTag(f.Field) || mf == nil || mf.Key == "" {
		return values, nil
	}
	choices, err := r.choicesOf(ctx, mf)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if key, ok := matchChoice(choices, v); ok {
			values[i] = key
			continue
		}
		if integerValue.MatchString(v) {
			continue
		}
		return nil, &QueryError{"filter", f.Field, unknownChoice(f.Field, v, choices)}
	}
	return values, nil
}

// choicesOf fetches the choices a MetaFilter's Key lists, once per resolver.
func (r *tagResolver) choicesOf(ctx context.Context, mf *MetaFilter) ([]FilterChoice, error) {
	if c, ok := r.choices[mf.Key]; ok {
		return c, nil
	}
	u, err := url.Parse(mf.Key)
	if err != nil || u.Path == "" || u.IsAbs() {
		return nil, &QueryError{"filter", mf.Filter, fmt.Sprintf("the section's Meta lists its choices at %q, which is not a path on the server", mf.Key)}
	}
	c, err := list[FilterChoice](ctx, r.lib.client, get, strings.TrimPrefix(u.Path, "/"), u.Query(), "Directory")
	if err != nil {
		return nil, err
	}
	r.choices[mf.Key] = c
	return c, nil
}

// matchChoice finds the choice whose key or title is v, ignoring case (the first, in the
// server's order), as python-plexapi matches.
func matchChoice(choices []FilterChoice, v string) (string, bool) {
	for _, c := range choices {
		if strings.EqualFold(string(c.Key), v) || strings.EqualFold(c.Title, v) {
			return string(c.Key), true
		}
	}
	return "", false
}

// closeChoices is how many choices an unknown name's error suggests.
const closeChoices = 3

// unknownChoice says that no choice of field is named v, and which come closest: titles
// that contain v or that v contains, then those a few edits away.
func unknownChoice(field, v string, choices []FilterChoice) string {
	if len(choices) == 0 {
		return fmt.Sprintf("no %s is named %q: the section has none", field, v)
	}
	type scored struct {
		title string
		score int
	}
	lv := strings.ToLower(v)
	var close []scored
	for _, c := range choices {
		lt := strings.ToLower(c.Title)
		d := textdist.Levenshtein(lv, lt)
		switch {
		case strings.Contains(lt, lv) || strings.Contains(lv, lt):
			close = append(close, scored{c.Title, -1})
		case d <= max(2, len([]rune(lv))/3):
			close = append(close, scored{c.Title, d})
		}
	}
	slices.SortStableFunc(close, func(a, b scored) int { return a.score - b.score })
	if len(close) == 0 {
		names := make([]string, 0, closeChoices)
		for _, c := range choices[:min(closeChoices, len(choices))] {
			names = append(names, c.Title)
		}
		more := ""
		if len(choices) > closeChoices {
			more = ", …"
		}
		return fmt.Sprintf("no %s is named %q (the section's: %s%s)", field, v, strings.Join(names, ", "), more)
	}
	names := make([]string, 0, closeChoices)
	for _, c := range close[:min(closeChoices, len(close))] {
		names = append(names, c.title)
	}
	return fmt.Sprintf("no %s is named %q (close: %s)", field, v, strings.Join(names, ", "))
}

// filterOf finds the MetaFilter of a field as fieldType finds its type: among src's and mt's
// filters, or, scoped ("show.genre"), among its scope type's.
func (m *Meta) filterOf(key string, mt, src *MetaType) *MetaFilter {
	find := func(k string, types ...*MetaType) *MetaFilter {
		for _, t := range types {
			for i := range t.Filters {
				if t.Filters[i].Filter == k {
					return &t.Filters[i]
				}
			}
		}
		return nil
	}
	if f := find(key, src, mt); f != nil {
		return f
	}
	if scope, name, ok := strings.Cut(key, "."); ok {
		if st := m.typeNamed(scope); st != nil {
			if f := find(key, st); f != nil {
				return f
			}
			return find(name, st)
		}
	}
	return nil
}
