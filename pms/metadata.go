package pms

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// MetadataService reads and changes items: fields and tags, matches, markers, extras; and
// builds the URLs of their images and files for other programs.
type MetadataService service

// Get returns the item with this rating key (GET /library/metadata/{key}) with its media,
// tags and markers.
func (s *MetadataService) Get(ctx context.Context, ratingKey string) (*Item, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	return first[Item](ctx, s.client, get, "library/metadata/"+ratingKey, url.Values{"includeMarkers": {"1"}}, "item", itemNames...)
}

// GetMany returns the items with these rating keys, in one request (GET
// /library/metadata/{k1,k2,…}). Keys the server does not have are left out.
func (s *MetadataService) GetMany(ctx context.Context, ratingKeys ...string) ([]Item, error) {
	ids, err := joinKeys(ratingKeys)
	if err != nil {
		return nil, err
	}
	return list[Item](ctx, s.client, get, "library/metadata/"+ids, nil, itemNames...)
}

// joinKeys checks rating keys and joins them with ",", as PMS takes lists of ids in a path.
func joinKeys(keys []string) (string, error) {
	if len(keys) == 0 {
		return "", &ArgumentError{"ratingKeys", "none given"}
	}
	for _, k := range keys {
		if err := checkKey("ratingKey", k); err != nil {
			return "", err
		}
	}
	return strings.Join(keys, ","), nil
}

// Edit is a change to an item's fields and tags.
type Edit struct {
	// Fields sets fields by name: "title", "titleSort", "summary", "tagline", "studio",
	// "contentRating", "originallyAvailableAt" (YYYY-MM-DD), "year", …
	Fields map[string]string
	// AddTags adds tags by kind ("genre", "label", "collection", "director", "writer",
	// "actor", "country", "mood", "style"); RemoveTags removes them.
	AddTags, RemoveTags map[string][]string
	// Lock locks every field set and every kind of tag changed, so that an agent's refresh
	// leaves the edit in place (as Plex Web does). Unlock unlocks fields or tag kinds by name.
	Lock   bool
	Unlock []string
}

// Edit changes the fields and tags of items (PUT /library/metadata/{k1,k2,…}; admin): the same
// edit applies to each.
func (s *MetadataService) Edit(ctx context.Context, e Edit, ratingKeys ...string) error {
	ids, err := joinKeys(ratingKeys)
	if err != nil {
		return err
	}
	q, err := e.query()
	if err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/metadata/"+ids, q)
}

func (e Edit) query() (url.Values, error) {
	q := url.Values{}
	changed := 0
	for name, v := range e.Fields {
		if err := checkEditName(name); err != nil {
			return nil, err
		}
		q.Set(name+".value", v)
		if e.Lock {
			q.Set(name+".locked", "1")
		}
		changed++
	}
	for kind, tags := range e.AddTags {
		if err := checkEditName(kind); err != nil {
			return nil, err
		}
		for i, tag := range tags {
			q.Set(fmt.Sprintf("%s[%d].tag.tag", kind, i), tag)
		}
		if e.Lock {
			q.Set(kind+".locked", "1")
		}
		changed++
	}
	for kind, tags := range e.RemoveTags {
		if err := checkEditName(kind); err != nil {
			return nil, err
		}
		for _, tag := range tags {
			if strings.Contains(tag, ",") {
				return nil, &ArgumentError{"RemoveTags", fmt.Sprintf("%q has a comma, which Plex reads as a separator", tag)}
			}
		}
		q.Set(kind+"[].tag.tag-", strings.Join(tags, ","))
		if e.Lock {
			q.Set(kind+".locked", "1")
		}
		changed++
	}
	for _, name := range e.Unlock {
		if err := checkEditName(name); err != nil {
			return nil, err
		}
		q.Set(name+".locked", "0")
		changed++
	}
	if changed == 0 {
		return nil, &ArgumentError{"Edit", "changes nothing"}
	}
	return q, nil
}

func checkEditName(name string) error {
	if name == "" || strings.ContainsAny(name, "[]=&.,") {
		return &ArgumentError{"Edit", fmt.Sprintf("%q is not a field or tag name", name)}
	}
	return nil
}

// Delete removes an item and its files from the server (DELETE /library/metadata/{key};
// admin, and the server must allow media deletion).
func (s *MetadataService) Delete(ctx context.Context, ratingKey string) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "library/metadata/"+ratingKey, nil)
}

// DeleteMedia removes one version (Media) of an item and its files (DELETE
// /library/metadata/{key}/media/{mediaID}; admin, and the server must allow media deletion,
// or the answer is 403). An item whose last version is deleted leaves the library.
func (s *MetadataService) DeleteMedia(ctx context.Context, ratingKey string, mediaID int) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	if mediaID <= 0 {
		return &ArgumentError{"mediaID", fmt.Sprintf("%d is not a media id", mediaID)}
	}
	return s.client.write(ctx, http.MethodDelete, "library/metadata/"+ratingKey+"/media/"+strconv.Itoa(mediaID), nil)
}

