package plextv

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/plexkit/plexkit"
)

// Issuer is the iss of every Plex JWT, and an aud it always carries.
const Issuer = "plex.tv"

// Defaults of VerifierOptions.
const (
	DefaultCacheTTL   = 24 * time.Hour
	DefaultMinRefetch = time.Minute
	DefaultLeeway     = 60 * time.Second
)

// maxTokenLen bounds a token before any decoding; a Plex JWT is well under 2 KiB.
const maxTokenLen = 64 << 10

// Sentinels matched (errors.Is) by a *VerifyError; each names one check.
var (
	// ErrMalformed: not a compact JWS, undecodable, or a required claim is missing or mistyped.
	ErrMalformed = errors.New("malformed JWT")
	// ErrBadAlgorithm: alg is not EdDSA (or RS256 for an RSA key): none, HMAC, unknown, or an
	// algorithm that does not fit the key.
	ErrBadAlgorithm = errors.New("algorithm not allowed")
	// ErrUnknownKey: the kid is missing or is not in plex.tv's key set, even after a refetch.
	ErrUnknownKey = errors.New("unknown signing key")
	// ErrKeysUnavailable: plex.tv's key set could not be fetched.
	ErrKeysUnavailable = errors.New("signing keys unavailable")
	// ErrBadSignature: the signature does not verify: the token was altered or forged.
	ErrBadSignature = errors.New("bad signature")
	// ErrWrongIssuer: iss is not plex.tv.
	ErrWrongIssuer = errors.New("wrong issuer")
	// ErrWrongAudience: aud lacks plex.tv, the client identifier or the expected audience.
	ErrWrongAudience = errors.New("wrong audience")
	// ErrWrongThumbprint: the thumbprint claim is not this device's kid: the token was issued
	// to another device.
	ErrWrongThumbprint = errors.New("wrong thumbprint")
	// ErrNotYetValid: iat or nbf is in the future, beyond the leeway.
	ErrNotYetValid = errors.New("not yet valid")
	// ErrTokenExpired: exp has passed, beyond the leeway. It is plexkit.ErrTokenExpired, so an
	// expiry found here and a 498 from a server are handled alike: refresh.
	ErrTokenExpired = plexkit.ErrTokenExpired
)

// VerifyError says which check a token failed. Its text never contains the token.
type VerifyError struct {
	Check  string // format, alg, kid, keys, signature, iss, aud, thumbprint, iat, nbf or exp
	Reason string
	Err    error // the sentinel (ErrMalformed, …); errors.Is matches it
	cause  error // for keys: why the fetch failed
}

// Error implements error.
func (e *VerifyError) Error() string {
	return "plextv: Plex JWT failed the " + e.Check + " check: " + e.Reason
}

// Unwrap returns the sentinel and, for a failed key fetch, its cause.
func (e *VerifyError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Err, e.cause}
	}
	return []error{e.Err}
}

func verr(check string, sentinel error, format string, args ...any) *VerifyError {
	return &VerifyError{Check: check, Err: sentinel, Reason: plexkit.Redact(fmt.Sprintf(format, args...))}
}

// VerifierOptions tune a Verifier. Zero values mean the defaults.
type VerifierOptions struct {
	// CacheTTL is how long a fetched key set is used before it is fetched again (24 h).
	CacheTTL time.Duration
	// MinRefetch is the least time between two fetches prompted by an unknown kid or by a
	// failed fetch (1 min), so that tokens with made-up kids cannot make plexkit hammer plex.tv.
	MinRefetch time.Duration
	// Leeway is the clock skew allowed on exp, iat and nbf (60 s).
	Leeway time.Duration
	// Now is the clock (time.Now).
	Now func() time.Time
	// Store, when set, keeps the key set between runs: it is read before the first fetch, and
	// every good fetch is saved to it. See KeyFile.
	Store KeyStore
}

// Verifier checks Plex JWTs: signature by a key of plex.tv's key set chosen by kid, issuer,
// audience, times, and the device binding. It caches the key set (one fetch shared by concurrent
// callers) and is safe for concurrent use. When a refetch fails, it keeps using the last good set,
// so that plex.tv being briefly unreachable does not stop every verification.
type Verifier struct {
	src        KeySet
	ttl        time.Duration
	minRefetch time.Duration
	leeway     time.Duration
	now        func() time.Time

	sem   chan struct{} // held by the one goroutine fetching; waiting honours ctx
	store KeyStore

	mu        sync.Mutex
	keys      map[string][]jose.JSONWebKey // usable public keys of the last good fetch, by kid; never modified once set
	fetchedAt time.Time                    // of keys
	triedAt   time.Time                    // of the last fetch, good or not
	gen       uint64                       // counts fetches, so waiters see that one happened
	lastErr   error                        // of the last fetch
	loaded    bool                         // store has been read
}

