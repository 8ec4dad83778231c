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

// Sniff reports the encoding of a body from its first significant byte, leaving that byte
// unread (a UTF-8 byte order mark is dropped). Plex's Content-Type is not reliable: XML comes as
// text/xml, application/xml or nothing, and plex.tv's legacy endpoints answer XML even to a
// client that asked for JSON.
func Sniff(br *bufio.Reader) (Format, error) {
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // Peek has buffered them
	}
	for {
		b, err := br.ReadByte()
		if err != nil {
			if err == io.EOF {
				return 0, errors.New("the body is empty")
			}
			return 0, err
		}
		switch b {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return JSON, br.UnreadByte()
		case '<':
			return XML, br.UnreadByte()
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
