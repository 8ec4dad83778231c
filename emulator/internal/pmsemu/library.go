package pmsemu

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Library items are never stored. Item i of a section is computed from the section's seed
// (a hash of the machine identifier and section key) and i, so a section of a million items
// costs nothing until a page of it is rendered, and rendering a page costs only that page.
//
// Rating keys encode where an item lives: ratingKey = (section position+1)*ratingKeyStride +
// offset, where offset is the item index for a section's own items, and childOffset + index for
// the one child each show (its episode) and each artist (its track) has. Sessions and history
// of shows and music play those children, as a real server's do.
const (
	ratingKeyStride = 1_000_000_000
	childOffset     = ratingKeyStride / 2
	// MaxSectionSize is the largest SectionConfig.Size honoured; larger sizes are clamped so
	// every item keeps a distinct rating key.
	MaxSectionSize = childOffset
)

// addedBase is the clock reading items are "added" relative to; a fixed instant keeps items
// identical across runs whatever cfg.Now says.
const addedBase = 1_600_000_000

// section is a library section with what is derived from its config.
type section struct {
	SectionConfig
	pos        int
	seed       uint64
	uuid       string
	sectionKey string // "/library/sections/<key>"
}

func newSection(machineID string, pos int, sc SectionConfig) *section {
	h := fnv.New64a()
	h.Write([]byte(machineID))
	h.Write([]byte{0})
	h.Write([]byte(sc.Key))
	seed := h.Sum64()
	sc.Size = min(max(sc.Size, 0), MaxSectionSize)
	switch sc.Type {
	case "movie", "show", "artist", "photo":
	default:
		sc.Type = "movie" // the kinds of section the emulator generates items for
	}
	if sc.Title == "" {
		sc.Title = "Library " + sc.Key
	}
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], mix(seed, 1))
	binary.BigEndian.PutUint64(u[8:], mix(seed, 2))
	u[6] = u[6]&0x0f | 0x40 // version 4 layout; the bits are derived, not random
	u[8] = u[8]&0x3f | 0x80
	return &section{SectionConfig: sc, pos: pos, seed: seed, uuid: formatUUID(u), sectionKey: "/library/sections/" + sc.Key}
}

