package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Filter discovery: the Meta element (includeMeta=1), /filters, /sorts, filter choices
// (/library/sections/{id}/{filter}) and /firstCharacters, all rendered from fieldDefs so a
// client that validates its query against Meta sends only what the query engine accepts.

type metaElem struct {
	Type      []metaType      `json:"Type" xml:"Type"`
	FieldType []metaFieldType `json:"FieldType" xml:"FieldType"`
}

type metaType struct {
	Key     string       `json:"key" xml:"key,attr"`
	Type    string       `json:"type" xml:"type,attr"`
	Title   string       `json:"title" xml:"title,attr"`
	Active  xbool        `json:"active" xml:"active,attr"`
	Subtype string       `json:"subtype,omitempty" xml:"subtype,attr,omitempty"`
	Filter  []metaFilter `json:"Filter,omitempty" xml:"Filter"`
	Sort    []metaSort   `json:"Sort,omitempty" xml:"Sort"`
	Field   []metaField  `json:"Field,omitempty" xml:"Field"`
}

type metaFilter struct {
	Filter     string `json:"filter" xml:"filter,attr"`
	FilterType string `json:"filterType" xml:"filterType,attr"`
	Key        string `json:"key" xml:"key,attr"`
	Title      string `json:"title" xml:"title,attr"`
	Type       string `json:"type" xml:"type,attr"`
}

type metaSort struct {
	Default          string `json:"default,omitempty" xml:"default,attr,omitempty"`
	DefaultDirection string `json:"defaultDirection" xml:"defaultDirection,attr"`
	DescKey          string `json:"descKey" xml:"descKey,attr"`
	FirstCharKey     string `json:"firstCharacterKey,omitempty" xml:"firstCharacterKey,attr,omitempty"`
	Key              string `json:"key" xml:"key,attr"`
	Title            string `json:"title" xml:"title,attr"`
}

// filterDir and sortDir are a Filter and a Sort listed on their own, as Directory elements.
type filterDir struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	metaFilter
}

type sortDir struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	metaSort
}

type metaField struct {
	Key     string `json:"key" xml:"key,attr"`
	Title   string `json:"title" xml:"title,attr"`
	Type    string `json:"type" xml:"type,attr"`
	SubType string `json:"subType,omitempty" xml:"subType,attr,omitempty"`
}

type metaFieldType struct {
	Type     string         `json:"type" xml:"type,attr"`
	Operator []metaOperator `json:"Operator" xml:"Operator"`
}

type metaOperator struct {
	Key   string `json:"key" xml:"key,attr"`
	Title string `json:"title" xml:"title,attr"`
}

// operators are the operators of each field type, with the titles clients look them up by.
var operators = []struct {
	kind fieldKind
	ops  []metaOperator
}{
	{kindInteger, []metaOperator{{"=", "is"}, {"!=", "is not"}, {">>=", "is greater than"}, {"<<=", "is less than"}, {">=", "is greater than or equal to"}, {"<=", "is less than or equal to"}}},
	{kindBoolean, []metaOperator{{"=", "is"}, {"!=", "is not"}}},
	{kindTag, []metaOperator{{"=", "is"}, {"!=", "is not"}}},
	{kindString, []metaOperator{{"=", "contains"}, {"!=", "does not contain"}, {"==", "is"}, {"!==", "is not"}, {"<=", "begins with"}, {">=", "ends with"}}},
	{kindDate, []metaOperator{{"=", "is"}, {"!=", "is not"}, {">>=", "is after"}, {"<<=", "is before"}}},
}

var typeTitle = map[string]string{
	"movie": "Movies", "show": "TV Shows", "season": "Seasons", "episode": "Episodes",
	"artist": "Artists", "album": "Albums", "track": "Tracks", "photoalbum": "Albums", "photo": "Photos",
	"collection": "Collections",
}

// meta describes what section s can be queried by.
func (h *handler) meta(s *Section) *metaElem {
	m := &metaElem{}
	for i, typ := range sectionTypes[s.Type] {
		m.Type = append(m.Type, h.metaType(s, typ, i == 0))
	}
	for _, o := range operators {
		m.FieldType = append(m.FieldType, metaFieldType{Type: string(o.kind), Operator: o.ops})
	}
	return m
}

func (h *handler) metaType(s *Section, typ string, active bool) metaType {
	n := strconv.Itoa(typeNumbers[typ])
	mt := metaType{Key: s.sectionKey + "/all?type=" + n, Type: typ, Title: typeTitle[typ], Active: xbool(active)}
	for _, f := range fieldDefs {
		if !slices.Contains(f.types, typ) {
			continue
		}
		mt.Field = append(mt.Field, metaField{Key: f.key, Title: f.title, Type: string(f.kind)})
		if f.filter {
			mt.Filter = append(mt.Filter, metaFilter{Filter: f.key, FilterType: string(f.kind),
				Key: s.sectionKey + "/" + f.key + "?type=" + n, Title: f.title, Type: "filter"})
		}
		if f.sort {
			dir := "asc"
			if f.desc {
				dir = "desc"
			}
			ms := metaSort{DefaultDirection: dir, DescKey: f.key + ":desc", Key: f.key, Title: f.title}
			if f.key == "titleSort" {
				ms.Default, ms.FirstCharKey = "asc", s.sectionKey+"/firstCharacter"
			}
			mt.Sort = append(mt.Sort, ms)
		}
	}
	return mt
}

