package pmsemu

import (
	"slices"
	"strconv"
	"sync"
	"time"
)

// The media model.
//
// A Store is the library of one server: its sections and their items, and everything clients
// change. Every handler reads and writes it; none keeps library state of its own. How the areas
// use it:
//
//   - Reading: Sections and Section list the sections; SectionLen and SectionAt walk a
//     section's top-level items in library order (EachInSection for a scan); Item returns any
//     item by rating key with edits applied (ParseRatingKey turns a path segment into one);
//     Children and Leaves walk the hierarchy (show → season → episode, artist → album → track,
//     photo album → photos and sub-albums). State returns one account's state of an item.
//   - Writing: Scrobble, Unscrobble, Watched (with a history row, for playback that reached
//     the end), SetViewOffset (playback progress), Rate, Edit, Delete, AddItem (fixtures, or a
//     client creating something that is a library item), AddHistory and DeleteHistory,
//     RefreshSection.
//   - Markers, extras, matching, media: Markers lists an item's intro, credits and other
//     markers and EditMarkers changes them (markers.go); every movie has a trailer, a "clip"
//     item with its own rating key that Extras lists (extras.go); a match or unmatch is an Edit
//     of guid, title and year, and deleting one Media is an Edit of Media, or a Delete of an
//     item left with none (matching.go). Markers and extras are computed like generated items,
//     and only what clients change is kept, in the overlay.
//   - Artwork: Artwork lists an item's posters or background art, the agent's (computed) and
//     the uploaded; AddArtwork and SelectArtwork change which is selected, and the item's thumb
//     or art with it (posters.go).
//   - Stream selection: SelectStreams records which audio and subtitle streams of a part one
//     account chose (PUT /library/parts/{id}); detail renders show that account its choice as
//     selected="1", everyone else the part's own selection (streamselect.go).
//   - Accounts: LocalAccountID maps a plex.tv account id to the id this server uses for it (the
//     owner is 1, everyone else keeps the plex.tv id), the numbering of /accounts, history and
//     sessions; Accounts lists them.
//   - Events: Subscribe registers a function called after every change (Event), in the order
//     the changes happened, outside the store's lock. It must not block: a subscriber that fans
//     out to slow consumers (notifications, webhooks) hands the event to its own queue.
//
// Items of generated sections are never stored: item i of a section is computed from the
// section's seed and i (see gen.go), so a section of a million items costs nothing until a page
// of it is read. Fixture items and items created by clients live in a map by rating key. What
// clients change lives in a sparse overlay (edited copies, deletions, per-account state, history),
// so memory grows with the changes, not with the library. All methods are safe for concurrent use.
type Store struct {
	machineID string
	now       func() time.Time
	ownerID   int // plex.tv id of the owner (local id 1)

	mu       sync.RWMutex
	sections []*Section
	byKey    map[string]*Section
	accounts []Account // in configuration order, the owner first
	static   map[int]*Item
	kids     map[int][]int // children of static items (and of sections' static tops, under key -pos-1)
	nextKey  int
	edits    map[int]*Item
	deleted  map[int]bool
	markers  map[int][]Marker // the markers of items whose markers were changed (markers.go)
	nextMark int
	state    map[stateKey]*UserState
	history  []HistoryEntry
	nextHist int
	subs     map[int]func(Event)
	nextSub  int

	selections map[selectionKey]streamSelection // per-account stream choices (streamselect.go)
	artwork    map[int]*itemArtwork             // uploaded and selected posters and art (posters.go)
}

