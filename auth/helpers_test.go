package auth

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// epoch is the tests' "now": a fixed instant keeps expiry arithmetic readable.
var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for CacheOptions.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: epoch} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// jwt returns a Plex JWT test token expiring d after epoch. Values look like JWTs so that the
// redaction checks look for realistic secrets.
func jwt(name string, d time.Duration) *Token {
	return &Token{
		Value:            "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiI" + name + "In0.c2lnbmF0dXJl",
		Kind:             KindPlexJWT,
		Expiry:           epoch.Add(d),
		IssuedAt:         epoch.Add(d - 7*24*time.Hour),
		ClientIdentifier: "client-1",
	}
}

// counter is an inner TokenSource that issues numbered tokens valid for 7 days from its clock's
// now, and counts its calls.
type counter struct {
	calls atomic.Int64
	now   func() time.Time
	// wait, when set, is called before issuing (to hold a refresh in flight).
	wait func(ctx context.Context) error
}

func (c *counter) Token(ctx context.Context) (*Token, error) {
	n := c.calls.Add(1)
	if c.wait != nil {
		if err := c.wait(ctx); err != nil {
			return nil, err
		}
	}
	now := epoch
	if c.now != nil {
		now = c.now()
	}
	return &Token{
		Value:            fmt.Sprintf("eyJhbGciOiJFZERTQSJ9.eyJuIjo%d.c2ln", n),
		Kind:             KindPlexJWT,
		Expiry:           now.Add(7 * 24 * time.Hour),
		IssuedAt:         now,
		ClientIdentifier: "client-1",
	}, nil
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
