package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
)

// Fixture describes the accounts, servers, shares, libraries and plays an emulator starts with,
// instead of the seeded ones: a user describes the library their tests need. Load one from a
// YAML or JSON file with LoadFixture (see testdata/example-fixture.yaml) and pass it in
// Options.Fixture.
//
// Accounts, when given, replace the seeded accounts (alice, bob, carol, dave); otherwise servers
// may name those. Servers, when given, replace the seeded servers. A section is generated
// (Size items, headed by the sample library with Samples) and holds the Items listed, after the
// generated ones.
type Fixture struct {
	Accounts []FixtureAccount `json:"accounts,omitempty" yaml:"accounts,omitempty"`
	Servers  []FixtureServer  `json:"servers,omitempty" yaml:"servers,omitempty"`
}

// FixtureAccount is a plex.tv account.
type FixtureAccount struct {
	Username string `json:"username" yaml:"username"`
	// Password is required, except for a managed user, who has none (as in Plex: managed users
	// are reached by switching to them in the owner's Home).
	Password string `json:"password,omitempty" yaml:"password,omitempty"`
	// ID is the plex.tv account id (default: one after the previous account's, from 21384601).
	ID int `json:"id,omitempty" yaml:"id,omitempty"`
	// Kind is "owner" (Plex Pass, home admin), "friend", "managed" (a restricted home user) or
	// "none" (default).
	Kind string `json:"kind,omitempty" yaml:"kind,omitempty"`
	// FriendlyName defaults to the username, capitalised.
	FriendlyName string `json:"friendlyName,omitempty" yaml:"friendlyName,omitempty"`
}

// FixtureServer is a Plex Media Server.
type FixtureServer struct {
	Name  string `json:"name" yaml:"name"`
	Owner string `json:"owner" yaml:"owner"` // username
	// AcceptsAccountJWT is false for a server that takes only its own access tokens
	// (default true).
	AcceptsAccountJWT *bool            `json:"acceptsAccountJWT,omitempty" yaml:"acceptsAccountJWT,omitempty"`
	Sections          []FixtureSection `json:"sections,omitempty" yaml:"sections,omitempty"`
	Shares            []FixtureShare   `json:"shares,omitempty" yaml:"shares,omitempty"`
	History           []FixturePlay    `json:"history,omitempty" yaml:"history,omitempty"`
	Sessions          []FixturePlay    `json:"sessions,omitempty" yaml:"sessions,omitempty"`
}

// FixtureSection is a library section.
type FixtureSection struct {
	Key   string `json:"key" yaml:"key"`
	Type  string `json:"type" yaml:"type"` // movie, show, artist, photo
	Title string `json:"title" yaml:"title"`
	// Size is the number of generated items, listed before Items (default 0).
	Size int `json:"size,omitempty" yaml:"size,omitempty"`
	// Samples heads the generated items with python-plexapi's sample library.
	Samples bool          `json:"samples,omitempty" yaml:"samples,omitempty"`
	Items   []FixtureItem `json:"items,omitempty" yaml:"items,omitempty"`
}