// NewVerifier returns a Verifier that reads keys from src.
func NewVerifier(src KeySet, opts VerifierOptions) *Verifier {
	v := &Verifier{src: src, ttl: opts.CacheTTL, minRefetch: opts.MinRefetch, leeway: opts.Leeway, now: opts.Now, sem: make(chan struct{}, 1), store: opts.Store}
	if v.ttl <= 0 {
		v.ttl = DefaultCacheTTL
	}
	if v.minRefetch <= 0 {
		v.minRefetch = DefaultMinRefetch
	}
	if v.leeway <= 0 {
		v.leeway = DefaultLeeway
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v
}

// Expect is what a token must say beyond what every Plex JWT says (iss and aud plex.tv).
type Expect struct {
	// ClientIdentifier, when set, must be in aud: the token was issued to this installation.
	ClientIdentifier string
	// Thumbprint, when set, must equal the thumbprint claim: the device's kid.
	Thumbprint string
	// Audience, when set, must also be in aud.
	Audience string
}

// Claims are the claims of a Plex JWT.
type Claims struct {
	Issuer     string
	Audience   []string
	IssuedAt   time.Time
	Expiry     time.Time
	NotBefore  time.Time // zero when absent
	Thumbprint string    // the kid of the device key the token is bound to
	Nonce      string
	Scope      string // comma-separated; device JWTs carry it, Plex JWTs do not
	User       UserClaims
	Raw        map[string]any // every claim as decoded JSON
	KeyID      string         // kid of the header: which plex.tv key signed it
}

// UserClaims is the user claim: id and uuid always, the rest as the scopes released them.
type UserClaims struct {
	ID           int64
	UUID         string
	Username     string
	Email        string
	FriendlyName string
	Restricted   *bool
	Anonymous    *bool
	JoinedAt     int64
}

// allowedAlgs are the algorithms a Plex JWT may use; go-jose refuses every other before any key
// is touched.
var allowedAlgs = []jose.SignatureAlgorithm{jose.EdDSA, jose.RS256}

// Verify checks token and returns its claims. Checks run in this order, and the first failure
// is returned as a *VerifyError: format, alg, kid (key lookup, refetching once on an unknown
// kid), signature, iss, aud, thumbprint, iat/nbf, exp — so an error matching ErrTokenExpired
// means everything else was right.
func (v *Verifier) Verify(ctx context.Context, token string, exp Expect) (*Claims, error) {
	return v.verify(ctx, token, exp, forChecking)
}

// purpose says why a token is verified, which decides when the key set may be fetched again.
type purpose int

const (
	forChecking purpose = iota // Verify: refetch for an unknown kid, once per MinRefetch
	forIssued                  // a token plex.tv just issued: refetch for an unknown kid at once
	forRefused                 // a token plex.tv refused: refetch even for a known kid, once per MinRefetch
)

// verifyIssued is Verify for a token plex.tv has just issued to this client: a kid missing from
// the cached set is then most likely a key plex.tv rotated to moments ago, so the set is fetched
// again once even within MinRefetch — throwing the token away would waste the nonce it cost.
// Tokens from elsewhere cannot trigger this: only the exchange's answer is verified so.
func (v *Verifier) verifyIssued(ctx context.Context, token string, exp Expect) (*Claims, error) {
	return v.verify(ctx, token, exp, forIssued)
}

// verifyRefused is Verify for a token plex.tv has just refused: the cached key set (perhaps
// loaded from a KeyStore) may predate a rotation that dropped the token's key, so it is fetched
// again unless that was done within MinRefetch.
func (v *Verifier) verifyRefused(ctx context.Context, token string) (*Claims, error) {
	return v.verify(ctx, token, Expect{}, forRefused)
}

func (v *Verifier) verify(ctx context.Context, token string, exp Expect, why purpose) (*Claims, error) {
	if v == nil || v.sem == nil {
		return nil, verr("keys", ErrKeysUnavailable, "the verifier was not made with NewVerifier")
	}
	tok, kid, err := parse(token, allowedAlgs)
	if err != nil {
		return nil, err
	}
	keys, err := v.keysFor(ctx, kid, why)
	if err != nil {
		return nil, err
	}
	alg := tok.Headers[0].Algorithm
	verified, fit := false, false
	for i := range keys {
		k := &keys[i]
		if !fits(alg, k) {
			continue
		}
		fit = true
		if err := tok.Claims(k.Key); err == nil {
			verified = true
			break
		} else if !errors.Is(err, jose.ErrCryptoFailure) {
			return nil, verr("format", ErrMalformed, "the signed token cannot be checked: %v", err)
		}
	}
	if !fit {
		return nil, verr("alg", ErrBadAlgorithm, "the header says %s but plex.tv's key %q is %s", alg, kid, keyType(&keys[0]))
	}
	if !verified {
		return nil, verr("signature", ErrBadSignature, "the signature does not match plex.tv's key %q: the token was altered or not signed by plex.tv", kid)
	}
	c, err := claimsOf(tok, kid)
	if err != nil {
		return nil, err
	}
	if err := v.check(c, exp); err != nil {
		return nil, err
	}
	return c, nil
}

// parse decodes the compact JWS with go-jose, allowing only algs, and returns its kid.
func parse(token string, algs []jose.SignatureAlgorithm) (*jwt.JSONWebToken, string, error) {
	switch {
	case token == "":
		return nil, "", verr("format", ErrMalformed, "the token is empty")
	case len(token) > maxTokenLen:
		return nil, "", verr("format", ErrMalformed, "the token is %d bytes, more than %d", len(token), maxTokenLen)
	case strings.Count(token, ".") != 2:
		return nil, "", verr("format", ErrMalformed, "a JWT has three base64url parts separated by dots; this has %d parts (truncated or not a JWT?)", strings.Count(token, ".")+1)
	}
	tok, err := jwt.ParseSigned(token, algs)
	if err != nil {
		var bad *jose.ErrUnexpectedSignatureAlgorithm
		if errors.As(err, &bad) {
			return nil, "", verr("alg", ErrBadAlgorithm, "alg %q is not allowed here; allowed: %s", string(bad.Got), algList(algs))
		}
		return nil, "", verr("format", ErrMalformed, "cannot decode the token: %v", err)
	}
	if len(tok.Headers) != 1 {
		return nil, "", verr("format", ErrMalformed, "the token has %d signatures, want 1", len(tok.Headers))
	}
	return tok, tok.Headers[0].KeyID, nil
}

func algList(algs []jose.SignatureAlgorithm) string {
	s := make([]string, len(algs))
	for i, a := range algs {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// fits reports whether a token signed with alg may be verified with k: no algorithm confusion.
func fits(alg string, k *jose.JSONWebKey) bool {
	switch k.Key.(type) {
	case ed25519.PublicKey:
		return alg == string(jose.EdDSA)
	case *rsa.PublicKey:
		return alg == string(jose.RS256)
	default:
		return false
	}
}

func keyType(k *jose.JSONWebKey) string {
	switch k.Key.(type) {
	case ed25519.PublicKey:
		return "an Ed25519 key (EdDSA)"
	case *rsa.PublicKey:
		return "an RSA key (RS256)"
	default:
		return fmt.Sprintf("a %T", k.Key)
	}
}

// check runs the claim checks of Verify on c.
func (v *Verifier) check(c *Claims, exp Expect) error {
	now := v.now()
	if c.Issuer != Issuer {
		return verr("iss", ErrWrongIssuer, "iss is %q, want %q", c.Issuer, Issuer)
	}
	for _, want := range []string{Issuer, exp.ClientIdentifier, exp.Audience} {
		if want != "" && !slices.Contains(c.Audience, want) {
			return verr("aud", ErrWrongAudience, "aud %q does not contain %q", c.Audience, want)
		}
	}
	if exp.Thumbprint != "" && c.Thumbprint != exp.Thumbprint {
		if c.Thumbprint == "" {
			return verr("thumbprint", ErrWrongThumbprint, "the token has no thumbprint claim; want this device's kid %q", exp.Thumbprint)
		}
		return verr("thumbprint", ErrWrongThumbprint, "thumbprint is %q, not this device's kid %q: the token was issued to another device key", c.Thumbprint, exp.Thumbprint)
	}
	if c.IssuedAt.IsZero() {
		return verr("iat", ErrMalformed, "the token has no iat claim")
	}
	if c.IssuedAt.After(now.Add(v.leeway)) {
		return verr("iat", ErrNotYetValid, "issued at %s, %s in the future (leeway %s): check the clock", stamp(c.IssuedAt), c.IssuedAt.Sub(now).Round(time.Second), v.leeway)
	}
	if !c.NotBefore.IsZero() && c.NotBefore.After(now.Add(v.leeway)) {
		return verr("nbf", ErrNotYetValid, "not valid before %s, %s from now (leeway %s)", stamp(c.NotBefore), c.NotBefore.Sub(now).Round(time.Second), v.leeway)
	}
	if c.Expiry.IsZero() {
		return verr("exp", ErrMalformed, "the token has no exp claim")
	}
	if !now.Before(c.Expiry.Add(v.leeway)) {
		return verr("exp", ErrTokenExpired, "expired at %s, %s ago (leeway %s): refresh it", stamp(c.Expiry), now.Sub(c.Expiry).Round(time.Second), v.leeway)
	}
	return nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// keysFor returns the usable keys named kid, fetching the set when there is none yet, when it
// is older than the cache TTL, and once per MinRefetch when kid is not in it.
func (v *Verifier) keysFor(ctx context.Context, kid string, why purpose) ([]jose.JSONWebKey, error) {
	if kid == "" {
		return nil, verr("kid", ErrUnknownKey, "the token's header has no kid, so no plex.tv key can be chosen")
	}
	if v.src == nil {
		return nil, verr("keys", ErrKeysUnavailable, "the verifier has no key source")
	}
	v.loadStored()
	now := v.now()
	v.mu.Lock()
	have, gen := v.keys != nil, v.gen
	stale := now.Sub(v.fetchedAt) >= v.ttl
	mayRetry := now.Sub(v.triedAt) >= v.minRefetch
	v.mu.Unlock()

	fetched := false
	switch {
	case !have:
		if err := v.fetch(ctx, gen, false); err != nil {
			return nil, keysErr(err)
		}
		fetched = true
	case (stale || why == forRefused) && mayRetry:
		// A failed refresh keeps the old keys: plex.tv being unreachable for a while must
		// not stop every verification.
		_ = v.fetch(ctx, gen, false)
		fetched = true
	}
	if keys := v.lookup(kid); len(keys) > 0 {
		return keys, nil
	}
	v.mu.Lock()
	gen = v.gen
	mayRetry = v.now().Sub(v.triedAt) >= v.minRefetch || why == forIssued
	v.mu.Unlock()
	if !fetched && mayRetry {
		if err := v.fetch(ctx, gen, true); err != nil {
			return nil, keysErr(err)
		}
		if keys := v.lookup(kid); len(keys) > 0 {
			return keys, nil
		}
	}
	return nil, verr("kid", ErrUnknownKey, "kid %q is not in plex.tv's key set: the token was not issued by this plex.tv, or by a key it no longer publishes", kid)
}

// keysErr reports a failed fetch; errors.Is sees both ErrKeysUnavailable and the cause (a
// *plexkit.Error, a context error, ErrBadKeySet).
func keysErr(err error) error {
	e := verr("keys", ErrKeysUnavailable, "cannot get plex.tv's keys: %v", err)
	e.cause = err
	return e
}

// lookup returns the usable keys named kid, in the order of the set. The slice is shared by
// every caller until the next good fetch replaces it: read it, never modify it.
func (v *Verifier) lookup(kid string) []jose.JSONWebKey {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.keys[kid]
}

// fetch gets the key set unless another goroutine fetched since the caller looked (seen is the
// generation it saw); concurrent callers share one request and its result.
func (v *Verifier) fetch(ctx context.Context, seen uint64, refresh bool) error {
	select {
	case v.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-v.sem }()
	v.mu.Lock()
	if v.gen != seen {
		err := v.lastErr
		v.mu.Unlock()
		return err
	}
	v.mu.Unlock()

	set, err := v.src.Keys(ctx, refresh)
	if err != nil && ctx.Err() != nil {
		// This caller gave up; that says nothing about plex.tv, so it is not recorded and a
		// waiting caller fetches for itself.
		return err
	}
	var keys map[string][]jose.JSONWebKey
	if err == nil {
		keys, err = usableKeys(set)
	}
	v.mu.Lock()
	v.gen++
	v.triedAt = v.now()
	v.lastErr = err
	if err == nil {
		v.keys, v.fetchedAt = keys, v.triedAt
	}
	at := v.triedAt
	v.mu.Unlock()
	if err == nil && v.store != nil {
		// Best effort: a set that cannot be saved is fetched again by the next run.
		_ = v.store.SaveKeys(set, at)
	}
	return err
}

// usableKeys returns the public halves of the keys in set that can verify a Plex JWT, by kid
// (several keys may share one), each kid's keys in the order of the set.
func usableKeys(set *jose.JSONWebKeySet) (map[string][]jose.JSONWebKey, error) {
	if set == nil {
		return nil, fmt.Errorf("plextv: the key source returned no set: %w", ErrBadKeySet)
	}
	out := make(map[string][]jose.JSONWebKey)
	for _, k := range set.Keys {
		if !k.IsPublic() {
			k = k.Public()
		}
		if usable(k) {
			out[k.KeyID] = append(out[k.KeyID], k)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("plextv: key set has no usable signing key (%d keys): %w", len(set.Keys), ErrBadKeySet)
	}
	return out, nil
}