// Item is one library item as the model holds it: a movie, show, season, episode, artist,
// album, track, photo album ("photoalbum"; rendered as a Directory of type "photo") or photo.
// Names follow Plex's attributes. Per-account state (views, offset, rating) is not here: see
// UserState. ParentTitle, GrandparentTitle, ChildCount and LeafCount are filled in by the store
// on read.
type Item struct {
	RatingKey            int
	Type                 string
	SectionKey           string
	ParentRatingKey      int
	GrandparentRatingKey int
	Index                int
	ParentIndex          int

	Title                 string
	TitleSort             string
	OriginalTitle         string
	Summary               string
	Tagline               string
	Studio                string
	ContentRating         string
	Slug                  string
	Year                  int
	OriginallyAvailableAt string // YYYY-MM-DD
	Duration              int    // milliseconds
	Rating                float64
	AudienceRating        float64
	RatingImage           string
	AudienceRatingImage   string
	AddedAt               int64
	UpdatedAt             int64
	Thumb                 string
	Art                   string
	GUID                  string
	Guids                 []string // "imdb://tt…", "tmdb://…", "tvdb://…"
	// PreviousGUID and PreviousGuids are the agent match the item had before its last match or
	// unmatch, and its external ids: the agent still finds it for the item's title (see
	// matchCandidates), and matching to it again brings the ids back.
	PreviousGUID  string
	PreviousGuids []string
	// An extra (Type "clip"): ExtraType 1 and Subtype "trailer" for a trailer.
	ExtraType int
	Subtype   string

	Genres      []string
	Directors   []string
	Writers     []string
	Roles       []string
	Countries   []string
	Labels      []string
	Collections []string

	Media []Media

	// Filled in by the store on read.
	ParentTitle      string
	GrandparentTitle string
	ParentThumb      string
	GrandparentThumb string
	ChildCount       int
	LeafCount        int
}

// Media is one version of a playable item.
type Media struct {
	ID              int
	Duration        int
	Bitrate         int
	Width           int
	Height          int
	AspectRatio     float64
	AudioChannels   int
	AudioCodec      string
	AudioProfile    string
	VideoCodec      string
	VideoProfile    string
	VideoResolution string
	VideoFrameRate  string
	Container       string
	Parts           []Part
}

// Part is one file of a Media.
type Part struct {
	ID        int
	Key       string // /library/parts/{id}/{updatedAt}/file.{ext}
	File      string
	Container string
	Size      int64
	Duration  int
	Streams   []Stream
}

// Stream types, as Plex numbers them.
const (
	StreamVideo    = 1
	StreamAudio    = 2
	StreamSubtitle = 3
)

// Stream is one elementary stream of a Part.
type Stream struct {
	ID                   int
	StreamType           int
	Index                int
	Codec                string
	Default              bool
	Selected             bool
	DisplayTitle         string
	ExtendedDisplayTitle string
	Language             string
	LanguageCode         string
	Bitrate              int
	// Video.
	Width, Height int
	FrameRate     float64
	Profile       string
	// Audio.
	Channels           int
	SamplingRate       int
	AudioChannelLayout string
	// Subtitles.
	Forced bool
}

// UserState is one account's state of one item. The zero value is "never played, not rated".
type UserState struct {
	ViewCount    int
	ViewOffset   int // milliseconds
	LastViewedAt int64
	UserRating   float64 // 0–10, when Rated
	Rated        bool
	LastRatedAt  int64
}

type stateKey struct{ account, ratingKey int }

// HistoryEntry is one play in the server's history. AccountID is the server-local id.
type HistoryEntry struct {
	ID        int
	AccountID int
	RatingKey int
	ViewedAt  int64
	DeviceID  int
}

// Event is one change of the model, passed to the functions given to Subscribe.
type Event struct {
	Kind       EventKind
	SectionKey string // the item's section, or the refreshed section
	RatingKey  int    // 0 for a section-wide change
	AccountID  int    // server-local id of the account whose state changed; 0 for everyone's
	At         time.Time
}

// EventKind says what changed.
type EventKind string

