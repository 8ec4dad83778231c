package pmsemu

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"strconv"
)

// Generated sections are never stored. Every item of one is computed from the section's seed (a
// hash of the machine identifier and section key) and the item's place in the hierarchy, so a
// section of a million items costs nothing until a page of it is rendered, and a page costs
// only that page.
//
// Rating keys encode that place:
//
//	top-level item i (movie, show, artist, photo album):  (pos+1)·10⁹ + i
//	child j of item i (season, album, photo):             1·10¹³ + (pos+1)·10¹¹ + i·16 + j
//	grandchild k of child j (episode, track, photo):      2·10¹³ + (pos+1)·10¹¹ + (i·16 + j)·64 + k
//
// where pos is the section's position on the server. Rating keys below 10⁹ belong to fixture
// items and to what clients create (Store.NewRatingKey).
const (
	ratingKeyStride    = 1_000_000_000
	levelBase          = 10_000_000_000_000
	levelSectionStride = 100_000_000_000
	maxChildren        = 16 // children of a generated top-level item
	maxLeaves          = 64 // children of a generated child
	// MaxSectionSize is the largest SectionConfig.Size honoured; larger sizes are clamped so
	// every item keeps a distinct rating key.
	MaxSectionSize = levelSectionStride / (maxChildren * maxLeaves)
	// MaxSections is the most sections a server has; later ones are ignored.
	MaxSections = 98
)

// addedBase is the clock reading items are "added" relative to; a fixed instant keeps items
// identical across runs whatever cfg.Now says.
const addedBase = 1_600_000_000

// Section is a library section: its configuration and what is derived from it. Its items are
// reached through the Store.
type Section struct {
	Key   string
	Type  string // "movie", "show", "artist", "photo"
	Title string

	pos        int
	seed       uint64
	uuid       string
	sectionKey string // "/library/sections/<key>"
	size       int    // generated top-level items
	samples    []sample
	language   string

	// Under Store.mu.
	scannedAt  int64
	deletedTop []int // generated top-level indexes deleted, ascending
}

