package pms

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// decodeItems decodes body as a list of items, as Library.Items does.
func decodeItems(body []byte) (pageHead, []Item, format, error) {
	var head pageHead
	var items []Item
	f, err := decodeContainer(bytes.NewReader(body), &head, itemNames, collect(&items, itemNames...))
	return head, items, f, err
}

func TestDecodeContainerShapes(t *testing.T) {
	t.Parallel()
	movie := Item{RatingKey: "10", Key: "/library/metadata/10", Type: "movie", Title: "A & B", Year: 1999,
		Media: []Media{{ID: 1, Parts: []Part{{ID: 2, Key: "/p/2", Size: 3}}}}}
	tests := []struct {
		name      string
		body      string
		format    format
		wantItems []Item
		wantTotal FlexInt
	}{
		{
			name:   "json",
			body:   `{"MediaContainer":{"size":1,"totalSize":5,"Metadata":[{"ratingKey":"10","key":"/library/metadata/10","type":"movie","title":"A & B","year":1999,"Media":[{"id":1,"Part":[{"id":2,"key":"/p/2","size":3}]}]}]}}`,
			format: formatJSON, wantItems: []Item{movie}, wantTotal: 5,
		},
		{
			name:   "json with container fields after the children and unknown keys",
			body:   `{"other":[1,{"a":2}],"MediaContainer":{"Metadata":[{"ratingKey":10,"key":"/library/metadata/10","type":"movie","title":"A \u0026 B","year":"1999","Media":[{"id":"1","Part":[{"id":2,"key":"/p/2","size":"3"}]}]}],"Extra":{"x":[1]},"totalSize":"5"}}`,
			format: formatJSON, wantItems: []Item{movie}, wantTotal: 5,
		},
		{
			name:   "xml",
			body:   `<?xml version="1.0" encoding="UTF-8"?><MediaContainer size="1" totalSize="5"><Video ratingKey="10" key="/library/metadata/10" type="movie" title="A &amp; B" year="1999"><Media id="1"><Part id="2" key="/p/2" size="3"/></Media></Video></MediaContainer>`,
			format: formatXML, wantItems: []Item{movie}, wantTotal: 5,
		},
		{
			name:   "xml with a byte order mark, whitespace, comments and unknown elements",
			body:   "\xEF\xBB\xBF \n<!-- a PMS --><MediaContainer totalSize=\"5\"><Setting id=\"x\"><Value/></Setting>\n<Video ratingKey=\"10\" key=\"/library/metadata/10\" type=\"movie\" title=\"A &amp; B\" year=\"1999\"><Media id=\"1\"><Part id=\"2\" key=\"/p/2\" size=\"3\"></Part></Media></Video></MediaContainer>",
			format: formatXML, wantItems: []Item{movie}, wantTotal: 5,
		},
		{"json empty, array left out", `{"MediaContainer":{"size":0}}`, formatJSON, nil, 0},
		{"json empty, null array", `{"MediaContainer":{"size":0,"Metadata":null}}`, formatJSON, nil, 0},
		{"json empty, empty array", `{"MediaContainer":{"size":0,"Metadata":[]}}`, formatJSON, nil, 0},
		{"xml empty", `<MediaContainer size="0"></MediaContainer>`, formatXML, nil, 0},
		{"xml self-closed", `<MediaContainer size="0"/>`, formatXML, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			head, items, f, err := decodeItems([]byte(tt.body))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if f != tt.format {
				t.Errorf("format = %v, want %v", f, tt.format)
			}
			if !reflect.DeepEqual(items, tt.wantItems) {
				t.Errorf("items = %+v\nwant    %+v", items, tt.wantItems)
			}
			var total FlexInt
			if head.TotalSize != nil {
				total = *head.TotalSize
			}
			if total != tt.wantTotal {
				t.Errorf("totalSize = %d, want %d", total, tt.wantTotal)
			}
		})
	}
}