// Kinds of Event.
const (
	EventWatched          EventKind = "watched"   // viewCount grew (scrobble or playback end)
	EventUnwatched        EventKind = "unwatched" // unscrobble
	EventProgress         EventKind = "progress"  // viewOffset set
	EventRated            EventKind = "rated"
	EventEdited           EventKind = "edited"
	EventDeleted          EventKind = "deleted"
	EventAdded            EventKind = "added"
	EventHistoryAdded     EventKind = "history.added"
	EventHistoryDeleted   EventKind = "history.deleted"
	EventSectionRefreshed EventKind = "section.refreshed"
)

// OwnerLocalID is the id every server gives its owner.
const OwnerLocalID = 1

// newStore builds the store of cfg: its sections, in configuration order (the first section
// with a key wins; a key is required), and its accounts.
func newStore(cfg Config) *Store {
	st := &Store{
		machineID: cfg.MachineIdentifier,
		now:       cfg.Now,
		ownerID:   cfg.OwnerAccountID,
		byKey:     map[string]*Section{},
		static:    map[int]*Item{},
		kids:      map[int][]int{},
		nextKey:   1,
		edits:     map[int]*Item{},
		deleted:   map[int]bool{},
		markers:   map[int][]Marker{},
		artwork:   map[int]*itemArtwork{},
		state:     map[stateKey]*UserState{},
		subs:      map[int]func(Event){},
		nextHist:  1,
	}
	for _, sc := range cfg.Sections {
		if _, dup := st.byKey[sc.Key]; dup || sc.Key == "" || len(st.sections) == MaxSections {
			continue
		}
		sec := newSection(cfg.MachineIdentifier, len(st.sections), sc)
		st.sections = append(st.sections, sec)
		st.byKey[sc.Key] = sec
	}
	seen := map[int]bool{}
	for _, a := range cfg.Accounts {
		if !seen[a.ID] {
			seen[a.ID] = true
			st.accounts = append(st.accounts, a)
		}
	}
	return st
}

// Sections returns the sections in library order. The slice is the caller's.
func (st *Store) Sections() []*Section {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return slices.Clone(st.sections)
}

// Section returns the section with key, or nil.
func (st *Store) Section(key string) *Section {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.byKey[key]
}

// ParseRatingKey parses a rating key as it appears in a path or query; ok is false for
// anything that is not a positive decimal number of a sane length.
func ParseRatingKey(s string) (int, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n > 0
}

// Item returns the item with rating key rk, edits applied, or ok false when there is none (or
// it was deleted).
func (st *Store) Item(rk int) (Item, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.itemLocked(rk)
}

func (st *Store) itemLocked(rk int) (Item, bool) { return st.itemOpt(rk, true) }

// queryItem is Item without the Media of generated items, which no filter or sort reads: a
// query that scans a huge section builds only what it compares.
func (st *Store) queryItem(rk int) (Item, bool) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.itemOpt(rk, false)
}

func (st *Store) itemOpt(rk int, media bool) (Item, bool) {
	it, ok := st.rawOpt(rk, media)
	if !ok {
		return Item{}, false
	}
	if it.ParentRatingKey != 0 {
		if p, ok := st.rawOpt(it.ParentRatingKey, false); ok {
			it.ParentTitle, it.ParentThumb = p.Title, p.Thumb
			if it.ParentIndex == 0 {
				it.ParentIndex = p.Index
			}
		}
	}
	if it.GrandparentRatingKey != 0 {
		if g, ok := st.rawOpt(it.GrandparentRatingKey, false); ok {
			it.GrandparentTitle, it.GrandparentThumb = g.Title, g.Thumb
		}
	}
	it.ChildCount = st.childCountLocked(rk)
	if it.ChildCount > 0 {
		it.LeafCount = st.leafCountLocked(rk)
	}
	return it, true
}

// rawLocked is the item without what is filled in on read.
func (st *Store) rawLocked(rk int) (Item, bool) { return st.rawOpt(rk, true) }

