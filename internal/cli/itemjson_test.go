package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// stdJSON is what encoding/json writes for v with HTML escaping off, without Encode's newline.
func stdJSON(t testing.TB, v any) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// checkItemJSON compares the generated appender with encoding/json on it.
func checkItemJSON(t testing.TB, it *pms.Item) {
	t.Helper()
	want, wantErr := stdJSON(t, it)
	var a jsonAppender
	got := a.appendItem([]byte("prefix"), it)
	if wantErr != nil {
		if !a.bad {
			t.Fatalf("encoding/json fails (%v), the appender does not flag it:\n%s", wantErr, got)
		}
		return
	}
	if a.bad {
		t.Fatalf("the appender flags an item encoding/json writes:\n%s", want)
	}
	if !bytes.HasPrefix(got, []byte("prefix")) || !bytes.Equal(got[len("prefix"):], want) {
		t.Fatalf("appender and encoding/json differ\nappender: %s\nstd:      %s", got, want)
	}
}

// awkwardStrings are strings whose JSON takes every path of the escaping.
var awkwardStrings = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
	"<html> & 'amp'", "Amélie – Ω 🎬", "bad \xff utf-8 \xc3", "\xe2\x80", "line\u2028para\u2029end",
	"truncated rune at end \xf0\x9f\x8e", strings.Repeat("long ", 100),
}

// awkwardFloats are floats whose JSON takes every path of the number formatting.
var awkwardFloats = []float64{
	0, 1, -1, 0.5, 7.9, 8.25, 1e-6, 9.99e-7, 1e-7, -1e-7, 1.5e-10, 1e20, 1e21, 1.2345e21, -1e21,
	123456789, 1 << 53, math.MaxFloat64, math.SmallestNonzeroFloat64, 0.1 + 0.2, 1e-100, 3e100,
}

// fillRandom sets v's fields to random values: each left zero one time in three (so that
// omitempty is exercised both ways), slices of zero to three elements, filled the same way.
func fillRandom(r *rand.Rand, v reflect.Value) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() || r.IntN(3) == 0 {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(awkwardStrings[r.IntN(len(awkwardStrings))])
		case reflect.Int64:
			f.SetInt(r.Int64N(1<<40) - 1<<39)
		case reflect.Float64:
			if r.IntN(2) == 0 {
				f.SetFloat(awkwardFloats[r.IntN(len(awkwardFloats))])
			} else {
				f.SetFloat(r.NormFloat64() * math.Pow(10, float64(r.IntN(50)-25)))
			}
		case reflect.Bool:
			f.SetBool(r.IntN(2) == 0)
		case reflect.Slice:
			n := r.IntN(4)
			s := reflect.MakeSlice(f.Type(), n, n)
			for j := range n {
				fillRandom(r, s.Index(j))
			}
			f.Set(s)
		default:
			panic("fillRandom: " + f.Type().String())
		}
	}
}

// TestItemJSONMatchesEncodingJSON writes thousands of random items, with every field of every
// type the generator covers set or left empty, awkward strings and awkward numbers, through
// the generated appender and through encoding/json, and wants the same bytes. A field added to
// pms.Item without go generate shows here too (the stale file also fails gen's own test).
func TestItemJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(13, 2026))
	checkItemJSON(t, &pms.Item{})
	for range 3000 {
		var it pms.Item
		fillRandom(r, reflect.ValueOf(&it).Elem())
		checkItemJSON(t, &it)
	}
	// Every field set: the appender covers each member encoding/json writes.
	var full pms.Item
	setAll(reflect.ValueOf(&full).Elem())
	want, _ := stdJSON(t, &full)
	var a jsonAppender
	if got := a.appendItem(nil, &full); !bytes.Equal(got, want) {
		t.Fatalf("every field set:\nappender: %s\nstd:      %s", got, want)
	}
	var members map[string]any
	if err := json.Unmarshal(want, &members); err != nil || len(members) != reflect.TypeFor[pms.Item]().NumField() {
		t.Errorf("every field set: %d members, want one per field of pms.Item (%d) (%v)", len(members), reflect.TypeFor[pms.Item]().NumField(), err)
	}
}