func newSection(machineID string, pos int, sc SectionConfig) *Section {
	h := fnv.New64a()
	h.Write([]byte(machineID))
	h.Write([]byte{0})
	h.Write([]byte(sc.Key))
	seed := h.Sum64()
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
	s := &Section{Key: sc.Key, Type: sc.Type, Title: sc.Title, pos: pos, seed: seed, uuid: formatUUID(u),
		sectionKey: "/library/sections/" + sc.Key, size: min(max(sc.Size, 0), MaxSectionSize), language: "en-US"}
	if sc.Samples {
		s.samples = sampleLibrary[s.Type]
		s.samples = s.samples[:min(len(s.samples), s.size)]
	}
	if s.Type == "photo" {
		s.language = "en"
	}
	s.scannedAt = int64(addedBase + int(seed>>20%86400))
	return s
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

// addedSpan is the time over which a generated section's items were added.
const addedSpan = 5 * 365 * 86400

// addStep is the time between two of s's generated top-level items being added: an item and
// its children were added before addedBase + (i+1)·addStep.
func (s *Section) addStep() int64 { return max(addedSpan/int64(max(s.size, 1)), 2) }

// topKey is the key under which Store.kids lists the items added to the section itself.
func (s *Section) topKey() int { return -(s.pos + 1) }

// gref names one generated item: level 0 is a top-level item (index i), level 1 its child j,
// level 2 that child's child k.
type gref struct {
	sec     *Section
	level   int
	i, j, k int
}

func (r gref) ratingKey() int {
	p := r.sec.pos + 1
	switch r.level {
	case 0:
		return p*ratingKeyStride + r.i
	case 1:
		return levelBase + p*levelSectionStride + r.i*maxChildren + r.j
	}
	return 2*levelBase + p*levelSectionStride + (r.i*maxChildren+r.j)*maxLeaves + r.k
}

func (r gref) child(n int) gref {
	switch r.level {
	case 0:
		r.j = n
	case 1:
		r.k = n
	}
	r.level++
	return r
}

func (r gref) parent() gref {
	r.level--
	return r
}

// decode returns the generated item rk names, if any.
func (st *Store) decode(rk int) (gref, bool) {
	if rk < ratingKeyStride {
		return gref{}, false
	}
	var r gref
	var pos int
	if rk < levelBase {
		pos, r.i = rk/ratingKeyStride-1, rk%ratingKeyStride
	} else {
		r.level = rk / levelBase
		rest := rk % levelBase
		pos = rest/levelSectionStride - 1
		path := rest % levelSectionStride
		if r.level == 2 {
			r.k, path = path%maxLeaves, path/maxLeaves
		}
		r.i, r.j = path/maxChildren, path%maxChildren
	}
	if r.level > 2 || pos < 0 || pos >= len(st.sections) {
		return gref{}, false
	}
	r.sec = st.sections[pos]
	if r.i >= r.sec.size {
		return gref{}, false
	}
	for l := 1; l <= r.level; l++ {
		up := r
		up.level = l - 1
		n := r.j
		if l == 2 {
			n = r.k
		}
		if n >= r.sec.childCount(up) {
			return gref{}, false
		}
	}
	return r, true
}

// sample returns the sample r stands for, or nil for a purely generated item.
func (r gref) sample() *sample {
	if r.i >= len(r.sec.samples) {
		return nil
	}
	s := &r.sec.samples[r.i]
	if r.level >= 1 {
		s = &s.Children[r.j]
	}
	if r.level == 2 {
		s = &s.Children[r.k]
	}
	return s
}

// hash is the item's own random bits; a top-level item's are those the emulator always gave
// item i, so generated libraries stay what they were.
func (r gref) hash() uint64 {
	if r.level == 0 {
		return mix(r.sec.seed, uint64(r.i))
	}
	return mix(r.sec.seed^0x5bd1e995, uint64(r.ratingKey()))
}

// childCount is the number of children r has.
func (s *Section) childCount(r gref) int {
	if sm := r.sample(); sm != nil {
		return len(sm.Children)
	}
	h := r.hash()
	switch {
	case s.Type == "show" && r.level == 0:
		return 1 + int(h>>50%3)
	case s.Type == "show" && r.level == 1:
		return 6 + int(h>>50%7)
	case s.Type == "artist" && r.level == 0:
		return 1 + int(h>>50%2)
	case s.Type == "artist" && r.level == 1:
		return 4 + int(h>>50%7)
	case s.Type == "photo" && r.level == 0:
		return 3 + int(h>>50%8)
	}
	return 0
}

// itemType is the type of the item r names.
func (s *Section) itemType(r gref) string {
	switch s.Type {
	case "show":
		return [...]string{"show", "season", "episode"}[r.level]
	case "artist":
		return [...]string{"artist", "album", "track"}[r.level]
	case "photo":
		if r.level == 0 {
			return "photoalbum"
		}
		if sm := r.sample(); sm != nil && sm.Album {
			return "photoalbum"
		}
		return "photo"
	}
	return "movie"
}

// Titles of top-level items are "<adjective> <noun>", walking the nouns slowly and the adjectives
// quickly, with a sequel number from the second round on: item i is adjectives[i%A] +
// nouns[(i/A)%N], plus " <i/(A*N)+1>" when i >= A*N. That makes search computable instead of a
// scan (see search.go).
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
	genres        = [...]string{"Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy", "History", "Horror", "Mystery", "Romance", "Science Fiction", "Thriller", "Western"}
	musicGenres   = [...]string{"Electronic", "Rock", "Jazz", "Pop", "Folk", "Classical", "Hip-Hop", "Ambient"}
	people        = [...]string{"Ada Moreno", "Ben Okafor", "Clara Lindqvist", "Dev Patel-Hart", "Elena Rossi", "Farid Haddad", "Grace Kim", "Hugo Brandt", "Ines Duarte", "Jonas Weber", "Keiko Tanaka", "Liam O'Brien", "Maya Cohen", "Noah Fischer", "Olga Petrova", "Pablo Ruiz"}
	studios       = [...]string{"Northwind Pictures", "Blue Harbor Films", "Lantern House", "Meridian Studios", "Red Canyon Media"}
	countries     = [...]string{"United States of America", "United Kingdom", "France", "Germany", "Japan", "Canada", "Spain", "Italy"}
	ratingsList   = [...]string{"G", "PG", "PG-13", "R", "NR"}
	tvRatingsList = [...]string{"TV-G", "TV-PG", "TV-14", "TV-MA"}
)

