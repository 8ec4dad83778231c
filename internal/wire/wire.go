// Package wire holds what the plex.tv and Plex Media Server clients share to read a body in
// either of Plex's two encodings: the choice between JSON and XML, made from the body itself,
// and the XML encodings Plex declares.
package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Format is a body encoding.
type Format int

// The encodings Plex answers in.
const (
	JSON Format = iota + 1
	XML
)

// String names the encoding.
func (f Format) String() string {
	if f == XML {
		return "XML"
	}
	return "JSON"
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// maxLeadingSpace bounds the white space Sniff reads before it gives up: a body of nothing but
// white space must not be read to its end.
const maxLeadingSpace = 1 << 20

// ErrEmpty is Sniff's error for a body that holds nothing but white space.
var ErrEmpty = errors.New("the body is empty")

// Sniff reports the encoding of a body from its first significant byte, leaving that byte
// unread (a UTF-8 byte order mark is dropped), also when the body starts as neither. Plex's
// Content-Type is not reliable: XML comes as text/xml, application/xml or nothing, and
// plex.tv's legacy endpoints answer XML even to a client that asked for JSON.
func Sniff(br *bufio.Reader) (Format, error) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // Peek has buffered them
	}
	for i := 0; ; i++ {
		if i == maxLeadingSpace {
			return 0, fmt.Errorf("the body starts with more than %d bytes of white space", maxLeadingSpace)
		}
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, ErrEmpty
			}
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		}
		if err := br.UnreadByte(); err != nil {
			return 0, err
		}
		switch b {
		case '{', '[':
			return JSON, nil
		case '<':
			return XML, nil
		}
		return 0, fmt.Errorf("the body is neither JSON nor XML (it starts with %q)", b)
	}
}

// CharsetReader is an xml.Decoder's CharsetReader that accepts the encodings Plex declares, all
// of which are UTF-8 or its subset.
func CharsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q", charset)
}
