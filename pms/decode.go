package pms

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/plexkit/plexkit/internal/bounded"
	"github.com/plexkit/plexkit/internal/wire"
)

// Every PMS answer is a MediaContainer: {"MediaContainer":{fields…, "Metadata":[…]}} in JSON,
// <MediaContainer fields…><Video …/>…</MediaContainer> in XML. decodeContainer walks one with a
// streaming decoder, filling head with the container's own fields and handing each child
// element to a callback as it is read, so a page of a million items never has to be held in
// memory at once.

// elementDecoder decodes the current child element into v.
type elementDecoder func(v any) error

// childFunc receives each child of a container: its name (the JSON array key, or the XML element
// name: Video, Directory, Track, Photo, Metadata, Hub…) and a decoder for it. A child the
// callback does not decode is skipped. Returning an error stops the walk with that error.
type childFunc func(name string, decode elementDecoder) error

// format is a body encoding.
type format = wire.Format

const (
	formatJSON = wire.JSON
	formatXML  = wire.XML
)

// errStop ends a walk early without error: the consumer of an iterator stopped.
var errStop = errors.New("pms: stop")

// Bounds of an answer. Every answer is read through package bounded, so that no answer, however
// hostile, costs more than about 100 MB: an answer that is kept whole (a list returned as a
// slice) is bounded in objects and arrays, which is what decoding allocates (a Session is almost
// 1 KiB in memory and `{},` on the wire); a page that is streamed is bounded per element, since
// only one element is held at a time.
const (
	maxKeptBody      = 16 << 20 // an answer kept whole
	maxKeptValues    = 20_000   // objects and arrays (JSON) or elements (XML) of an answer kept whole
	maxDepth         = 64       // a PMS nests about 10 deep (Hub, Metadata, Media, Part, Stream)
	maxElementBytes  = 4 << 20  // one item; a real one is a few KiB, with its cast and streams
	maxElementValues = 10_000
	maxToken         = 1 << 20 // one string or number (JSON), tag or text (XML)
)

// bounds are the limits of one answer, and where its elements' fingerprint goes.
type bounds struct {
	stream bool          // elements are handed out one at a time, not kept
	first  *maphash.Hash // when set, receives the first element's bytes (see paginate)
}

func (b bounds) limits(f format) bounded.Limits {
	l := bounded.Limits{Bytes: maxKeptBody, Depth: maxDepth, Values: maxKeptValues,
		ElementBytes: maxElementBytes, ElementValues: maxElementValues, Token: maxToken}
	if b.stream {
		l.Bytes, l.Values = maxBody, 0
	}
	// {"MediaContainer":{"Metadata":[{…}]}}: an element opens at depth 4 in JSON;
	// <MediaContainer><Video/></MediaContainer>: at depth 2 in XML.
	l.ElementDepth = 4
	if f == formatXML {
		l.ElementDepth = 2
	}
	return l
}

// decodeContainer reads a MediaContainer from r in JSON or XML, within the bounds of an answer
// kept whole. head (a pointer to a struct with json tags and xml attr tags, or nil) receives the
// container's own fields; childKeys are the JSON keys whose array elements are children (XML
// children are every element).
func decodeContainer(r io.Reader, head any, childKeys []string, child childFunc) (format, error) {
	return decodeWithin(r, bounds{}, head, childKeys, child)
}

// decodeWithin is decodeContainer within b.
func decodeWithin(r io.Reader, b bounds, head any, childKeys []string, child childFunc) (format, error) {
	expectChildren := child != nil
	if child == nil {
		child = func(string, elementDecoder) error { return nil }
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 32<<10)
	}
	f, err := wire.Sniff(br)
	if err != nil {
		return 0, err
	}
	var t tally
	if f == formatXML {
		x := bounded.NewXML(br, b.limits(f), wire.CharsetReader)
		x.First = b.first
		err = decodeXML(x.Decoder, head, child, &t)
	} else {
		j := bounded.NewJSON(br, b.limits(f))
		j.First = b.first
		err = decodeJSON(j, head, childKeys, child, &t)
	}
	if err == nil && expectChildren && t.size > 0 && t.decoded == 0 {
		// An answer that announces items but holds none where they belong is not an empty
		// list: it is an answer of another shape.
		if f == formatXML {
			return f, fmt.Errorf("the container's size is %d but it holds none of the elements expected here", t.size)
		}
		return f, fmt.Errorf("the container's size is %d but it holds no %s", t.size, strings.Join(childKeys, " or "))
	}
	return f, err
}