func (st *Store) rawOpt(rk int, media bool) (Item, bool) {
	if st.deleted[rk] {
		return Item{}, false
	}
	parent, extra := extraParent(rk)
	if extra {
		if _, ok := st.rawOpt(parent, false); !ok {
			return Item{}, false // an extra goes with its item
		}
	}
	if it := st.edits[rk]; it != nil {
		return cloneItem(*it), true
	}
	if it := st.static[rk]; it != nil {
		return cloneItem(*it), true
	}
	if extra {
		return st.extraOf(parent, media)
	}
	ref, ok := st.decode(rk)
	if !ok {
		return Item{}, false
	}
	return ref.sec.generate(ref, media), true
}

// cloneItem copies the slices of it, so a caller's changes never reach the store.
func cloneItem(it Item) Item {
	it.Guids = slices.Clone(it.Guids)
	it.Genres, it.Directors, it.Writers = slices.Clone(it.Genres), slices.Clone(it.Directors), slices.Clone(it.Writers)
	it.Roles, it.Countries, it.Labels = slices.Clone(it.Roles), slices.Clone(it.Countries), slices.Clone(it.Labels)
	it.Collections = slices.Clone(it.Collections)
	media := make([]Media, len(it.Media))
	for i, m := range it.Media {
		parts := make([]Part, len(m.Parts))
		for j, p := range m.Parts {
			p.Streams = slices.Clone(p.Streams)
			parts[j] = p
		}
		m.Parts = parts
		media[i] = m
	}
	if it.Media != nil {
		it.Media = media
	}
	return it
}

// Children returns the rating keys of rk's children, in order (none for a leaf).
func (st *Store) Children(rk int) []int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.childrenLocked(rk)
}

func (st *Store) childrenLocked(rk int) []int {
	var out []int
	if st.static[rk] != nil {
		for _, c := range st.kids[rk] {
			if !st.deleted[c] {
				out = append(out, c)
			}
		}
		return out
	}
	ref, ok := st.decode(rk)
	if !ok || st.deleted[rk] {
		return nil
	}
	for i := range ref.sec.childCount(ref) {
		c := ref.child(i).ratingKey()
		if !st.deleted[c] {
			out = append(out, c)
		}
	}
	return out
}

func (st *Store) childCountLocked(rk int) int {
	if len(st.deleted) == 0 && st.static[rk] == nil {
		if ref, ok := st.decode(rk); ok {
			return ref.sec.childCount(ref)
		}
	}
	return len(st.childrenLocked(rk))
}

func (st *Store) leafCountLocked(rk int) int {
	n := 0
	st.eachLeafLocked(rk, func(int) bool { n++; return true })
	return n
}

// Leaves returns the rating keys of rk's playable descendants (episodes, tracks, photos), in
// order; rk itself when it is a leaf.
func (st *Store) Leaves(rk int) []int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	var out []int
	st.eachLeafLocked(rk, func(c int) bool { out = append(out, c); return true })
	return out
}

func (st *Store) eachLeafLocked(rk int, yield func(int) bool) bool {
	kids := st.childrenLocked(rk)
	if len(kids) == 0 {
		return yield(rk)
	}
	for _, c := range kids {
		if !st.eachLeafLocked(c, yield) {
			return false
		}
	}
	return true
}

// SectionLen returns the number of top-level items of sec (movies, shows, artists, photo
// albums), deletions left out.
func (st *Store) SectionLen(sec *Section) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sectionLenLocked(sec)
}

func (st *Store) sectionLenLocked(sec *Section) int {
	return sec.size + len(st.kids[sec.topKey()]) - len(sec.deletedTop)
}

// SectionAt returns the rating key of the i-th top-level item of sec (0 ≤ i < SectionLen), in
// library order: the generated items, then those added to it.
func (st *Store) SectionAt(sec *Section, i int) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.sectionAtLocked(sec, i)
}