// setAll gives every scalar field a non-zero value and every slice one element, set the same
// way.
func setAll(v reflect.Value) {
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString("s")
		case reflect.Int64:
			f.SetInt(int64(i + 1))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			setAll(f.Index(0))
		}
	}
}

// FuzzItemJSON feeds arbitrary strings and floats to the places of an item the appender writes
// them, and compares with encoding/json; its seeds run with every go test.
func FuzzItemJSON(f *testing.F) {
	for i, s := range awkwardStrings {
		f.Add(s, awkwardFloats[i%len(awkwardFloats)])
	}
	f.Add("nan", math.NaN())
	f.Add("inf", math.Inf(1))
	f.Add("-inf", math.Inf(-1))
	f.Fuzz(func(t *testing.T, s string, x float64) {
		it := pms.Item{
			RatingKey: pms.FlexString(s), Title: s, Summary: s, Rating: pms.FlexFloat(x),
			Media: []pms.Media{{AspectRatio: pms.FlexFloat(x), Parts: []pms.Part{{File: s, Streams: []pms.Stream{{DisplayTitle: s}}}}}},
			Roles: []pms.Tag{{Tag: s, Role: s}}, Ratings: []pms.RatingSource{{Image: s, Value: pms.FlexFloat(x)}},
		}
		checkItemJSON(t, &it)
	})
}

// TestElementEncoderFallsBack: an item the appender cannot write (JSON has no NaN) goes through
// encoding/json, which says what is wrong; other values are encoding/json's as they were.
func TestElementEncoderFallsBack(t *testing.T) {
	t.Parallel()
	var e elementEncoder
	b, err := e.appendItem([]byte("["), &pms.Item{Title: "ok", Rating: pms.FlexFloat(math.NaN())})
	if err == nil || !strings.Contains(err.Error(), "unsupported value: NaN") {
		t.Errorf("NaN rating: err = %v, want encoding/json's unsupported value", err)
	}
	if string(b) != "[" {
		t.Errorf("NaN rating left %q behind", b)
	}
	b, err = e.appendItem(b[:0], &pms.Item{Title: "<ok>", Rating: 7.5})
	if err != nil || string(b) != `{"ratingKey":"","key":"","type":"","title":"<ok>","rating":7.5}` {
		t.Errorf("after a failure: %s (%v)", b, err)
	}
	b, err = e.std(b[:0], map[string]any{"a": "<b>", "n": 1})
	if err != nil || string(b) != `{"a":"<b>","n":1}` {
		t.Errorf("a map: %s (%v)", b, err)
	}
}

// TestItemsJSONIsEncodingJSON lists every section of the emulator's alice-nas (movies, shows,
// music, photos: the media model's Media, Parts, Streams, tags and Guids) with `items --json`
// and wants, byte for byte, the array encoding/json writes of what the library's iterator
// yields for the same section.
func TestItemsJSONIsEncodingJSON(t *testing.T) {
	t.Parallel()
	e := startCLIEmulatorWith(t, emulator.Options{LibrarySize: 300, FreezeClock: true}) // nothing moves between the two listings
	env, _ := srvLogin(t, e, "alice")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := &Factory{IO: &IOStreams{}, Now: time.Now, Getenv: func(k string) string { return env[k] }}
	f.resolve("", "")
	_, c, err := openServer(ctx, f, "alice-nas")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"1", "2", "3", "4"} {
		var want bytes.Buffer
		n := 0
		for it, err := range c.Library.Items(ctx, key, pms.ItemsOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				want.WriteString("[\n  ")
			} else {
				want.WriteString(",\n  ")
			}
			n++
			b, err := stdJSON(t, &it)
			if err != nil {
				t.Fatal(err)
			}
			want.Write(b)
		}
		want.WriteString("\n]\n")
		if n < 2 {
			t.Fatalf("section %s: %d items", key, n)
		}
		r := runCLI(t, env, "", "items", key, "--server", "alice-nas", "--json").mustSucceed(t)
		if r.stdout != want.String() {
			t.Errorf("section %s: items --json differs from encoding/json (%d items)\ngot:  %.600s\nwant: %.600s", key, n, r.stdout, want.String())
		}
	}
}

