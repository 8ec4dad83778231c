package pms_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/pms"
)

func TestQueryEncode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		q    *pms.Query
		want string
	}{
		{"type, filters, sort", pms.NewQuery(pms.TypeMovie).
			Where("year", pms.GreaterThan, "2000").
			Where("genre", pms.Is, "92", "93").
			SortBy("addedAt", true),
			"type=1&year%3E%3E=2000&genre=92%2C93&sort=addedAt%3Adesc"},
		{"every operator", pms.NewQuery(0).
			Where("a", pms.Is, "1").Where("b", pms.IsNot, "1").Where("c", pms.Equals, "x").
			Where("d", pms.NotEquals, "x").Where("e", pms.BeginsWith, "x").Where("f", pms.EndsWith, "x").
			Where("g", pms.LessThan, "-3y").Where("h", pms.AtLeast, "2"),
			"a=1&b%21=1&c%3D=x&d%21%3D=x&e%3C=x&f%3E=x&g%3C%3C=-3y&h%3E=2"},
		{"the spec's complex expression", &pms.Query{Filters: []pms.Filter{
			pms.AnyOf([]pms.Filter{pms.Where("index", pms.Is, "1")}, []pms.Filter{pms.Where("rating", pms.Is, "2")}),
			pms.Where("duration", pms.Is, "10"),
		}}, "push=1&index=1&or=1&rating=2&pop=1&duration=10"},
		{"source type, scoped field, group, limit, sorts with features, params", &pms.Query{
			Type: pms.TypeEpisode, SourceType: pms.TypeShow,
			Filters: []pms.Filter{pms.Where("title", pms.Equals, "24"), pms.Where("show.year", pms.AtMost, "2010")},
			Sorts:   []pms.Sort{{Field: "title"}, {Field: "index", Desc: true, NullsLast: true}},
			Group:   "title", Limit: 100, Params: map[string][]string{"includeGuids": {"1"}},
		}, "type=4&sourceType=2&title%3D=24&show.year%3C=2010&sort=title%2Cindex%3Adesc%3AnullsLast&group=title&limit=100&includeGuids=1"},
		{"values that need escaping", pms.NewQuery(pms.TypeMovie).Where("title", pms.Is, "Coup de Grâce & co"),
			"type=1&title=Coup+de+Gr%C3%A2ce+%26+co"},
		{"helpers", pms.NewQuery(pms.TypeMovie).Where("unwatched", pms.Is, pms.Bool(true)).
			Where("addedAt", pms.GreaterThan, pms.Date(time.Unix(1700000000, 0))).
			Where("lastViewedAt", pms.LessThan, pms.Ago(time.Hour)).Where("year", pms.Is, pms.Int(1999)),
			"type=1&unwatched=1&addedAt%3E%3E=1700000000&lastViewedAt%3C%3C=-3600&year=1999"},
	} {
		got, err := tt.q.Encode()
		if err != nil || got != tt.want {
			t.Errorf("%s: Encode = %q, %v\n want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestQueryEncodeRefuses(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		q    *pms.Query
		arg  string
	}{
		{"no field", pms.NewQuery(0).Where("", pms.Is, "1"), "Filter.Field"},
		{"an operator in the field", pms.NewQuery(0).Where("year>", pms.Is, "1"), "Filter.Field"},
		{"an unknown operator", pms.NewQuery(0).Where("year", "~=", "1"), "Filter.Op"},
		{"no value", pms.NewQuery(0).Where("year", pms.Is), "Filter.Values"},
		{"a comma in a value", pms.NewQuery(0).Where("title", pms.Is, "a,b"), "Filter.Values"},
		{"an empty group", &pms.Query{Filters: []pms.Filter{pms.AnyOf([]pms.Filter{})}}, "Filter.AnyOf"},
		{"a bad sort", pms.NewQuery(0).SortBy("a:b", false), "Sort.Field"},
		{"a negative limit", &pms.Query{Limit: -1}, "Query.Limit"},
	} {
		_, err := tt.q.Encode()
		var ae *pms.ArgumentError
		if !errors.As(err, &ae) || ae.Arg != tt.arg {
			t.Errorf("%s: Encode = %v, want an *ArgumentError for %s", tt.name, err, tt.arg)
		}
	}
}

func TestParseFilterAndSort(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]pms.Filter{
		"year>>=2000":     pms.Where("year", pms.GreaterThan, "2000"),
		"genre=92,93":     pms.Where("genre", pms.Is, "92", "93"),
		"title==Alien":    pms.Where("title", pms.Equals, "Alien"),
		"title!==Alien":   pms.Where("title", pms.NotEquals, "Alien"),
		"unwatched!=1":    pms.Where("unwatched", pms.IsNot, "1"),
		"addedAt<<=-30d":  pms.Where("addedAt", pms.LessThan, "-30d"),
		"show.title<=The": pms.Where("show.title", pms.BeginsWith, "The"),
		"rating>=7":       pms.Where("rating", pms.AtLeast, "7"),
	} {
		got, err := pms.ParseFilter(in)
		if err != nil || got.Field != want.Field || got.Op != want.Op || strings.Join(got.Values, "|") != strings.Join(want.Values, "|") {
			t.Errorf("ParseFilter(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"year", "=1", "year~1", "year>>=", "year>>=1,"} {
		if _, err := pms.ParseFilter(bad); err == nil {
			t.Errorf("ParseFilter(%q) succeeded", bad)
		}
	}
	sorts, err := pms.ParseSort("titleSort,addedAt:desc:nullsLast")
	if err != nil || len(sorts) != 2 || sorts[0] != (pms.Sort{Field: "titleSort"}) || sorts[1] != (pms.Sort{Field: "addedAt", Desc: true, NullsLast: true}) {
		t.Errorf("ParseSort = %+v, %v", sorts, err)
	}
	if _, err := pms.ParseSort("title:sideways"); err == nil {
		t.Error("ParseSort accepted an unknown feature")
	}
	for in, want := range map[string]pms.MediaType{"movie": pms.TypeMovie, "Episode": pms.TypeEpisode, "10": pms.TypeTrack} {
		if got, err := pms.ParseMediaType(in); err != nil || got != want {
			t.Errorf("ParseMediaType(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := pms.ParseMediaType("film"); err == nil {
		t.Error("ParseMediaType accepted film")
	}
}

// metaJSON and metaXML are a show section's Meta in the shapes of the reference (plex-beyond-
// spec B.3: Type holding Filter, Sort and Field; FieldType holding Operator), trimmed.
const metaJSON = `{"MediaContainer":{"size":0,"totalSize":2,"offset":0,"Meta":{
 "Type":[
  {"key":"/library/sections/2/all?type=2","type":"show","title":"TV Shows","active":true,
   "Filter":[{"filter":"genre","filterType":"tag","key":"/library/sections/2/genre?type=2","title":"Genre","type":"filter"},
             {"filter":"unwatchedLeaves","filterType":"boolean","key":"/library/sections/2/unwatchedLeaves?type=2","title":"Unwatched","type":"filter"}],
   "Sort":[{"key":"titleSort","descKey":"titleSort:desc","title":"Title","defaultDirection":"asc","default":"asc"},
           {"key":"addedAt","descKey":"addedAt:desc","title":"Date Added","defaultDirection":"desc"}],
   "Field":[{"key":"title","title":"Title","type":"string"},{"key":"year","title":"Year","type":"integer"},
            {"key":"addedAt","title":"Date Added","type":"date"},{"key":"genre","title":"Genre","type":"tag"}]},
  {"key":"/library/sections/2/all?type=4","type":"episode","title":"Episodes","active":false,
   "Sort":[{"key":"originallyAvailableAt","descKey":"originallyAvailableAt:desc","title":"Air Date"}],
   "Field":[{"key":"episode.title","title":"Episode Title","type":"string"},{"key":"episode.viewCount","title":"Plays","type":"integer"}]}
 ],
 "FieldType":[
  {"type":"tag","Operator":[{"key":"=","title":"is"},{"key":"!=","title":"is not"}]},
  {"type":"integer","Operator":[{"key":"=","title":"is"},{"key":"!=","title":"is not"},{"key":">>=","title":"is greater than"},{"key":"<<=","title":"is less than"}]},
  {"type":"string","Operator":[{"key":"=","title":"contains"},{"key":"!=","title":"does not contain"},{"key":"==","title":"is"},{"key":"!==","title":"is not"},{"key":"<=","title":"begins with"},{"key":">=","title":"ends with"}]},
  {"type":"boolean","Operator":[{"key":"=","title":"is true"},{"key":"!=","title":"is false"}]},
  {"type":"date","Operator":[{"key":"<<=","title":"is before"},{"key":">>=","title":"is after"}]}
 ]}}}`

const metaXML = `<?xml version="1.0" encoding="UTF-8"?>
<MediaContainer size="0" totalSize="2" offset="0">
<Meta>
<Type key="/library/sections/2/all?type=2" type="show" title="TV Shows" active="1">
<Filter filter="genre" filterType="tag" key="/library/sections/2/genre?type=2" title="Genre" type="filter"/>
<Filter filter="unwatchedLeaves" filterType="boolean" key="/library/sections/2/unwatchedLeaves?type=2" title="Unwatched" type="filter"/>
<Sort key="titleSort" descKey="titleSort:desc" title="Title" defaultDirection="asc" default="asc"/>
<Sort key="addedAt" descKey="addedAt:desc" title="Date Added" defaultDirection="desc"/>
<Field key="title" title="Title" type="string"/>
<Field key="year" title="Year" type="integer"/>
<Field key="addedAt" title="Date Added" type="date"/>
<Field key="genre" title="Genre" type="tag"/>
</Type>
<Type key="/library/sections/2/all?type=4" type="episode" title="Episodes" active="0">
<Sort key="originallyAvailableAt" descKey="originallyAvailableAt:desc" title="Air Date"/>
<Field key="episode.title" title="Episode Title" type="string"/>
<Field key="episode.viewCount" title="Plays" type="integer"/>
</Type>
<FieldType type="tag"><Operator key="=" title="is"/><Operator key="!=" title="is not"/></FieldType>
<FieldType type="integer"><Operator key="=" title="is"/><Operator key="!=" title="is not"/><Operator key="&gt;&gt;=" title="is greater than"/><Operator key="&lt;&lt;=" title="is less than"/></FieldType>
<FieldType type="string"><Operator key="=" title="contains"/><Operator key="!=" title="does not contain"/><Operator key="==" title="is"/><Operator key="!==" title="is not"/><Operator key="&lt;=" title="begins with"/><Operator key="&gt;=" title="ends with"/></FieldType>
<FieldType type="boolean"><Operator key="=" title="is true"/><Operator key="!=" title="is false"/></FieldType>
<FieldType type="date"><Operator key="&lt;&lt;=" title="is before"/><Operator key="&gt;&gt;=" title="is after"/></FieldType>
</Meta>
</MediaContainer>`

// TestMetaAndValidate reads a section's Meta in JSON and XML and checks queries against it.
func TestMetaAndValidate(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"JSON": metaJSON, "XML": metaXML} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/library/sections/2/all" || r.URL.Query().Get("includeMeta") != "1" || r.Header.Get("X-Plex-Container-Size") != "0" {
					http.Error(w, "unexpected request", http.StatusBadRequest)
					return
				}
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			c := newClient(t, srv.URL, pms.WithToken("abcdefghij0123456789"))
			m, err := c.Library.Meta(context.Background(), "2")
			must(t, err)
			if len(m.Types) != 2 || len(m.FieldTypes) != 5 || m.Types[0].Type != "show" || len(m.Types[0].Fields) != 4 || m.FieldTypes[1].Operators[2].Key != ">>=" {
				t.Fatalf("Meta = %+v", m)
			}
			for _, tt := range []struct {
				name string
				q    *pms.Query
				ok   bool
			}{
				{"a valid query", pms.NewQuery(pms.TypeShow).Where("year", pms.GreaterThan, "2000").Where("genre", pms.Is, "5").SortBy("addedAt", true), true},
				{"the section's type by default", pms.NewQuery(0).Where("title", pms.BeginsWith, "The").SortBy("titleSort", false), true},
				{"a filter-only field", pms.NewQuery(pms.TypeShow).Where("unwatchedLeaves", pms.Is, "1"), true},
				{"a scoped field of another type", pms.NewQuery(pms.TypeShow).Where("episode.viewCount", pms.Is, "0"), true},
				{"a scoped sort", pms.NewQuery(pms.TypeShow).SortBy("episode.originallyAvailableAt", true), true},
				{"a field Plex takes undescribed", pms.NewQuery(pms.TypeShow).Where("guid", pms.Is, "plex://show/1"), true},
				{"an OR group", pms.NewQuery(pms.TypeShow).WhereAny([]pms.Filter{pms.Where("year", pms.Is, "1")}, []pms.Filter{pms.Where("title", pms.Is, "x")}), true},
				{"a relative date", pms.NewQuery(pms.TypeShow).Where("addedAt", pms.GreaterThan, "-30d"), true},
				{"a misspelt filter", pms.NewQuery(pms.TypeShow).Where("yaer", pms.Is, "2000"), false},
				{"a misspelt filter in a group", pms.NewQuery(pms.TypeShow).WhereAny([]pms.Filter{pms.Where("titel", pms.Is, "x")}), false},
				{"a misspelt sort", pms.NewQuery(pms.TypeShow).SortBy("addedOn", true), false},
				{"a type the section lacks", pms.NewQuery(pms.TypeMovie), false},
				{"an operator the type lacks", pms.NewQuery(pms.TypeShow).Where("genre", pms.GreaterThan, "5"), false},
				{"a string operator on a date", pms.NewQuery(pms.TypeShow).Where("addedAt", pms.Equals, "1"), false},
				{"a word for an integer", pms.NewQuery(pms.TypeShow).Where("year", pms.Is, "recent"), false},
				{"a boolean that is not 0 or 1", pms.NewQuery(pms.TypeShow).Where("unwatchedLeaves", pms.Is, "yes"), false},
				{"a date that is no date", pms.NewQuery(pms.TypeShow).Where("addedAt", pms.GreaterThan, "last week"), false},
			} {
				err := tt.q.Validate(m)
				var qe *pms.QueryError
				switch {
				case tt.ok && err != nil:
					t.Errorf("%s: Validate = %v", tt.name, err)
				case !tt.ok && !errors.As(err, &qe):
					t.Errorf("%s: Validate = %v, want a *QueryError", tt.name, err)
				}
			}
		})
	}
}