// FixtureItem is one library item and its children (a show's seasons, a season's episodes, an
// artist's albums, an album's tracks, a photo album's photos and sub-albums). Type defaults by
// section type and depth; playable items get a Media, Part and streams.
type FixtureItem struct {
	// RatingKey is the item's rating key (below 1,000,000,000); default: the next free one.
	RatingKey             int        `json:"ratingKey,omitempty" yaml:"ratingKey,omitempty"`
	Type                  string     `json:"type,omitempty" yaml:"type,omitempty"`
	Title                 string     `json:"title" yaml:"title"`
	TitleSort             string     `json:"titleSort,omitempty" yaml:"titleSort,omitempty"`
	OriginalTitle         string     `json:"originalTitle,omitempty" yaml:"originalTitle,omitempty"`
	Summary               string     `json:"summary,omitempty" yaml:"summary,omitempty"`
	Tagline               string     `json:"tagline,omitempty" yaml:"tagline,omitempty"`
	Studio                string     `json:"studio,omitempty" yaml:"studio,omitempty"`
	ContentRating         string     `json:"contentRating,omitempty" yaml:"contentRating,omitempty"`
	Year                  int        `json:"year,omitempty" yaml:"year,omitempty"`
	OriginallyAvailableAt string     `json:"originallyAvailableAt,omitempty" yaml:"originallyAvailableAt,omitempty"` // YYYY-MM-DD
	Index                 int        `json:"index,omitempty" yaml:"index,omitempty"`                                 // default: position among its siblings, from 1
	Duration              int        `json:"duration,omitempty" yaml:"duration,omitempty"`                           // milliseconds
	Rating                float64    `json:"rating,omitempty" yaml:"rating,omitempty"`
	AudienceRating        float64    `json:"audienceRating,omitempty" yaml:"audienceRating,omitempty"`
	AddedAt               *time.Time `json:"addedAt,omitempty" yaml:"addedAt,omitempty"`
	GUID                  string     `json:"guid,omitempty" yaml:"guid,omitempty"`
	Guids                 []string   `json:"guids,omitempty" yaml:"guids,omitempty"`
	Genres                []string   `json:"genres,omitempty" yaml:"genres,omitempty"`
	Directors             []string   `json:"directors,omitempty" yaml:"directors,omitempty"`
	Writers               []string   `json:"writers,omitempty" yaml:"writers,omitempty"`
	Roles                 []string   `json:"roles,omitempty" yaml:"roles,omitempty"`
	Countries             []string   `json:"countries,omitempty" yaml:"countries,omitempty"`
	Labels                []string   `json:"labels,omitempty" yaml:"labels,omitempty"`
	Collections           []string   `json:"collections,omitempty" yaml:"collections,omitempty"`
	// WatchedBy lists the users who have watched the item (all of a parent's leaves).
	WatchedBy []string `json:"watchedBy,omitempty" yaml:"watchedBy,omitempty"`
	// Progress gives, per user, how far (milliseconds) they got into the item: it is then on
	// their deck.
	Progress map[string]int `json:"progress,omitempty" yaml:"progress,omitempty"`
	Children []FixtureItem  `json:"children,omitempty" yaml:"children,omitempty"`
}

// FixtureShare shares a server with an account.
type FixtureShare struct {
	User string `json:"user" yaml:"user"`
	// Sections lists the section keys shared; empty means all.
	Sections []string `json:"sections,omitempty" yaml:"sections,omitempty"`
	// Managed marks a managed home user of the owner's home.
	Managed bool `json:"managed,omitempty" yaml:"managed,omitempty"`
}

// FixturePlay is a history entry or a playing session: who played which item.
type FixturePlay struct {
	User string `json:"user" yaml:"user"`
	// Item names what was played: a rating key, or a title (of a fixture item, or of a
	// generated top-level item, which plays its first episode or track).
	Item string `json:"item" yaml:"item"`
	// ViewedAt is when (history; default: an hour before the emulator's start).
	ViewedAt *time.Time `json:"viewedAt,omitempty" yaml:"viewedAt,omitempty"`
	// State is playing (default), paused or buffering (sessions).
	State string `json:"state,omitempty" yaml:"state,omitempty"`
}

// LoadFixture reads a fixture from a YAML (.yaml, .yml) or JSON (.json) file and checks it.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("emulator: fixture: %w", err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".json" && ext != ".yaml" && ext != ".yml" {
		return nil, fmt.Errorf("emulator: fixture %s: the file must end in .yaml, .yml or .json", path)
	}
	f, err := ParseFixture(data, ext == ".json")
	if err != nil {
		return nil, fmt.Errorf("emulator: fixture %s: %w", path, err)
	}
	return f, nil
}

// ParseFixture decodes a fixture from YAML, or JSON when asJSON, and checks it: unknown fields,
// unknown users, section types and duplicate names are errors naming what is wrong.
func ParseFixture(data []byte, asJSON bool) (*Fixture, error) {
	var f Fixture
	if asJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, err
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	return &f, nil
}

