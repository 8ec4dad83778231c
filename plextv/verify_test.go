package plextv_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/plextv"
)

const (
	testClient = "6f1c2d3e-0000-4a5b-8c9d-abcdefabcdef"
	testThumb  = "3f1e0c5a9b8d7e6f3f1e0c5a9b8d7e6f3f1e0c5a9b8d7e6f3f1e0c5a9b8d7e6f"
)

func TestVerify(t *testing.T) {
	t.Parallel()
	ed := newEdKey(t, "plex-ed")
	rs := newRSAKey(t, "plex-rsa")
	impostor := newEdKey(t, "plex-ed") // same kid, other key
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	v := plextv.NewVerifier(plextv.StaticKeys(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{ed.public(), rs.public()}}),
		plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
	good := plexClaims(testClient, testThumb)
	device := plextv.Expect{ClientIdentifier: testClient, Thumbprint: testThumb}
	goodToken := ed.sign(t, good)
	otherToken := ed.sign(t, withClaims(good, "user", map[string]any{"id": 1, "uuid": "u", "username": "mallory"}))
	parts := strings.Split(goodToken, ".")
	otherParts := strings.Split(otherToken, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	edPub := ed.public().Key.(ed25519.PublicKey)

	tests := []struct {
		name      string
		token     string
		expect    plextv.Expect
		wantErr   error  // nil → valid
		wantCheck string // VerifyError.Check
		wantText  string
	}{
		{name: "valid EdDSA", token: goodToken, expect: device},
		{name: "valid without expectations", token: goodToken},
		{name: "valid RS256 with an RSA key", token: rs.sign(t, good), expect: device},
		{name: "aud as a single string", token: ed.sign(t, withClaims(good, "aud", "plex.tv"))},
		{name: "expired within the leeway", token: ed.sign(t, withClaims(good, "exp", verifyNow.Add(-59*time.Second).Unix())), expect: device},
		{name: "issued slightly in the future", token: ed.sign(t, withClaims(good, "iat", verifyNow.Add(59*time.Second).Unix())), expect: device},
		{name: "extra audience present", token: ed.sign(t, withClaims(good, "aud", []string{"plex.tv", testClient, "app"})), expect: plextv.Expect{Audience: "app"}},

		{name: "expired", token: ed.sign(t, withClaims(good, "exp", verifyNow.Add(-61*time.Second).Unix())), expect: device, wantErr: plextv.ErrTokenExpired, wantCheck: "exp", wantText: "expired at 2025-07-01T11:58:59Z"},
		{name: "expired long ago", token: ed.sign(t, withClaims(good, "iat", verifyNow.Add(-30*24*time.Hour).Unix(), "exp", verifyNow.Add(-23*24*time.Hour).Unix())), wantErr: plexkit.ErrTokenExpired, wantCheck: "exp", wantText: "refresh"},
		{name: "no exp", token: ed.sign(t, withClaims(good, "exp", nil)), wantErr: plextv.ErrMalformed, wantCheck: "exp", wantText: "no exp"},
		{name: "no iat", token: ed.sign(t, withClaims(good, "iat", nil)), wantErr: plextv.ErrMalformed, wantCheck: "iat", wantText: "no iat"},
		{name: "iat in the future", token: ed.sign(t, withClaims(good, "iat", verifyNow.Add(2*time.Minute).Unix())), wantErr: plextv.ErrNotYetValid, wantCheck: "iat", wantText: "in the future"},
		{name: "nbf in the future", token: ed.sign(t, withClaims(good, "nbf", verifyNow.Add(time.Hour).Unix())), wantErr: plextv.ErrNotYetValid, wantCheck: "nbf"},
		{name: "exp is a string", token: ed.sign(t, withClaims(good, "exp", "tomorrow")), wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "wrong type"},
		{name: "wrong issuer", token: ed.sign(t, withClaims(good, "iss", "evil.example")), wantErr: plextv.ErrWrongIssuer, wantCheck: "iss", wantText: `"evil.example"`},
		{name: "no issuer", token: ed.sign(t, withClaims(good, "iss", nil)), wantErr: plextv.ErrWrongIssuer, wantCheck: "iss"},
		{name: "aud without plex.tv", token: ed.sign(t, withClaims(good, "aud", []string{testClient})), wantErr: plextv.ErrWrongAudience, wantCheck: "aud", wantText: `"plex.tv"`},
		{name: "aud for another client", token: ed.sign(t, withClaims(good, "aud", []string{"plex.tv", "other-client"})), expect: device, wantErr: plextv.ErrWrongAudience, wantCheck: "aud", wantText: testClient},
		{name: "missing expected audience", token: goodToken, expect: plextv.Expect{Audience: "app"}, wantErr: plextv.ErrWrongAudience, wantCheck: "aud", wantText: `"app"`},
		{name: "wrong thumbprint", token: ed.sign(t, withClaims(good, "thumbprint", "someone-else")), expect: device, wantErr: plextv.ErrWrongThumbprint, wantCheck: "thumbprint", wantText: "another device key"},
		{name: "no thumbprint", token: ed.sign(t, withClaims(good, "thumbprint", nil)), expect: device, wantErr: plextv.ErrWrongThumbprint, wantCheck: "thumbprint", wantText: "no thumbprint"},

		{name: "alg none", token: unsignedToken(t, map[string]string{"alg": "none", "kid": "plex-ed", "typ": "JWT"}, good), wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg", wantText: `"none"`},
		{name: "alg none with a signature", token: unsignedToken(t, map[string]string{"alg": "none", "kid": "plex-ed"}, good) + parts[2], wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg"},
		{name: "no alg", token: unsignedToken(t, map[string]string{"kid": "plex-ed"}, good) + parts[2], wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg"},
		{name: "HS256 keyed with the public key", token: signWith(t, jose.HS256, []byte(edPub), "plex-ed", good), wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg", wantText: `"HS256"`},
		{name: "ES256", token: signWith(t, jose.ES256, ec, "plex-ed", good), wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg", wantText: `"ES256"`},
		{name: "unknown alg", token: unsignedToken(t, map[string]string{"alg": "EdDSA2", "kid": "plex-ed"}, good) + parts[2], wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg"},
		{name: "RS256 header on an Ed25519 kid", token: signWith(t, jose.RS256, rs.priv, "plex-ed", good), wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg", wantText: "Ed25519"},
		{name: "EdDSA header on an RSA kid", token: signWith(t, jose.EdDSA, ed.priv, "plex-rsa", good), wantErr: plextv.ErrBadAlgorithm, wantCheck: "alg", wantText: "RSA"},

		{name: "unknown kid", token: newEdKey(t, "not-plex").sign(t, good), wantErr: plextv.ErrUnknownKey, wantCheck: "kid", wantText: `"not-plex"`},
		{name: "no kid", token: signWith(t, jose.EdDSA, ed.priv, "", good), wantErr: plextv.ErrUnknownKey, wantCheck: "kid", wantText: "no kid"},
		{name: "signed by another key with plex.tv's kid", token: impostor.sign(t, good), wantErr: plextv.ErrBadSignature, wantCheck: "signature"},
		{name: "payload swapped", token: parts[0] + "." + otherParts[1] + "." + parts[2], wantErr: plextv.ErrBadSignature, wantCheck: "signature"},
		{name: "signature altered", token: parts[0] + "." + parts[1] + "." + flip(parts[2], 10), wantErr: plextv.ErrBadSignature, wantCheck: "signature"},
		{name: "signature truncated", token: parts[0] + "." + parts[1] + "." + parts[2][:40], wantErr: plextv.ErrBadSignature, wantCheck: "signature"},
		{name: "header altered", token: flip(parts[0], 5) + "." + parts[1] + "." + parts[2], wantErr: plextv.ErrMalformed, wantCheck: "format"},

		{name: "empty", token: "", wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "empty"},
		{name: "truncated to two parts", token: parts[0] + "." + parts[1], wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "truncated"},
		{name: "truncated mid-payload", token: goodToken[:len(parts[0])+20], wantErr: plextv.ErrMalformed, wantCheck: "format"},
		{name: "four parts", token: goodToken + ".x", wantErr: plextv.ErrMalformed, wantCheck: "format"},
		{name: "not base64", token: "e!!.e!!.e!!", wantErr: plextv.ErrMalformed, wantCheck: "format"},
		{name: "legacy token", token: "abcdefghij1234567890", wantErr: plextv.ErrMalformed, wantCheck: "format"},
		{name: "payload not JSON", token: ed.sign(t, []byte("hello")), wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "not a JSON object"},
		{name: "payload null", token: ed.sign(t, []byte("null")), wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "not a JSON object"},
		{name: "payload a JSON array", token: ed.sign(t, []byte("[1,2]")), wantErr: plextv.ErrMalformed, wantCheck: "format"},
		{name: "oversized", token: parts[0] + "." + strings.Repeat("A", 70000) + "." + parts[2], wantErr: plextv.ErrMalformed, wantCheck: "format", wantText: "bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := v.Verify(context.Background(), tt.token, tt.expect)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if c.Issuer != "plex.tv" || c.User.ID != 12345678 || c.Expiry.IsZero() || c.IssuedAt.IsZero() {
					t.Errorf("claims %+v", c)
				}
				return
			}
			if c != nil {
				t.Errorf("claims %+v returned with an error", c)
			}
			var ve *plextv.VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, tt.wantErr) || ve.Check != tt.wantCheck {
				t.Fatalf("err = %v (%T), want *VerifyError{Check %q} matching %v", err, err, tt.wantCheck, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) || !strings.Contains(err.Error(), tt.wantCheck+" check") {
				t.Errorf("message %q should name the %s check and say %q", err, tt.wantCheck, tt.wantText)
			}
			if len(tt.token) > 20 && strings.Contains(err.Error(), tt.token[:len(tt.token)/2]) {
				t.Errorf("message contains the token: %q", err)
			}
		})
	}
}

func TestVerifyClaims(t *testing.T) {
	t.Parallel()
	ed := newEdKey(t, "k1")
	v := plextv.NewVerifier(plextv.StaticKeys(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{ed.public()}}), plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
	tests := []struct {
		name  string
		user  any
		check func(t *testing.T, u plextv.UserClaims)
	}{
		{name: "all released claims", user: map[string]any{"id": 12345678, "uuid": "0a1b", "username": "alice", "email": "a@example.com", "friendly_name": "Alice", "restricted": true, "anonymous": false, "joinedAt": 1400000000},
			check: func(t *testing.T, u plextv.UserClaims) {
				if u.ID != 12345678 || u.UUID != "0a1b" || u.Username != "alice" || u.Email != "a@example.com" || u.FriendlyName != "Alice" || u.JoinedAt != 1400000000 {
					t.Errorf("user %+v", u)
				}
				if u.Restricted == nil || !*u.Restricted || u.Anonymous == nil || *u.Anonymous {
					t.Errorf("restricted %v anonymous %v", u.Restricted, u.Anonymous)
				}
			}},
		{name: "only id and uuid", user: map[string]any{"id": 7, "uuid": "u7"},
			check: func(t *testing.T, u plextv.UserClaims) {
				if u.ID != 7 || u.UUID != "u7" || u.Username != "" || u.Restricted != nil || u.Anonymous != nil {
					t.Errorf("user %+v", u)
				}
			}},
		{name: "unexpected types are dropped, not fatal", user: map[string]any{"id": "42", "uuid": 5, "friendly_name": nil, "restricted": "yes"},
			check: func(t *testing.T, u plextv.UserClaims) {
				if u.ID != 42 || u.UUID != "" || u.FriendlyName != "" || u.Restricted != nil {
					t.Errorf("user %+v", u)
				}
			}},
		{name: "no user claim", user: nil,
			check: func(t *testing.T, u plextv.UserClaims) {
				if u != (plextv.UserClaims{}) {
					t.Errorf("user %+v", u)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := withClaims(plexClaims(testClient, testThumb), "user", tt.user)
			c, err := v.Verify(context.Background(), ed.sign(t, claims), plextv.Expect{ClientIdentifier: testClient, Thumbprint: testThumb})
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c.User)
			if c.Thumbprint != testThumb || c.Nonce != "7c415b56-8f48-488a-98ab-847ef4460442" || c.KeyID != "k1" {
				t.Errorf("thumbprint %q nonce %q kid %q", c.Thumbprint, c.Nonce, c.KeyID)
			}
			if !c.IssuedAt.Equal(verifyNow) || !c.Expiry.Equal(verifyNow.Add(7*24*time.Hour)) || !c.NotBefore.IsZero() {
				t.Errorf("iat %v exp %v nbf %v", c.IssuedAt, c.Expiry, c.NotBefore)
			}
			if len(c.Audience) != 2 || c.Audience[0] != "plex.tv" || c.Audience[1] != testClient {
				t.Errorf("aud %v", c.Audience)
			}
			if c.Raw["iss"] != "plex.tv" || c.Raw["thumbprint"] != testThumb {
				t.Errorf("raw %v", c.Raw)
			}
		})
	}
}

func TestVerifyWithoutKeySource(t *testing.T) {
	t.Parallel()
	token := newEdKey(t, "k").sign(t, plexClaims("c", "t"))
	for name, v := range map[string]*plextv.Verifier{"nil source": plextv.NewVerifier(nil, plextv.VerifierOptions{}), "zero value": {}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := v.Verify(context.Background(), token, plextv.Expect{}); !errors.Is(err, plextv.ErrKeysUnavailable) {
				t.Fatalf("err = %v, want ErrKeysUnavailable", err)
			}
		})
	}
}

func TestDecodeUnverified(t *testing.T) {
	t.Parallel()
	ed := newEdKey(t, "k1")
	good := plexClaims(testClient, testThumb)
	tests := []struct {
		name     string
		token    string
		wantAlg  string
		wantKID  string
		wantErr  error
		wantUser string
	}{
		{name: "Plex JWT", token: ed.sign(t, good), wantAlg: "EdDSA", wantKID: "k1", wantUser: "alice"},
		{name: "expired and unknown key still decode", token: newEdKey(t, "other").sign(t, withClaims(good, "exp", 1)), wantAlg: "EdDSA", wantKID: "other", wantUser: "alice"},
		{name: "HS256 decodes", token: signWith(t, jose.HS256, make([]byte, 32), "h", good), wantAlg: "HS256", wantKID: "h", wantUser: "alice"},
		{name: "alg none is refused", token: unsignedToken(t, map[string]string{"alg": "none"}, good), wantErr: plextv.ErrBadAlgorithm},
		{name: "truncated", token: ed.sign(t, good)[:30], wantErr: plextv.ErrMalformed},
		{name: "garbage", token: "not.a.jwt", wantErr: plextv.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := plextv.DecodeUnverified(tt.token)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || d != nil {
					t.Fatalf("DecodeUnverified = %v, %v; want %v", d, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Algorithm != tt.wantAlg || d.KeyID != tt.wantKID || d.Type != "JWT" || d.Claims.User.Username != tt.wantUser {
				t.Errorf("decoded alg %q kid %q typ %q user %q", d.Algorithm, d.KeyID, d.Type, d.Claims.User.Username)
			}
			if d.Header["alg"] != tt.wantAlg || d.Header["kid"] != tt.wantKID || d.Header["typ"] != "JWT" || len(d.Header) != 3 {
				t.Errorf("header %v", d.Header)
			}
		})
	}
}
