// Package webhook receives Plex webhooks: a Plex Media Server POSTs each event (play, pause,
// resume, stop, scrobble, rate, new media…) to the URLs the account registered on plex.tv, as
// multipart/form-data with the JSON in a "payload" field and, for some events, a JPEG poster
// in a "thumb" file part. Handler is an http.Handler that checks and parses such posts into
// typed Events; Parse does the same for a request a program already has.
//
// Plex signs nothing. A receiver that must not be fed by anyone who finds its URL puts a secret
// in it — https://host/plex/<secret> or ?secret=<secret> — and sets Handler.Secret.
package webhook

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
)

// Events Plex sends (support.plex.tv, "Webhooks"). Others may appear; they are passed on.
const (
	MediaPlay       = "media.play"
	MediaPause      = "media.pause"
	MediaResume     = "media.resume"
	MediaStop       = "media.stop"
	MediaScrobble   = "media.scrobble"
	MediaRate       = "media.rate"
	LibraryNew      = "library.new"
	LibraryOnDeck   = "library.on.deck"
	PlaybackStarted = "playback.started"
	DeviceNew       = "device.new"
	DatabaseBackup  = "admin.database.backup"
	DatabaseCorrupt = "admin.database.corrupted"
)

// Event is one webhook.
type Event struct {
	Event string `json:"event"`
	// User is true when the account that acted registered this webhook; Owner when the
	// server's owner did.
	User  bool `json:"user"`
	Owner bool `json:"owner"`
	// Rating is the rating given, for media.rate (0–10).
	Rating   *Number   `json:"rating,omitempty"`
	Account  Account   `json:"Account"`
	Server   Server    `json:"Server"`
	Player   *Player   `json:"Player,omitempty"`
	Metadata *Metadata `json:"Metadata,omitempty"`

	// Thumb is the poster Plex attached (a JPEG), or nil.
	Thumb []byte `json:"-"`
	// Payload is the JSON as received, for fields this package does not name.
	Payload json.RawMessage `json:"-"`
}

// Account is who acted: the server's own id for its owner (1), else the plex.tv id.
type Account struct {
	ID    ID     `json:"id"`
	Thumb string `json:"thumb"`
	Title string `json:"title"`
}

// Server is the server that sent the webhook.
type Server struct {
	Title string `json:"title"`
	UUID  string `json:"uuid"` // its machine identifier
}

// Player is the device playing.
type Player struct {
	Local         bool   `json:"local"`
	PublicAddress string `json:"publicAddress"`
	Title         string `json:"title"`
	UUID          string `json:"uuid"` // its client identifier
}

// Metadata is the item, as the library API describes it (the fields programs use; all of it is
// in Event.Payload).
type Metadata struct {
	LibrarySectionType   string `json:"librarySectionType"`
	RatingKey            ID     `json:"ratingKey"`
	Key                  string `json:"key"`
	ParentRatingKey      ID     `json:"parentRatingKey"`
	GrandparentRatingKey ID     `json:"grandparentRatingKey"`
	GUID                 string `json:"guid"`
	Type                 string `json:"type"` // movie, episode, track, …
	Title                string `json:"title"`
	ParentTitle          string `json:"parentTitle"`
	GrandparentTitle     string `json:"grandparentTitle"`
	LibrarySectionTitle  string `json:"librarySectionTitle"`
	LibrarySectionID     ID     `json:"librarySectionID"`
	Index                Number `json:"index"`
	ParentIndex          Number `json:"parentIndex"`
	Year                 Number `json:"year"`
	Duration             Number `json:"duration"`   // milliseconds
	ViewOffset           Number `json:"viewOffset"` // milliseconds
	ViewCount            Number `json:"viewCount"`
	LastViewedAt         Number `json:"lastViewedAt"` // Unix seconds
	UserRating           Number `json:"userRating"`
	Thumb                string `json:"thumb"`
	AddedAt              Number `json:"addedAt"`
	UpdatedAt            Number `json:"updatedAt"`
}

// ID is an identifier Plex sends as a string or a number; it is kept as text.
type ID string

// UnmarshalJSON implements json.Unmarshaler.
func (i *ID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*i = ID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an id must be a string or a number, got %.40s", b)
	}
	*i = ID(n.String())
	return nil
}

// Number is a number Plex sends as a number or as a numeric string.
type Number float64

