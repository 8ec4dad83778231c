package pms

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
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
type format int

const (
	formatJSON format = iota + 1
	formatXML
)

// String names the encoding.
func (f format) String() string {
	if f == formatXML {
		return "XML"
	}
	return "JSON"
}

// errStop ends a walk early without error: the consumer of an iterator stopped.
var errStop = errors.New("pms: stop")

// sniff reports the encoding of a body from its first significant byte; the Content-Type of a
// PMS answer is not reliable (XML is served as text/xml, application/xml, or nothing).
func sniff(br *bufio.Reader) (format, error) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // Peek has buffered them
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, errEmptyBody
			}
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return formatJSON, br.UnreadByte()
		case '<':
			return formatXML, br.UnreadByte()
		}
		return 0, fmt.Errorf("the body is neither JSON nor XML (it starts with %q)", b)
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// errEmptyBody is a body with nothing but white space.
var errEmptyBody = errors.New("the body is empty")

// decodeInto serves Client.Do: it copies the body to out when out is an io.Writer, and
// otherwise decodes the body's root element into out — in JSON the value under the one
// top-level key ({"MediaContainer":{…}}, {"ButlerTasks":{…}}), in XML the root element with
// its attributes and children. An empty body leaves out as it is: PMS answers many writes with
// none.
func decodeInto(r io.Reader, out any) (format, error) {
	if w, ok := out.(io.Writer); ok {
		_, err := io.Copy(w, r)
		return 0, err
	}
	br := bufio.NewReaderSize(r, 32<<10)
	f, err := sniff(br)
	switch {
	case err == errEmptyBody:
		return 0, nil
	case err != nil:
		return 0, err
	case f == formatXML:
		dec := xml.NewDecoder(br)
		dec.CharsetReader = charsetReader
		for {
			tok, err := dec.Token()
			if err != nil {
				return f, err
			}
			if se, ok := tok.(xml.StartElement); ok {
				return f, dec.DecodeElement(out, &se)
			}
		}
	}
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{'); err != nil {
		return f, err
	}
	if !dec.More() {
		return f, nil
	}
	key, err := keyToken(dec)
	if err != nil {
		return f, err
	}
	if err := dec.Decode(out); err != nil {
		return f, fmt.Errorf("%s: %w", key, err)
	}
	return f, nil
}

// decodeContainer reads a MediaContainer from r in JSON or XML. head (a pointer to a struct
// with json tags and xml attr tags, or nil) receives the container's own fields; childKeys are
// the JSON keys whose array elements are children (XML children are every element).
func decodeContainer(r io.Reader, head any, childKeys []string, child childFunc) (format, error) {
	if child == nil {
		child = func(string, elementDecoder) error { return nil }
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 32<<10)
	}
	f, err := sniff(br)
	if err != nil {
		return 0, err
	}
	if f == formatXML {
		return f, decodeXML(br, head, child)
	}
	return f, decodeJSON(br, head, childKeys, child)
}

func decodeJSON(r io.Reader, head any, childKeys []string, child childFunc) error {
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
		if err := jsonContainer(dec, head, childKeys, child); err != nil {
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
func jsonContainer(dec *json.Decoder, head any, childKeys []string, child childFunc) error {
	if err := expectDelim(dec, '{'); err != nil {
		return fmt.Errorf("MediaContainer: %w", err)
	}
	var field bytes.Buffer
	for dec.More() {
		key, err := keyToken(dec)
		if err != nil {
			return err
		}
		if contains(childKeys, key) {
			if err := jsonChildren(dec, key, child); err != nil {
				return err
			}
			continue
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("MediaContainer.%s: %w", key, err)
		}
		if head == nil {
			continue
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
func jsonChildren(dec *json.Decoder, key string, child childFunc) error {
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
	el := &jsonElement{dec: dec, key: key}
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
	dec  *json.Decoder
	key  string
	i    int  // index of the current element
	used bool // the current element has been decoded
}

func (e *jsonElement) decode(v any) error {
	e.used = true
	if err := e.dec.Decode(v); err != nil {
		return fmt.Errorf("MediaContainer.%s[%d]: %w", e.key, e.i, err)
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func decodeXML(r io.Reader, head any, child childFunc) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charsetReader
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
	if head != nil {
		// The container's own fields are its attributes: decode them alone, before any child
		// is read, through a decoder that sees only the empty element.
		only := &oneElement{start: xml.StartElement{Name: root.Name, Attr: root.Attr}}
		if err := xml.NewTokenDecoder(only).Decode(head); err != nil {
			return fmt.Errorf("<MediaContainer>: %w", err)
		}
	}
	// One decoder serves every child, so that a child costs no closure of its own.
	el := &xmlElement{dec: dec}
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
}

func (e *xmlElement) decode(v any) error {
	e.used = true
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

// charsetReader accepts the encodings a PMS declares, all of which are UTF-8 or its subset.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", charset)
}
