package auth

import (
	"context"
	"fmt"
)

// TokenSource supplies tokens. Token may be called concurrently; the returned Token is shared
// and must not be modified.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
}

// Refresher is implemented by sources that can replace their token on demand, as the Transport
// asks when a server answers 498 (token expired) to a token the source thought valid.
type Refresher interface {
	// Refresh gets a new token now, whatever the current one's expiry.
	Refresh(ctx context.Context) (*Token, error)
}

// StaleRefresher is implemented by sources that can refresh on behalf of a token a server
// rejected: if the source has already replaced that token, it returns the replacement without
// refreshing again. Transport prefers it to Refresher, so that many requests refused with 498 at
// the same moment cause one refresh, not one each (plex.tv rate-limits refreshes).
type StaleRefresher interface {
	RefreshStale(ctx context.Context, rejected *Token) (*Token, error)
}

// TokenSourceFunc adapts a function to a TokenSource.
type TokenSourceFunc func(ctx context.Context) (*Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (*Token, error) { return f(ctx) }

// StaticTokenSource returns a TokenSource that always returns t, as it is: a legacy token, or a
// Plex JWT given by a person, which plexkit cannot refresh. If t is nil or empty, Token returns
// an error matching ErrNoToken.
func StaticTokenSource(t *Token) TokenSource { return staticSource{t} }

type staticSource struct{ t *Token }

func (s staticSource) Token(context.Context) (*Token, error) {
	if s.t == nil || s.t.Value == "" {
		return nil, fmt.Errorf("auth: static token source: %w", ErrNoToken)
	}
	return s.t, nil
}