// UnmarshalJSON implements json.Unmarshaler.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := strings.Trim(string(b), `"`)
	if s == "" {
		*n = 0
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number: %.40s", b)
	}
	*n = Number(f)
	return nil
}

// DefaultMaxBytes is the default limit of a webhook body: a payload is a few KiB and a thumb
// some tens.
const DefaultMaxBytes = 4 << 20

// Errors of Parse, matched with errors.Is; the error text says what was wrong.
var (
	ErrNotMultipart = errors.New("webhook: not a multipart/form-data body")
	ErrNoPayload    = errors.New("webhook: no payload field")
	ErrBadPayload   = errors.New("webhook: payload is not a Plex event")
	ErrTooLarge     = errors.New("webhook: body too large")
)

// Parse reads a webhook from r, whose body may be at most maxBytes long (DefaultMaxBytes when
// maxBytes ≤ 0). Parts other than payload and thumb are ignored.
func Parse(r *http.Request, maxBytes int64) (Event, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return ParseBody(io.LimitReader(r.Body, maxBytes+1), r.Header.Get("Content-Type"), maxBytes)
}

// ParseBody reads a webhook from body, sent with Content-Type contentType; the body may be at
// most maxBytes long.
func ParseBody(body io.Reader, contentType string, maxBytes int64) (Event, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return Event{}, fmt.Errorf("%w: Content-Type is %q", ErrNotMultipart, contentType)
	}
	counted := &countingReader{r: body}
	mr := multipart.NewReader(counted, params["boundary"])
	var ev Event
	var payload []byte
	for {
		part, err := mr.NextPart()
		if counted.n > maxBytes {
			return Event{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Event{}, fmt.Errorf("%w: %w", ErrNotMultipart, err)
		}
		var dst *[]byte
		switch part.FormName() {
		case "payload":
			dst = &payload
		case "thumb":
			dst = &ev.Thumb
		default:
			continue
		}
		b, err := io.ReadAll(part)
		if counted.n > maxBytes {
			return Event{}, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
		}
		if err != nil {
			return Event{}, fmt.Errorf("%w: part %q: %w", ErrNotMultipart, part.FormName(), err)
		}
		*dst = b
	}
	if payload == nil {
		return Event{}, ErrNoPayload
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if ev.Event == "" {
		return Event{}, fmt.Errorf("%w: it has no \"event\"", ErrBadPayload)
	}
	ev.Payload = payload
	if len(ev.Thumb) == 0 {
		ev.Thumb = nil
	}
	return ev, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Handler receives webhooks and passes each Event to OnEvent. It answers 200 once OnEvent
// returns (Plex does not wait long: do slow work elsewhere), 400 for a body that is no Plex
// webhook, 403 when Secret does not match, 405 for a method other than POST, 413 for a body
// over MaxBytes, and 500 when OnEvent fails. Each refusal's body says what was wrong.
type Handler struct {
	// OnEvent receives each event (required). It may be called concurrently.
	OnEvent func(*http.Request, Event) error
	// Secret, when set, must be the request's "secret" query parameter or the last segment of
	// its path.
	Secret string
	// MaxBytes limits the body (default DefaultMaxBytes).
	MaxBytes int64
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "webhook: only POST is accepted", http.StatusMethodNotAllowed)
		return
	}
	if h.Secret != "" && !h.secretMatches(r) {
		http.Error(w, "webhook: the secret in the URL is missing or wrong", http.StatusForbidden)
		return
	}
	limit := h.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	ev, err := Parse(r, limit)
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, ErrTooLarge) || errors.As(err, &mbe):
		http.Error(w, fmt.Sprintf("webhook: the body is larger than %d bytes", limit), http.StatusRequestEntityTooLarge)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if h.OnEvent == nil {
		http.Error(w, "webhook: no handler for events", http.StatusInternalServerError)
		return
	}
	if err := h.OnEvent(r, ev); err != nil {
		http.Error(w, "webhook: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) secretMatches(r *http.Request) bool {
	want := []byte(h.Secret)
	got := r.URL.Query().Get("secret")
	if got == "" {
		path := strings.TrimSuffix(r.URL.Path, "/")
		got = path[strings.LastIndexByte(path, '/')+1:]
	}
	return subtle.ConstantTimeCompare(bytes.TrimSpace([]byte(got)), want) == 1
}