// mix is SplitMix64's finaliser over (seed, n): a cheap, well-spread hash of an index.
func mix(seed, n uint64) uint64 {
	z := seed + (n+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// hasChildren reports whether the section's items are directories with a playable child.
func (s *section) hasChildren() bool { return s.Type == "show" || s.Type == "artist" }

func (s *section) ratingKey(index int, child bool) int {
	rk := (s.pos+1)*ratingKeyStride + index
	if child {
		rk += childOffset
	}
	return rk
}

// Titles are "<adjective> <noun>", walking the nouns slowly and the adjectives quickly, with a
// sequel number from the second round on: item i is adjectives[i%A] + nouns[(i/A)%N], plus
// " <i/(A*N)+1>" when i >= A*N. That makes search computable instead of a scan (see search.go).
var (
	adjectives = [...]string{
		"Silent", "Golden", "Broken", "Hidden", "Crimson", "Distant", "Electric", "Frozen",
		"Wild", "Lost", "Midnight", "Burning", "Quiet", "Iron", "Hollow", "Velvet",
		"Northern", "Paper", "Bright", "Restless", "Sudden", "Ancient", "Wandering", "Secret",
		"Glass", "Lonely", "Savage", "Gentle", "Bitter", "Endless", "Shining", "Last",
	}
	nouns = [...]string{
		"River", "Empire", "Garden", "Horizon", "Harbor", "Machine", "Kingdom", "Voyage",
		"Lantern", "Forest", "Signal", "Island", "Mirror", "Storm", "Orchard", "Frontier",
		"Canyon", "Station", "Witness", "Summer", "Castle", "Compass", "Desert", "Echo",
		"Falcon", "Glacier", "Highway", "Meadow", "Outpost", "Prophet", "Tide", "Winter",
	}
)

const titleCycle = len(adjectives) * len(nouns)

// appendTitle appends the title of item index (of any section) to b.
func appendTitle(b []byte, index int) []byte {
	b = append(append(append(b, adjectives[index%len(adjectives)]...), ' '), nouns[index/len(adjectives)%len(nouns)]...)
	if round := index / titleCycle; round > 0 {
		b = strconv.AppendInt(append(b, ' '), int64(round+1), 10)
	}
	return b
}

// The strings of an item, built in one buffer (see item).
const (
	strRatingKey = iota
	strKey
	strGUID
	strTitle
	strDate
	strThumb
	strParentRatingKey
	strParentKey
	strPartKey
	strFile
	numItemStrings
)

// textBuf builds many short strings with one allocation: append a string's bytes to b, end it
// with cut, and take them all with strings.
type textBuf struct {
	b    []byte
	ends [numItemStrings]int
}

func (t *textBuf) cut(i int) { t.ends[i] = len(t.b) }

func (t *textBuf) strings() (out [numItemStrings]string) {
	all := string(t.b)
	start := 0
	for i, end := range t.ends {
		if end >= start { // strings never cut stay empty
			out[i], start = all[start:end], end
		}
	}
	return out
}

// mediaPart holds an item's one Media and its one Part, allocated together.
type mediaPart struct {
	m [1]media
	p [1]part
}

// item renders item index of s (or its child) as a wire metadata element. A page renders
// items by the hundred, so an item costs three allocations: its strings, its media, and the
// interface it is handed to the encoder in.
func (s *section) item(index int, child bool) metadata {
	h := mix(s.seed, uint64(index))
	rk := s.ratingKey(index, child)
	year := 1950 + int(h%75)
	updated := addedBase + int(h>>8%(86400*1000))
	m := metadata{
		Year:                year,
		AddedAt:             updated - int(h>>32%(86400*30)),
		UpdatedAt:           updated,
		LibrarySectionID:    s.Key,
		LibrarySectionTitle: s.Title,
		LibrarySectionKey:   s.sectionKey,
	}
	ext := "mkv"
	switch {
	case s.Type == "show" && !child:
		m.element, m.Type = "Directory", "show"
		m.ChildCount, m.LeafCount = 1, 1
	case s.Type == "show":
		m.element, m.Type, m.Title, m.ParentTitle, m.Index, m.ParentIndex = "Video", "episode", "Pilot", "Season 1", 1, 1
		m.Duration = (20 + int(h>>40%40)) * 60_000
	case s.Type == "artist" && !child:
		m.element, m.Type = "Directory", "artist"
		m.ChildCount, m.LeafCount = 1, 1
		m.Year = 0
	case s.Type == "artist":
		m.element, m.Type, m.Title, m.ParentTitle, m.Index, m.ParentIndex = "Track", "track", "Opening", "Greatest Hits", 1, 1
		m.Duration = (120 + int(h>>40%300)) * 1000
		ext = "flac"
	case s.Type == "photo":
		m.element, m.Type = "Photo", "photo"
		ext = "jpg"
	default:
		m.element, m.Type = "Video", "movie"
		m.Duration = (80 + int(h>>40%100)) * 60_000
		m.Summary = "An emulated film."
	}
	playable := m.Duration > 0 || m.Type == "photo"

	var back [512]byte
	t := textBuf{b: back[:0]}
	t.b = strconv.AppendInt(t.b, int64(rk), 10)
	t.cut(strRatingKey)
	t.b = strconv.AppendInt(append(t.b, "/library/metadata/"...), int64(rk), 10)
	t.cut(strKey)
	t.b = strconv.AppendInt(append(append(append(t.b, "plex://"...), s.Type...), '/'), int64(rk), 10)
	t.cut(strGUID)
	t.b = appendTitle(t.b, index)
	t.cut(strTitle)
	if m.Year != 0 {
		t.b = appendDate(t.b, year, 1+int(h>>16%12), 1+int(h>>24%28))
		t.cut(strDate)
	}
	t.b = strconv.AppendInt(append(t.b, "/library/metadata/"...), int64(rk), 10)
	t.b = strconv.AppendInt(append(t.b, "/thumb/"...), int64(updated), 10)
	t.cut(strThumb)
	if child {
		parent := int64(s.ratingKey(index, false))
		t.b = strconv.AppendInt(t.b, parent, 10)
		t.cut(strParentRatingKey)
		t.b = strconv.AppendInt(append(t.b, "/library/metadata/"...), parent, 10)
		t.cut(strParentKey)
	}
	if playable {
		t.b = strconv.AppendInt(append(t.b, "/library/parts/"...), int64(rk), 10)
		t.b = strconv.AppendInt(append(t.b, '/'), int64(updated), 10)
		t.b = append(append(t.b, "/file."...), ext...)
		t.cut(strPartKey)
		t.b = append(append(append(t.b, "/data/"...), s.Title...), '/')
		if child {
			t.b = append(appendTitle(t.b, index), " - "...)
		}
		if m.Title != "" {
			t.b = append(t.b, m.Title...)
		} else {
			t.b = appendTitle(t.b, index)
		}
		t.b = append(append(t.b, '.'), ext...)
		t.cut(strFile)
	}
	str := t.strings()
	m.RatingKey, m.Key, m.GUID, m.OriginallyAvailableAt, m.Thumb = str[strRatingKey], str[strKey], str[strGUID], str[strDate], str[strThumb]
	if child {
		m.GrandparentTitle, m.GrandparentRatingKey, m.GrandparentKey = str[strTitle], str[strParentRatingKey], str[strParentKey]
	} else {
		m.Title = str[strTitle]
	}
	if playable {
		mp := &mediaPart{}
		mp.m[0] = s.media(rk, m, h, ext)
		mp.p[0] = part{
			ID:        rk,
			Key:       str[strPartKey],
			Duration:  m.Duration,
			File:      str[strFile],
			Size:      int64(m.Duration/1000+1) * int64(mp.m[0].Bitrate+500) * 125,
			Container: ext,
		}
		mp.m[0].Part = mp.p[:]
		m.Media = mp.m[:]
	}
	return m
}

func (s *section) media(rk int, m metadata, h uint64, ext string) media {
	md := media{ID: rk, Duration: m.Duration, Container: ext}
	switch m.Type {
	case "track":
		md.Bitrate, md.AudioChannels, md.AudioCodec = 900+int(h%200), 2, "flac"
	case "photo":
		md.Width, md.Height, md.AspectRatio = 4032, 3024, 1.33
	default:
		md.Bitrate, md.Width, md.Height, md.AspectRatio = 4000+int(h%8000), 1920, 1080, 1.78
		md.AudioChannels, md.AudioCodec, md.VideoCodec = 6, "aac", "h264"
		md.VideoResolution, md.VideoFrameRate = "1080", "24p"
	}
	return md
}

// appendDate appends YYYY-MM-DD.
func appendDate(b []byte, year, month, day int) []byte {
	b = strconv.AppendInt(b, int64(year), 10)
	for _, n := range [2]int{month, day} {
		b = append(b, '-', byte('0'+n/10), byte('0'+n%10))
	}
	return b
}

// decodeRatingKey returns the section, index and child flag a rating key encodes, or ok false
// when it names no item of this server.
func (h *handler) decodeRatingKey(key string) (s *section, index int, child, ok bool) {
	if key == "" || strings.TrimLeft(key, "0123456789") != "" || len(key) > 18 {
		return nil, 0, false, false
	}
	rk, err := strconv.Atoi(key)
	if err != nil {
		return nil, 0, false, false
	}
	pos, off := rk/ratingKeyStride-1, rk%ratingKeyStride
	if pos < 0 || pos >= len(h.sections) {
		return nil, 0, false, false
	}
	s = h.sections[pos]
	if off >= childOffset {
		if !s.hasChildren() {
			return nil, 0, false, false
		}
		off -= childOffset
		child = true
	}
	if off >= s.Size {
		return nil, 0, false, false
	}
	return s, off, child, true
}
