package emulator_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
)

// node is a generic XML element: the contract tests read answers through it (and JSON through
// map[string]any), never through the client's structs, so they judge the emulator by the shapes
// in the reference.
type node struct {
	Name  string
	Attrs map[string]string
	Kids  []*node
	Text  string
}

// parseXML parses body into a tree, failing on anything but one well-formed root.
func parseXML(t testing.TB, body []byte) *node {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(xml.Header[:len(xml.Header)-1])) {
		t.Errorf("XML answer does not start with the XML declaration: %.80s", body)
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not XML: %v: %s", err, body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			} else if root != nil {
				t.Fatalf("two root elements: %s", body)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += strings.TrimSpace(string(tok))
			}
		}
	}
	if root == nil {
		t.Fatalf("no XML root: %s", body)
	}
	return root
}

// kids returns the children named name.
func (n *node) kids(name string) []*node {
	var out []*node
	for _, k := range n.Kids {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// kid returns the one child named name, failing when there is not exactly one.
func (n *node) kid(t testing.TB, name string) *node {
	t.Helper()
	k := n.kids(name)
	if len(k) != 1 {
		t.Fatalf("<%s> has %d <%s> children, want 1", n.Name, len(k), name)
	}
	return k[0]
}

// ids returns the id attributes of <outer><inner id/>…</outer>.
func (n *node) ids(t testing.TB, outer, inner string) []string {
	t.Helper()
	var out []string
	for _, k := range n.kid(t, outer).kids(inner) {
		out = append(out, k.Attrs["id"])
	}
	return out
}

// wantAttrs checks that n has every attribute listed.
func wantAttrs(t testing.TB, n *node, names ...string) {
	t.Helper()
	for _, a := range names {
		if _, ok := n.Attrs[a]; !ok {
			t.Errorf("<%s> lacks attribute %s", n.Name, a)
		}
	}
}

// wantBools checks that each attribute is an XML boolean as Plex writes it: "1" or "0".
func wantBools(t testing.TB, n *node, names ...string) {
	t.Helper()
	for _, a := range names {
		if v, ok := n.Attrs[a]; !ok || (v != "0" && v != "1") {
			t.Errorf("<%s %s=%q>: want 0 or 1", n.Name, a, v)
		}
	}
}

// wantRoot checks the XML root's name.
func wantRoot(t testing.TB, n *node, name string) *node {
	t.Helper()
	if n.Name != name {
		t.Fatalf("XML root <%s>, want <%s>", n.Name, name)
	}
	return n
}

// parseJSON decodes body into generic values.
func parseJSON(t testing.TB, body []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, body)
	}
	return v
}

// obj asserts v is a JSON object.
func obj(t testing.TB, v any) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("want a JSON object, got %T %v", v, v)
	}
	return m
}

// arr asserts v is a JSON array.
func arr(t testing.TB, v any) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("want a JSON array, got %T %v", v, v)
	}
	return a
}

// wantKeys checks each key's JSON type: "string", "number", "bool", "object", "array", "null",
// or "string|null" and the like.
func wantKeys(t testing.TB, m map[string]any, spec map[string]string) {
	t.Helper()
	for k, want := range spec {
		v, ok := m[k]
		if !ok {
			t.Errorf("JSON lacks %q", k)
			continue
		}
		got := "null"
		switch v.(type) {
		case string:
			got = "string"
		case float64:
			got = "number"
		case bool:
			got = "bool"
		case map[string]any:
			got = "object"
		case []any:
			got = "array"
		}
		if !slices.Contains(strings.Split(want, "|"), got) {
			t.Errorf("JSON %q is %s (%v), want %s", k, got, v, want)
		}
	}
}
