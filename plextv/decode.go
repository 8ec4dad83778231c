package plextv

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"io"

	"github.com/plexkit/plexkit/internal/wire"
)

// decodeBody decodes a plex.tv answer into out, in the encoding the body turns out to be in.
// The client asks for JSON, which the v2 endpoints honour; the legacy ones (/api/users,
// /api/servers, /devices.xml) answer XML whatever is asked. The models carry xml tags for that.
func decodeBody(r io.Reader, out any) error {
	br := bufio.NewReaderSize(r, 4<<10)
	f, err := wire.Sniff(br)
	if err != nil {
		return err
	}
	if f == wire.XML {
		dec := xml.NewDecoder(br)
		dec.CharsetReader = wire.CharsetReader
		return dec.Decode(out)
	}
	return json.NewDecoder(br).Decode(out)
}

// IDList is a list of identifiers: a JSON array of strings, or in XML an element whose children
// each carry an id attribute (<roles><role id="plexpass"/></roles>). plex.tv sends features,
// roles and entitlements this way.
type IDList []string

// UnmarshalXML implements xml.Unmarshaler: it collects the id attribute of every child of start.
func (l *IDList) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	out := IDList{}
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Local == "id" {
					out = append(out, a.Value)
				}
			}
			if err := d.Skip(); err != nil {
				return err
			}
		case xml.EndElement:
			*l = out
			return nil
		}
	}
}
