package pms

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseFilter: a filter read from a command line never panics, and one that parses encodes
// to a query that parses back to it (the operator survives the percent-encoding).
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"year>>=2000", "genre=92,93", "title==Alien", "title!==a", "unwatched!=1", "addedAt<<=-30d", "show.title<=The", "rating>=7", "a=", "=1", "x~1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := ParseFilter(s)
		if err != nil {
			return
		}
		q := &Query{Filters: []Filter{flt}}
		enc, err := q.Encode()
		if err != nil {
			t.Fatalf("ParseFilter(%q) = %+v, which does not encode: %v", s, flt, err)
		}
		key, _, ok := strings.Cut(enc, "=")
		if !ok || strings.ContainsAny(key, "=<>!&") {
			t.Fatalf("%q encodes to %q: the operator is not escaped in the key", s, enc)
		}
	})
}

// FuzzParseSort: a sort parameter never panics, and one that parses encodes.
func FuzzParseSort(f *testing.F) {
	for _, s := range []string{"titleSort", "addedAt:desc", "title,index:desc:nullsLast", ":desc", "a:b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sorts, err := ParseSort(s)
		if err != nil {
			return
		}
		if _, err := (&Query{Sorts: sorts}).Encode(); err != nil {
			t.Fatalf("ParseSort(%q) = %+v, which does not encode: %v", s, sorts, err)
		}
	})
}

// FuzzDecodeInto: Do's decoding of any answer into a caller's struct never panics.
func FuzzDecodeInto(f *testing.F) {
	for _, s := range append(append([]string{`{"ButlerTasks":{"ButlerTask":[{"name":"x","enabled":true}]}}`, `<ButlerTasks><ButlerTask name="x" enabled="1"/></ButlerTasks>`, `{}`, ``}, jsonSeeds...), xmlSeeds...) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var root struct {
			Size  FlexInt      `json:"size" xml:"size,attr"`
			Items []Item       `json:"Metadata" xml:"Video"`
			Tasks []ButlerTask `json:"ButlerTask" xml:"ButlerTask"`
		}
		_, _ = decodeInto(bytes.NewReader(body), bounds{}, &root)
	})
}