// typeParam returns the type a request names (type=), or the section's top-level type.
func typeParam(c *call, s *Section) (string, bool) {
	v := c.query.Get("type")
	if v == "" {
		return sectionTypes[s.Type][0], true
	}
	t, ok := typeOfNumber(v)
	return t, ok && slices.Contains(sectionTypes[s.Type], t)
}

type directoryList struct {
	XMLName   xml.Name `json:"-" xml:"MediaContainer"`
	Size      int      `json:"size" xml:"size,attr"`
	ViewGroup string   `json:"viewGroup,omitempty" xml:"viewGroup,attr,omitempty"`
}

// writeDirectories answers with a plain MediaContainer of n Directory elements.
func writeDirectories(c *call, n int, child func(i int) any) {
	list{head: directoryList{Size: n}, childKey: "Directory", n: n, child: child}.write(c.w, c.json)
}

// sectionAndType returns the section named by the path and the item type asked for by ?type=
// (the section's first type when absent); a type the section does not hold is answered with
// 400, an unknown section as sectionFor answers it.
func (h *handler) sectionAndType(c *call) (*Section, string, bool) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return nil, "", false
	}
	typ, ok := typeParam(c, s)
	if !ok {
		writeError(c.w, http.StatusBadRequest)
		return nil, "", false
	}
	return s, typ, true
}

// sectionFilters serves GET /library/sections/{id}/filters: the filters of the requested type.
func (h *handler) sectionFilters(c *call) {
	s, typ, ok := h.sectionAndType(c)
	if !ok {
		return
	}
	mt := h.metaType(s, typ, true)
	writeDirectories(c, len(mt.Filter), func(i int) any {
		return filterDir{metaFilter: mt.Filter[i]}
	})
}

// sectionSorts serves GET /library/sections/{id}/sorts: the sorts of the requested type, the
// same as Meta's, as Directory elements.
func (h *handler) sectionSorts(c *call) {
	s, typ, ok := h.sectionAndType(c)
	if !ok {
		return
	}
	mt := h.metaType(s, typ, true)
	list{head: s.secondaryContainer(len(mt.Sort)), childKey: "Directory", n: len(mt.Sort), child: func(i int) any {
		return sortDir{metaSort: mt.Sort[i]}
	}}.write(c.w, c.json)
}

type firstChar struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	Key     string   `json:"key" xml:"key,attr"`
	Size    int      `json:"size" xml:"size,attr"`
	Title   string   `json:"title" xml:"title,attr"`
}

type filterChoice struct {
	XMLName xml.Name `json:"-" xml:"Directory"`
	FastKey string   `json:"fastKey" xml:"fastKey,attr"`
	Key     string   `json:"key" xml:"key,attr"`
	Title   string   `json:"title" xml:"title,attr"`
	Type    string   `json:"type" xml:"type,attr"`
}

// filterChoices serves GET /library/sections/{id}/{filter}?type=N: the values a tag, year or
// decade filter can take in the section, each with its id (the key to filter by).
func (h *handler) filterChoices(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	name := pathSegment(c.r.URL.Path, 3)
	f := lookupField(name)
	typ, ok := typeParam(c, s)
	if f == nil || !f.filter || !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	q := &queryCtx{h: h, account: h.account(c), now: h.cfg.Now()}
	seen := map[string]bool{}
	var choices []filterChoice
	h.scan(q, s, typ, nil, func(it Item) bool {
		var values []string
		switch v := f.get(q, &it).(type) {
		case []string:
			values = v
		case int64:
			if v != 0 {
				values = []string{strconv.FormatInt(v, 10)}
			}
		case bool:
			values = []string{"1"}
		}
		for _, val := range values {
			if seen[val] {
				continue
			}
			seen[val] = true
			key := val
			if f.kind == kindTag && !f.byValue {
				key = strconv.Itoa(tagID(val))
			}
			choices = append(choices, filterChoice{FastKey: s.sectionKey + "/all?" + f.key + "=" + key, Key: key, Title: val, Type: "filter"})
		}
		return true
	})
	slices.SortFunc(choices, func(a, b filterChoice) int { return strings.Compare(a.Title, b.Title) })
	writeDirectories(c, len(choices), func(i int) any {
		return choices[i]
	})
}

// sectionCollections serves GET /library/sections/{id}/collections: the section's collections
// (none until a collection is made), with Meta when asked for, so clients that load the
// collection filters before a search find them.
func (h *handler) sectionCollections(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	start, size, ok := c.pagingOr400()
	if !ok {
		return
	}
	head := s.container(0)
	if c.query.Get("includeMeta") == "1" {
		head.Meta = &metaElem{Type: []metaType{h.metaType(s, sectionTypes[s.Type][0], true)}}
		head.Meta.Type[0].Type, head.Meta.Type[0].Title, head.Meta.Type[0].Subtype = "collection", "Collections", sectionTypes[s.Type][0]
		head.Meta.Type[0].Key = s.sectionKey + "/collections"
		for _, o := range operators {
			head.Meta.FieldType = append(head.Meta.FieldType, metaFieldType{Type: string(o.kind), Operator: o.ops})
		}
	}
	cols := h.lists.inSection(s)
	total := len(cols)
	from, to := window(start, size, total)
	head.Size, head.TotalSize, head.Offset = to-from, &total, &start
	setPagingHeaders(c.w, start, total)
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		return h.lists.collectionElement(c, cols[from+i])
	}}.write(c.w, c.json)
}