const titleCycle = len(adjectives) * len(nouns)

// appendTitle appends the generated title of top-level item index (of any section) to b.
func appendTitle(b []byte, index int) []byte {
	b = append(append(append(b, adjectives[index%len(adjectives)]...), ' '), nouns[index/len(adjectives)%len(nouns)]...)
	if round := index / titleCycle; round > 0 {
		b = strconv.AppendInt(append(b, ' '), int64(round+1), 10)
	}
	return b
}

// appendDate appends YYYY-MM-DD.
func appendDate(b []byte, year, month, day int) []byte {
	b = strconv.AppendInt(b, int64(year), 10)
	for _, n := range [2]int{month, day} {
		b = append(b, '-', byte('0'+n/10), byte('0'+n%10))
	}
	return b
}

func pick[T any](list []T, h uint64) T { return list[h%uint64(len(list))] }

// generate computes the item r names, with its Media when media is set.
func (s *Section) generate(r gref, media bool) Item {
	h := r.hash()
	rk := r.ratingKey()
	top := gref{sec: s, i: r.i}
	topHash := top.hash()
	year := 1950 + int(topHash%75)
	// Items were added in library order, one every addStep; an item's children within the
	// first half of the step after it. Recently Added reads the newest from the end (recent).
	step := s.addStep()
	added := addedBase + int64(r.i)*step + int64(topHash>>8)%max(step/2, 1)
	if r.level > 0 {
		added += int64(r.j*maxLeaves+r.k) * (step / 2) / (maxChildren * maxLeaves)
	}
	updated := added + int64(topHash>>32%(86400*30))
	it := Item{
		RatingKey:  rk,
		Type:       s.itemType(r),
		SectionKey: s.Key,
		Year:       year,
		AddedAt:    added,
		UpdatedAt:  updated,
	}
	if r.level > 0 {
		it.ParentRatingKey = r.parent().ratingKey()
		it.Index = r.j + 1
		if r.level == 2 {
			it.GrandparentRatingKey = top.ratingKey()
			it.Index, it.ParentIndex = r.k+1, r.j+1
		}
	}
	rks := strconv.Itoa(rk)
	it.Thumb = "/library/metadata/" + rks + "/thumb/" + strconv.FormatInt(updated, 10)
	it.Art = "/library/metadata/" + rks + "/art/" + strconv.FormatInt(updated, 10)
	it.GUID = fmt.Sprintf("plex://%s/%024x", guidType(it.Type), h&(1<<62-1)^uint64(rk)<<20)
	var ext string
	switch it.Type {
	case "movie":
		it.Title = string(appendTitle(nil, r.i))
		it.Duration = (80 + int(h>>40%100)) * 60_000
		it.Summary = "An emulated film."
		it.Tagline = "A story the emulator tells."
		it.Studio = pick(studios[:], h>>3)
		it.ContentRating = pick(ratingsList[:], h>>7)
		it.Genres = []string{pick(genres[:], h>>11), pick(genres[:], h>>17)}
		if it.Genres[0] == it.Genres[1] {
			it.Genres = it.Genres[:1]
		}
		it.Directors = []string{pick(people[:], h>>21)}
		it.Writers = []string{pick(people[:], h>>25)}
		it.Roles = []string{pick(people[:], h>>29), pick(people[:], h>>33)}
		if it.Roles[0] == it.Roles[1] {
			it.Roles = it.Roles[:1]
		}
		it.Countries = []string{pick(countries[:], h>>37)}
		it.Guids = []string{fmt.Sprintf("imdb://tt%07d", h%10_000_000), fmt.Sprintf("tmdb://%d", h>>24%1_000_000)}
		ext = "mkv"
	case "show":
		it.Title = string(appendTitle(nil, r.i))
		it.Summary = "An emulated series."
		it.Studio = pick(studios[:], h>>3)
		it.ContentRating = pick(tvRatingsList[:], h>>7)
		it.Genres = []string{pick(genres[:], h>>11)}
		it.Roles = []string{pick(people[:], h>>29), pick(people[:], h>>33)}
		it.Countries = []string{pick(countries[:], h>>37)}
		it.Guids = []string{fmt.Sprintf("tvdb://%d", h%1_000_000), fmt.Sprintf("tmdb://%d", h>>24%1_000_000)}
	case "season":
		it.Title = "Season " + strconv.Itoa(it.Index)
		it.Year = year + r.j
		it.Guids = []string{fmt.Sprintf("tvdb://%d", h%1_000_000)}
	case "episode":
		it.Title = "Episode " + strconv.Itoa(it.Index)
		it.Year = year + r.j
		it.Duration = (20 + int(h>>40%40)) * 60_000
		it.Summary = "An emulated episode."
		it.ContentRating = pick(tvRatingsList[:], topHash>>7)
		it.Directors = []string{pick(people[:], h>>21)}
		it.Writers = []string{pick(people[:], h>>25)}
		it.Roles = []string{pick(people[:], h>>29)}
		it.Guids = []string{fmt.Sprintf("tvdb://%d", h%10_000_000)}
		ext = "mkv"
	case "artist":
		it.Title = string(appendTitle(nil, r.i))
		it.Year = 0
		it.Genres = []string{pick(musicGenres[:], h>>11)}
		it.Countries = []string{pick(countries[:], h>>37)}
		it.Guids = []string{fmt.Sprintf("mbid://%s", hexUUID(h))}
	case "album":
		it.Title = pick(adjectives[:], h>>5) + " " + pick(nouns[:], h>>13) + " Sessions"
		it.Year = 1960 + int(h%64)
		it.Studio = pick(studios[:], h>>3)
		it.Genres = []string{pick(musicGenres[:], topHash>>11)}
		it.Guids = []string{fmt.Sprintf("mbid://%s", hexUUID(h))}
	case "track":
		it.Title = pick(adjectives[:], h>>5) + " " + pick(nouns[:], h>>13)
		it.Year = 0
		it.Duration = (120 + int(h>>40%300)) * 1000
		it.Guids = []string{fmt.Sprintf("mbid://%s", hexUUID(h))}
		ext = "flac"
	case "photoalbum":
		it.Title = string(appendTitle(nil, r.i))
		if r.level > 0 {
			it.Title = "Album " + strconv.Itoa(it.Index)
		}
		it.Year = 0
	case "photo":
		it.Title = "photo" + strconv.Itoa(it.Index)
		it.Year = 2000 + int(h%25)
		ext = "jpg"
	}
	if it.Year != 0 {
		it.OriginallyAvailableAt = string(appendDate(nil, it.Year, 1+int(h>>16%12), 1+int(h>>24%28)))
	}
	if it.Type == "movie" || it.Type == "show" || it.Type == "episode" {
		it.Rating = float64(40+h>>44%60) / 10
		it.AudienceRating = float64(40+h>>52%60) / 10
		it.RatingImage, it.AudienceRatingImage = "rottentomatoes://image.rating.ripe", "rottentomatoes://image.rating.upright"
	}
	if sm := r.sample(); sm != nil {
		sm.apply(&it)
	}
	if it.Type == "episode" || it.Type == "track" || it.Type == "photo" && r.level == 2 {
		it.ParentIndex = r.j + 1
	}
	if ext != "" && media {
		folder := string(appendTitle(nil, r.i))
		if r.i < len(s.samples) {
			folder = s.samples[r.i].Title
		}
		it.Media = []Media{s.media(it, folder, h, ext)}
	}
	return it
}

