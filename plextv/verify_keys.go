package plextv

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit"
)

// KeySet is where a Verifier gets plex.tv's signing keys. refresh is true when the Verifier met
// a kid it does not know: a source with a cache of its own should bypass it.
type KeySet interface {
	Keys(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error)
}

// ErrBadKeySet is matched by errors about a key set that holds no usable key or is not JSON.
var ErrBadKeySet = errors.New("plextv: unusable key set")

// maxKeySetSize bounds a fetched JWKS; plex.tv's is a few hundred bytes.
const maxKeySetSize = 1 << 20

// minRSABits is the smallest RSA key accepted for RS256 (RFC 7518 §3.3).
const minRSABits = 2048

type staticKeys struct{ set *jose.JSONWebKeySet }

// StaticKeys returns a KeySet that always answers set (for tests, pinned keys, or a JWKS file).
func StaticKeys(set jose.JSONWebKeySet) KeySet {
	keys := append([]jose.JSONWebKey(nil), set.Keys...)
	return staticKeys{&jose.JSONWebKeySet{Keys: keys}}
}

// Keys implements KeySet.
func (s staticKeys) Keys(context.Context, bool) (*jose.JSONWebKeySet, error) { return s.set, nil }

type remoteKeys struct {
	url string
	hc  *http.Client
}

// RemoteKeys returns a KeySet that GETs a JWKS from url (Accept: application/json) on every call;
// the Verifier decides when to call. hc nil means a client with a 30 s timeout. The answer is
// read by ParseKeySet.
func RemoteKeys(url string, hc *http.Client) KeySet {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return remoteKeys{url: url, hc: hc}
}

// Keys implements KeySet.
func (r remoteKeys) Keys(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return nil, fmt.Errorf("plextv: key set URL: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if refresh {
		req.Header.Set("Cache-Control", "no-cache")
	}
	resp, err := r.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("plextv: fetch key set: %s", plexkit.Redact(err.Error()))
	}
	defer resp.Body.Close()
	if err := plexkit.CheckResponse(resp); err != nil {
		return nil, fmt.Errorf("plextv: fetch key set: %w", err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetSize+1))
	if err != nil {
		return nil, fmt.Errorf("plextv: fetch key set %s: %w", plexkit.RedactURL(r.url), err)
	}
	if len(body) > maxKeySetSize {
		return nil, fmt.Errorf("plextv: key set %s is larger than %d bytes: %w", plexkit.RedactURL(r.url), maxKeySetSize, ErrBadKeySet)
	}
	return ParseKeySet(body)
}

// ParseKeySet reads a JWKS ({"keys":[…]}) and keeps the keys a Plex JWT can be verified with:
// public Ed25519 keys, and RSA keys of at least 2048 bits, each with a kid and, if it says, use
// "sig". Keys of other types (or that go-jose cannot read) are skipped rather than failing the
// set, so that plex.tv adding a new kind of key does not break verification; a set with no usable
// key is an error matching ErrBadKeySet. A key that carries private parameters is refused: a
// published key set must never hold one.
func ParseKeySet(data []byte) (*jose.JSONWebKeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("plextv: key set is not JSON (%v): %w", err, ErrBadKeySet)
	}
	set := &jose.JSONWebKeySet{}
	skipped := 0
	for _, kb := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(kb); err != nil {
			skipped++
			continue
		}
		if !k.IsPublic() {
			return nil, fmt.Errorf("plextv: key set holds a private key (kid %q): %w", k.KeyID, ErrBadKeySet)
		}
		if usable(k) {
			set.Keys = append(set.Keys, k)
		} else {
			skipped++
		}
	}
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("plextv: key set has no usable signing key (%d keys, %d skipped): %w", len(raw.Keys), skipped, ErrBadKeySet)
	}
	return set, nil
}

// usable reports whether k can verify a Plex JWT.
func usable(k jose.JSONWebKey) bool {
	if k.KeyID == "" || (k.Use != "" && k.Use != "sig") || !k.Valid() {
		return false
	}
	switch pub := k.Key.(type) {
	case ed25519.PublicKey:
		return k.Algorithm == "" || k.Algorithm == string(jose.EdDSA)
	case *rsa.PublicKey:
		return pub.N.BitLen() >= minRSABits && (k.Algorithm == "" || k.Algorithm == string(jose.RS256))
	default:
		return false
	}
}
