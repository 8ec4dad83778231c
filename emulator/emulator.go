package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by the Emulator's methods; match them with errors.Is.
var (
	// ErrStarted: Start or StartOn was called twice.
	ErrStarted = errors.New("emulator: already started")
	// ErrClosed: Start or StartOn was called after Close.
	ErrClosed = errors.New("emulator: closed")
	// ErrNoSuchAccount: the username is not a seeded account.
	ErrNoSuchAccount = errors.New("emulator: no such account")
	// ErrPinNotFound: no live pin has this code (unknown, or expired).
	ErrPinNotFound = errors.New("emulator: pin not found or expired")
)

// Options configures an Emulator. The zero value is ready to use.
type Options struct {
	// LibrarySize is the number of items in alice's "Movies" section on alice-nas (default
	// 2000). Items are generated on demand, not stored, so sizes of 1,000,000 and more are cheap.
	LibrarySize int
	// Start is the emulator clock's initial time (default: time.Now()). The clock then runs at
	// real speed, plus whatever Advance adds.
	Start time.Time
	// FreezeClock stops the clock at Start: it moves only with Advance. Tests that count
	// requests per second, and golden files, want this.
	FreezeClock bool
	// RequestReadTimeout bounds how long a client may take to send a request's headers, and
	// then its body (default DefaultRequestReadTimeout), on the listeners of Start. Responses are
	// not bounded by it: long-lived answers (streams, long polls) are never cut off.
	RequestReadTimeout time.Duration
	// ExpiredJWTStatusOnPMS is what a PMS answers for an expired Plex JWT: 498 (default, as
	// Plex documents) or 401.
	ExpiredJWTStatusOnPMS int
	// SharedAdminStatus is what a shared user gets from a PMS on an admin-only operation: 401
	// (default) or 403. Plex does not document which.
	SharedAdminStatus int
	// OwnerControlsAllPlayers lets a server's owner send remote-control commands
	// (/player/*, through the server) to every player, friends' players included. By default a
	// player takes commands only from the account it plays for, as Plex players answer only
	// the account signed in on them; anyone else gets 403.
	OwnerControlsAllPlayers bool
	// SessionKeyKeptOnItemChange makes a player that reports another item without a stop keep
	// its sessionKey on the servers: the old item's playback ends without a "stopped"
	// notification (its transcode ends, media.stop goes out) and the new item plays under the
	// same sessionKey, in /status/sessions and in its "playing" notifications. Tautulli
	// handles such a reused key ("If a client doesn't register stop events"), so servers have
	// done it, for some clients (plex-live.md §3.3, confidence M). By default the old session
	// stops with its "stopped" notification and the new item gets a new sessionKey.
	SessionKeyKeptOnItemChange bool
	// TagFilterByName makes a PMS media query's tag filter (genre=, director=, label=, …)
	// also match a tag by its name, case-insensitively (genre=drama), as the emulator did
	// before. By default a tag filter matches the tag's id only (genre=87, the key of the
	// section's filter choices), as real servers do (plex-beyond-spec.md B.4, confidence M);
	// a name then matches no item. contentRating is filtered by its value either way: its
	// filter choices are keyed by the rating itself (contentRating=PG-13).
	TagFilterByName bool
	// NoncesPerMinute is how many nonces one client identifier may get per minute before
	// GET /api/v2/auth/nonce answers 429 (default 10; negative: no limit). Plex publishes no
	// number; benchmarks and load tests turn the limit off.
	NoncesPerMinute int
	// SignInLockoutStatus is what a password sign-in answers once repeated failures have
	// locked the account or the client out (see the package documentation): 429 with
	// Retry-After (default), or 401, which plex.tv has been seen to send. The body is plex.tv's
	// code 1031 either way.
	SignInLockoutStatus int
	// LegacyJSON makes plex.tv's legacy (non-v2) endpoints without a .json suffix, such as
	// /api/users/ and /devices.xml's siblings, answer JSON to Accept: application/json. By
	// default they answer XML whatever Accept says, as plex.tv does.
	LegacyJSON bool
	// LegacyFriendsAPI makes PUT/DELETE /api/friends/{id} update and remove a friend, as they
	// did before plex.tv removed them in 2024. By default they answer 410, as plex.tv does.
	LegacyFriendsAPI bool
	// Fixture, when set, replaces the seeded accounts and servers with the ones it describes
	// (see LoadFixture). LibrarySize then applies to nothing.
	Fixture *Fixture
	// Logf, when set, receives one line per request: listener, method, path (never the query,
	// which may hold a token), status and duration.
	Logf func(format string, args ...any)
}