// tally is what a walk saw: the size the container announced, and the children decoded.
type tally struct {
	size    int
	decoded int
}

// noteSize records the container's size field (JSON number or string, XML attribute).
func (t *tally) noteSize(v string) {
	if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil {
		t.size = n
	}
}

func decodeJSON(r io.Reader, head any, childKeys []string, child childFunc, t *tally) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	found := false
	for dec.More() {
		key, err := keyToken(dec)
		if err != nil {
			return err
		}
		if key != "MediaContainer" || found {
			if err := skipValue(dec); err != nil {
				return err
			}
			continue
		}
		found = true
		if err := jsonContainer(dec, head, childKeys, child, t); err != nil {
			return err
		}
	}
	if !found {
		return errors.New(`the body has no "MediaContainer"`)
	}
	return expectDelim(dec, '}')
}

// jsonContainer reads the MediaContainer object: children are decoded one by one as they come;
// every other field is decoded into head as soon as it is read, so the fields that precede the
// children (as a PMS writes them) are known while the children are handled.
func jsonContainer(dec *json.Decoder, head any, childKeys []string, child childFunc, t *tally) error {
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("MediaContainer: %w", err)
	}
	var field bytes.Buffer
	known := jsonFields(head)
	for dec.More() {
		key, err := keyToken(dec)
		if err != nil {
			return err
		}
		if contains(childKeys, key) {
			if err := jsonChildren(dec, key, child, t); err != nil {
				return err
			}
			continue
		}
		if key == "size" && !known(key) {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fmt.Errorf("MediaContainer.%s: %w", key, err)
			}
			t.noteSize(string(raw))
			continue
		}
		if !known(key) {
			// Skipped token by token: a field no one reads is never buffered.
			if err := skipValue(dec); err != nil {
				return fmt.Errorf("MediaContainer.%s: %w", key, err)
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("MediaContainer.%s: %w", key, err)
		}
		if key == "size" {
			t.noteSize(string(raw))
		}
		// Unmarshalling {"key":value} into head sets that field alone and leaves the others.
		field.Reset()
		field.WriteByte('{')
		kb, _ := json.Marshal(key) // a string always marshals
		field.Write(kb)
		field.WriteByte(':')
		field.Write(raw)
		field.WriteByte('}')
		if err := json.Unmarshal(field.Bytes(), head); err != nil {
			return fmt.Errorf("MediaContainer.%s: %w", key, err)
		}
	}
	return expectDelim(dec, '}')
}

// jsonChildren reads the array under key (null counts as empty) and hands each element to child.
func jsonChildren(dec *json.Decoder, key string, child childFunc, t *tally) error {
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("MediaContainer.%s: %w", key, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("MediaContainer.%s: expected an array, found %v", key, tok)
	}
	// One decoder serves every element, so that an element costs no closure of its own.
	el := &jsonElement{dec: dec, key: key, tally: t}
	decode := el.decode
	for ; dec.More(); el.i++ {
		el.used = false
		if err := child(key, decode); err != nil {
			return err
		}
		if !el.used {
			if err := skipValue(dec); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // the closing ']', which More has seen
	return err
}

// jsonElement decodes the current element of the array under key.
type jsonElement struct {
	dec   *json.Decoder
	key   string
	i     int  // index of the current element
	used  bool // the current element has been decoded
	tally *tally
}

// decode decodes the element into v (a non-nil pointer). A null element is an error: decoded
// into v it would pass for an element whose fields are all empty.
func (e *jsonElement) decode(v any) error {
	e.used = true
	e.tally.decoded++
	pp := reflect.New(reflect.TypeOf(v)) // **T holding v: null sets it to nil
	pp.Elem().Set(reflect.ValueOf(v))
	if err := e.dec.Decode(pp.Interface()); err != nil {
		return fmt.Errorf("MediaContainer.%s[%d]: %w", e.key, e.i, err)
	}
	if pp.Elem().IsNil() {
		return fmt.Errorf("MediaContainer.%s[%d] is null", e.key, e.i)
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("expected %q, found %v", want, tok)
	}
	return nil
}

func keyToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("expected an object key, found %v", tok)
	}
	return key, nil
}

