package plextv

import "encoding/xml"

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
