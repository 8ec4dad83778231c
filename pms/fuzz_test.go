package pms

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Seeds in the shapes a PMS answers with; the fuzzer mutates them.
var (
	jsonSeeds = []string{
		`{"MediaContainer":{"size":1,"totalSize":3,"offset":0,"librarySectionID":1,"librarySectionTitle":"Movies","Metadata":[{"ratingKey":"10","key":"/library/metadata/10","type":"movie","title":"A","year":1999,"duration":6000000,"rating":7.5,"Media":[{"id":1,"aspectRatio":1.78,"Part":[{"id":2,"key":"/p","size":3,"Stream":[{"id":4,"streamType":1,"default":true}]}]}],"Genre":[{"tag":"Drama"}],"Guid":[{"id":"imdb://tt1"}]}]}}`,
		`{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":7,"type":"episode","title":"Pilot","grandparentTitle":"Show","sessionKey":"1","viewOffset":"100","User":{"id":"1","title":"alice"},"Player":{"state":"playing","local":1,"secure":"0","userID":"1"},"Session":{"id":"x","bandwidth":5000,"location":"lan"},"TranscodeSession":{"throttled":false,"progress":"12.5","speed":1.1}}]}}`,
		`{"MediaContainer":{"size":2,"Hub":[{"hubIdentifier":"movie","title":"Movies","type":"movie","size":1,"more":true,"Metadata":[{"ratingKey":"1","title":"x"}]},{"hubIdentifier":"show","size":0}]}}`,
		`{"MediaContainer":{"size":0,"Metadata":null}}`,
		`{"MediaContainer":{"size":0}}`,
		`{"x":[{"y":null}],"MediaContainer":{"Metadata":[],"totalSize":"5"}}`,
	}
	xmlSeeds = []string{
		`<?xml version="1.0" encoding="UTF-8"?><MediaContainer size="1" totalSize="3" offset="0" librarySectionID="1"><Video ratingKey="10" key="/library/metadata/10" type="movie" title="A &amp; B" year="1999" rating="7.5"><Media id="1" aspectRatio="1.78"><Part id="2" key="/p" size="3"><Stream id="4" streamType="1" default="1"/></Part></Media><Genre tag="Drama"/><Guid id="imdb://tt1"/></Video></MediaContainer>`,
		`<MediaContainer size="4"><Directory ratingKey="2" type="show"/><Track ratingKey="3" type="track"/><Photo ratingKey="4" type="photo"/><Metadata ratingKey="5"/><Other/></MediaContainer>`,
		`<MediaContainer size="1"><Video ratingKey="7" sessionKey="1"><User id="1" title="alice"/><Player state="playing" local="1" secure="0" userID="1"/><Session id="x" bandwidth="5000" location="lan"/><TranscodeSession throttled="0" progress="12.5"/></Video></MediaContainer>`,
		`<MediaContainer size="1"><Hub hubIdentifier="movie" size="1" more="1"><Video ratingKey="1" title="x"/></Hub></MediaContainer>`,
		`<MediaContainer size="0"/>`,
		"\xEF\xBB\xBF<!-- c --><MediaContainer size=\"0\"></MediaContainer>",
	}
)

// fuzzDecode decodes body as each kind of list the client reads. Decoding must never panic,
// and a list that decodes must survive a round trip: encoded as JSON and decoded again, it must
// encode to the same bytes (the models lose nothing they read, and the Flex types accept their
// own output).
func fuzzDecode(t *testing.T, body []byte) {
	var head pageHead
	var items []Item
	if _, err := decodeContainer(bytes.NewReader(body), &head, itemNames, collect(&items, itemNames...)); err == nil {
		roundTrip(t, items)
	}
	var sessions []Session
	if _, err := decodeContainer(bytes.NewReader(body), nil, itemNames, collect(&sessions, itemNames...)); err == nil {
		roundTrip(t, sessions)
	}
	var hubs []Hub
	if _, err := decodeContainer(bytes.NewReader(body), nil, []string{"Hub"}, collect(&hubs, "Hub")); err == nil {
		roundTrip(t, hubs)
	}
	var info ServerInfo
	if _, err := decodeContainer(bytes.NewReader(body), &info, []string{"Directory"}, collect(&info.Directories, "Directory")); err == nil {
		roundTrip(t, info)
	}
}

func roundTrip[T any](t *testing.T, v T) {
	first, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("Marshal of a decoded %T: %v", v, err)
	}
	var again T
	if err := json.Unmarshal(first, &again); err != nil {
		t.Fatalf("decoding our own encoding of %T failed: %v\n%s", v, err, first)
	}
	second, err := json.Marshal(again)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("%T changed in a round trip:\n%s\n%s", v, first, second)
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzDecode)
}

func FuzzDecodeXML(f *testing.F) {
	for _, s := range xmlSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(fuzzDecode)
}

// Deeply nested seeds: the decoders' bounds must refuse them before any stack grows.
func init() {
	jsonSeeds = append(jsonSeeds,
		`{"MediaContainer":{"Metadata":[`+strings.Repeat("[", 200)+`]}}`,
		`{"x":`+strings.Repeat(`{"a":`, 200)+`1`+strings.Repeat("}", 200)+`,"MediaContainer":{}}`)
	xmlSeeds = append(xmlSeeds,
		`<MediaContainer><Other>`+strings.Repeat("<a>", 200)+strings.Repeat("</a>", 200)+`</Other></MediaContainer>`)
}

// endlessBody is a body that begins with head and then repeats unit forever.
type endlessBody struct {
	head, unit []byte
	off        int
}

func (e *endlessBody) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for n < len(p) {
		c := copy(p[n:], e.unit[e.off:])
		e.off = (e.off + c) % len(e.unit)
		n += c
	}
	return n, nil
}

// FuzzDecodeEndless feeds the decoders a body that never ends: a head, then a unit repeated
// forever. Whatever the two are, decoding must end — with an error, or because a complete
// answer came first — and never by running out of memory.
func FuzzDecodeEndless(f *testing.F) {
	f.Add([]byte(`{"MediaContainer":{"Metadata":[`), []byte(`{"ratingKey":"1"},`))
	f.Add([]byte(`{"MediaContainer":{"Metadata":[{"title":"`), []byte(`a`))
	f.Add([]byte(`{"MediaContainer":{"Metadata":[`), []byte(`[`))
	f.Add([]byte(`<MediaContainer>`), []byte(`<Video ratingKey="1"/>`))
	f.Add([]byte(`<MediaContainer><Video title="`), []byte(`a`))
	f.Add([]byte(`<MediaContainer><a>`), []byte(`<a>`))
	f.Fuzz(func(t *testing.T, head, unit []byte) {
		if len(unit) == 0 {
			return
		}
		var sessions []Session
		_, err := decodeContainer(&endlessBody{head: head, unit: unit}, nil, itemNames, collect(&sessions, itemNames...))
		if err == nil && len(sessions) > maxKeptValues {
			t.Fatalf("%d sessions kept from an endless body", len(sessions))
		}
	})
}