// Emulator is a fake plex.tv and a set of fake Plex Media Servers, seeded with accounts,
// servers, shares, libraries, sessions and history (see the package documentation). All state
// lives in memory under one mutex; the clock is the emulator's own (Now, Advance).
//
// The zero value is ready to use, with the default Options:
//
//	var e emulator.Emulator
//	if err := e.Start(); err != nil { … }
//	defer e.Close()
//
// An Emulator must not be copied after first use.
type Emulator struct {
	once      sync.Once // sets the zero value up (lazyInit); New runs it with its Options
	opts      Options
	realStart time.Time    // monotonic origin of the running clock
	offset    atomic.Int64 // total Advance, in nanoseconds
	mux       *http.ServeMux
	handler   http.Handler

	mu           sync.Mutex
	accounts     []*account
	byName       map[string]*account
	byID         map[int]*account
	legacy       map[string]*legacyToken
	servers      []*server
	serverTokens map[string]*serverToken
	devices      map[string]*device // by client identifier
	revoked      map[string]bool    // client identifiers removed from Authorized Devices
	thumbprints  map[string]string  // RFC 7638 thumbprint of a registered JWK → client identifier
	pins         map[int]*pin
	pinCodes     map[string]int // normalised code → pin id
	nextPinID    int
	nonces       map[string]*nonce
	nonceLog     map[string][]time.Time // client identifier → recent nonce issue times
	noncesIssued int
	keys         []*signingKey // current first, then the previous one (if rotated); set with setKeys
	sessions     map[string]*webSession
	stats        map[string]int
	faults       map[string]*faultState
	tv           tvState // plex.tv account state: devices, friends, home, webhooks (tvstate.go)

	// Not under mu: read by the signature checks that run outside it (jwtcache.go).
	keySnapshot atomic.Pointer[[]*signingKey]
	verified    verifiedJWTs

	// Lifecycle, also under mu.
	started  bool
	closed   bool
	plexURL  string
	httpSrvs []*http.Server
	holes    []*blackhole
	stopTick chan struct{} // closed by Close: stops the playback ticker
}

// New returns an emulator seeded with the accounts and servers described in the package
// documentation. Use Handler in an httptest.Server, or Start to listen on loopback.
//
// New is optional: the zero Emulator is ready to use and behaves as New(Options{}); its state is
// set up by the first method called on it.
func New(opts Options) *Emulator {
	e := &Emulator{}
	e.once.Do(func() { e.init(opts) })
	return e
}

// lazyInit sets a zero Emulator up with the default Options; on one made by New, or already set
// up, it does nothing. Every exported method calls it first.
func (e *Emulator) lazyInit() { e.once.Do(func() { e.init(Options{}) }) }

// init fills in the defaults of opts and seeds e. It runs once, under e.once.
func (e *Emulator) init(opts Options) {
	if opts.LibrarySize <= 0 {
		opts.LibrarySize = 2000
	}
	if opts.Start.IsZero() {
		opts.Start = time.Now()
	}
	if opts.ExpiredJWTStatusOnPMS != http.StatusUnauthorized {
		opts.ExpiredJWTStatusOnPMS = StatusTokenExpired
	}
	if opts.SharedAdminStatus != http.StatusForbidden {
		opts.SharedAdminStatus = http.StatusUnauthorized
	}
	if opts.SignInLockoutStatus != http.StatusUnauthorized {
		opts.SignInLockoutStatus = http.StatusTooManyRequests
	}
	if opts.NoncesPerMinute == 0 {
		opts.NoncesPerMinute = 10
	}
	e.opts = opts
	e.realStart = time.Now()
	e.byName = map[string]*account{}
	e.byID = map[int]*account{}
	e.legacy = map[string]*legacyToken{}
	e.serverTokens = map[string]*serverToken{}
	e.devices = map[string]*device{}
	e.revoked = map[string]bool{}
	e.thumbprints = map[string]string{}
	e.pins = map[int]*pin{}
	e.pinCodes = map[string]int{}
	e.nextPinID = 1272322473
	e.nonces = map[string]*nonce{}
	e.nonceLog = map[string][]time.Time{}
	e.sessions = map[string]*webSession{}
	e.stats = map[string]int{}
	e.faults = map[string]*faultState{}
	e.setKeys([]*signingKey{newSigningKey()})
	e.seed()
	e.seedTV()
	e.mux = http.NewServeMux()
	e.routes()
	e.handler = e.instrument("plex.tv", e.plexKey, e.mux)
}

