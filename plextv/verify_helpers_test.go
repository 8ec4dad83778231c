package plextv_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// verifyNow is the fixed time of the verifier tests.
var verifyNow = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)

// verifyClock is a clock the test moves.
type verifyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *verifyClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *verifyClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signingKey is a key "plex.tv" signs with in the tests.
type signingKey struct {
	kid  string
	alg  jose.SignatureAlgorithm
	priv any // ed25519.PrivateKey or *rsa.PrivateKey
}

func newEdKey(t testing.TB, kid string) signingKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, alg: jose.EdDSA, priv: priv}
}

var (
	rsaOnce sync.Once
	rsaPriv *rsa.PrivateKey
)

// newRSAKey shares one 2048-bit key among tests: generating one takes a while under -race.
func newRSAKey(t testing.TB, kid string) signingKey {
	t.Helper()
	rsaOnce.Do(func() {
		var err error
		if rsaPriv, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return signingKey{kid: kid, alg: jose.RS256, priv: rsaPriv}
}

// public returns the key's public JWK as plex.tv publishes it.
func (k signingKey) public() jose.JSONWebKey {
	var pub any
	switch p := k.priv.(type) {
	case ed25519.PrivateKey:
		pub = p.Public()
	case *rsa.PrivateKey:
		pub = &p.PublicKey
	}
	return jose.JSONWebKey{Key: pub, KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"}
}

// sign returns a compact JWS of claims signed by go-jose, with typ JWT and k's kid.
func (k signingKey) sign(t testing.TB, claims any) string {
	t.Helper()
	return signWith(t, k.alg, k.priv, k.kid, claims)
}

func signWith(t testing.TB, alg jose.SignatureAlgorithm, priv any, kid string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, ok := claims.([]byte)
	if !ok {
		if payload, err = json.Marshal(claims); err != nil {
			t.Fatal(err)
		}
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plexClaims are the claims of a good Plex JWT issued at verifyNow to client for device kid.
func plexClaims(client, thumbprint string) map[string]any {
	return map[string]any{
		"nonce":      "7c415b56-8f48-488a-98ab-847ef4460442",
		"thumbprint": thumbprint,
		"iss":        "plex.tv",
		"aud":        []string{"plex.tv", client},
		"iat":        verifyNow.Unix(),
		"exp":        verifyNow.Add(7 * 24 * time.Hour).Unix(),
		"user": map[string]any{
			"id": 12345678, "uuid": "0a1b2c3d4e5f6789", "username": "alice",
			"email": "alice@example.com", "friendly_name": "Alice", "restricted": false, "joinedAt": 1400000000,
		},
	}
}

// withClaims returns a copy of m with the given claims set (nil value: removed).
func withClaims(m map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

// unsignedToken builds an alg "none" token, which no JOSE library will produce.
func unsignedToken(t testing.TB, header, claims any) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c) + "."
}

// jwksServer serves a JWKS that the test can change, and counts requests.
type jwksServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     []byte
	status   int
	requests atomic.Int64
	accept   atomic.Value // last Accept header
}

func newJWKSServer(t testing.TB, keys ...jose.JSONWebKey) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK}
	s.setKeys(t, keys...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.accept.Store(r.Header.Get("Accept"))
		s.mu.Lock()
		body, status := s.body, s.status
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(t testing.TB, keys ...jose.JSONWebKey) {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	s.set(http.StatusOK, b)
}

func (s *jwksServer) set(status int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.body = status, body
}
