package pms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// richPage returns a page of n movies as a PMS detail view has them (plex-beyond-spec B.5): each
// with a Media, its Part, a video, an audio and a subtitle Stream, and genres, directors,
// writers, a cast of eight, countries, labels and external ids — in JSON and in XML.
func richPage(n int) (jsonBody, xmlBody []byte) {
	type tag struct {
		ID     int    `json:"id"`
		Filter string `json:"filter"`
		Tag    string `json:"tag"`
		Role   string `json:"role,omitempty"`
	}
	var js, xs strings.Builder
	js.WriteString(`{"MediaContainer":{"size":` + strconv.Itoa(n) + `,"totalSize":` + strconv.Itoa(n) + `,"offset":0,"librarySectionID":1,"librarySectionTitle":"Movies","Metadata":[`)
	xs.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<MediaContainer size="` + strconv.Itoa(n) + `" totalSize="` + strconv.Itoa(n) + `" offset="0" librarySectionID="1" librarySectionTitle="Movies">`)
	for i := range n {
		rk := 1000 + i
		tags := map[string][]tag{
			"Genre":    {{1, "genre=1", "Drama", ""}, {2, "genre=2", "Science Fiction", ""}},
			"Director": {{10, "director=10", "Ridley Scott", ""}},
			"Writer":   {{11, "writer=11", "Dan O'Bannon", ""}, {12, "writer=12", "Ronald Shusett", ""}},
			"Country":  {{20, "country=20", "United States of America", ""}},
			"Label":    {{30, "label=30", "kept", ""}},
		}
		for j := range 8 {
			tags["Role"] = append(tags["Role"], tag{100 + j, "actor=" + strconv.Itoa(100+j), "Actor Number " + strconv.Itoa(j), "Character " + strconv.Itoa(j)})
		}
		kinds := []string{"Genre", "Director", "Writer", "Role", "Country", "Label"}
		if i > 0 {
			js.WriteByte(',')
		}
		fmt.Fprintf(&js, `{"ratingKey":"%d","key":"/library/metadata/%d","guid":"plex://movie/5d7768%06d","type":"movie","title":"Movie %d","titleSort":"Movie %d","summary":"A crew answers a distress call and finds more than it bargained for, far from home.","studio":"Brandywine Productions","contentRating":"R","rating":9.8,"audienceRating":9.4,"year":1979,"originallyAvailableAt":"1979-05-25","duration":7020000,"addedAt":1700000000,"updatedAt":1700000100,"thumb":"/library/metadata/%d/thumb/1700000100","art":"/library/metadata/%d/art/1700000100",`, rk, rk, i, i, i, rk, rk)
		fmt.Fprintf(&js, `"Media":[{"id":%d,"duration":7020000,"bitrate":10617,"width":1920,"height":800,"aspectRatio":2.35,"audioChannels":6,"audioCodec":"eac3","videoCodec":"h264","videoResolution":"1080","container":"mkv","videoFrameRate":"24p","Part":[{"id":%d,"key":"/library/parts/%d/1700000000/file.mkv","duration":7020000,"file":"/data/Movies/Movie %d (1979)/Movie %d (1979).mkv","size":9316000000,"container":"mkv","Stream":[`, rk, rk, rk, i, i)
		js.WriteString(`{"id":1,"streamType":1,"codec":"h264","index":0,"bitrate":9000,"displayTitle":"1080p (H.264)","default":true},{"id":2,"streamType":2,"codec":"eac3","index":1,"bitrate":640,"language":"English","languageCode":"eng","displayTitle":"English (EAC3 5.1)","default":true,"selected":true},{"id":3,"streamType":3,"codec":"srt","index":2,"language":"English","languageCode":"eng","displayTitle":"English (SRT)"}]}]}]`)
		for _, k := range kinds {
			b, _ := json.Marshal(tags[k])
			js.WriteString(`,"` + k + `":`)
			js.Write(b)
		}
		js.WriteString(`,"Guid":[{"id":"imdb://tt0078748"},{"id":"tmdb://348"},{"id":"tvdb://290"}]}`)

		fmt.Fprintf(&xs, `<Video ratingKey="%d" key="/library/metadata/%d" guid="plex://movie/5d7768%06d" type="movie" title="Movie %d" titleSort="Movie %d" summary="A crew answers a distress call and finds more than it bargained for, far from home." studio="Brandywine Productions" contentRating="R" rating="9.8" audienceRating="9.4" year="1979" originallyAvailableAt="1979-05-25" duration="7020000" addedAt="1700000000" updatedAt="1700000100" thumb="/library/metadata/%d/thumb/1700000100" art="/library/metadata/%d/art/1700000100">`, rk, rk, i, i, i, rk, rk)
		fmt.Fprintf(&xs, `<Media id="%d" duration="7020000" bitrate="10617" width="1920" height="800" aspectRatio="2.35" audioChannels="6" audioCodec="eac3" videoCodec="h264" videoResolution="1080" container="mkv" videoFrameRate="24p"><Part id="%d" key="/library/parts/%d/1700000000/file.mkv" duration="7020000" file="/data/Movies/Movie %d (1979)/Movie %d (1979).mkv" size="9316000000" container="mkv">`, rk, rk, rk, i, i)
		xs.WriteString(`<Stream id="1" streamType="1" codec="h264" index="0" bitrate="9000" displayTitle="1080p (H.264)" default="1"/><Stream id="2" streamType="2" codec="eac3" index="1" bitrate="640" language="English" languageCode="eng" displayTitle="English (EAC3 5.1)" default="1" selected="1"/><Stream id="3" streamType="3" codec="srt" index="2" language="English" languageCode="eng" displayTitle="English (SRT)"/></Part></Media>`)
		for _, k := range kinds {
			for _, t := range tags[k] {
				fmt.Fprintf(&xs, `<%s id="%d" filter="%s" tag="%s"`, k, t.ID, t.Filter, strings.ReplaceAll(t.Tag, "'", "&apos;"))
				if t.Role != "" {
					fmt.Fprintf(&xs, ` role="%s"`, t.Role)
				}
				xs.WriteString("/>")
			}
		}
		xs.WriteString(`<Guid id="imdb://tt0078748"/><Guid id="tmdb://348"/><Guid id="tvdb://290"/></Video>`)
	}
	js.WriteString("]}}")
	xs.WriteString("</MediaContainer>")
	return []byte(js.String()), []byte(xs.String())
}

// TestRichPageDecodes checks the benchmark's page: every item decodes, the same from JSON and
// XML, with its media, streams and tags.
func TestRichPageDecodes(t *testing.T) {
	jb, xb := richPage(3)
	var got [2][]Item
	for i, body := range [][]byte{jb, xb} {
		_, err := decodeWithin(bytes.NewReader(body), bounds{stream: true}, &pageHead{}, itemNames, func(name string, decode elementDecoder) error {
			var it Item
			if err := decode(&it); err != nil {
				return err
			}
			got[i] = append(got[i], it)
			return nil
		})
		if err != nil || len(got[i]) != 3 {
			t.Fatalf("page %d: %d items, %v", i, len(got[i]), err)
		}
	}
	for i := range 3 {
		j, x := got[0][i], got[1][i]
		for _, it := range []Item{j, x} {
			if len(it.Media) != 1 || len(it.Media[0].Parts) != 1 || len(it.Media[0].Parts[0].Streams) != 3 || len(it.Roles) != 8 ||
				len(it.Genres) != 2 || len(it.GUIDs) != 3 || it.Roles[7].Role != "Character 7" || !bool(it.Media[0].Parts[0].Streams[1].Selected) {
				t.Fatalf("item %d decoded as %+v", i, it)
			}
		}
		jj, _ := json.Marshal(j)
		xj, _ := json.Marshal(x)
		if !bytes.Equal(jj, xj) {
			t.Errorf("item %d differs between JSON and XML:\n%s\n%s", i, jj, xj)
		}
	}
}

// BenchmarkDecodeRich measures decoding a page of rich items (Media, Part, three Streams,
// seventeen tags, three Guids each) through the one decode path, as a streamed page: items/s
// and allocations per page.
func BenchmarkDecodeRich(b *testing.B) {
	const n = 200 // DefaultPageSize
	jb, xb := richPage(n)
	for _, enc := range []struct {
		name string
		body []byte
	}{{"json", jb}, {"xml", xb}} {
		b.Run(enc.name+"/items="+strconv.Itoa(n), func(b *testing.B) {
			b.SetBytes(int64(len(enc.body)))
			b.ReportAllocs()
			for b.Loop() {
				got := 0
				_, err := decodeWithin(bytes.NewReader(enc.body), bounds{stream: true}, &pageHead{}, itemNames, func(name string, decode elementDecoder) error {
					var it Item
					got++
					return decode(&it)
				})
				if err != nil || got != n {
					b.Fatalf("decoded %d items, %v", got, err)
				}
			}
			b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds(), "items/s")
			b.ReportMetric(float64(len(enc.body))/n, "bytes/item")
		})
	}
}