// skipValue reads past the next value, whatever it is, without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// jsonFields returns whether a key names a field of head's struct type, as encoding/json
// matches them (exactly or, failing that, without regard to case). A nil head has none.
func jsonFields(head any) func(key string) bool {
	if head == nil {
		return func(string) bool { return false }
	}
	t := reflect.TypeOf(head)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return func(string) bool { return true }
	}
	names, ok := fieldNames.Load(t)
	if !ok {
		names, _ = fieldNames.LoadOrStore(t, appendFieldNames(nil, t))
	}
	list := names.([]string)
	return func(key string) bool {
		for _, n := range list {
			if strings.EqualFold(n, key) {
				return true
			}
		}
		return false
	}
}

// appendFieldNames appends the JSON names of struct type t's fields, those of embedded structs
// included, to list.
func appendFieldNames(list []string, t reflect.Type) []string {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-":
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			list = appendFieldNames(list, ft)
		case !f.IsExported():
		case name == "":
			list = append(list, f.Name)
		default:
			list = append(list, name)
		}
	}
	return list
}

// fieldNames caches the JSON field names of head types, by reflect.Type.
var fieldNames sync.Map

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func decodeXML(dec *xml.Decoder, head any, child childFunc, t *tally) error {
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return errors.New("the body has no <MediaContainer>")
			}
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "MediaContainer" {
		return fmt.Errorf("the body is <%s>, not <MediaContainer>", root.Name.Local)
	}
	for _, a := range root.Attr {
		if a.Name.Local == "size" {
			t.noteSize(a.Value)
		}
	}
	if head != nil {
		// The container's own fields are its attributes: decode them alone, before any child
		// is read, through a decoder that sees only the empty element.
		only := &oneElement{start: xml.StartElement{Name: root.Name, Attr: root.Attr}}
		if err := xml.NewTokenDecoder(only).Decode(head); err != nil {
			return fmt.Errorf("<MediaContainer>: %w", err)
		}
	}
	// One decoder serves every child, so that a child costs no closure of its own.
	el := &xmlElement{dec: dec, tally: t}
	decode := el.decode
	for {
		tok, err := dec.Token()
		if err != nil {
			return err // inside an element, the end of the body is a syntax error
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			el.start, el.used = t, false
			if err := child(t.Name.Local, decode); err != nil {
				return err
			}
			if !el.used {
				if err := dec.Skip(); err != nil {
					return err
				}
			}
		}
	}
}

// xmlElement decodes the element whose start tag was read last.
type xmlElement struct {
	dec   *xml.Decoder
	start xml.StartElement
	used  bool // the element has been decoded
	tally *tally
}

func (e *xmlElement) decode(v any) error {
	e.used = true
	e.tally.decoded++
	if err := e.dec.DecodeElement(v, &e.start); err != nil {
		return fmt.Errorf("<%s>: %w", e.start.Name.Local, err)
	}
	return nil
}

// oneElement is an xml.TokenReader of one empty element.
type oneElement struct {
	start xml.StartElement
	n     int
}

// Token implements xml.TokenReader.
func (o *oneElement) Token() (xml.Token, error) {
	o.n++
	switch o.n {
	case 1:
		return o.start, nil
	case 2:
		return o.start.End(), nil
	}
	return nil, io.EOF
}
