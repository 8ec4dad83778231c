package emulator

import (
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Verifying a Plex JWT's signature is most of what a request authorised by one costs, and a
// client sends the same token with every request. So a token whose signature and claims have
// verified once is kept (verifiedJWTs), and the expensive part — parsing and the Ed25519
// check — runs outside the emulator's lock (e.mu). What can change between two requests is
// still checked on every one, under the lock (checkVerified): that the key that signed it is
// still one of plex.tv's (key rotation), that the account and the device registration it was
// issued to still exist (revocation), and that it has not expired on the emulator's clock.

// verifiedJWT is what a Plex JWT with a valid signature, issuer and audience claims.
type verifiedJWT struct {
	kid        string
	accountID  int
	clientID   string
	thumbprint string
	jti        string
	expiry     time.Time
}

// maxVerifiedJWTs bounds the cache; when it is full it starts again empty (tokens are cheap to
// verify once more, and a load test with endless distinct tokens must not grow memory).
const maxVerifiedJWTs = 4096

// verifiedJWTs is the cache, with its own lock so that lookups never wait for e.mu.
type verifiedJWTs struct {
	mu sync.RWMutex
	m  map[string]*verifiedJWT
}

func (c *verifiedJWTs) get(raw string) *verifiedJWT {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[raw]
}

func (c *verifiedJWTs) put(raw string, v *verifiedJWT) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxVerifiedJWTs {
		c.m = make(map[string]*verifiedJWT)
	}
	c.m[raw] = v
}

// publicKeys returns plex.tv's current signing keys (current first) without taking e.mu.
func (e *Emulator) publicKeys() []*signingKey {
	if p := e.keySnapshot.Load(); p != nil {
		return *p
	}
	return nil
}

// setKeys replaces plex.tv's signing keys. The caller holds e.mu.
func (e *Emulator) setKeys(keys []*signingKey) {
	e.keys = keys
	e.keySnapshot.Store(&keys)
}

// verifyPlexJWT returns what raw claims when its signature verifies with one of plex.tv's
// keys and its static claims are right (iss, aud, exp and iat present), from the cache when
// raw has been verified before; nil otherwise. It takes no lock of the emulator's: call it
// before e.mu where it can be, so that the signature check runs outside it.
func (e *Emulator) verifyPlexJWT(raw string) *verifiedJWT {
	if len(raw) > maxJWTBytes || !looksLikeJWT(raw) {
		return nil
	}
	if v := e.verified.get(raw); v != nil {
		return v
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil || len(tok.Headers) != 1 {
		return nil
	}
	keys := e.publicKeys()
	i := slices.IndexFunc(keys, func(k *signingKey) bool { return k.public.KeyID == tok.Headers[0].KeyID })
	if i < 0 {
		return nil
	}
	var std jwt.Claims
	var extra plexJWTClaims
	if err := tok.Claims(keys[i].public.Key, &std, &extra); err != nil {
		return nil
	}
	if std.Issuer != plexIssuer || !slices.Contains(std.Audience, plexIssuer) || std.Expiry == nil || std.IssuedAt == nil {
		return nil
	}
	v := &verifiedJWT{kid: keys[i].public.KeyID, accountID: extra.User.ID, thumbprint: extra.Thumbprint, jti: std.ID, expiry: std.Expiry.Time()}
	for _, a := range std.Audience {
		if a != plexIssuer {
			v.clientID = a
		}
	}
	e.verified.put(raw, v)
	return v
}
