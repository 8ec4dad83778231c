package pms

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Media queries are how a PMS filters, sorts and limits a section's items: a query string such
// as type=1&year%3E%3E=2000&genre=92,93&sort=addedAt:desc (the grammar is in the official
// spec's "Media Queries"). Query builds one from typed parts and encodes it exactly, in order;
// Validate checks it against the section's own definitions (Library.Meta) before it is sent.

// MediaType is a Plex metadata type number, as a media query's type parameter takes it.
type MediaType int

// Metadata types (python-plexapi's SEARCHTYPES; the spec lists a subset).
const (
	TypeMovie          MediaType = 1
	TypeShow           MediaType = 2
	TypeSeason         MediaType = 3
	TypeEpisode        MediaType = 4
	TypeTrailer        MediaType = 5
	TypeArtist         MediaType = 8
	TypeAlbum          MediaType = 9
	TypeTrack          MediaType = 10
	TypeClip           MediaType = 12
	TypePhoto          MediaType = 13
	TypePhotoAlbum     MediaType = 14
	TypePlaylist       MediaType = 15
	TypePlaylistFolder MediaType = 16
	TypeCollection     MediaType = 18
)

var mediaTypeNames = map[MediaType]string{
	TypeMovie: "movie", TypeShow: "show", TypeSeason: "season", TypeEpisode: "episode",
	TypeTrailer: "trailer", TypeArtist: "artist", TypeAlbum: "album", TypeTrack: "track",
	TypeClip: "clip", TypePhoto: "photo", TypePhotoAlbum: "photoalbum", TypePlaylist: "playlist",
	TypePlaylistFolder: "playlistFolder", TypeCollection: "collection",
}

// String returns the type's name as items carry it ("movie", "episode"), or its number.
func (t MediaType) String() string {
	if n, ok := mediaTypeNames[t]; ok {
		return n
	}
	return strconv.Itoa(int(t))
}

// ParseMediaType reads a type by name ("movie", "Episode") or number ("1").
func ParseMediaType(s string) (MediaType, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return MediaType(n), nil
	}
	for t, n := range mediaTypeNames {
		if strings.EqualFold(n, s) {
			return t, nil
		}
	}
	return 0, &ArgumentError{"type", fmt.Sprintf("%q is not a metadata type (movie, show, season, episode, artist, album, track, photo, …)", s)}
}

// Operator is a media query operator: what stands between a field and its value, "=" included.
// Its meaning depends on the field's type.
type Operator string

// Operators of the media query grammar. Some have two names because the spec gives the same
// characters two meanings: "<=" is "at most" for numbers and "begins with" for strings.
const (
	// Is: equals (integer, date, tag, boolean, language) or contains (string).
	Is Operator = "="
	// IsNot: not equals, or does not contain (string).
	IsNot Operator = "!="
	// Equals: a string equals the value exactly.
	Equals Operator = "=="
	// NotEquals: a string differs from the value.
	NotEquals Operator = "!=="
	// BeginsWith: a string begins with the value.
	BeginsWith Operator = "<="
	// EndsWith: a string ends with the value.
	EndsWith Operator = ">="
	// AtMost: an integer is less than or equal to the value.
	AtMost Operator = "<="
	// AtLeast: an integer is greater than or equal to the value.
	AtLeast Operator = ">="
	// GreaterThan: an integer is greater than the value, a date after it.
	GreaterThan Operator = ">>="
	// LessThan: an integer is less than the value, a date before it.
	LessThan Operator = "<<="
)

// operators are the operators, longest first, for parsing.
var operators = []Operator{NotEquals, GreaterThan, LessThan, Equals, IsNot, AtMost, AtLeast, Is}

// Filter is one condition of a query: Field Op Values, where several values mean any of them
// (Plex's ","). A filter with AnyOf instead is a parenthesised OR of groups of filters, each
// group an AND (Plex's push=1 … or=1 … pop=1).
type Filter struct {
	// Field is the field's key as the section's Meta names it ("year", "genre", "show.title").
	Field  string
	Op     Operator
	Values []string
	// AnyOf, when set, makes this filter (Field, Op and Values unset) true when any group is.
	AnyOf [][]Filter
}

// Where returns the filter field op values.
func Where(field string, op Operator, values ...string) Filter {
	return Filter{Field: field, Op: op, Values: values}
}

