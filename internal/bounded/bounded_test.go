package bounded

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"hash/maphash"
	"io"
	"strings"
	"testing"
)

func TestJSONLimits(t *testing.T) {
	l := Limits{Bytes: 1000, Depth: 4, Values: 6, ElementDepth: 2, ElementBytes: 40, ElementValues: 3, Token: 10}
	cases := []struct {
		body, want string
	}{
		{`[{"a":"b"},{"c":[1,2]}]`, ""},
		{`[{"a":"b\"}}}}}}"}]`, ""}, // brackets inside strings do not count
		{`[[[[[1]]]]]`, "nests deeper than 4 levels"},
		{`[{},{},{},{},{},{},{}]`, "more than 6 objects and arrays"},
		{`[{"a":"0123456789x"}]`, "longer than 10 bytes"},
		{`[12345678901]`, "longer than 10 bytes"},
		{`[{"a":[[],[]]}]`, "element of more than 3"},
		{`[{"a":"012345678","b":"012345678","c":"012345678"}]`, "element larger than 40 bytes"},
		{`{"a":"012345678","b":"012345678","c":"012345678"}`, "element larger than 40 bytes"}, // an object at depth 1 is one element
		{strings.Repeat(" ", 1001), "larger than 1000 bytes"},
	}
	for _, tc := range cases {
		_, err := io.Copy(io.Discard, NewJSON(strings.NewReader(tc.body), l))
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.body, err, tc.want)
		}
		var le *LimitError
		if err != nil && !errors.As(err, &le) {
			t.Errorf("%s: %T is not a *LimitError", tc.body, err)
		}
	}
}

// An object at ElementDepth-1 is one element: what is inside it counts against the element.
func TestJSONObjectElement(t *testing.T) {
	l := Limits{ElementDepth: 3, ElementValues: 2}
	_, err := io.Copy(io.Discard, NewJSON(strings.NewReader(`{"head":{"a":{},"b":{}}}`), l))
	if err == nil {
		t.Fatal("an object at depth 2 was not bounded as an element")
	}
	if _, err := io.Copy(io.Discard, NewJSON(strings.NewReader(`{"list":[{"a":{}},{"b":{}}]}`), l)); err != nil {
		t.Fatalf("elements of a list at depth 2: %v", err)
	}
}

// First fingerprints the first element whatever the reads are cut into and whatever follows it.
func TestJSONFirst(t *testing.T) {
	seed := maphash.MakeSeed()
	sum := func(body string, chunk int) uint64 {
		var h maphash.Hash
		h.SetSeed(seed)
		j := NewJSON(&chunked{r: strings.NewReader(body), n: chunk}, Limits{ElementDepth: 2})
		j.First = &h
		if _, err := io.Copy(io.Discard, j); err != nil {
			t.Fatal(err)
		}
		return h.Sum64()
	}
	a := sum(`[{"k":"1","t":"a \"b\""},{"k":"2"}]`, 1)
	for _, chunk := range []int{2, 3, 7, 100} {
		if got := sum(`[{"k":"1","t":"a \"b\""},{"k":"2"}]`, chunk); got != a {
			t.Fatalf("chunks of %d changed the fingerprint", chunk)
		}
	}
	if sum(`[{"k":"1","t":"a \"b\""},{"k":"3"},{"k":"4"}]`, 5) != a {
		t.Fatal("what follows the first element changed its fingerprint")
	}
	if sum(`[{"k":"1","t":"a \"c\""},{"k":"2"}]`, 5) == a {
		t.Fatal("a different first element has the same fingerprint")
	}
}

