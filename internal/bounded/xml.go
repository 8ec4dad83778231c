package bounded

import (
	"bufio"
	"encoding/xml"
	"hash/maphash"
	"io"
)

// XML reads an XML body within limits. Its Decoder is an *xml.Decoder like any other, but its
// tokens come through a filter that counts elements and nesting, and its bytes through a reader
// that bounds the body and the text between two tokens (encoding/xml buffers a whole tag, text or
// comment before it returns it).
type XML struct {
	// Decoder decodes the body; use it as the only decoder of the body.
	Decoder *xml.Decoder
	// First, when non-nil, receives the names and attributes of the first element at
	// ElementDepth and of the elements inside it (see JSON.First).
	First *maphash.Hash

	raw    *xml.Decoder
	bytes  *byteCounter
	l      Limits
	depth  int
	values int
	elem   bool
	elemAt int64
	elemV  int
	elems  int
}

// NewXML returns an XML that reads br within l; charset is the decoder's CharsetReader.
func NewXML(br *bufio.Reader, l Limits, charset func(string, io.Reader) (io.Reader, error)) *XML {
	x := &XML{l: l, bytes: &byteCounter{br: br, l: l}}
	x.raw = xml.NewDecoder(x.bytes)
	x.raw.CharsetReader = charset
	x.Decoder = xml.NewTokenDecoder(x)
	return x
}

// Token implements xml.TokenReader for Decoder: the raw tokens, checked.
func (x *XML) Token() (xml.Token, error) {
	before := x.bytes.n
	tok, err := x.raw.RawToken()
	if err != nil {
		if le := x.bytes.err; le != nil {
			return nil, le
		}
		return nil, err
	}
	x.bytes.mark = x.bytes.n
	switch t := tok.(type) {
	case xml.StartElement:
		x.depth++
		if x.l.Depth > 0 && x.depth > x.l.Depth {
			return nil, exceeded("nests deeper than %d levels", int64(x.l.Depth))
		}
		x.values++
		if x.l.Values > 0 && x.values > x.l.Values {
			return nil, exceeded("has more than %d elements", int64(x.l.Values))
		}
		if x.l.ElementDepth > 0 && x.depth == x.l.ElementDepth {
			x.elem, x.elemAt, x.elemV = true, before, 0
			x.elems++
		}
		if x.elem {
			x.elemV++
			if x.l.ElementValues > 0 && x.elemV > x.l.ElementValues {
				return nil, exceeded("has an element of more than %d elements", int64(x.l.ElementValues))
			}
			if x.First != nil && x.elems == 1 {
				h := x.First
				h.WriteString(t.Name.Local)
				for _, a := range t.Attr {
					h.WriteByte(0)
					h.WriteString(a.Name.Local)
					h.WriteByte('=')
					h.WriteString(a.Value)
				}
				h.WriteByte(1)
			}
		}
	case xml.EndElement:
		if x.depth == x.l.ElementDepth {
			x.elem = false
		}
		x.depth--
	}
	if x.elem && x.l.ElementBytes > 0 && x.bytes.n-x.elemAt > x.l.ElementBytes {
		return nil, exceeded("has an element larger than %d bytes", x.l.ElementBytes)
	}
	return tok, nil
}

// byteCounter passes bytes through, bounding the body and the run since the last token.
type byteCounter struct {
	br   *bufio.Reader
	l    Limits
	n    int64 // bytes read
	mark int64 // n at the end of the last token
	err  *LimitError
}

// ReadByte implements io.ByteReader, which encoding/xml reads through.
func (b *byteCounter) ReadByte() (byte, error) {
	if b.err != nil {
		return 0, b.err
	}
	c, err := b.br.ReadByte()
	if err != nil {
		return c, err
	}
	b.n++
	switch {
	case b.l.Bytes > 0 && b.n > b.l.Bytes:
		b.err = exceeded("is larger than %d bytes", b.l.Bytes)
	case b.l.Token > 0 && b.n-b.mark > int64(b.l.Token):
		b.err = exceeded("has a tag or text longer than %d bytes", int64(b.l.Token))
	}
	if b.err != nil {
		return 0, b.err
	}
	return c, nil
}

// Read implements io.Reader byte by byte; encoding/xml uses ReadByte.
func (b *byteCounter) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c, err := b.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = c
	return 1, nil
}
