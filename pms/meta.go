package pms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Meta is what a section says its media queries may use (GET /library/sections/{id}/all with
// includeMeta=1): per result type, the filters, sorts and fields, and per field type, the
// operators.
type Meta struct {
	Types      []MetaType  `json:"Type" xml:"Type"`
	FieldTypes []FieldType `json:"FieldType" xml:"FieldType"`
}

// MetaType is one result type of a section (movie; or show, season, episode) and what a query
// for it may use.
type MetaType struct {
	Key     string       `json:"key" xml:"key,attr"`   // e.g. /library/sections/2/all?type=2
	Type    string       `json:"type" xml:"type,attr"` // movie, show, episode, …
	Title   string       `json:"title" xml:"title,attr"`
	Subtype string       `json:"subtype,omitempty" xml:"subtype,attr"`
	Active  FlexBool     `json:"active" xml:"active,attr"`
	Filters []MetaFilter `json:"Filter,omitempty" xml:"Filter"`
	Sorts   []MetaSort   `json:"Sort,omitempty" xml:"Sort"`
	Fields  []MetaField  `json:"Field,omitempty" xml:"Field"`
}

// MetaFilter is a filter a client may offer (a subset of the fields).
type MetaFilter struct {
	Filter     string   `json:"filter" xml:"filter,attr"`         // e.g. genre
	FilterType string   `json:"filterType" xml:"filterType,attr"` // string, integer, boolean, date, tag
	Key        string   `json:"key" xml:"key,attr"`               // where its values are listed
	Title      string   `json:"title" xml:"title,attr"`
	Advanced   FlexBool `json:"advanced,omitempty" xml:"advanced,attr"`
}

// MetaSort is a sort key.
type MetaSort struct {
	Key               string `json:"key" xml:"key,attr"`         // e.g. titleSort
	DescKey           string `json:"descKey" xml:"descKey,attr"` // e.g. titleSort:desc
	Title             string `json:"title" xml:"title,attr"`
	DefaultDirection  string `json:"defaultDirection,omitempty" xml:"defaultDirection,attr"`
	Default           string `json:"default,omitempty" xml:"default,attr"`
	FirstCharacterKey string `json:"firstCharacterKey,omitempty" xml:"firstCharacterKey,attr"`
}

// MetaField is a field a query may filter on.
type MetaField struct {
	Key     string `json:"key" xml:"key,attr"` // e.g. title, show.title, episode.viewCount
	Title   string `json:"title" xml:"title,attr"`
	Type    string `json:"type" xml:"type,attr"` // a FieldType's type
	SubType string `json:"subType,omitempty" xml:"subType,attr"`
}

// FieldType is a type of field and the operators it takes.
type FieldType struct {
	Type      string         `json:"type" xml:"type,attr"` // tag, integer, string, boolean, date, …
	Operators []MetaOperator `json:"Operator" xml:"Operator"`
}

// MetaOperator is an operator of a field type.
type MetaOperator struct {
	Key   string `json:"key" xml:"key,attr"` // =, !=, ==, !==, <=, >=, >>=, <<=
	Title string `json:"title" xml:"title,attr"`
}

// Meta returns what queries on the section with key sectionKey may use: GET
// /library/sections/{key}/all?includeMeta=1&includeAdvanced=1, asking for no items.
func (s *LibraryService) Meta(ctx context.Context, sectionKey string) (*Meta, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return nil, err
	}
	path := "library/sections/" + sectionKey + "/all"
	// JSON carries Meta as a field of the container, XML as a child element.
	var head struct {
		Meta *Meta `json:"Meta"`
	}
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: path,
		query:  url.Values{"includeMeta": {"1"}, "includeAdvanced": {"1"}},
		header: http.Header{"X-Plex-Container-Start": {"0"}, "X-Plex-Container-Size": {"0"}},
		head:   &head, childKeys: []string{},
		child: func(name string, decode elementDecoder) error {
			if name != "Meta" {
				return nil
			}
			head.Meta = new(Meta)
			return decode(head.Meta)
		},
	})
	if err != nil {
		return nil, err
	}
	if head.Meta == nil || len(head.Meta.Types) == 0 {
		return nil, &ResponseError{Method: http.MethodGet, URL: s.client.urlFor(path), Reason: "the answer has no Meta: the server does not describe this section's queries"}
	}
	return head.Meta, nil
}

// QueryError is a query that the section's Meta does not allow: an unknown field or sort, an
// operator its field's type does not take, or a value of the wrong form.
type QueryError struct {
	What   string // "filter", "sort", "type"
	Name   string // the field, sort or type
	Reason string
}

// Error implements error.
func (e *QueryError) Error() string { return "pms: query: " + e.What + " " + e.Name + ": " + e.Reason }

// Fields, sorts that a PMS accepts beyond what Meta lists (python-plexapi sends them).
var (
	implicitFields = []string{"guid", "id", "index", "lastRatedAt", "updatedAt", "group", "having"}
	implicitSorts  = []string{"guid", "id", "index", "summary", "tagline", "updatedAt", "random"}
)