// BenchmarkItemJSON writes one rich movie (a Media with its Part and three Streams, seventeen
// tags, three Guids, as the emulator's detail views have them) through the generated appender
// and through encoding/json.
func BenchmarkItemJSON(b *testing.B) {
	tags := func(n int, prefix string) []pms.Tag {
		out := make([]pms.Tag, n)
		for i := range out {
			out[i] = pms.Tag{ID: pms.FlexInt(1000 + i), Tag: prefix + " " + strings.Repeat("x", i%7+3)}
		}
		return out
	}
	it := &pms.Item{
		RatingKey: "12345", Key: "/library/metadata/12345", GUID: "plex://movie/5d7768ba96b655001fdc0408",
		Type: "movie", Title: "The Distant River 97", TitleSort: "Distant River 97", Summary: strings.Repeat("A long summary, with \"quotes\" and – dashes. ", 8),
		Studio: "Studio Canal", ContentRating: "PG-13", Rating: 7.9, AudienceRating: 8.25, Year: 1997,
		OriginallyAvailableAt: "1997-05-04", Duration: 7260000, AddedAt: 1700000000, UpdatedAt: 1700000500,
		Thumb: "/library/metadata/12345/thumb/1700000500", Art: "/library/metadata/12345/art/1700000500",
		LibrarySectionID: "1", LibrarySectionTitle: "Movies", LibrarySectionKey: "/library/sections/1",
		Media: []pms.Media{{ID: 1, Duration: 7260000, Bitrate: 8000, Width: 1920, Height: 1080, AspectRatio: 1.78,
			AudioChannels: 6, AudioCodec: "ac3", VideoCodec: "h264", VideoResolution: "1080", VideoFrameRate: "24p", Container: "mkv",
			Parts: []pms.Part{{ID: 1, Key: "/library/parts/1/1700000000/file.mkv", Duration: 7260000, File: "/media/movies/The Distant River 97 (1997)/The Distant River 97.mkv",
				Size: 7260000000, Container: "mkv", Streams: []pms.Stream{
					{ID: 1, StreamType: 1, Codec: "h264", Index: 0, Bitrate: 7000, DisplayTitle: "1080p (H.264)", Default: true},
					{ID: 2, StreamType: 2, Codec: "ac3", Index: 1, Bitrate: 640, Language: "English", LanguageCode: "eng", DisplayTitle: "English (AC3 5.1)", Default: true, Selected: true},
					{ID: 3, StreamType: 3, Codec: "srt", Index: 2, Language: "English", LanguageCode: "eng", DisplayTitle: "English (SRT)"},
				}}}}},
		Genres: tags(2, "Genre"), Directors: tags(1, "Director"), Writers: tags(2, "Writer"), Roles: tags(8, "Actor"),
		Countries: tags(1, "Country"), Labels: tags(1, "Label"),
		GUIDs: []pms.GUID{{ID: "imdb://tt0000097"}, {ID: "tmdb://97"}, {ID: "tvdb://97"}},
	}
	want, _ := stdJSON(b, it)
	b.Run("appender", func(b *testing.B) {
		var e jsonAppender
		var buf []byte
		for b.Loop() {
			buf = e.appendItem(buf[:0], it)
		}
		if !bytes.Equal(buf, want) {
			b.Fatal("appender and encoding/json differ")
		}
		b.SetBytes(int64(len(want)))
	})
	b.Run("encoding-json", func(b *testing.B) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(it); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(len(want)))
	})
}