func (f *Fixture) check() error {
	users := map[string]bool{}
	ids := map[int]bool{}
	for i, a := range f.Accounts {
		switch {
		case a.Username == "":
			return fmt.Errorf("accounts[%d]: a username is required", i)
		case users[strings.ToLower(a.Username)]:
			return fmt.Errorf("accounts[%d]: username %q is used twice", i, a.Username)
		case a.Password == "" && a.Kind != "managed":
			return fmt.Errorf("account %q: a password is required", a.Username)
		case a.Password != "" && a.Kind == "managed":
			return fmt.Errorf("account %q: a managed user has no password (Plex's managed users are reached by Home switch only); remove it", a.Username)
		case a.ID < 0 || a.ID != 0 && ids[a.ID]:
			return fmt.Errorf("account %q: id %d is negative or used twice", a.Username, a.ID)
		}
		switch a.Kind {
		case "", "owner", "friend", "managed", "none":
		default:
			return fmt.Errorf("account %q: kind %q is none of owner, friend, managed, none", a.Username, a.Kind)
		}
		users[strings.ToLower(a.Username)], ids[a.ID] = true, true
	}
	if len(f.Accounts) == 0 {
		for _, u := range []string{"alice", "bob", "carol", "dave"} {
			users[u] = true
		}
	}
	user := func(where, name string) error {
		if !users[strings.ToLower(name)] {
			return fmt.Errorf("%s: no account %q", where, name)
		}
		return nil
	}
	servers := map[string]bool{}
	for i, s := range f.Servers {
		where := fmt.Sprintf("servers[%d]", i)
		if s.Name == "" {
			return fmt.Errorf("%s: a name is required", where)
		}
		where = "server " + s.Name
		if servers[s.Name] {
			return fmt.Errorf("%s: the name is used twice", where)
		}
		servers[s.Name] = true
		if err := user(where+": owner", s.Owner); err != nil {
			return err
		}
		keys := map[string]bool{}
		for _, sec := range s.Sections {
			w := fmt.Sprintf("%s: section %q", where, sec.Key)
			switch {
			case sec.Key == "" || keys[sec.Key]:
				return fmt.Errorf("%s: a section needs a key of its own", w)
			case sec.Size < 0 || sec.Size > pmsemu.MaxSectionSize:
				return fmt.Errorf("%s: size %d is not between 0 and %d", w, sec.Size, pmsemu.MaxSectionSize)
			}
			switch sec.Type {
			case "movie", "show", "artist", "photo":
			default:
				return fmt.Errorf("%s: type %q is none of movie, show, artist, photo", w, sec.Type)
			}
			keys[sec.Key] = true
			if err := checkItems(users, w, sec.Items); err != nil {
				return err
			}
		}
		for _, sh := range s.Shares {
			if err := user(where+": share", sh.User); err != nil {
				return err
			}
			if strings.EqualFold(sh.User, s.Owner) {
				return fmt.Errorf("%s: shared with its owner %q", where, sh.User)
			}
			for _, k := range sh.Sections {
				if !keys[k] {
					return fmt.Errorf("%s: share with %s names section %q, which the server does not have", where, sh.User, k)
				}
			}
		}
		for _, p := range append(append([]FixturePlay{}, s.History...), s.Sessions...) {
			if err := user(where+": play", p.User); err != nil {
				return err
			}
			if p.Item == "" {
				return fmt.Errorf("%s: a play by %s names no item", where, p.User)
			}
			switch p.State {
			case "", "playing", "paused", "buffering":
			default:
				return fmt.Errorf("%s: session state %q is none of playing, paused, buffering", where, p.State)
			}
		}
	}
	return nil
}

