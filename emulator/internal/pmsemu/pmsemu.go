// Package pmsemu emulates one Plex Media Server: its HTTP API, its data (libraries, sessions,
// history) and its token checks. The plex.tv side of the emulator (package emulator) owns
// accounts, shares and the tokens plex.tv issues; it answers "who is this token, and what is
// their role on this server" through the Authorizer interface. Transient tokens minted by
// POST /security/token belong to the server and live here.
package pmsemu

import (
	"net/http"
	"time"
)

// Role is a caller's role on one server, as the PMS API documentation uses the word.
type Role int

const (
	// RoleNone means the account has no access to the server (answer 401).
	RoleNone Role = iota
	// RoleShared is a "shared user": a friend the server is shared with, or a managed home user.
	RoleShared
	// RoleAdmin is the server's owner.
	RoleAdmin
)

// Caller is the account behind a token, as seen by one server.
type Caller struct {
	AccountID int    // plex.tv account id
	UUID      string // plex.tv account uuid
	Username  string
	Thumb     string
	Role      Role
	// Managed is true for a managed home user (shared user with restrictions).
	Managed bool
	// Sections lists the library section keys shared with the caller; nil means all sections.
	Sections []string
}

// AuthResult is the outcome of checking a token: OK, or the HTTP status a PMS answers.
type AuthResult int

const (
	// AuthOK means the token is valid and Caller is filled in.
	AuthOK AuthResult = iota
	// AuthUnauthorized: unknown, revoked or refused token, or no access to this server (401).
	AuthUnauthorized
	// AuthExpired: an expired Plex JWT (498).
	AuthExpired
)

// Authorizer resolves a token presented to this server. It is implemented by package emulator.
type Authorizer interface {
	Authorize(machineIdentifier, token string) (Caller, AuthResult)
}

// Account is a plex.tv account the server knows of, used to render users in sessions and history.
type Account struct {
	ID       int // plex.tv account id (Store.Accounts gives server-local ids)
	UUID     string
	Username string
	Thumb    string
	Email    string // the owner's is GET /'s myPlexUsername
	PlexPass bool   // the owner's is GET /'s myPlexSubscription
	Home     bool   // a managed (Plex Home) user
}

// SectionConfig describes one library section. Items are generated deterministically from
// (machine identifier, section key, index); Size may be up to at least 1,000,000.
type SectionConfig struct {
	Key   string
	Type  string // "movie", "show", "artist", "photo"
	Title string
	Size  int
	// Samples heads the section with the sample library python-plexapi's integration tests
	// expect (see samples.go): Elephants Dream, Sita Sings the Blues, Big Buck Bunny and Sintel;
	// Game of Thrones and The 100; Broke For Free; the Cats photo album.
	Samples bool
}

// SessionConfig is one seeded playing session.
type SessionConfig struct {
	AccountID int
	// Section and Index pick the item being played (a show's or artist's first leaf), unless
	// RatingKey names it.
	Section   string
	Index     int
	RatingKey int
	State     string // "playing", "paused", "buffering"
}

// ViewConfig is one account's seeded state of one item: watched (every leaf of a parent), or
// watched up to ViewOffset milliseconds.
type ViewConfig struct {
	AccountID  int // plex.tv account id
	RatingKey  int
	Watched    bool
	ViewOffset int
}

// HistoryConfig is one seeded history entry.
type HistoryConfig struct {
	AccountID int // plex.tv account id
	// Section and Index pick the item (a show's or artist's first leaf), unless RatingKey names
	// it.
	Section   string
	Index     int
	RatingKey int
	ViewedAt  time.Time
}

// Config describes one server.
type Config struct {
	MachineIdentifier string
	Name              string
	Version           string
	OwnerAccountID    int
	Accounts          []Account
	Sections          []SectionConfig
	// Items are added to the sections at start, in order (a parent before its children): a
	// fixture's library. Set RatingKey (below 10⁹) so that children and seeds can name an item.
	Items []Item
	// Views are the watch state accounts start with.
	Views    []ViewConfig
	Sessions []SessionConfig
	History  []HistoryConfig
	// Now is the emulator's clock (required).
	Now func() time.Time
	// SharedAdminStatus is what a shared user gets on an admin-only operation: 401 (default) or 403.
	SharedAdminStatus int
	// OnRequest, when set, is called for every request with the matched "METHOD /pattern".
	OnRequest func(pattern string)
	// Webhooks, when set, returns the webhook URLs the account (a plex.tv id) registered on
	// plex.tv; the server posts its events there (see webhooks.go).
	Webhooks func(accountID int) []string
	// WebhookClient sends webhooks (default: a client with WebhookTimeout).
	WebhookClient *http.Client
	// PlayedThreshold is LibraryVideoPlayedThreshold: the percentage past which playback marks
	// an item played (default 90).
	PlayedThreshold int
	// RefuseSharedNotifications answers 401 to a shared user's notification stream, as servers
	// were seen to in 2016–2017; by default shared users are let in and see their own events.
	RefuseSharedNotifications bool
	// OwnerControlsAllPlayers lets the owner send /player/* commands to every player, shared
	// users' players included; by default a player takes commands only from the account it
	// plays for (players.go).
	OwnerControlsAllPlayers bool
	// SessionKeyKeptOnItemChange: a player that reports another item without stopping the
	// one it played keeps its session and sessionKey (and Session.id). The old item's playback
	// ends as a stop ends it (its transcode ends, media.stop; its scrobble and history stay
	// as they were) but without a "stopped" notification, and the new item plays under the
	// same sessionKey: /status/sessions lists it there, and its "playing" notifications carry
	// that sessionKey with the new ratingKey. By default the old session stops ("stopped"
	// notification) and the new item gets the next sessionKey.
	//
	// Reference: plex-live.md §3.3 (Tautulli's ActivityHandler, confidence M): Tautulli
	// force-stops a session whose sessionKey comes back with another ratingKey, "if a client
	// doesn't register stop events (I'm looking at you PHT!)", so servers have kept the key
	// in that case. Which clients and server versions do is not known, nor whether a server
	// then sends a "stopped" for the old item: Tautulli's handling implies none arrives, which
	// is what this switch does. A report of "stopped" for another item stops the session as
	// by default.
	SessionKeyKeptOnItemChange bool
	// TagFilterByName: a tag filter (genre=, actor=, label=, …) matches a tag's name too,
	// case-insensitively. By default it matches the tag's id only, the key the section's
	// filter choices (/library/sections/{id}/genre) give for it.
	//
	// Reference: plex-beyond-spec.md B.4 "tag filters take the tag id" (confidence M):
	// python-plexapi maps a name to its FilterChoice key before it sends a filter, older
	// python-plexapi and @ctrl/plex document that "actor=<id> seem to work, but require you
	// already know the id", and observed Plex Web URLs filter genre=14 but contentRating=gb/18
	// (moviematch's notes). What a real server answers for a name is not recorded; the
	// emulator answers as for an id no item has: an empty list, 200 (confidence L).
	TagFilterByName bool
}

// Server is one emulated Plex Media Server. It is an http.Handler.
type Server struct {
	cfg  Config
	auth Authorizer
	mux  *http.ServeMux
}

// New returns a server for cfg that resolves tokens with auth.
func New(cfg Config, auth Authorizer) *Server {
	s := &Server{cfg: cfg, auth: auth, mux: http.NewServeMux()}
	s.routes()
	return s
}

// Store returns the server's media model.
func (s *Server) Store() *Store { return s.impl().store }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }
