package pms

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Section returns the section with key sectionKey, as GET /library/sections lists it.
func (s *LibraryService) Section(ctx context.Context, sectionKey string) (*Section, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return nil, err
	}
	sections, err := s.Sections(ctx)
	if err != nil {
		return nil, err
	}
	for i := range sections {
		if string(sections[i].Key) == sectionKey {
			return &sections[i], nil
		}
	}
	return nil, &NotFoundError{What: "library section", Key: sectionKey}
}

// NotFoundError is something the server does not list: a section key, a playlist, a pref.
type NotFoundError struct {
	What string // "library section", "pref", …
	Key  string
}

// Error implements error.
func (e *NotFoundError) Error() string {
	return "pms: the server has no " + e.What + " " + strconv.Quote(e.Key)
}

// RefreshOptions narrows a library scan.
type RefreshOptions struct {
	// Path scans one folder of the section (as the server sees it) instead of all of it: what
	// an autoscan tool asks after a download lands.
	Path string
	// Force re-reads metadata of items that have not changed.
	Force bool
}

// Refresh scans the section with key sectionKey for new, changed and removed files (POST
// /library/sections/{key}/refresh; admin). The scan runs in the background: watch it with
// Activities.List.
func (s *LibraryService) Refresh(ctx context.Context, sectionKey string, opts RefreshOptions) error {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return err
	}
	q := url.Values{}
	if opts.Force {
		q.Set("force", "1")
	}
	if opts.Path != "" {
		q.Set("path", opts.Path)
	}
	return s.client.write(ctx, http.MethodPost, "library/sections/"+sectionKey+"/refresh", q)
}

// RefreshAll scans every section (POST /library/sections/refresh; admin).
func (s *LibraryService) RefreshAll(ctx context.Context, force bool) error {
	q := url.Values{}
	if force {
		q.Set("force", "1")
	}
	return s.client.write(ctx, http.MethodPost, "library/sections/refresh", q)
}

// CancelRefresh stops a scan of the section (DELETE /library/sections/{key}/refresh; admin).
func (s *LibraryService) CancelRefresh(ctx context.Context, sectionKey string) error {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "library/sections/"+sectionKey+"/refresh", nil)
}

// EmptyTrash removes from the section the items whose files are gone (PUT
// /library/sections/{key}/emptyTrash; admin).
func (s *LibraryService) EmptyTrash(ctx context.Context, sectionKey string) error {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/sections/"+sectionKey+"/emptyTrash", nil)
}

// Analyze analyzes the media of the section (PUT /library/sections/{key}/analyze; admin).
func (s *LibraryService) Analyze(ctx context.Context, sectionKey string) error {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/sections/"+sectionKey+"/analyze", nil)
}

// Count returns how many items of the section q selects (nil: all), without listing them.
func (s *LibraryService) Count(ctx context.Context, sectionKey string, q *Query) (int, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return 0, err
	}
	path := "library/sections/" + sectionKey + "/all"
	if q == nil {
		return s.client.count(ctx, path, nil)
	}
	raw, err := q.Encode()
	if err != nil {
		return 0, err
	}
	var head pageHead
	hdr, err := s.client.do(ctx, &request{
		method: get, path: path, rawQuery: raw, head: &head, childKeys: itemNames,
		header: http.Header{"X-Plex-Container-Start": {"0"}, "X-Plex-Container-Size": {"0"}},
	})
	if err != nil {
		return 0, err
	}
	total, ok := headerInt(hdr, "X-Plex-Container-Total-Size", head.TotalSize)
	if !ok {
		return 0, &ResponseError{Method: get, URL: s.client.urlFor(path), Reason: "the answer gives no total size"}
	}
	return total, nil
}

// Children returns an iterator over an item's children (GET /library/metadata/{key}/children):
// a show's seasons, a season's episodes, an artist's albums, an album's tracks, a photo
// album's photos and sub-albums. A show's "All episodes" entry is left out.
func (s *LibraryService) Children(ctx context.Context, ratingKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, "library/metadata/"+ratingKey+"/children", url.Values{"excludeAllLeaves": {"1"}}, opts)
}

// AllLeaves returns an iterator over the playable items under an item (GET
// /library/metadata/{key}/allLeaves): a show's episodes, an artist's tracks.
func (s *LibraryService) AllLeaves(ctx context.Context, ratingKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, "library/metadata/"+ratingKey+"/allLeaves", nil, opts)
}

// sectionPath is prefix for every section (sectionKey ""), or the section's own path.
func sectionPath(sectionKey, all, one string) (string, error) {
	if sectionKey == "" {
		return all, nil
	}
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return "", err
	}
	return "library/sections/" + sectionKey + "/" + one, nil
}

// OnDeck returns the items to play next — in progress, or the next episode of a show being
// watched — of one section, or of all with sectionKey "" (GET /library/onDeck,
// /library/sections/{key}/onDeck). The list is the token's account's.
func (s *LibraryService) OnDeck(ctx context.Context, sectionKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	path, err := sectionPath(sectionKey, "library/onDeck", "onDeck")
	if err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, path, nil, opts)
}

// RecentlyAdded returns the items added last, newest first, of one section or of all with
// sectionKey "" (GET /library/recentlyAdded, /library/sections/{key}/recentlyAdded).
func (s *LibraryService) RecentlyAdded(ctx context.Context, sectionKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	path, err := sectionPath(sectionKey, "library/recentlyAdded", "recentlyAdded")
	if err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, path, nil, opts)
}

// ContinueWatching returns the items the token's account has started and not finished, of one
// section or of all with sectionKey "" (GET /hubs/continueWatching/items,
// /hubs/sections/{key}/continueWatching/items).
func (s *LibraryService) ContinueWatching(ctx context.Context, sectionKey string, opts ItemsOptions) iter.Seq2[Item, error] {
	path := "hubs/continueWatching/items"
	if sectionKey != "" {
		if err := checkKey("sectionKey", sectionKey); err != nil {
			return errSeq[Item](err)
		}
		path = "hubs/sections/" + sectionKey + "/continueWatching/items"
	}
	return s.client.items(ctx, path, nil, opts)
}

// Hubs returns the hubs of the home screen, or of one section (GET /hubs,
// /hubs/sections/{key}): "Recently Added Movies", "Continue Watching", … each with its first
// items.
func (s *LibraryService) Hubs(ctx context.Context, sectionKey string) ([]Hub, error) {
	path := "hubs"
	if sectionKey != "" {
		if err := checkKey("sectionKey", sectionKey); err != nil {
			return nil, err
		}
		path = "hubs/sections/" + sectionKey
	}
	return list[Hub](ctx, s.client, get, path, nil, "Hub")
}

// Related returns the hubs of items related to an item (GET /library/metadata/{key}/related),
// e.g. "Related Movies".
func (s *LibraryService) Related(ctx context.Context, ratingKey string) ([]Hub, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	return list[Hub](ctx, s.client, get, "library/metadata/"+ratingKey+"/related", nil, "Hub")
}

// Similar returns items similar to an item (GET /library/metadata/{key}/similar).
func (s *LibraryService) Similar(ctx context.Context, ratingKey string) ([]Item, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	return list[Item](ctx, s.client, get, "library/metadata/"+ratingKey+"/similar", nil, itemNames...)
}
