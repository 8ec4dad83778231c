package plextv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
)

// JWTSource is the auth.TokenSource that gets a new Plex JWT for a device whose key plex.tv
// knows: a nonce (GET /api/v2/auth/nonce), a device JWT signed with the device key, the exchange
// (POST /api/v2/auth/token), and the verification of the answer — two requests in all, once
// plex.tv's keys are cached. Every call refreshes; wrap it in an auth.CachedSource (TokenSource
// does) to reuse a token until it is due.
type JWTSource struct {
	c      *Client
	dev    *devicekey.Device
	scopes []string
}

// NewJWTSource returns a JWTSource for dev that asks for the claims of scopes (a subset of
// devicekey.Scopes; they are checked before anything is sent). c must send dev's client
// identifier.
func NewJWTSource(c *Client, dev *devicekey.Device, scopes []string) *JWTSource {
	return &JWTSource{c: c, dev: dev, scopes: scopes}
}

// Token refreshes: it returns a new, verified Plex JWT. A device removed from the account's
// Authorized Devices gives an error matching plexkit.ErrDeviceRevoked: log in again.
func (s *JWTSource) Token(ctx context.Context) (*auth.Token, error) {
	if err := checkDevice(s.c, s.dev, s.scopes); err != nil {
		return nil, err
	}
	nonce, err := s.c.Auth.Nonce(ctx)
	if err != nil {
		return nil, fmt.Errorf("plextv: refresh: %w", err)
	}
	djwt, err := s.dev.Key.SignDeviceJWT(devicekey.DeviceClaims{
		ClientIdentifier: s.dev.ClientIdentifier,
		Nonce:            nonce,
		Scopes:           s.scopes,
		IssuedAt:         s.c.Now(),
	})
	if err != nil {
		return nil, fmt.Errorf("plextv: refresh: sign the device JWT: %w", err)
	}
	raw, err := s.c.Auth.Exchange(ctx, djwt)
	if err != nil {
		return nil, refusal("refresh", err)
	}
	return s.c.issued(ctx, raw, s.dev)
}

// refusal explains a refused exchange; a removed device is the one case a person must act on.
func refusal(op string, err error) error {
	if errors.Is(err, plexkit.ErrDeviceRevoked) {
		return fmt.Errorf("plextv: %s: this device was removed from the account's Authorized Devices, so plex.tv no longer accepts its key: log in again: %w", op, err)
	}
	return fmt.Errorf("plextv: %s: %w", op, err)
}

// checkDevice refuses, before any request, what plex.tv would refuse or what would bind a
// token to the wrong identity.
func checkDevice(c *Client, dev *devicekey.Device, scopes []string) error {
	if dev == nil || dev.Key == nil {
		return errors.New("plextv: no device key: create or load the device first")
	}
	if dev.ClientIdentifier != c.info.ClientIdentifier {
		return fmt.Errorf("plextv: the device belongs to client identifier %q but the client sends %q", dev.ClientIdentifier, c.info.ClientIdentifier)
	}
	return devicekey.ValidateScopes(scopes)
}

// issued verifies a token plex.tv just issued for dev — signed by plex.tv, for this client
// identifier, bound to dev's key — and wraps it.
func (c *Client) issued(ctx context.Context, raw string, dev *devicekey.Device) (*auth.Token, error) {
	claims, err := c.verifier.verifyIssued(ctx, raw, Expect{ClientIdentifier: c.info.ClientIdentifier, Thumbprint: dev.Key.KID()})
	if err != nil {
		return nil, fmt.Errorf("plextv: the token plex.tv issued does not verify: %w", err)
	}
	tok := &auth.Token{
		Value:            raw,
		Kind:             auth.KindPlexJWT,
		Expiry:           claims.Expiry,
		IssuedAt:         claims.IssuedAt,
		ClientIdentifier: c.info.ClientIdentifier,
	}
	if c.learn {
		tok.ClockOffset = time.Duration(c.offset.Load())
	}
	return tok, nil
}

// SourceOptions configures TokenSource.
type SourceOptions struct {
	// Scopes are the claims to ask for at each refresh (see devicekey.Scopes).
	Scopes []string
	// RefreshBefore is how long before expiry a token is refreshed; 0 means 24 hours.
	RefreshBefore time.Duration
}

// TokenSource returns what a program uses to always have a valid Plex JWT for dev: the token
// saved in store (may be nil) is reused until under RefreshBefore remains, then one caller
// refreshes through a JWTSource — across processes too, by the store's lock — and the new token
// is saved. A stored token of another client identifier is ignored.
//
// A saved Plex JWT is checked before it is used: signed by plex.tv, for this device. One that
// fails (altered, not a JWT, signed by a key plex.tv no longer publishes, issued to another
// key) is replaced at once by a refresh; if that fails, so does TokenSource. The clock offset
// saved with the token (see auth.Token.ClockOffset) corrects the client's clock until plex.tv
// answers, so that a token plex.tv holds expired is not taken for a fresh one.
func TokenSource(ctx context.Context, c *Client, dev *devicekey.Device, store auth.Store, opts SourceOptions) (*auth.CachedSource, error) {
	if err := checkDevice(c, dev, opts.Scopes); err != nil {
		return nil, err
	}
	var initial *auth.Token
	if store != nil {
		t, err := store.Load(ctx)
		switch {
		case err == nil:
			if t.ClientIdentifier == "" || t.ClientIdentifier == dev.ClientIdentifier {
				initial = t
			}
		case !errors.Is(err, auth.ErrNoToken):
			return nil, fmt.Errorf("plextv: load the saved token: %w", err)
		}
	}
	if initial != nil && c.learn && initial.ClockOffset != 0 {
		c.offset.CompareAndSwap(0, int64(initial.ClockOffset))
	}
	var unusable error
	if initial != nil && initial.Kind == auth.KindPlexJWT {
		_, err := c.verifier.Verify(ctx, initial.Value, Expect{ClientIdentifier: dev.ClientIdentifier, Thumbprint: dev.Key.KID()})
		switch {
		case err == nil, errors.Is(err, ErrTokenExpired), errors.Is(err, ErrNotYetValid):
			// Sound; its time is the refresh logic's business.
		case errors.Is(err, ErrKeysUnavailable):
			return nil, fmt.Errorf("plextv: cannot check the saved token: %w", err)
		default:
			unusable = err
		}
	}
	src := auth.NewCachedSource(NewJWTSource(c, dev, opts.Scopes), auth.CacheOptions{
		Initial:          initial,
		InitialStored:    initial != nil,
		Store:            store,
		RefreshBefore:    opts.RefreshBefore,
		Now:              c.Now,
		ClientIdentifier: dev.ClientIdentifier,
	})
	if unusable != nil {
		if _, err := src.RefreshStale(ctx, initial); err != nil {
			return nil, fmt.Errorf("plextv: the saved token is not usable (%w), and refreshing it failed: %w", unusable, err)
		}
	}
	return src, nil
}
