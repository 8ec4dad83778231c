package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of CacheOptions.
const (
	DefaultRefreshBefore     = 24 * time.Hour
	DefaultRefreshTimeout    = time.Minute
	DefaultRetryAfterFailure = time.Minute
)

// CacheOptions configures a CachedSource.
type CacheOptions struct {
	// Initial is the token to start with (for example the one a Store holds); nil means the
	// first Token call gets one, from Store if it has a fresh one, else from the inner source.
	Initial *Token
	// Store, when non-nil, is read under its lock before every refresh and receives every new
	// token, so that programs sharing it share one token and refresh it once.
	Store Store
	// InitialStored says Initial was read from Store. A source that finds the store empty after
	// it read a token from it, or saved one to it, takes that for a logout (see CachedSource).
	InitialStored bool
	// RefreshBefore is how long before its expiry a token is replaced; 0 means 24 hours (a
	// Plex JWT lives 7 days). A negative value means only when it is no longer Valid.
	RefreshBefore time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClientIdentifier, when set, keeps a stored token of another client identifier from being
	// used; when empty, the identifier of the current token is used for the same check.
	ClientIdentifier string
	// RefreshTimeout bounds one refresh, from waiting for the store's lock to saving; 0 means
	// one minute. A refresh serves every caller waiting for it, so it runs with the values of
	// the context of the caller that started it but not with its cancellation or deadline: one
	// caller giving up must not fail the refresh for the others. This timeout is its only bound.
	RefreshTimeout time.Duration
	// RetryAfterFailure is how long a still-valid token is used without retrying after a refresh
	// failed (plex.tv down must not make every call wait for a refresh that will fail); 0 means
	// one minute. A token that is no longer Valid is always refreshed at once.
	RetryAfterFailure time.Duration
	// OnSaveError is told when a new token could not be saved to Store. The token is used all
	// the same — the refresh succeeded — but other programs will not see it. nil means the error
	// is logged with log/slog's default logger at warning level.
	OnSaveError func(error)
}

// CachedSource reuses a token until it is due for refresh and then lets exactly one caller
// refresh it from an inner TokenSource, while the others wait for and share the result. With a
// Store it also coordinates with other processes: the refresh holds the store's lock, first
// re-reads the store (another process may have just refreshed) and only calls the inner source if
// the stored token is not fresh either; the new token is saved atomically. A store found empty
// by a source whose token it held (read from it, or saved to it) means a logout happened
// meanwhile: the refresh fails with an
// error matching ErrNoToken instead of saving a token again, the held token is dropped, and so
// it stays until a token is saved to the store again (a login).
//
// Create it with NewCachedSource. It is safe for concurrent use; the returned tokens are shared
// and must not be modified.
type CachedSource struct {
	inner         TokenSource
	store         Store
	before        time.Duration
	timeout       time.Duration
	retryInterval time.Duration
	now           func() time.Time
	clientID      string
	onSaveError   func(error)

	// cur is read without locking, so the path of a fresh token costs a load and a clock read.
	cur atomic.Pointer[entry]

	mu        sync.Mutex
	flight    *call     // the refresh in progress, nil when none
	retryAt   time.Time // after a failed refresh, when to try again while the token is valid
	loggedOut bool      // the store's token was deleted under this source: refresh no more
	stored    string    // the value this source last read from or saved to the store
}

// entry is a cached token with its refresh time computed once.
type entry struct {
	tok       *Token
	refreshAt time.Time
	static    bool // no expiry: never refreshed
}

// call is one refresh, shared by every caller that arrives while it runs.
type call struct {
	done     chan struct{}
	force    bool   // a new token was demanded, not merely due
	prev     string // the value cached when the refresh began
	rejected string // the value a server refused, for RefreshStale
	clientID string
	tok      *Token // result, set before done is closed
	err      error
	joined   int // callers that have joined this refresh (the first included); under s.mu
}

var (
	_ TokenSource    = (*CachedSource)(nil)
	_ Refresher      = (*CachedSource)(nil)
	_ StaleRefresher = (*CachedSource)(nil)
)