func (st *Store) sectionAtLocked(sec *Section, i int) int {
	gen := sec.size - len(sec.deletedTop)
	if i >= gen {
		added := st.liveStaticTops(sec)
		return added[i-gen]
	}
	// The i-th generated index that is not deleted: skip one for each deletion at or below it.
	idx := i
	for _, d := range sec.deletedTop {
		if d <= idx {
			idx++
		} else {
			break
		}
	}
	return gref{sec: sec, i: idx}.ratingKey()
}

func (st *Store) liveStaticTops(sec *Section) []int {
	var out []int
	for _, rk := range st.kids[sec.topKey()] {
		if !st.deleted[rk] {
			out = append(out, rk)
		}
	}
	return out
}

// EachInSection calls yield with the rating key of every top-level item of sec, in library
// order, until yield returns false. The store is not locked while yield runs, so yield may use
// it; changes made meanwhile may or may not be seen.
func (st *Store) EachInSection(sec *Section, yield func(rk int) bool) {
	st.mu.RLock()
	deleted := slices.Clone(sec.deletedTop)
	added := st.liveStaticTops(sec)
	st.mu.RUnlock()
	d := 0
	for i := range sec.size {
		if d < len(deleted) && deleted[d] == i {
			d++
			continue
		}
		if !yield(gref{sec: sec, i: i}.ratingKey()) {
			return
		}
	}
	for _, rk := range added {
		if !yield(rk) {
			return
		}
	}
}

// Descendants returns the rating keys of every item below rk (seasons and episodes, albums and
// tracks, sub-albums and photos), depth first.
func (st *Store) Descendants(rk int) []int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	return st.descendantsLocked(rk)
}

// descendantsLocked is Descendants for a caller that holds st.mu.
func (st *Store) descendantsLocked(rk int) []int {
	var out []int
	var walk func(int)
	walk = func(p int) {
		for _, c := range st.childrenLocked(p) {
			out = append(out, c)
			walk(c)
		}
	}
	walk(rk)
	return out
}

// SectionOf returns the section item rk belongs to.
func (st *Store) SectionOf(rk int) *Section {
	it, ok := st.Item(rk)
	if !ok {
		return nil
	}
	return st.Section(it.SectionKey)
}

// State returns account's state of item rk (account is the server-local id).
func (st *Store) State(account, rk int) UserState {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if s := st.state[stateKey{account, rk}]; s != nil {
		return *s
	}
	return UserState{}
}

func (st *Store) viewedLeavesLocked(account, rk int) int {
	n := 0
	st.eachLeafLocked(rk, func(c int) bool {
		if s := st.state[stateKey{account, c}]; s != nil && s.ViewCount > 0 {
			n++
		}
		return true
	})
	return n
}

// ViewedLeafCount returns how many of rk's leaves account has watched.
func (st *Store) ViewedLeafCount(account, rk int) int {
	st.mu.RLock()
	defer st.mu.RUnlock()
	if len(st.state) == 0 {
		return 0
	}
	return st.viewedLeavesLocked(account, rk)
}

// States returns account's state of every item it has any for, by rating key.
func (st *Store) States(account int) map[int]UserState {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := map[int]UserState{}
	for k, s := range st.state {
		if k.account == account && *s != (UserState{}) {
			out[k.ratingKey] = *s
		}
	}
	return out
}

func (st *Store) stateLocked(account, rk int) *UserState {
	k := stateKey{account, rk}
	s := st.state[k]
	if s == nil {
		s = &UserState{}
		st.state[k] = s
	}
	return s
}

// Scrobble marks rk watched for account (every leaf of a show, season, artist or album), as
// GET/PUT /:/scrobble does: viewCount grows, lastViewedAt is now, viewOffset is cleared. A
// scrobble adds no history row (python-plexapi's live tests assert so). ok is false when there
// is no such item.
func (st *Store) Scrobble(account, rk int) bool { return st.watched(account, rk, false) }

// Watched is Scrobble for playback that reached the end: it also adds a history row per leaf.
func (st *Store) Watched(account, rk int) bool { return st.watched(account, rk, true) }