// AnyOf returns a filter true when any of groups is (each group's filters all hold).
func AnyOf(groups ...[]Filter) Filter { return Filter{AnyOf: groups} }

// Sort is one key of a query's order.
type Sort struct {
	Field     string // "addedAt", "titleSort", "show.title"
	Desc      bool
	NullsLast bool
}

// Query is a media query: the type of the results, filters (all must hold), the order, a
// grouping and a limit. Build one with NewQuery and its methods, or fill the fields; Encode
// gives the query string a PMS takes. Paging is not part of it: the iterators page with the
// X-Plex-Container-Start/Size headers.
type Query struct {
	// Type is the type of the results (TypeEpisode lists episodes of a show section); 0 is
	// the section's own type.
	Type MediaType
	// SourceType changes the type unscoped fields refer to (type=4&sourceType=2&title==24:
	// episodes of shows titled 24).
	SourceType MediaType
	Filters    []Filter
	Sorts      []Sort
	// Group groups the results by a field (group=title).
	Group string
	// Limit caps the results on the server (limit=N); 0 sets none.
	Limit int
	// Params are other parameters, sent after the query as they are (includeGuids=1, …).
	Params url.Values
}

// NewQuery returns a query for results of type t (0: the section's type).
func NewQuery(t MediaType) *Query { return &Query{Type: t} }

// Where adds the filter field op values and returns q.
func (q *Query) Where(field string, op Operator, values ...string) *Query {
	q.Filters = append(q.Filters, Where(field, op, values...))
	return q
}

// WhereAny adds a parenthesised OR of groups and returns q.
func (q *Query) WhereAny(groups ...[]Filter) *Query {
	q.Filters = append(q.Filters, AnyOf(groups...))
	return q
}

// SortBy adds a sort key and returns q.
func (q *Query) SortBy(field string, desc bool) *Query {
	q.Sorts = append(q.Sorts, Sort{Field: field, Desc: desc})
	return q
}

// Int formats an integer value.
func Int(n int) string { return strconv.Itoa(n) }