// Handler returns the plex.tv handler: /api/v2/..., the link and auth pages and /__emulator/.
// It works without Start (for httptest.NewServer), but the PMS listeners exist only after Start.
func (e *Emulator) Handler() http.Handler {
	e.lazyInit()
	return e.handler
}

// Start listens on 127.0.0.1 with a random port for plex.tv, one for each seeded server, and
// the dead connections listed in /api/v2/resources.
func (e *Emulator) Start() error { return e.StartOn("127.0.0.1:0") }

// StartOn is Start with plex.tv listening on addr (the servers still use 127.0.0.1:0).
func (e *Emulator) StartOn(addr string) error {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	switch {
	case e.closed:
		return ErrClosed
	case e.started:
		return ErrStarted
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: plex.tv listener: %w", err)
	}
	e.started = true
	e.plexURL = "http://" + ln.Addr().String()
	e.serve(ln, e.handler)
	for _, s := range e.servers {
		if err := e.startServer(s); err != nil {
			e.closeLocked()
			return err
		}
	}
	e.stopTick = make(chan struct{})
	go e.ticker(e.stopTick)
	return nil
}

// serve runs h on ln until Close.
func (e *Emulator) serve(ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: e.boundBodies(h), ReadHeaderTimeout: e.readTimeout()}
	e.httpSrvs = append(e.httpSrvs, srv)
	go func() { _ = srv.Serve(ln) }() // Serve returns only when Close closes the listener
}

// Close stops every listener and drops open connections. The emulator cannot be restarted.
func (e *Emulator) Close() error {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closeLocked()
}

func (e *Emulator) closeLocked() error {
	e.closed = true
	var errs []error
	for _, srv := range e.httpSrvs {
		errs = append(errs, srv.Close())
	}
	for _, h := range e.holes {
		errs = append(errs, h.close())
	}
	e.httpSrvs, e.holes = nil, nil
	if e.stopTick != nil {
		close(e.stopTick)
		e.stopTick = nil
	}
	return errors.Join(errs...)
}

// URL returns the plex.tv base URL, e.g. http://127.0.0.1:41234, or "" before Start.
func (e *Emulator) URL() string {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.plexURL
}

// Now returns the emulator clock's time: Options.Start, plus the real time since New (unless
// Options.FreezeClock), plus every Advance.
func (e *Emulator) Now() time.Time {
	e.lazyInit()
	t := e.opts.Start.Add(time.Duration(e.offset.Load()))
	if e.opts.FreezeClock {
		return t
	}
	return t.Add(time.Since(e.realStart))
}

// Advance moves the emulator clock forward by d (backward if d is negative). Playing sessions
// move with it at once: they advance, are scrobbled past the played threshold, and the
// emulator's own players report.
func (e *Emulator) Advance(d time.Duration) {
	e.lazyInit()
	e.offset.Add(int64(d))
	e.tick()
}

// ServerInfo describes a seeded server.
type ServerInfo struct {
	Name              string `json:"name"`
	MachineIdentifier string `json:"machineIdentifier"`
	// URL is the live local connection, e.g. http://127.0.0.1:41235, or "" before Start.
	URL string `json:"url"`
	// RemoteURL is the live remote connection (the same server on another port, listed with
	// local false), or "" before Start.
	RemoteURL string `json:"remoteUrl"`
	// Owner is the owning account's username.
	Owner string `json:"owner"`
	// AcceptsAccountJWT is false for a server that accepts only its own access tokens (from
	// /api/v2/resources), as real servers have been seen to do.
	AcceptsAccountJWT bool `json:"acceptsAccountJWT"`
}