func (st *Store) watched(account, rk int, history bool) bool {
	kinds := []EventKind{EventWatched}
	if history {
		kinds = append(kinds, EventHistoryAdded)
	}
	return st.changeState(account, rk, func(now int64) {
		st.eachLeafLocked(rk, func(c int) bool {
			s := st.stateLocked(account, c)
			s.ViewCount++
			s.LastViewedAt = now
			s.ViewOffset = 0
			if history {
				st.history = append(st.history, HistoryEntry{ID: st.nextHist, AccountID: account, RatingKey: c, ViewedAt: now, DeviceID: deviceID(account)})
				st.nextHist++
			}
			return true
		})
	}, kinds...)
}

// Unscrobble marks rk (and its leaves) unwatched for account: viewCount, viewOffset and
// lastViewedAt are cleared.
func (st *Store) Unscrobble(account, rk int) bool {
	return st.changeState(account, rk, func(int64) {
		st.eachLeafLocked(rk, func(c int) bool {
			if s := st.state[stateKey{account, c}]; s != nil {
				s.ViewCount, s.ViewOffset, s.LastViewedAt = 0, 0, 0
			}
			return true
		})
	}, EventUnwatched)
}

// SetViewOffset records how far account got into rk (milliseconds), as /:/progress and
// /:/timeline do; 0 clears it. lastViewedAt moves to now.
func (st *Store) SetViewOffset(account, rk, offset int) bool {
	return st.changeState(account, rk, func(now int64) {
		s := st.stateLocked(account, rk)
		s.ViewOffset = max(offset, 0)
		s.LastViewedAt = now
	}, EventProgress)
}

// Rate sets account's rating of rk (0–10); a negative rating clears it.
func (st *Store) Rate(account, rk int, rating float64) bool {
	return st.changeState(account, rk, func(now int64) {
		s := st.stateLocked(account, rk)
		if rating < 0 {
			s.Rated, s.UserRating, s.LastRatedAt = false, 0, 0
		} else {
			s.Rated, s.UserRating, s.LastRatedAt = true, min(rating, 10), now
		}
	}, EventRated)
}

// changeState is every change of account's watch state of item rk: change runs under the
// write lock with the time in Unix seconds, then an event of each kind is published, after
// the lock is released so that subscribers may read the store. It is false, changing nothing,
// when there is no item rk.
func (st *Store) changeState(account, rk int, change func(now int64), kinds ...EventKind) bool {
	now := st.now()
	st.mu.Lock()
	it, ok := st.itemLocked(rk)
	if !ok {
		st.mu.Unlock()
		return false
	}
	change(now.Unix())
	st.mu.Unlock()
	events := make([]Event, len(kinds))
	for i, k := range kinds {
		events[i] = Event{Kind: k, SectionKey: it.SectionKey, RatingKey: rk, AccountID: account, At: now}
	}
	st.publish(events...)
	return true
}

// Edit changes item rk for everyone: edit gets a copy of the item and changes it; the store
// keeps the result (RatingKey, Type and SectionKey stay as they were) and sets UpdatedAt.
func (st *Store) Edit(rk int, edit func(*Item)) bool {
	now := st.now()
	st.mu.Lock()
	it, ok := st.rawLocked(rk)
	if !ok {
		st.mu.Unlock()
		return false
	}
	key, typ, sec := it.RatingKey, it.Type, it.SectionKey
	edit(&it)
	it.RatingKey, it.Type, it.SectionKey = key, typ, sec
	it.UpdatedAt = now.Unix()
	it.ParentTitle, it.GrandparentTitle, it.ParentThumb, it.GrandparentThumb, it.ChildCount, it.LeafCount = "", "", "", "", 0, 0
	if st.static[rk] != nil {
		st.static[rk] = &it
	} else {
		st.edits[rk] = &it
	}
	st.mu.Unlock()
	st.publish(Event{Kind: EventEdited, SectionKey: sec, RatingKey: rk, At: now})
	return true
}

