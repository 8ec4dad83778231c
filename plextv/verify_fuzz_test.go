package plextv_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/plextv"
)

// FuzzVerify mutates Plex JWTs: nothing panics, every refusal is a *VerifyError that does not
// quote the token, and whatever verifies carries exactly the claims plex.tv signed.
func FuzzVerify(f *testing.F) {
	ed := newEdKey(f, "k1")
	v := plextv.NewVerifier(plextv.StaticKeys(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{ed.public()}}), plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
	good := ed.sign(f, plexClaims(testClient, testThumb))
	f.Add(good)
	f.Add(ed.sign(f, withClaims(plexClaims(testClient, testThumb), "exp", 1)))
	f.Add(unsignedToken(f, map[string]string{"alg": "none", "kid": "k1"}, plexClaims(testClient, testThumb)))
	f.Add(good[:len(good)/2])
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(context.Background(), token, plextv.Expect{ClientIdentifier: testClient, Thumbprint: testThumb})
		if err != nil {
			var ve *plextv.VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			if len(token) >= 16 && strings.Contains(err.Error(), token) {
				t.Fatalf("error quotes the token: %v", err)
			}
			return
		}
		if c.Issuer != "plex.tv" || c.User.Username != "alice" || c.Thumbprint != testThumb || !c.IssuedAt.Equal(verifyNow) {
			t.Fatalf("verified claims differ from the signed ones: %+v", c)
		}
	})
}

// FuzzParseKeySet feeds arbitrary JWKS documents: nothing panics, and every key kept is a public
// signing key that can be selected by kid.
func FuzzParseKeySet(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug","use":"sig","alg":"EdDSA","kid":"rF99BTGQ3oprqZstwoahR-rDUDGd8Lf2iU8WFtC2d_8"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","kid":"r"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"h"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := plextv.ParseKeySet(data)
		if err != nil {
			if !errors.Is(err, plextv.ErrBadKeySet) {
				t.Fatalf("error %v does not match ErrBadKeySet", err)
			}
			return
		}
		if len(set.Keys) == 0 {
			t.Fatal("accepted an empty set")
		}
		for _, k := range set.Keys {
			if k.KeyID == "" || !k.IsPublic() {
				t.Fatalf("kept key %+v", k)
			}
			switch pub := k.Key.(type) {
			case ed25519.PublicKey:
			case *rsa.PublicKey:
				if pub.N.BitLen() < 2048 {
					t.Fatalf("kept a %d-bit RSA key", pub.N.BitLen())
				}
			default:
				t.Fatalf("kept a %T", k.Key)
			}
		}
	})
}

// FuzzDecodeUnverified: arbitrary input decodes or gives a typed error, never a panic.
func FuzzDecodeUnverified(f *testing.F) {
	ed := newEdKey(f, "k1")
	f.Add(ed.sign(f, plexClaims(testClient, testThumb)))
	f.Add(ed.sign(f, []byte(`{"aud":"plex.tv","iss":"c","iat":1,"exp":2,"nonce":"n","scope":"username"}`)))
	f.Add("eyJhbGciOiJFZERTQSJ9.e30.")
	f.Fuzz(func(t *testing.T, token string) {
		d, err := plextv.DecodeUnverified(token)
		if err != nil {
			var ve *plextv.VerifyError
			if !errors.As(err, &ve) || d != nil {
				t.Fatalf("DecodeUnverified = %v, %v", d, err)
			}
			return
		}
		if d.Header["alg"] != d.Algorithm || d.Claims.Raw == nil {
			t.Fatalf("decoded %+v", d)
		}
	})
}