// NewCachedSource returns a CachedSource that refreshes from inner.
func NewCachedSource(inner TokenSource, opts CacheOptions) *CachedSource {
	s := &CachedSource{
		inner:         inner,
		store:         opts.Store,
		before:        opts.RefreshBefore,
		timeout:       opts.RefreshTimeout,
		retryInterval: opts.RetryAfterFailure,
		now:           opts.Now,
		clientID:      opts.ClientIdentifier,
		onSaveError:   opts.OnSaveError,
	}
	switch {
	case s.before == 0:
		s.before = DefaultRefreshBefore
	case s.before < ExpirySkew:
		s.before = ExpirySkew
	}
	if s.timeout <= 0 {
		s.timeout = DefaultRefreshTimeout
	}
	if s.retryInterval <= 0 {
		s.retryInterval = DefaultRetryAfterFailure
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.Initial != nil && opts.Initial.Value != "" {
		s.cur.Store(s.entryFor(opts.Initial))
		if opts.InitialStored && opts.Store != nil {
			s.stored = opts.Initial.Value
		}
	}
	return s
}

func (s *CachedSource) entryFor(t *Token) *entry {
	if t.Expiry.IsZero() {
		return &entry{tok: t, static: true}
	}
	return &entry{tok: t, refreshAt: t.Expiry.Add(-s.before)}
}

func (e *entry) fresh(now time.Time) bool {
	return e != nil && (e.static || now.Before(e.refreshAt))
}

// Token returns the cached token while more than RefreshBefore remains before its expiry (a
// token without expiry, such as a legacy token, is always returned as it is). Otherwise one
// caller refreshes and every caller waits for that refresh, each until its own ctx is done — a
// caller that gives up gets ctx.Err() and does not cancel the refresh for the others.
//
// If the refresh fails while the current token is still Valid, the current token is returned
// and the refresh is retried after CacheOptions.RetryAfterFailure; once the token is no longer
// Valid, the refresh error is returned.
func (s *CachedSource) Token(ctx context.Context) (*Token, error) {
	if s != nil {
		if e := s.cur.Load(); e != nil && e.fresh(s.now()) {
			return e.tok, nil
		}
	}
	return s.refresh(ctx, false, "")
}

// Refresh gets a new token now, whatever the current one's expiry, and returns it; a refresh
// already running is joined instead of starting another. With a Store, a fresh token that
// another process saved since this source last looked counts as new. If the refresh fails, the
// error is returned even when the current token has not expired: the caller asked for another.
func (s *CachedSource) Refresh(ctx context.Context) (*Token, error) {
	return s.refresh(ctx, true, "")
}

// RefreshStale is Refresh on behalf of a token a server refused: when the source already holds
// a different, valid token (another caller refreshed first), it returns that token at once.
func (s *CachedSource) RefreshStale(ctx context.Context, rejected *Token) (*Token, error) {
	if rejected == nil || rejected.Value == "" {
		return s.Refresh(ctx)
	}
	return s.refresh(ctx, true, rejected.Value)
}

func (s *CachedSource) refresh(ctx context.Context, force bool, rejected string) (*Token, error) {
	if s == nil || s.inner == nil {
		return nil, errors.New("auth: CachedSource has no inner token source (use NewCachedSource)")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	now := s.now()
	e := s.cur.Load()
	switch {
	case !force && e.fresh(now):
		// Another caller's refresh finished between our check and the lock.
		s.mu.Unlock()
		return e.tok, nil
	case !force && e != nil && e.tok.Valid(now) && now.Before(s.retryAt):
		s.mu.Unlock()
		return e.tok, nil
	case rejected != "" && e != nil && e.tok.Value != rejected && e.tok.Valid(now):
		s.mu.Unlock()
		return e.tok, nil
	}
	c := s.flight
	if c == nil {
		c = &call{done: make(chan struct{}), force: force, rejected: rejected, clientID: s.clientID}
		if e != nil {
			c.prev = e.tok.Value
			if c.clientID == "" {
				c.clientID = e.tok.ClientIdentifier
			}
		}
		s.flight = c
		// The refresh serves every waiter, so no single waiter's cancellation or deadline may end
		// it: it keeps the first caller's context values (trace IDs, loggers) but not its
		// cancellation, and is bounded by RefreshTimeout instead.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
		go s.run(rctx, cancel, c)
	}
	c.joined++
	s.mu.Unlock()

	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if c.err != nil {
		if e := s.cur.Load(); !force && e != nil && e.tok.Valid(s.now()) {
			return e.tok, nil
		}
		return nil, c.err
	}
	return c.tok, nil
}

func (s *CachedSource) run(ctx context.Context, cancel context.CancelFunc, c *call) {
	defer cancel()
	tok, err := s.fetch(ctx, c)
	s.mu.Lock()
	switch {
	case err == nil:
		s.cur.Store(s.entryFor(tok))
		s.retryAt = time.Time{}
	case s.loggedOut:
		s.cur.Store(nil) // the token is no longer this program's to use
	default:
		s.retryAt = s.now().Add(s.retryInterval)
	}
	c.tok, c.err = tok, err
	s.flight = nil
	s.mu.Unlock()
	close(c.done)
}

// fetch gets the token for a refresh: from the store if another process saved a usable one, else
// from the inner source (then saved).
func (s *CachedSource) fetch(ctx context.Context, c *call) (*Token, error) {
	if s.store != nil {
		unlock, err := s.store.Lock(ctx)
		if err != nil {
			return nil, fmt.Errorf("auth: refresh token: %w", err)
		}
		defer unlock()
		stored, err := s.store.Load(ctx)
		var corrupt *CorruptError
		switch {
		case err == nil:
			s.setLoggedOut(false)
			if s.adoptable(stored, c) {
				s.setStored(stored.Value)
				return stored, nil
			}
		case errors.Is(err, ErrNoToken) && ((c.prev != "" && c.prev == s.storedValue()) || s.isLoggedOut()):
			// The store held this source's token and now holds none: it was deleted since (a
			// logout), and a refresh now would bring it back. The logout wins, until a new
			// token is saved (a login).
			s.setLoggedOut(true)
			return nil, fmt.Errorf("auth: refresh token: the saved token was deleted (logged out) since this program read it: %w", ErrNoToken)
		case errors.Is(err, ErrNoToken), errors.As(err, &corrupt):
			// Saving the new token replaces a corrupt file: nothing in it was worth keeping.
		default:
			return nil, fmt.Errorf("auth: refresh token: %w", err)
		}
	}
	tok, err := s.inner.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: refresh token: %w", err)
	}
	if err := checkToken(tok); err != nil {
		return nil, fmt.Errorf("auth: refresh token: the token source returned an unusable token: %w", err)
	}
	if !tok.Valid(s.now()) {
		return nil, fmt.Errorf("auth: refresh token: the token source returned a %s that has already expired", tok.Kind)
	}
	if s.store != nil {
		if err := s.store.Save(ctx, tok); err != nil {
			s.saveFailed(err)
		} else {
			s.setStored(tok.Value)
		}
	}
	return tok, nil
}

func (s *CachedSource) setLoggedOut(v bool) {
	s.mu.Lock()
	s.loggedOut = v
	s.mu.Unlock()
}

func (s *CachedSource) setStored(v string) {
	s.mu.Lock()
	s.stored = v
	s.mu.Unlock()
}

func (s *CachedSource) storedValue() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stored
}

func (s *CachedSource) isLoggedOut() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loggedOut
}

// adoptable reports whether a token found in the store can serve this refresh instead of the
// inner source: fresh, of the same client, and for a forced refresh, not the one being replaced.
func (s *CachedSource) adoptable(t *Token, c *call) bool {
	if !s.entryFor(t).fresh(s.now()) || !t.Valid(s.now()) {
		return false
	}
	if c.clientID != "" && t.ClientIdentifier != "" && t.ClientIdentifier != c.clientID {
		return false
	}
	if c.force && (t.Value == c.prev || t.Value == c.rejected) {
		return false
	}
	return true
}

func (s *CachedSource) saveFailed(err error) {
	if s.onSaveError != nil {
		s.onSaveError(err)
		return
	}
	slog.Default().Warn("auth: the new token could not be saved; it is used, but other programs will not see it", "err", err)
}