// UserInfo describes a seeded account.
type UserInfo struct {
	Username string `json:"username"`
	Password string `json:"password"` // "" for a managed user: as in Plex, she has none
	ID       int    `json:"id"`
	UUID     string `json:"uuid"`
	Email    string `json:"email"`
	// Kind is "owner" (owns servers), "friend" (a server is shared with the account),
	// "managed" (a managed user in the owner's home) or "none" (no access to any server).
	Kind string `json:"kind"`
	// HomePin is the PIN that switching to this Home member needs, or "".
	HomePin string `json:"homePin,omitempty"`
	// VerificationCode is the two-factor code password sign-in needs, or "".
	VerificationCode string `json:"verificationCode,omitempty"`
}

// State is the emulator's public description, served at GET /__emulator/state.
type State struct {
	URL     string       `json:"url"`
	Servers []ServerInfo `json:"servers"`
	Users   []UserInfo   `json:"users"`
}

// Servers returns the seeded servers, in seed order.
func (e *Emulator) Servers() []ServerInfo {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]ServerInfo, 0, len(e.servers))
	for _, s := range e.servers {
		out = append(out, ServerInfo{
			Name:              s.name,
			MachineIdentifier: s.machineID,
			URL:               s.url,
			RemoteURL:         s.remoteURL,
			Owner:             s.owner.username,
			AcceptsAccountJWT: s.acceptsAccountJWT,
		})
	}
	return out
}

// Users returns the seeded accounts, in seed order.
func (e *Emulator) Users() []UserInfo {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]UserInfo, 0, len(e.accounts))
	for _, a := range e.accounts {
		out = append(out, UserInfo{
			Username: a.username, Password: a.password, ID: a.id, UUID: a.uuid, Email: a.email,
			Kind: a.kind, HomePin: e.tv.homePins[a.id], VerificationCode: e.tv.twoFactor[a.id],
		})
	}
	return out
}

// State returns the URL, servers and users.
func (e *Emulator) State() State {
	return State{URL: e.URL(), Servers: e.Servers(), Users: e.Users()}
}

// LegacyToken returns the account's legacy (20-character) token, or "" for an unknown
// username. Once a JWT issued to a device that registered with that token has invalidated it,
// the account gets a new one (as signing in again would), which this then returns.
func (e *Emulator) LegacyToken(username string) string {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.byName[strings.ToLower(username)]
	if a == nil {
		return ""
	}
	return e.accountToken(a)
}

// accountToken returns a's account-wide legacy token, minting one if it was invalidated.
func (e *Emulator) accountToken(a *account) string {
	if a.legacy == "" {
		a.legacy = randomToken()
		e.legacy[a.legacy] = &legacyToken{acct: a}
	}
	return a.legacy
}

// ClaimPin approves the pin with this code as the named account, as the person would on the
// link or auth page.
func (e *Emulator) ClaimPin(code, username string) error {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	a := e.byName[strings.ToLower(username)]
	if a == nil {
		return fmt.Errorf("%w: %q", ErrNoSuchAccount, username)
	}
	p := e.pinByCode(code)
	if p == nil {
		return fmt.Errorf("%w: code %q", ErrPinNotFound, code)
	}
	p.claimedBy = a
	return nil
}

// RevokeDevice removes the device from the owner's Authorized Devices: its JWK, the Plex JWTs
// issued to it and the legacy tokens plex.tv gave it stop working. Exchanging a device JWT for
// it then answers 401 with code 1097 ("jwk missing").
func (e *Emulator) RevokeDevice(clientIdentifier string) {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.revokeClient(nil, clientIdentifier)
}

// RotateKey makes a new plex.tv signing key current. The previous current key stays in the
// JWKS, and tokens it signed keep verifying, until the next rotation.
func (e *Emulator) RotateKey() {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	e.setKeys([]*signingKey{newSigningKey(), e.keys[0]})
}

// Stats returns the number of requests per endpoint since New or ResetStats. plex.tv keys are
// "METHOD /pattern" with the route's pattern, e.g. "GET /api/v2/pins/{id}"; PMS keys are
// "pms:<server name> METHOD /pattern" with the official spec's path template, e.g.
// "pms:alice-nas GET /status/sessions". A request that matches no route counts as
// "METHOD (unknown)". Requests to /__emulator/ are not counted.
func (e *Emulator) Stats() map[string]int {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]int, len(e.stats))
	for k, v := range e.stats {
		out[k] = v
	}
	return out
}

// ResetStats sets every request count to zero.
func (e *Emulator) ResetStats() {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.stats)
}

func (e *Emulator) count(key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats[key]++
}