// Bool formats a boolean value: "1" or "0".
func Bool(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Date formats a date value: epoch seconds.
func Date(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// Ago formats a date value relative to the server's now: Ago(30*24*time.Hour) is "-2592000"
// (the grammar also takes units, e.g. "-30d", which may be given as a string).
func Ago(d time.Duration) string { return "-" + strconv.FormatInt(int64(d/time.Second), 10) }

// Encode returns the query string, in order: type, sourceType, the filters, sort, group, limit,
// then Params. Operator characters left of "=" are percent-encoded (year%3E%3E=2000), as the
// spec asks and clients send them. It fails on a filter that cannot be expressed: no field, an
// unknown operator, no value, or a value with a "," (which Plex would read as an OR).
func (q *Query) Encode() (string, error) {
	var b strings.Builder
	add := func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	if q.Type < 0 || q.SourceType < 0 {
		return "", &ArgumentError{"Query.Type", "is negative"}
	}
	if q.Type > 0 {
		add("type", strconv.Itoa(int(q.Type)))
	}
	if q.SourceType > 0 {
		add("sourceType", strconv.Itoa(int(q.SourceType)))
	}
	if err := encodeFilters(&b, q.Filters, add); err != nil {
		return "", err
	}
	if len(q.Sorts) > 0 {
		s, err := encodeSorts(q.Sorts)
		if err != nil {
			return "", err
		}
		add("sort", s)
	}
	if q.Group != "" {
		add("group", q.Group)
	}
	if q.Limit < 0 {
		return "", &ArgumentError{"Query.Limit", "is negative"}
	}
	if q.Limit > 0 {
		add("limit", strconv.Itoa(q.Limit))
	}
	if extra := q.Params.Encode(); extra != "" {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(extra)
	}
	return b.String(), nil
}

// String returns the encoded query, or the reason it has none.
func (q *Query) String() string {
	s, err := q.Encode()
	if err != nil {
		return "(invalid query: " + err.Error() + ")"
	}
	return s
}

func encodeFilters(b *strings.Builder, filters []Filter, add func(k, v string)) error {
	for _, f := range filters {
		if f.AnyOf != nil {
			if f.Field != "" || len(f.Values) > 0 {
				return &ArgumentError{"Filter", "a filter has either AnyOf or a field, not both"}
			}
			if len(f.AnyOf) == 0 {
				return &ArgumentError{"Filter.AnyOf", "has no groups"}
			}
			add("push", "1")
			for i, g := range f.AnyOf {
				if len(g) == 0 {
					return &ArgumentError{"Filter.AnyOf", fmt.Sprintf("group %d is empty", i)}
				}
				if i > 0 {
					add("or", "1")
				}
				if err := encodeFilters(b, g, add); err != nil {
					return err
				}
			}
			add("pop", "1")
			continue
		}
		if err := checkFilter(f); err != nil {
			return err
		}
		// The key carries the operator without its last "=", which is the separator.
		add(f.Field+strings.TrimSuffix(string(f.Op), "="), strings.Join(f.Values, ","))
	}
	return nil
}

func checkFilter(f Filter) error {
	switch {
	case f.Field == "":
		return &ArgumentError{"Filter.Field", "is empty"}
	case strings.ContainsAny(f.Field, "=!<>&,:"):
		return &ArgumentError{"Filter.Field", fmt.Sprintf("%q has a character no field name has", f.Field)}
	case !validOperator(f.Op):
		return &ArgumentError{"Filter.Op", fmt.Sprintf("%q is not a media query operator (=, !=, ==, !==, <=, >=, >>=, <<=)", f.Op)}
	case len(f.Values) == 0:
		return &ArgumentError{"Filter.Values", fmt.Sprintf("the filter on %s has no value", f.Field)}
	}
	for _, v := range f.Values {
		if v == "" {
			return &ArgumentError{"Filter.Values", fmt.Sprintf("the filter on %s has an empty value", f.Field)}
		}
		if strings.Contains(v, ",") {
			return &ArgumentError{"Filter.Values", fmt.Sprintf("%q has a comma, which Plex reads as OR: give the values separately", v)}
		}
	}
	return nil
}

func validOperator(op Operator) bool {
	for _, o := range operators {
		if o == op {
			return true
		}
	}
	return false
}

func encodeSorts(sorts []Sort) (string, error) {
	parts := make([]string, len(sorts))
	for i, s := range sorts {
		if s.Field == "" || strings.ContainsAny(s.Field, ",:=&") {
			return "", &ArgumentError{"Sort.Field", fmt.Sprintf("%q is not a sort field", s.Field)}
		}
		parts[i] = s.Field
		if s.Desc {
			parts[i] += ":desc"
		}
		if s.NullsLast {
			parts[i] += ":nullsLast"
		}
	}
	return strings.Join(parts, ","), nil
}

// ParseFilter reads a filter as written in a query string, decoded: "year>>=2000",
// "genre=92,93", "title==Alien", "unwatched=1".
func ParseFilter(s string) (Filter, error) {
	i := strings.IndexAny(s, "=!<>")
	if i <= 0 {
		return Filter{}, &ArgumentError{"filter", fmt.Sprintf("%q is not FIELD OPERATOR VALUE, e.g. year>>=2000", s)}
	}
	rest := s[i:]
	for _, op := range operators {
		if strings.HasPrefix(rest, string(op)) {
			f := Filter{Field: s[:i], Op: op, Values: strings.Split(rest[len(op):], ",")}
			if err := checkFilter(f); err != nil {
				return Filter{}, err
			}
			return f, nil
		}
	}
	return Filter{}, &ArgumentError{"filter", fmt.Sprintf("%q has no media query operator (=, !=, ==, !==, <=, >=, >>=, <<=)", s)}
}

// ParseSort reads a sort parameter: "addedAt:desc", "title,index:desc:nullsLast".
func ParseSort(s string) ([]Sort, error) {
	var out []Sort
	for _, part := range strings.Split(s, ",") {
		fields := strings.Split(strings.TrimSpace(part), ":")
		st := Sort{Field: fields[0]}
		for _, feat := range fields[1:] {
			switch feat {
			case "desc":
				st.Desc = true
			case "asc":
			case "nullsLast":
				st.NullsLast = true
			default:
				return nil, &ArgumentError{"sort", fmt.Sprintf("%q: %q is not a sort feature (desc, asc, nullsLast)", part, feat)}
			}
		}
		if st.Field == "" {
			return nil, &ArgumentError{"sort", fmt.Sprintf("%q names no field", s)}
		}
		out = append(out, st)
	}
	if _, err := encodeSorts(out); err != nil {
		return nil, err
	}
	return out, nil
}