func checkItems(users map[string]bool, where string, items []FixtureItem) error {
	for i, it := range items {
		w := fmt.Sprintf("%s: items[%d]", where, i)
		switch {
		case it.Title == "":
			return fmt.Errorf("%s: a title is required", w)
		case it.RatingKey < 0 || it.RatingKey >= 1_000_000_000:
			return fmt.Errorf("%s (%q): ratingKey %d is not between 1 and 999999999", w, it.Title, it.RatingKey)
		}
		for _, u := range it.WatchedBy {
			if !users[strings.ToLower(u)] {
				return fmt.Errorf("%s (%q): watchedBy: no account %q", w, it.Title, u)
			}
		}
		for u, ms := range it.Progress {
			if !users[strings.ToLower(u)] || ms < 0 {
				return fmt.Errorf("%s (%q): progress of %q: no such account, or a negative offset", w, it.Title, u)
			}
		}
		if err := checkItems(users, w+" ("+it.Title+")", it.Children); err != nil {
			return err
		}
	}
	return nil
}

// itemTypes are the types of a section's items by depth.
var itemTypes = map[string][]string{
	"movie":  {"movie"},
	"show":   {"show", "season", "episode"},
	"artist": {"artist", "album", "track"},
	"photo":  {"photoalbum", "photo", "photo"},
}

// seedFixture creates f's accounts (or the seeded ones), servers and shares. The caller is
// init, before any request.
func (e *Emulator) seedFixture(f *Fixture) {
	start := e.opts.Start
	if len(f.Accounts) == 0 {
		e.seedAccounts()
	}
	nextID := 21384601
	for _, a := range f.Accounts {
		id := a.ID
		if id == 0 {
			for e.byID[nextID] != nil {
				nextID++
			}
			id = nextID
		}
		friendly := a.FriendlyName
		if friendly == "" && a.Username != "" {
			friendly = strings.ToUpper(a.Username[:1]) + a.Username[1:]
		}
		kind := a.Kind
		if kind == "" {
			kind = "none"
		}
		e.addAccount(&account{id: id, username: strings.ToLower(a.Username), password: a.Password,
			friendlyName: friendly, kind: kind, home: kind == "owner" || kind == "managed", homeAdmin: kind == "owner",
			restricted: kind == "managed", joinedAt: start.AddDate(-2, 0, 0)})
	}
	for _, fs := range f.Servers {
		owner := e.byName[strings.ToLower(fs.Owner)]
		var sections []pmsemu.SectionConfig
		for _, sec := range fs.Sections {
			sections = append(sections, pmsemu.SectionConfig{Key: sec.Key, Type: sec.Type, Title: sec.Title, Size: sec.Size, Samples: sec.Samples})
		}
		jwt := fs.AcceptsAccountJWT == nil || *fs.AcceptsAccountJWT
		s := e.addServer(fs.Name, owner, jwt, sections)
		b := itemBuilder{used: map[int]bool{}, titles: map[string]int{}, accountID: func(u string) int { return e.byName[strings.ToLower(u)].id }}
		for _, sec := range fs.Sections {
			b.reserve(sec.Items)
		}
		for _, sec := range fs.Sections {
			b.add(&s.cfg, sec.Key, 0, itemTypes[sec.Type], sec.Items)
		}
		for _, sh := range fs.Shares {
			var keys []string
			if len(sh.Sections) > 0 {
				keys = sh.Sections
			}
			e.share(s, e.byName[strings.ToLower(sh.User)], keys, sh.Managed)
		}
		for _, p := range fs.History {
			at := start.Add(-time.Hour)
			if p.ViewedAt != nil {
				at = *p.ViewedAt
			}
			hc := pmsemu.HistoryConfig{AccountID: e.byName[strings.ToLower(p.User)].id, ViewedAt: at}
			b.resolve(p.Item, &hc.Section, &hc.Index, &hc.RatingKey, fs.Sections)
			s.cfg.History = append(s.cfg.History, hc)
		}
		for _, p := range fs.Sessions {
			sc := pmsemu.SessionConfig{AccountID: e.byName[strings.ToLower(p.User)].id, State: p.State}
			b.resolve(p.Item, &sc.Section, &sc.Index, &sc.RatingKey, fs.Sections)
			s.cfg.Sessions = append(s.cfg.Sessions, sc)
		}
		for _, sh := range s.sharesInOrder() {
			s.cfg.Accounts = append(s.cfg.Accounts, pmsAccount(sh.acct))
		}
	}
}