type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func TestXMLLimits(t *testing.T) {
	l := Limits{Bytes: 1000, Depth: 3, Values: 5, ElementDepth: 2, ElementBytes: 60, ElementValues: 2, Token: 40}
	cases := []struct {
		body, want string
	}{
		{`<C><a x="1"/><b><c/></b></C>`, ""},
		{`<C><a><b><c/></b></a></C>`, "nests deeper than 3 levels"},
		{`<C><a/><a/><a/><a/><a/></C>`, "more than 5 elements"},
		{`<C><a x="` + strings.Repeat("y", 50) + `"/></C>`, "longer than 40 bytes"},
		{`<C><a>` + strings.Repeat("y", 50) + `</a></C>`, "longer than 40 bytes"},
		{`<C><a><b/><b/></a></C>`, "element of more than 2"},
		{`<C><a x="` + strings.Repeat("y", 30) + `"><b y="` + strings.Repeat("z", 30) + `"/></a></C>`, "element larger than 60 bytes"},
	}
	for _, tc := range cases {
		x := NewXML(bufio.NewReader(strings.NewReader(tc.body)), l, nil)
		var err error
		for err == nil {
			_, err = x.Decoder.Token()
		}
		if err == io.EOF {
			err = nil
		}
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.body, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: err = %v, want %q", tc.body, err, tc.want)
		}
	}
}

// The filter changes nothing a decoder sees: an answer within the limits decodes as without it.
func TestXMLDecodesAsUsual(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?><C n="1"><a x="&amp;1"><b>t</b></a></C>`
	type doc struct {
		N string `xml:"n,attr"`
		A struct {
			X string `xml:"x,attr"`
			B string `xml:"b"`
		} `xml:"a"`
	}
	var want, got doc
	if err := xml.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	x := NewXML(bufio.NewReader(strings.NewReader(body)), Limits{Depth: 8}, func(_ string, r io.Reader) (io.Reader, error) { return r, nil })
	if err := x.Decoder.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{"a":[{"b":"c\"]"},[1,2,{}]]}`, `[[[[`, `"\\\\"`, `{"x":"\u0022"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The scanner passes the bytes through unchanged, and a body it accepts within a depth
		// limit that encoding/json also accepts nests no deeper than the limit.
		var out bytes.Buffer
		_, err := io.Copy(&out, NewJSON(bytes.NewReader(body), Limits{Depth: 5}))
		if err == nil && !bytes.Equal(out.Bytes(), body) {
			t.Fatal("the scanner changed the bytes")
		}
		if err == nil && json.Valid(body) && depth(body) > 5 {
			t.Fatalf("accepted %q, which nests %d deep", body, depth(body))
		}
		if err != nil && json.Valid(body) && depth(body) <= 5 {
			t.Fatalf("refused %q (depth %d): %v", body, depth(body), err)
		}
	})
}

// depth returns how deep valid JSON nests, by decoding it.
func depth(body []byte) int {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return -1
	}
	var walk func(any) int
	walk = func(v any) int {
		d := 0
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				d = max(d, walk(e))
			}
			return d + 1
		case map[string]any:
			for _, e := range v {
				d = max(d, walk(e))
			}
			return d + 1
		}
		return 0
	}
	return walk(v)
}

func BenchmarkJSON(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString(`{"MediaContainer":{"size":1000,"Metadata":[`)
	for i := range 1000 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`{"ratingKey":"10","key":"/library/metadata/10","type":"movie","title":"A title of some length","summary":"A summary that runs on for a while, as summaries do, with \"quotes\" and more text.","year":1999,"Media":[{"id":1,"Part":[{"id":2,"key":"/p","size":3}]}],"Genre":[{"tag":"Drama"}]}`)
	}
	buf.WriteString(`]}}`)
	body := buf.Bytes()
	l := Limits{Bytes: 64 << 20, Depth: 64, ElementDepth: 4, ElementBytes: 4 << 20, ElementValues: 10000, Token: 1 << 20}
	var h maphash.Hash
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		h.Reset()
		j := NewJSON(bytes.NewReader(body), l)
		j.First = &h
		if _, err := io.Copy(io.Discard, j); err != nil {
			b.Fatal(err)
		}
	}
}