// Delete removes item rk and its descendants from the library.
func (st *Store) Delete(rk int) bool {
	now := st.now()
	st.mu.Lock()
	it, ok := st.rawLocked(rk)
	if !ok {
		st.mu.Unlock()
		return false
	}
	for _, k := range append(st.descendantsLocked(rk), rk) {
		st.deleted[k] = true
		delete(st.edits, k)
		delete(st.artwork, k)
	}
	if ref, ok := st.decode(rk); ok && ref.level == 0 {
		sec := ref.sec
		i, _ := slices.BinarySearch(sec.deletedTop, ref.i)
		sec.deletedTop = slices.Insert(sec.deletedTop, i, ref.i)
	}
	st.mu.Unlock()
	st.publish(Event{Kind: EventDeleted, SectionKey: it.SectionKey, RatingKey: rk, At: now})
	return true
}

// NewRatingKey reserves a rating key for an item or object a client creates (fixture items,
// collections, playlists). Such keys are below every generated one.
func (st *Store) NewRatingKey() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.newKeyLocked()
}

func (st *Store) newKeyLocked() int {
	for st.static[st.nextKey] != nil {
		st.nextKey++
	}
	k := st.nextKey
	st.nextKey++
	return k
}

// AddItem stores it as a new item and returns its rating key (it.RatingKey when set and free,
// else a new one). With ParentRatingKey 0 it is a top-level item of section it.SectionKey, listed
// after the generated ones; otherwise a child of that parent, which must exist.
// GrandparentRatingKey is derived from the parent. ok is false when the section or parent does
// not exist or the key is taken.
func (st *Store) AddItem(it Item) (int, bool) {
	now := st.now()
	st.mu.Lock()
	sec := st.byKey[it.SectionKey]
	if sec == nil {
		st.mu.Unlock()
		return 0, false
	}
	parent := sec.topKey()
	if it.ParentRatingKey != 0 {
		p, ok := st.rawLocked(it.ParentRatingKey)
		if !ok || st.static[it.ParentRatingKey] == nil {
			st.mu.Unlock()
			return 0, false
		}
		parent = it.ParentRatingKey
		it.GrandparentRatingKey = p.ParentRatingKey
		it.SectionKey = p.SectionKey
	}
	if it.RatingKey == 0 {
		it.RatingKey = st.newKeyLocked()
	} else if _, taken := st.rawLocked(it.RatingKey); taken || it.RatingKey >= ratingKeyStride {
		st.mu.Unlock()
		return 0, false
	}
	if it.AddedAt == 0 {
		it.AddedAt = now.Unix()
	}
	if it.UpdatedAt == 0 {
		it.UpdatedAt = it.AddedAt
	}
	if ext := playableExt[it.Type]; ext != "" && it.Media == nil {
		// A playable item gets a file like a generated one's, in its top-level item's folder.
		folder := it.Title
		for p := it.ParentRatingKey; p != 0; {
			up, _ := st.rawLocked(p)
			folder, p = up.Title, up.ParentRatingKey
		}
		it.Media = []Media{sec.media(it, folder, mix(sec.seed, uint64(it.RatingKey)), ext)}
	}
	c := cloneItem(it)
	st.static[it.RatingKey] = &c
	st.kids[parent] = append(st.kids[parent], it.RatingKey)
	st.mu.Unlock()
	st.publish(Event{Kind: EventAdded, SectionKey: it.SectionKey, RatingKey: it.RatingKey, At: now})
	return it.RatingKey, true
}

// playableExt is the file extension of a playable type's media.
var playableExt = map[string]string{"movie": "mkv", "episode": "mkv", "track": "flac", "photo": "jpg"}