// itemBuilder turns fixture items into the model's items, giving each a rating key.
type itemBuilder struct {
	used      map[int]bool
	next      int
	titles    map[string]int // title → rating key, for plays that name an item by title
	accountID func(username string) int
}

func (b *itemBuilder) reserve(items []FixtureItem) {
	for _, it := range items {
		if it.RatingKey != 0 {
			b.used[it.RatingKey] = true
		}
		b.reserve(it.Children)
	}
}

func (b *itemBuilder) key(want int) int {
	if want != 0 {
		return want
	}
	for {
		b.next++
		if !b.used[b.next] {
			b.used[b.next] = true
			return b.next
		}
	}
}

func (b *itemBuilder) add(cfg *pmsemu.Config, section string, parent int, types []string, items []FixtureItem) {
	for i, fi := range items {
		typ := fi.Type
		if typ == "" {
			typ = types[0]
		}
		index := fi.Index
		if index == 0 && parent != 0 {
			index = i + 1
		}
		it := pmsemu.Item{
			RatingKey: b.key(fi.RatingKey), Type: typ, SectionKey: section, ParentRatingKey: parent, Index: index,
			Title: fi.Title, TitleSort: fi.TitleSort, OriginalTitle: fi.OriginalTitle, Summary: fi.Summary,
			Tagline: fi.Tagline, Studio: fi.Studio, ContentRating: fi.ContentRating, Year: fi.Year,
			OriginallyAvailableAt: fi.OriginallyAvailableAt, Duration: fi.Duration, Rating: fi.Rating,
			AudienceRating: fi.AudienceRating, GUID: fi.GUID, Guids: fi.Guids, Genres: fi.Genres,
			Directors: fi.Directors, Writers: fi.Writers, Roles: fi.Roles, Countries: fi.Countries,
			Labels: fi.Labels, Collections: fi.Collections,
		}
		if fi.AddedAt != nil {
			it.AddedAt = fi.AddedAt.Unix()
		}
		cfg.Items = append(cfg.Items, it)
		for _, u := range fi.WatchedBy {
			cfg.Views = append(cfg.Views, pmsemu.ViewConfig{AccountID: b.accountID(u), RatingKey: it.RatingKey, Watched: true})
		}
		users := make([]string, 0, len(fi.Progress))
		for u := range fi.Progress {
			users = append(users, u)
		}
		slices.Sort(users)
		for _, u := range users {
			cfg.Views = append(cfg.Views, pmsemu.ViewConfig{AccountID: b.accountID(u), RatingKey: it.RatingKey, ViewOffset: fi.Progress[u]})
		}
		if _, dup := b.titles[fi.Title]; !dup {
			b.titles[fi.Title] = it.RatingKey
		}
		next := types
		if len(types) > 1 {
			next = types[1:]
		}
		b.add(cfg, section, it.RatingKey, next, fi.Children)
	}
}

// resolve fills in the item a play names: a rating key, a fixture item's title, or (left to the
// server) a generated item's title as section and index.
func (b *itemBuilder) resolve(name string, section *string, index, rk *int, sections []FixtureSection) {
	if k, ok := pmsemu.ParseRatingKey(name); ok {
		*rk = k
		return
	}
	if k, ok := b.titles[name]; ok {
		*rk = k
		return
	}
	for _, sec := range sections {
		sc := pmsemu.SectionConfig{Type: sec.Type, Size: sec.Size, Samples: sec.Samples}
		for i := range sec.Size {
			if pmsemu.GeneratedTitle(sc, i) == name {
				*section, *index = sec.Key, i
				return
			}
		}
	}
	*rk = -1 // names nothing: the server drops the play
}