// Validate checks q against a section's Meta, so that a misspelt field or sort, or an operator
// the field's type does not take, is an error before the request instead of an empty result.
// A type q does not give is the section's first (its own) type.
func (q *Query) Validate(m *Meta) error {
	if m == nil || len(m.Types) == 0 {
		return &QueryError{"type", q.Type.String(), "the section's Meta describes no types"}
	}
	mt := &m.Types[0]
	if q.Type != 0 {
		if mt = m.typeNamed(q.Type.String()); mt == nil {
			return &QueryError{"type", q.Type.String(), "the section has no items of this type (it has " + strings.Join(m.typeNames(), ", ") + ")"}
		}
	}
	src := mt
	if q.SourceType != 0 {
		if src = m.typeNamed(q.SourceType.String()); src == nil {
			return &QueryError{"type", q.SourceType.String(), "the section has no items of this source type"}
		}
	}
	if err := m.validateFilters(q.Filters, mt, src); err != nil {
		return err
	}
	if _, err := encodeSorts(q.Sorts); err != nil {
		return err
	}
	for _, s := range q.Sorts {
		if !m.hasSort(s.Field, mt) {
			return &QueryError{"sort", s.Field, "is not a sort of " + mt.Type + " (its sorts: " + strings.Join(sortKeys(mt), ", ") + ")"}
		}
	}
	return nil
}

func (m *Meta) validateFilters(filters []Filter, mt, src *MetaType) error {
	for _, f := range filters {
		if f.AnyOf != nil {
			for _, g := range f.AnyOf {
				if err := m.validateFilters(g, mt, src); err != nil {
					return err
				}
			}
			continue
		}
		if err := checkFilter(f); err != nil {
			return err
		}
		ftype, ok := m.fieldType(f.Field, mt, src)
		if !ok {
			return &QueryError{"filter", f.Field, "is not a field of " + src.Type + " (its fields: " + strings.Join(fieldKeys(src), ", ") + ")"}
		}
		if ftype == "" {
			continue // a field Plex takes without describing it
		}
		if ops := m.operatorsOf(ftype); ops != nil && !contains(ops, string(f.Op)) {
			return &QueryError{"filter", f.Field, fmt.Sprintf("a %s field takes %s, not %s", ftype, strings.Join(ops, " "), f.Op)}
		}
		for _, v := range f.Values {
			if err := checkValue(ftype, v); err != nil {
				return &QueryError{"filter", f.Field, err.Error()}
			}
		}
	}
	return nil
}

var (
	integerValue = regexp.MustCompile(`^-?[0-9]+$`)
	dateValue    = regexp.MustCompile(`^([+-]?[0-9]+(s|m|h|d|w|mon|y)?)$`)
)

// checkValue checks a value against its field's type, for the types whose form is fixed.
func checkValue(ftype, v string) error {
	switch ftype {
	case "integer", "tag":
		// A tag takes its id, or a value that is its own key (contentRating=PG-13): names are
		// for ResolveTags, which needs the server, to turn into ids.
		if ftype == "integer" && !integerValue.MatchString(v) {
			return fmt.Errorf("%q is not an integer", v)
		}
	case "boolean":
		if v != "0" && v != "1" {
			return fmt.Errorf("%q is not a boolean: 1 or 0", v)
		}
	case "date":
		if !dateValue.MatchString(v) {
			return fmt.Errorf("%q is not a date: epoch seconds, or relative such as -30d", v)
		}
	}
	return nil
}

func (m *Meta) typeNamed(name string) *MetaType {
	for i := range m.Types {
		if strings.EqualFold(m.Types[i].Type, name) {
			return &m.Types[i]
		}
	}
	return nil
}

func (m *Meta) typeNames() []string {
	out := make([]string, len(m.Types))
	for i, t := range m.Types {
		out[i] = t.Type
	}
	return out
}

// fieldType finds a field by key among src's fields and filters, or, scoped ("show.title"),
// among its scope type's; "" with ok is a field Plex accepts undescribed.
func (m *Meta) fieldType(key string, mt, src *MetaType) (string, bool) {
	if t, ok := describedField(key, src, mt); ok {
		return t, true
	}
	// A scoped field is described by its own type, under its scoped or its plain key.
	if scope, name, ok := strings.Cut(key, "."); ok {
		if st := m.typeNamed(scope); st != nil {
			if t, ok := describedField(key, st); ok {
				return t, true
			}
			if t, ok := describedField(name, st); ok {
				return t, true
			}
		}
	}
	if contains(implicitFields, key) {
		return "", true
	}
	return "", false
}

// describedField finds key among the fields and filters of types.
func describedField(key string, types ...*MetaType) (string, bool) {
	for _, t := range types {
		for _, f := range t.Fields {
			if f.Key == key {
				return f.Type, true
			}
		}
		for _, f := range t.Filters {
			if f.Filter == key {
				return f.FilterType, true
			}
		}
	}
	return "", false
}

func (m *Meta) operatorsOf(ftype string) []string {
	for _, t := range m.FieldTypes {
		if t.Type == ftype {
			ops := make([]string, len(t.Operators))
			for i, o := range t.Operators {
				ops[i] = o.Key
			}
			return ops
		}
	}
	return nil
}

func (m *Meta) hasSort(key string, mt *MetaType) bool {
	if scope, name, ok := strings.Cut(key, "."); ok {
		st := m.typeNamed(scope)
		if st == nil {
			return false
		}
		key, mt = name, st
	}
	for _, s := range mt.Sorts {
		if s.Key == key || strings.TrimSuffix(s.DescKey, ":desc") == key {
			return true
		}
	}
	return contains(implicitSorts, key)
}

func sortKeys(t *MetaType) []string {
	out := make([]string, len(t.Sorts))
	for i, s := range t.Sorts {
		out[i] = s.Key
	}
	return out
}

func fieldKeys(t *MetaType) []string {
	var out []string
	for _, f := range t.Fields {
		out = append(out, f.Key)
	}
	for _, f := range t.Filters {
		if !contains(out, f.Filter) {
			out = append(out, f.Filter)
		}
	}
	return out
}