// AddHistory records that account (server-local id) watched rk at viewedAt.
func (st *Store) AddHistory(account, rk int, viewedAt time.Time) (HistoryEntry, bool) {
	st.mu.Lock()
	it, ok := st.rawLocked(rk)
	if !ok {
		st.mu.Unlock()
		return HistoryEntry{}, false
	}
	e := HistoryEntry{ID: st.nextHist, AccountID: account, RatingKey: rk, ViewedAt: viewedAt.Unix(), DeviceID: deviceID(account)}
	st.nextHist++
	st.history = append(st.history, e)
	st.mu.Unlock()
	st.publish(Event{Kind: EventHistoryAdded, SectionKey: it.SectionKey, RatingKey: rk, AccountID: account, At: st.now()})
	return e, true
}

// History returns the history entries (oldest recorded first) whose items still exist.
func (st *Store) History() []HistoryEntry {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]HistoryEntry, 0, len(st.history))
	for _, e := range st.history {
		if _, ok := st.rawLocked(e.RatingKey); ok {
			out = append(out, e)
		}
	}
	return out
}

// DeleteHistory removes the history entry with id.
func (st *Store) DeleteHistory(id int) bool {
	st.mu.Lock()
	i := slices.IndexFunc(st.history, func(e HistoryEntry) bool { return e.ID == id })
	if i < 0 {
		st.mu.Unlock()
		return false
	}
	e := st.history[i]
	st.history = slices.Delete(st.history, i, i+1)
	st.mu.Unlock()
	st.publish(Event{Kind: EventHistoryDeleted, RatingKey: e.RatingKey, AccountID: e.AccountID, At: st.now()})
	return true
}

// RefreshSection records a scan of the section: its scannedAt and updatedAt become now.
func (st *Store) RefreshSection(key string) bool {
	now := st.now()
	st.mu.Lock()
	sec := st.byKey[key]
	if sec == nil {
		st.mu.Unlock()
		return false
	}
	sec.scannedAt = now.Unix()
	st.mu.Unlock()
	st.publish(Event{Kind: EventSectionRefreshed, SectionKey: key, At: now})
	return true
}

// LocalAccountID returns the id this server uses for the plex.tv account plexID: 1 for the
// owner, the plex.tv id for everyone else (as a PMS numbers /accounts, history and sessions).
func (st *Store) LocalAccountID(plexID int) int {
	if plexID == st.ownerID && plexID != 0 {
		return OwnerLocalID
	}
	return plexID
}

// Accounts returns the accounts the server knows, each with its server-local ID (the owner
// first, as id 1).
func (st *Store) Accounts() []Account {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := make([]Account, 0, len(st.accounts))
	for _, a := range st.accounts {
		a.ID = st.LocalAccountID(a.ID)
		out = append(out, a)
	}
	slices.SortStableFunc(out, func(a, b Account) int { return a.ID - b.ID })
	return out
}

// Account returns the account with server-local id, or a stand-in named for the id.
func (st *Store) Account(local int) Account {
	for _, a := range st.Accounts() {
		if a.ID == local {
			return a
		}
	}
	return Account{ID: local, Username: "account-" + strconv.Itoa(local)}
}

// Subscribe registers fn to be called with every change, after it is made; cancel stops it.
func (st *Store) Subscribe(fn func(Event)) (cancel func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	id := st.nextSub
	st.nextSub++
	st.subs[id] = fn
	return func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		delete(st.subs, id)
	}
}

func (st *Store) publish(events ...Event) {
	st.mu.RLock()
	subs := make([]func(Event), 0, len(st.subs))
	ids := make([]int, 0, len(st.subs))
	for id := range st.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		subs = append(subs, st.subs[id])
	}
	st.mu.RUnlock()
	for _, e := range events {
		for _, fn := range subs {
			fn(e)
		}
	}
}

// deviceID is the device a seeded account plays on, stable per account.
func deviceID(account int) int { return 1 + int(mix(uint64(account), 7)%1000) }
