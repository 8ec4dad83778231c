package pms

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// PlaylistsService manages the token's account's playlists: each account has its own.
type PlaylistsService service

// Playlist is a list of items to play in order: a plain one holds the items added to it, a
// smart one is a media query.
type Playlist struct {
	RatingKey         FlexString `json:"ratingKey" xml:"ratingKey,attr"`
	Key               string     `json:"key" xml:"key,attr"` // /playlists/{id}/items
	GUID              string     `json:"guid,omitempty" xml:"guid,attr"`
	Type              string     `json:"type" xml:"type,attr"` // playlist
	Title             string     `json:"title" xml:"title,attr"`
	TitleSort         string     `json:"titleSort,omitempty" xml:"titleSort,attr"`
	Summary           string     `json:"summary,omitempty" xml:"summary,attr"`
	PlaylistType      string     `json:"playlistType" xml:"playlistType,attr"` // video, audio, photo
	Smart             FlexBool   `json:"smart" xml:"smart,attr"`
	Content           string     `json:"content,omitempty" xml:"content,attr"` // a smart playlist's query
	Composite         string     `json:"composite,omitempty" xml:"composite,attr"`
	LeafCount         FlexInt    `json:"leafCount" xml:"leafCount,attr"`
	Duration          FlexInt    `json:"duration,omitempty" xml:"duration,attr"` // milliseconds
	DurationInSeconds FlexInt    `json:"durationInSeconds,omitempty" xml:"durationInSeconds,attr"`
	AddedAt           FlexInt    `json:"addedAt,omitempty" xml:"addedAt,attr"`
	UpdatedAt         FlexInt    `json:"updatedAt,omitempty" xml:"updatedAt,attr"`
}

// playlistNames are a playlist's names as a child of a container.
var playlistNames = []string{"Metadata", "Playlist"}

// PlaylistsOptions selects playlists.
type PlaylistsOptions struct {
	// Type keeps playlists of one kind: "video", "audio" or "photo" ("": all).
	Type string
	// Smart keeps smart playlists (true) or plain ones (false); nil keeps both.
	Smart *bool
}

// List returns the account's playlists (GET /playlists).
func (s *PlaylistsService) List(ctx context.Context, opts PlaylistsOptions) ([]Playlist, error) {
	q := url.Values{}
	if opts.Type != "" {
		if err := checkPlaylistType(opts.Type); err != nil {
			return nil, err
		}
		q.Set("playlistType", opts.Type)
	}
	if opts.Smart != nil {
		q.Set("smart", Bool(*opts.Smart))
	}
	return list[Playlist](ctx, s.client, get, "playlists", q, playlistNames...)
}

// Get returns the playlist with this id (GET /playlists/{id}).
func (s *PlaylistsService) Get(ctx context.Context, id string) (*Playlist, error) {
	if err := checkKey("playlistID", id); err != nil {
		return nil, err
	}
	return first[Playlist](ctx, s.client, get, "playlists/"+id, nil, "playlist", playlistNames...)
}

func checkPlaylistType(t string) error {
	switch t {
	case "video", "audio", "photo":
		return nil
	}
	return &ArgumentError{"Type", fmt.Sprintf("%q is not a playlist type (video, audio, photo)", t)}
}

// NewPlaylist is a playlist to create: of items (RatingKeys), or smart (SectionKey and Query).
type NewPlaylist struct {
	Title string
	// Type is "video", "audio" or "photo".
	Type string
	// RatingKeys are the items of a plain playlist, in order.
	RatingKeys []string
	// SectionKey and Query make a smart playlist: the section's items that Query selects,
	// kept up to date by the server.
	SectionKey string
	Query      *Query
}

// Create creates a playlist (POST /playlists) and returns it.
func (s *PlaylistsService) Create(ctx context.Context, p NewPlaylist) (*Playlist, error) {
	if p.Title == "" {
		return nil, &ArgumentError{"Title", "is empty"}
	}
	if err := checkPlaylistType(p.Type); err != nil {
		return nil, err
	}
	uri, smart, err := s.client.sourceURI(ctx, p.RatingKeys, p.SectionKey, p.Query)
	if err != nil {
		return nil, err
	}
	q := url.Values{"uri": {uri}, "type": {p.Type}, "title": {p.Title}, "smart": {Bool(smart)}}
	return first[Playlist](ctx, s.client, http.MethodPost, "playlists", q, "playlist", playlistNames...)
}

// Items returns an iterator over the playlist's items, fetched a page at a time (GET
// /playlists/{id}/items). Each item's PlaylistItemID is what Move and Remove take.
func (s *PlaylistsService) Items(ctx context.Context, id string, opts ItemsOptions) iter.Seq2[Item, error] {
	if err := checkKey("playlistID", id); err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, "playlists/"+id+"/items", nil, opts)
}

// Add appends items to a plain playlist (PUT /playlists/{id}/items).
func (s *PlaylistsService) Add(ctx context.Context, id string, ratingKeys ...string) error {
	return s.client.addItems(ctx, "playlistID", "playlists/", id, ratingKeys)
}