// Refresh asks the item's agent for its metadata again (PUT /library/metadata/{key}/refresh;
// admin). Locked fields are kept.
func (s *MetadataService) Refresh(ctx context.Context, ratingKey string) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/metadata/"+ratingKey+"/refresh", nil)
}

// Match matches the item to an agent's result (PUT /library/metadata/{key}/match; admin): guid
// as the result names it ("plex://movie/5d77…"), name and year as it gives them (a
// SearchResult of Matches).
func (s *MetadataService) Match(ctx context.Context, ratingKey, guid, name string, year int) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	if guid == "" {
		return &ArgumentError{"guid", "is empty"}
	}
	q := url.Values{"guid": {guid}}
	if name != "" {
		q.Set("name", name)
	}
	if year > 0 {
		q.Set("year", strconv.Itoa(year))
	}
	return s.client.write(ctx, http.MethodPut, "library/metadata/"+ratingKey+"/match", q)
}

// MatchOptions say what Matches searches for. Zero fields are left to the server, which then
// searches for the item's own title and year with its section's agent and language.
type MatchOptions struct {
	Title    string
	Year     int
	Agent    string // an agent identifier, e.g. "tv.plex.agents.movie"
	Language string // e.g. "en-US"
}

// SearchResult is one thing an agent could match an item to, best first in Matches.
type SearchResult struct {
	GUID          string   `json:"guid" xml:"guid,attr"` // what Match takes
	Name          string   `json:"name" xml:"name,attr"`
	Year          FlexInt  `json:"year,omitempty" xml:"year,attr"`
	Score         FlexInt  `json:"score" xml:"score,attr"` // 0–100; 100 is the item's own match, or the best
	Type          string   `json:"type,omitempty" xml:"type,attr"`
	LifespanEnded FlexBool `json:"lifespanEnded,omitempty" xml:"lifespanEnded,attr"`
}

// Matches returns what the item could be matched to (GET
// /library/metadata/{key}/matches?manual=1; admin), best first, as Plex Web's "Fix Match"
// lists them.
func (s *MetadataService) Matches(ctx context.Context, ratingKey string, o MatchOptions) ([]SearchResult, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	if o.Year < 0 {
		return nil, &ArgumentError{"MatchOptions.Year", fmt.Sprintf("%d is not a year", o.Year)}
	}
	q := url.Values{"manual": {"1"}}
	for k, v := range map[string]string{"title": o.Title, "agent": o.Agent, "language": o.Language} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if o.Year > 0 {
		q.Set("year", strconv.Itoa(o.Year))
	}
	return list[SearchResult](ctx, s.client, get, "library/metadata/"+ratingKey+"/matches", q, "SearchResult")
}

// Unmatch removes the item's match (PUT /library/metadata/{key}/unmatch; admin): its guid
// becomes a local:// one and its external ids go.
func (s *MetadataService) Unmatch(ctx context.Context, ratingKey string) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/metadata/"+ratingKey+"/unmatch", nil)
}

// Markers returns the item's markers: intros, credits, commercials, bookmarks (Get asks for
// them with includeMarkers=1; a PMS leaves them out unasked).
func (s *MetadataService) Markers(ctx context.Context, ratingKey string) ([]Marker, error) {
	it, err := s.Get(ctx, ratingKey)
	if err != nil {
		return nil, err
	}
	if it.Markers == nil {
		return []Marker{}, nil
	}
	return it.Markers, nil
}

// AddMarker adds a marker to the item (POST /library/metadata/{key}/marker; the admin's: a
// shared user's is ignored, and answered with no marker, a ResponseError): its Type and
// offsets, a span (EndTimeOffset after StartTimeOffset), or a point for a "bookmark" (the
// two equal). It returns the marker as the server made it, with its id.
func (s *MetadataService) AddMarker(ctx context.Context, ratingKey string, m Marker) (*Marker, error) {
	q, err := markerQuery(ratingKey, m)
	if err != nil {
		return nil, err
	}
	return first[Marker](ctx, s.client, http.MethodPost, "library/metadata/"+ratingKey+"/marker", q, "marker", "Marker")
}

// EditMarker changes the marker m.ID of the item to m's Type and offsets (PUT
// /library/metadata/{key}/marker/{id}; the admin's, as AddMarker) and returns it as changed.
func (s *MetadataService) EditMarker(ctx context.Context, ratingKey string, m Marker) (*Marker, error) {
	if m.ID <= 0 {
		return nil, &ArgumentError{"Marker.ID", fmt.Sprintf("%d is not a marker id", m.ID)}
	}
	q, err := markerQuery(ratingKey, m)
	if err != nil {
		return nil, err
	}
	return first[Marker](ctx, s.client, http.MethodPut, "library/metadata/"+ratingKey+"/marker/"+strconv.Itoa(int(m.ID)), q, "marker", "Marker")
}

