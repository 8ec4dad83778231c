package pms

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strings"
)

// LibraryService reads library sections and their items.
type LibraryService service

// Section is a library section ("Movies", "TV Shows", …), an element of GET /library/sections.
type Section struct {
	Key              FlexString `json:"key" xml:"key,attr"`
	Type             string     `json:"type" xml:"type,attr"` // movie, show, artist, photo
	Title            string     `json:"title" xml:"title,attr"`
	Agent            string     `json:"agent,omitempty" xml:"agent,attr"`
	Scanner          string     `json:"scanner,omitempty" xml:"scanner,attr"`
	Language         string     `json:"language,omitempty" xml:"language,attr"`
	UUID             string     `json:"uuid,omitempty" xml:"uuid,attr"`
	AllowSync        FlexBool   `json:"allowSync" xml:"allowSync,attr"`
	Filters          FlexBool   `json:"filters" xml:"filters,attr"`
	Refreshing       FlexBool   `json:"refreshing" xml:"refreshing,attr"`
	Content          FlexBool   `json:"content" xml:"content,attr"`
	Directory        FlexBool   `json:"directory" xml:"directory,attr"`
	Hidden           FlexBool   `json:"hidden" xml:"hidden,attr"`
	Art              string     `json:"art,omitempty" xml:"art,attr"`
	Thumb            string     `json:"thumb,omitempty" xml:"thumb,attr"`
	Composite        string     `json:"composite,omitempty" xml:"composite,attr"`
	CreatedAt        FlexInt    `json:"createdAt,omitempty" xml:"createdAt,attr"` // Unix seconds
	UpdatedAt        FlexInt    `json:"updatedAt,omitempty" xml:"updatedAt,attr"` // Unix seconds
	ScannedAt        FlexInt    `json:"scannedAt,omitempty" xml:"scannedAt,attr"` // Unix seconds
	ContentChangedAt FlexInt    `json:"contentChangedAt,omitempty" xml:"contentChangedAt,attr"`
	Locations        []Location `json:"Location,omitempty" xml:"Location"`
}

// Location is a folder a section scans.
type Location struct {
	ID   FlexInt `json:"id" xml:"id,attr"`
	Path string  `json:"path" xml:"path,attr"`
}

// Sections returns the library sections the token may see: all of them for the owner, the
// shared ones for a shared user.
func (s *LibraryService) Sections(ctx context.Context) ([]Section, error) {
	out := []Section{}
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: "library/sections",
		childKeys: []string{"Directory"}, child: collect(&out, "Directory"),
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ItemsOptions selects part of a section's items and how they are fetched.
type ItemsOptions struct {
	// PageSize is how many items each request asks for: 0 means DefaultPageSize, at most
	// MaxPageSize. Larger pages mean fewer round trips; memory does not depend on it, as
	// items are decoded one at a time.
	PageSize int
	// Start is the index of the first item (0: the first).
	Start int
	// Limit is the most items to return (0: all).
	Limit int
	// Query filters and sorts the items (a media query); nil lists them all in the server's
	// order. Check it first with Query.Validate against Library.Meta, and give tags by id, or
	// by name through Library.ResolveTags: a server filters tags by id only.
	Query *Query
}

// Items returns an iterator over the items of the section with key sectionKey, fetched one
// page at a time (GET /library/sections/{key}/all with X-Plex-Container-Start/Size) and
// decoded as they arrive, so memory stays flat however large the section: a million items
// cost what one does. A failure ends the iteration with a non-nil error. Items the server
// lists without their section (it hoists librarySectionID and librarySectionTitle onto the
// container) get them from the container.
func (s *LibraryService) Items(ctx context.Context, sectionKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return func(yield func(Item, error) bool) { yield(Item{}, err) }
	}
	var raw string
	if opts.Query != nil {
		var err error
		if raw, err = opts.Query.Encode(); err != nil {
			return func(yield func(Item, error) bool) { yield(Item{}, err) }
		}
	}
	return paginate(ctx, s.client, pageQuery{
		path: "library/sections/" + sectionKey + "/all", rawQuery: raw,
		pageSize: opts.PageSize, start: opts.Start, limit: opts.Limit,
		childKeys: itemNames, names: itemNames,
	}, func(it *Item, h *pageHead) {
		if it.LibrarySectionID == "" {
			it.LibrarySectionID = FlexString(sectionKey)
		}
		if it.LibrarySectionTitle == "" {
			it.LibrarySectionTitle = h.LibrarySectionTitle
		}
	})
}

// ItemCount returns how many items the section with key sectionKey has, without listing
// them (a page of size 0, which a PMS answers with the total alone).
func (s *LibraryService) ItemCount(ctx context.Context, sectionKey string) (int, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return 0, err
	}
	return s.client.count(ctx, "library/sections/"+sectionKey+"/all", nil)
}

// Metadata returns the item with this rating key (GET /library/metadata/{ratingKey}), with
// its media, parts and streams.
func (s *LibraryService) Metadata(ctx context.Context, ratingKey string) (*Item, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	var items []Item
	path := "library/metadata/" + ratingKey
	_, err := s.client.do(ctx, &request{
		method: http.MethodGet, path: path,
		childKeys: itemNames, child: collect(&items, itemNames...),
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, &ResponseError{Method: http.MethodGet, URL: s.client.urlFor(path), Reason: "the answer holds no item"}
	}
	return &items[0], nil
}

// checkKey refuses a section key or rating key that is not one: Plex keys are short tokens of
// letters, digits, '-', '_' and '.', and anything else (a '/', "..") would change which path
// is requested.
func checkKey(arg, key string) error {
	switch {
	case key == "":
		return &ArgumentError{arg, "is empty"}
	case len(key) > 64:
		return &ArgumentError{arg, fmt.Sprintf("is %d bytes long; Plex keys are short", len(key))}
	case key == "." || key == "..":
		return &ArgumentError{arg, fmt.Sprintf("%q is not a key", key)}
	}
	if i := strings.IndexFunc(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}); i >= 0 {
		return &ArgumentError{arg, fmt.Sprintf("%q has a character (at %d) that no Plex key has", key, i)}
	}
	return nil
}