// addItems puts the items to a list's items endpoint (PUT {prefix}{id}/items?uri=), for
// playlists and collections alike; idName names id in the error when it is not a key.
func (c *Client) addItems(ctx context.Context, idName, prefix, id string, ratingKeys []string) error {
	if err := checkKey(idName, id); err != nil {
		return err
	}
	uri, _, err := c.sourceURI(ctx, ratingKeys, "", nil)
	if err != nil {
		return err
	}
	return c.write(ctx, http.MethodPut, prefix+id+"/items", url.Values{"uri": {uri}})
}

// Move moves an entry of a plain playlist after another (PUT
// /playlists/{id}/items/{playlistItemID}/move); after 0 moves it to the top.
func (s *PlaylistsService) Move(ctx context.Context, id string, playlistItemID, after int) error {
	if err := checkKey("playlistID", id); err != nil {
		return err
	}
	if playlistItemID <= 0 || after < 0 {
		return &ArgumentError{"playlistItemID", "ids are positive"}
	}
	q := url.Values{}
	if after > 0 {
		q.Set("after", strconv.Itoa(after))
	}
	return s.client.write(ctx, http.MethodPut, "playlists/"+id+"/items/"+strconv.Itoa(playlistItemID)+"/move", q)
}

// Remove removes an entry from a plain playlist (DELETE /playlists/{id}/items/{playlistItemID}).
func (s *PlaylistsService) Remove(ctx context.Context, id string, playlistItemID int) error {
	if err := checkKey("playlistID", id); err != nil {
		return err
	}
	if playlistItemID <= 0 {
		return &ArgumentError{"playlistItemID", "ids are positive"}
	}
	return s.client.write(ctx, http.MethodDelete, "playlists/"+id+"/items/"+strconv.Itoa(playlistItemID), nil)
}

// Clear removes every entry of a plain playlist (DELETE /playlists/{id}/items).
func (s *PlaylistsService) Clear(ctx context.Context, id string) error {
	if err := checkKey("playlistID", id); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "playlists/"+id+"/items", nil)
}

// Edit changes a playlist's title and summary (PUT /playlists/{id}); "" leaves one as it is.
func (s *PlaylistsService) Edit(ctx context.Context, id, title, summary string) error {
	if err := checkKey("playlistID", id); err != nil {
		return err
	}
	q := url.Values{}
	if title != "" {
		q.Set("title", title)
	}
	if summary != "" {
		q.Set("summary", summary)
	}
	if len(q) == 0 {
		return &ArgumentError{"Edit", "changes nothing"}
	}
	return s.client.write(ctx, http.MethodPut, "playlists/"+id, q)
}

// Delete deletes a playlist (DELETE /playlists/{id}).
func (s *PlaylistsService) Delete(ctx context.Context, id string) error {
	if err := checkKey("playlistID", id); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "playlists/"+id, nil)
}

// sourceURI returns the uri parameter that names items for playlists, collections and play
// queues: server://{machineIdentifier}/com.plexapp.plugins.library/library/metadata/{ids},
// or, for a section and a query (smart), …/library/sections/{key}/all?{query}.
func (c *Client) sourceURI(ctx context.Context, ratingKeys []string, sectionKey string, q *Query) (uri string, smart bool, err error) {
	switch {
	case len(ratingKeys) > 0 && (sectionKey != "" || q != nil):
		return "", false, &ArgumentError{"source", "give rating keys or a section and a query, not both"}
	case len(ratingKeys) == 0 && sectionKey == "":
		return "", false, &ArgumentError{"source", "give rating keys, or a section and a query"}
	}
	var path string
	if len(ratingKeys) > 0 {
		ids, err := joinKeys(ratingKeys)
		if err != nil {
			return "", false, err
		}
		path = "/library/metadata/" + ids
	} else {
		if err := checkKey("sectionKey", sectionKey); err != nil {
			return "", false, err
		}
		path = "/library/sections/" + sectionKey + "/all"
		if q != nil {
			raw, err := q.Encode()
			if err != nil {
				return "", false, err
			}
			path += "?" + raw
		}
		smart = true
	}
	mid, err := c.machineIdentifier(ctx)
	if err != nil {
		return "", false, err
	}
	return "server://" + mid + "/" + libraryIdentifier + path, smart, nil
}

// machineIdentifier returns the server's identifier: known from Connect, or asked (GET
// /identity).
func (c *Client) machineIdentifier(ctx context.Context) (string, error) {
	if id := c.MachineIdentifier(); id != "" {
		return id, nil
	}
	id, err := c.Server.Identity(ctx)
	if err != nil {
		return "", err
	}
	if id.MachineIdentifier == "" {
		return "", &ResponseError{Method: get, URL: c.urlFor("identity"), Reason: "the server gives no machineIdentifier"}
	}
	return id.MachineIdentifier, nil
}