// DeleteMarker removes a marker (DELETE /library/metadata/{key}/marker/{id}; the admin's, as
// AddMarker).
func (s *MetadataService) DeleteMarker(ctx context.Context, ratingKey string, markerID int) error {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	if markerID <= 0 {
		return &ArgumentError{"markerID", fmt.Sprintf("%d is not a marker id", markerID)}
	}
	return s.client.write(ctx, http.MethodDelete, "library/metadata/"+ratingKey+"/marker/"+strconv.Itoa(markerID), nil)
}

func markerQuery(ratingKey string, m Marker) (url.Values, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	switch {
	case m.Type == "":
		return nil, &ArgumentError{"Marker.Type", "is empty (intro, credits, commercial, bookmark)"}
	case m.StartTimeOffset < 0 || m.EndTimeOffset < m.StartTimeOffset ||
		m.EndTimeOffset == m.StartTimeOffset && m.Type != "bookmark":
		return nil, &ArgumentError{"Marker", fmt.Sprintf("the span %d–%d ms is empty or negative (only a bookmark is a point)", m.StartTimeOffset, m.EndTimeOffset)}
	}
	return url.Values{
		"type":            {m.Type},
		"startTimeOffset": {strconv.FormatInt(int64(m.StartTimeOffset), 10)},
		"endTimeOffset":   {strconv.FormatInt(int64(m.EndTimeOffset), 10)},
	}, nil
}

// Extras returns the item's extras: trailers, behind the scenes, … (GET
// /library/metadata/{key}/extras), each an Item of Type "clip" with ExtraType and Subtype
// ("trailer"), and a rating key of its own that Get reads.
func (s *MetadataService) Extras(ctx context.Context, ratingKey string) ([]Item, error) {
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return nil, err
	}
	return list[Item](ctx, s.client, get, "library/metadata/"+ratingKey+"/extras", nil, itemNames...)
}

// URL returns the absolute URL of a path of the server — an item's Thumb or Art, a Part's Key
// — for a program that cannot send headers (a browser, a player, an <img>): the token is in
// the URL, so it is a transient token minted for the purpose (Security.TransientToken), never
// the client's own. Such a token is valid up to 48 hours, and until the server restarts; the
// client reuses one for an hour.
func (s *MetadataService) URL(ctx context.Context, path string, query url.Values) (string, error) {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return "", &ArgumentError{"path", fmt.Sprintf("%q is not a path of the server", path)}
	}
	pu, err := url.Parse(path)
	if err != nil || pu.Host != "" || queryHasToken(pu.RawQuery) {
		return "", &ArgumentError{"path", "it must be a path of the server without a token"}
	}
	tok, err := s.client.transientToken(ctx)
	if err != nil {
		return "", err
	}
	q := pu.Query()
	for k, vs := range query {
		q[k] = append(q[k], vs...)
	}
	q.Set("X-Plex-Token", tok)
	u := *s.client.route.Load().base
	u.Path = strings.TrimSuffix(u.Path, "/") + pu.Path
	u.RawPath = ""
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ImageURL returns a URL of an image of the server (an item's Thumb or Art) scaled by the
// server to fit width × height (GET /photo/:/transcode), with a transient token as URL does.
func (s *MetadataService) ImageURL(ctx context.Context, path string, width, height int) (string, error) {
	if width <= 0 || height <= 0 {
		return "", &ArgumentError{"size", fmt.Sprintf("%d×%d is not an image size", width, height)}
	}
	if !strings.HasPrefix(path, "/") {
		return "", &ArgumentError{"path", fmt.Sprintf("%q is not a path of the server", path)}
	}
	return s.URL(ctx, "/photo/:/transcode", url.Values{
		"url": {path}, "width": {strconv.Itoa(width)}, "height": {strconv.Itoa(height)}, "minSize": {"1"},
	})
}

// StreamURL returns the URL of a part's file as it is (direct play or download), with a
// transient token as URL does.
func (s *MetadataService) StreamURL(ctx context.Context, p Part) (string, error) {
	if p.Key == "" {
		return "", &ArgumentError{"Part.Key", "is empty"}
	}
	return s.URL(ctx, p.Key, nil)
}

// transientReuse is how long a minted transient token is reused for URLs.
const transientReuse = time.Hour

// transientCache keeps the transient token last minted for URLs, per route: a token minted
// with one route's credentials is not handed out for another's.
type transientCache struct {
	mu    sync.Mutex
	token string
	gen   uint64
	at    time.Time
}

func (c *Client) transientToken(ctx context.Context) (string, error) {
	c.transient.mu.Lock()
	defer c.transient.mu.Unlock()
	gen := c.route.Load().gen
	if c.transient.token != "" && c.transient.gen == gen && time.Since(c.transient.at) < transientReuse {
		return c.transient.token, nil
	}
	tok, err := c.Security.TransientToken(ctx)
	if err != nil {
		return "", err
	}
	c.transient.token, c.transient.gen, c.transient.at = tok, gen, time.Now()
	return tok, nil
}
