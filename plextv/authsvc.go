package plextv

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/auth"
)

// AuthService covers plex.tv's JWT endpoints: JWK registration with a legacy token, nonces, the
// exchange of a device JWT for a Plex JWT, and plex.tv's own signing keys.
type AuthService struct{ c *Client }

// ErrEmptyToken is returned when a call is given an empty token or device JWT.
var ErrEmptyToken = errors.New("plextv: the token is empty")

// RegisterJWK registers the device's public key for this client identifier with an existing
// legacy token (POST /api/v2/auth/jwk). After the first refresh that follows, Plex expires the
// legacy token. A key already registered by another device is refused with 422
// (plexkit.ErrUnprocessable).
func (s *AuthService) RegisterJWK(ctx context.Context, legacyToken string, jwk jose.JSONWebKey) error {
	if strings.TrimSpace(legacyToken) == "" {
		return ErrEmptyToken
	}
	if !jwk.Valid() || !jwk.IsPublic() {
		return ErrNotPublicKey
	}
	src := auth.StaticTokenSource(&auth.Token{Value: legacyToken, Kind: auth.KindLegacy, ClientIdentifier: s.c.info.ClientIdentifier})
	return s.c.do(ctx, request{
		method: http.MethodPost,
		path:   "/api/v2/auth/jwk",
		body: struct {
			JWK jose.JSONWebKey `json:"jwk"`
		}{jwk},
		token: src,
		want:  []int{http.StatusOK, http.StatusCreated, http.StatusNoContent},
	}, nil)
}

// Nonce returns a fresh single-use nonce for a device JWT (GET /api/v2/auth/nonce); it is valid
// for 5 minutes. plex.tv rate-limits this endpoint: a 429 is retried after its Retry-After.
func (s *AuthService) Nonce(ctx context.Context) (string, error) {
	var out struct {
		Nonce string `json:"nonce"`
	}
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/api/v2/auth/nonce"}, &out); err != nil {
		return "", err
	}
	if out.Nonce == "" {
		return "", errors.New("plextv: GET /api/v2/auth/nonce: the answer holds no nonce")
	}
	return out.Nonce, nil
}

// Exchange trades a signed device JWT for a Plex JWT (POST /api/v2/auth/token). It is never
// retried: the nonce inside is single-use. The returned token is not verified yet; JWTSource
// verifies it before handing it out.
func (s *AuthService) Exchange(ctx context.Context, deviceJWT string) (string, error) {
	if deviceJWT == "" {
		return "", ErrEmptyToken
	}
	var out struct {
		AuthToken string `json:"auth_token"`
	}
	err := s.c.do(ctx, request{
		method: http.MethodPost,
		path:   "/api/v2/auth/token",
		body: struct {
			JWT string `json:"jwt"`
		}{deviceJWT},
	}, &out)
	if err != nil {
		return "", err
	}
	if out.AuthToken == "" {
		return "", errors.New("plextv: POST /api/v2/auth/token: the answer holds no auth_token")
	}
	return out.AuthToken, nil
}

// Keys fetches plex.tv's current signing keys (GET /api/v2/auth/keys), keeping those a Plex JWT
// can be verified with (see ParseKeySet). Each call is a request; to verify tokens use the
// client's Verifier, which caches them.
func (s *AuthService) Keys(ctx context.Context) (*jose.JSONWebKeySet, error) {
	var raw json.RawMessage
	if err := s.c.do(ctx, request{method: http.MethodGet, path: "/api/v2/auth/keys"}, &raw); err != nil {
		return nil, err
	}
	return ParseKeySet(raw)
}

// clientKeys is the KeySet of the client's default verifier: it fetches through the client, so
// the fetch carries the identification headers and is retried like any other GET.
type clientKeys struct{ c *Client }

// Keys implements KeySet; every call fetches, and the Verifier decides when to call.
func (k clientKeys) Keys(ctx context.Context, _ bool) (*jose.JSONWebKeySet, error) {
	return k.c.Auth.Keys(ctx)
}
