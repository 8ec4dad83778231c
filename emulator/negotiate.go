package emulator

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// format is how a plex.tv route chooses between XML and JSON. Every plex.tv answer, errors
// included, goes through wantsJSON, so the choice is made in one place.
type format int

const (
	// negotiated: JSON when Accept asks for it, else XML (the v2 API, pins, errors).
	negotiated format = iota
	// legacyXML: XML whatever Accept says, as plex.tv's legacy (non-v2) endpoints answer,
	// unless Options.LegacyJSON.
	legacyXML
	// suffixJSON: JSON whatever Accept says (a path ending in .json).
	suffixJSON
	// suffixXML: XML whatever Accept says (a path ending in .xml).
	suffixXML
)

type formatKey struct{}

// withFormat routes h with format f: the request carries the decision to every writer.
func (e *Emulator) withFormat(f format, h http.HandlerFunc) http.Handler {
	if f == negotiated {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rf := f
		if rf == legacyXML && e.opts.LegacyJSON && acceptsJSON(r) {
			rf = suffixJSON
		}
		h(w, r.WithContext(context.WithValue(r.Context(), formatKey{}, rf)))
	})
}

// acceptsJSON reports whether the Accept header asks for JSON.
func acceptsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "json")
}

// wantsJSON reports whether the answer to r is JSON: the route's fixed format, else Accept.
func wantsJSON(r *http.Request) bool {
	switch f, _ := r.Context().Value(formatKey{}).(format); f {
	case suffixJSON:
		return true
	case legacyXML, suffixXML:
		return false
	}
	return acceptsJSON(r)
}

// reply answers with j as JSON or with x() as XML, as r asks.
func reply(w http.ResponseWriter, r *http.Request, status int, j any, x func() *xnode) {
	if wantsJSON(r) {
		writeJSON(w, status, j)
		return
	}
	writeXML(w, status, x())
}

// replyNode answers with n as XML, or as its JSON form (see xnode.MarshalJSON).
func replyNode(w http.ResponseWriter, r *http.Request, status int, n *xnode) {
	reply(w, r, status, n, func() *xnode { return n })
}

// xnode is an element of a plex.tv answer built by hand: attributes in order (Plex's XML keeps
// them in a fixed order and clients never mind, but golden files do), children, text. Attribute
// values are strings, bools (written "1"/"0", as Plex does), ints, or nil (left out).
type xnode struct {
	name  string
	attrs []xattr
	kids  []*xnode
	text  string
}

type xattr struct {
	name string
	v    any
}

// el returns an element with attributes from name/value pairs.
func el(name string, kv ...any) *xnode {
	n := &xnode{name: name}
	n.set(kv...)
	return n
}

// set appends attributes from name/value pairs; a nil value, or a nil *string, is left out.
func (n *xnode) set(kv ...any) *xnode {
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if s, ok := v.(*string); ok {
			if s == nil {
				continue
			}
			v = *s
		}
		if v == nil {
			continue
		}
		n.attrs = append(n.attrs, xattr{name: kv[i].(string), v: v})
	}
	return n
}

// add appends children and returns n.
func (n *xnode) add(kids ...*xnode) *xnode {
	n.kids = append(n.kids, kids...)
	return n
}

// textEl returns <name>text</name>.
func textEl(name, text string, kv ...any) *xnode {
	n := el(name, kv...)
	n.text = text
	return n
}

// list returns <outer><inner id="v"/>…</outer>, Plex's way of listing ids in XML.
func list(outer, inner string, ids []string) *xnode {
	n := el(outer)
	for _, id := range ids {
		n.add(el(inner, "id", id))
	}
	return n
}

func attrText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case bool:
		if v {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	}
	panic("emulator: xnode attribute of unsupported type") // a programming error, caught by every test
}

// MarshalXML implements xml.Marshaler.
func (n *xnode) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: n.name}}
	for _, a := range n.attrs {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: a.name}, Value: attrText(a.v)})
	}
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if n.text != "" {
		if err := enc.EncodeToken(xml.CharData(n.text)); err != nil {
			return err
		}
	}
	for _, k := range n.kids {
		if err := k.MarshalXML(enc, xml.StartElement{}); err != nil {
			return err
		}
	}
	return enc.EncodeToken(start.End())
}

// MarshalJSON renders n the way Plex renders its XML trees as JSON (PMS's convention, which
// the legacy plex.tv endpoints share): {"<root>": {attributes…, "<Child>": [{…}, …]}}.
// Attributes keep their types (bools true/false); a child with only text becomes a string.
func (n *xnode) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{n.name: n.object()})
}

func (n *xnode) object() any {
	if len(n.attrs) == 0 && len(n.kids) == 0 && n.text != "" {
		return n.text
	}
	o := make(map[string]any, len(n.attrs)+len(n.kids))
	for _, a := range n.attrs {
		o[a.name] = a.v
	}
	for _, k := range n.kids {
		arr, _ := o[k.name].([]any)
		o[k.name] = append(arr, k.object())
	}
	return o
}