func guidType(t string) string {
	if t == "photoalbum" {
		return "photo"
	}
	return t
}

func hexUUID(h uint64) string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], h)
	binary.BigEndian.PutUint64(u[8:], mix(h, 3))
	return formatUUID(u)
}

// media is the one Media (with one Part and its Streams) of a generated playable item.
func (s *Section) media(it Item, folder string, h uint64, ext string) Media {
	rk := it.RatingKey
	md := Media{ID: rk, Duration: it.Duration, Container: ext}
	file := "/data/" + s.Title + "/"
	switch it.Type {
	case "episode":
		file += folder + fmt.Sprintf("/S%02dE%02d.%s", it.ParentIndex, it.Index, ext)
	case "track", "photo":
		file += folder + fmt.Sprintf("/%d - %s.%s", it.Index, it.Title, ext)
	default:
		file += it.Title + "." + ext
	}
	var streams []Stream
	switch it.Type {
	case "track":
		md.Bitrate, md.AudioChannels, md.AudioCodec = 900+int(h%200), 2, ext
		streams = []Stream{{ID: rk*4 + 1, StreamType: StreamAudio, Index: 0, Codec: ext, Default: true, Selected: true,
			DisplayTitle: "FLAC (Stereo)", ExtendedDisplayTitle: "FLAC (Stereo)", Channels: 2, SamplingRate: 48000,
			AudioChannelLayout: "stereo", Bitrate: md.Bitrate}}
	case "photo":
		md.Width, md.Height, md.AspectRatio = 4032, 3024, 1.33
	default:
		md.Bitrate, md.Width, md.Height, md.AspectRatio = 4000+int(h%8000), 1920, 1080, 1.78
		md.AudioChannels, md.AudioCodec, md.VideoCodec = 6, "aac", "h264"
		md.VideoResolution, md.VideoFrameRate, md.VideoProfile, md.AudioProfile = "1080", "24p", "main", "lc"
		streams = []Stream{
			{ID: rk*4 + 1, StreamType: StreamVideo, Index: 0, Codec: "h264", Default: true, DisplayTitle: "1080p",
				ExtendedDisplayTitle: "1080p (H.264)", Width: 1920, Height: 1080, FrameRate: 23.976, Profile: "main",
				Bitrate: md.Bitrate - 640},
			{ID: rk*4 + 2, StreamType: StreamAudio, Index: 1, Codec: "aac", Default: true, Selected: true,
				DisplayTitle: "English (AAC 5.1)", ExtendedDisplayTitle: "English (AAC 5.1)", Language: "English",
				LanguageCode: "eng", Channels: 6, SamplingRate: 48000, AudioChannelLayout: "5.1", Bitrate: 640},
			{ID: rk*4 + 3, StreamType: StreamSubtitle, Index: 2, Codec: "srt", DisplayTitle: "English (SRT)",
				ExtendedDisplayTitle: "English (SRT)", Language: "English", LanguageCode: "eng"},
		}
	}
	size := int64(it.Duration/1000+1) * int64(md.Bitrate+500) * 125
	if it.Type == "photo" {
		size = 2_000_000 + int64(h%1_000_000)
	}
	md.Parts = []Part{{
		ID:        rk,
		Key:       "/library/parts/" + strconv.Itoa(rk) + "/" + strconv.FormatInt(it.UpdatedAt, 10) + "/file." + ext,
		File:      file,
		Container: ext,
		Size:      size,
		Duration:  it.Duration,
		Streams:   streams,
	}}
	return md
}