// TestDecodeXMLElementNames checks that every element name a PMS gives items decodes into an
// Item, and that other elements are skipped.
func TestDecodeXMLElementNames(t *testing.T) {
	t.Parallel()
	body := `<MediaContainer size="5">
<Video ratingKey="1" type="movie" title="m"/>
<Directory ratingKey="2" type="show" title="s"/>
<Track ratingKey="3" type="track" title="t" grandparentTitle="artist"/>
<Photo ratingKey="4" type="photo" title="p"/>
<Metadata ratingKey="5" type="clip" title="c"/>
<Playlist ratingKey="6" type="playlist" title="not an item"/>
</MediaContainer>`
	_, items, _, err := decodeItems([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range items {
		got = append(got, string(it.RatingKey)+":"+it.Type)
	}
	want := []string{"1:movie", "2:show", "3:track", "4:photo", "5:clip"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("items = %v, want %v", got, want)
	}
	if items[2].DisplayTitle() != "artist – t" {
		t.Errorf("DisplayTitle = %q", items[2].DisplayTitle())
	}
}

func TestDecodeContainerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"empty body", "", "empty"},
		{"blank body", " \n\t", "empty"},
		{"html", "Hello", "neither JSON nor XML"},
		{"json without container", `{"size":1}`, `no "MediaContainer"`},
		{"json array", `[1,2]`, `expected "{"`},
		{"json container not an object", `{"MediaContainer":[]}`, "MediaContainer"},
		{"json children not an array", `{"MediaContainer":{"Metadata":{"ratingKey":"1"}}}`, "expected an array"},
		{"json bad field", `{"MediaContainer":{"Metadata":[{"ratingKey":"1","year":"soon"}]}}`, `"soon" is not a valid integer`},
		{"json bad container field", `{"MediaContainer":{"totalSize":"many"}}`, "MediaContainer.totalSize"},
		{"json truncated", `{"MediaContainer":{"Metadata":[{"ratingKey":"1"},`, "EOF"},
		{"xml other root", `<html><body>hi</body></html>`, "not <MediaContainer>"},
		{"xml truncated", `<MediaContainer><Video ratingKey="1">`, "EOF"},
		{"xml unclosed container", `<MediaContainer size="1">`, "unexpected EOF"},
		{"xml declaration only", `<?xml version="1.0"?>`, "no <MediaContainer>"},
		{"xml bad attribute", `<MediaContainer><Video year="soon"/></MediaContainer>`, `"soon" is not a valid integer`},
		{"xml bad container attribute", `<MediaContainer totalSize="many"/>`, "<MediaContainer>"},
		{"xml other encoding", `<?xml version="1.0" encoding="ISO-8859-1"?><MediaContainer/>`, "unsupported XML encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, _, err := decodeItems([]byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("decode(%q) error = %v, want one containing %q", tt.body, err, tt.want)
			}
		})
	}
}

func TestDecodeStopsWhenTold(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"MediaContainer":{"Metadata":[{"ratingKey":"1"},{"ratingKey":"2"},{"ratingKey":"3"}]}}`,
		`<MediaContainer><Video ratingKey="1"/><Video ratingKey="2"/><Video ratingKey="3"/></MediaContainer>`,
	} {
		var seen []FlexString
		_, err := decodeContainer(strings.NewReader(body), nil, itemNames, func(name string, decode elementDecoder) error {
			var it Item
			if err := decode(&it); err != nil {
				return err
			}
			seen = append(seen, it.RatingKey)
			if len(seen) == 2 {
				return errStop
			}
			return nil
		})
		if !errors.Is(err, errStop) || len(seen) != 2 {
			t.Errorf("%s: err = %v after %v; want errStop after two items", body[:20], err, seen)
		}
	}
}

// TestDecodeHoistedFields checks that container fields written before the children are known
// while the children are decoded, in both encodings.
func TestDecodeHoistedFields(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"MediaContainer":{"librarySectionID":3,"librarySectionTitle":"Films","Metadata":[{"ratingKey":"1"}]}}`,
		`<MediaContainer librarySectionID="3" librarySectionTitle="Films"><Video ratingKey="1"/></MediaContainer>`,
	} {
		var head pageHead
		var during pageHead
		_, err := decodeContainer(strings.NewReader(body), &head, itemNames, func(string, elementDecoder) error {
			during = head
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if during.LibrarySectionID != "3" || during.LibrarySectionTitle != "Films" {
			t.Errorf("%s: container fields while decoding children = %+v", body[:10], during)
		}
	}
}

func TestLimitedBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		size    int
		limit   int64
		wantErr error
	}{
		{"under", 10, 20, nil},
		{"exactly", 20, 20, nil},
		{"over", 21, 20, errTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := io.ReadAll(&limitedBody{r: bytes.NewReader(make([]byte, tt.size)), left: tt.limit})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ReadAll error = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && len(got) != tt.size {
				t.Fatalf("read %d bytes, want %d", len(got), tt.size)
			}
		})
	}
}

func TestCheckKey(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"1", "12345", "abc-DEF_9.x"} {
		if err := checkKey("k", key); err != nil {
			t.Errorf("checkKey(%q) = %v, want nil", key, err)
		}
	}
	for _, key := range []string{"", ".", "..", "1/2", "../etc", "1?x=2", "a b", "1,2", "%2e", strings.Repeat("1", 65), "é"} {
		var ae *ArgumentError
		if err := checkKey("k", key); !errors.As(err, &ae) || ae.Arg != "k" {
			t.Errorf("checkKey(%q) = %v, want an *ArgumentError for k", key, err)
		}
	}
}
