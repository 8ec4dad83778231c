package emulator

import (
	"crypto/ed25519"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// FuzzParseJWK feeds arbitrary bytes to the JWK parser behind POST /api/v2/pins and
// POST /api/v2/auth/jwk: it must never panic, and whatever it accepts must be a usable public
// signing key with a kid and a thumbprint.
func FuzzParseJWK(f *testing.F) {
	for _, s := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k","alg":"EdDSA","use":"sig"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`,
		`{"kty":"OKP","crv":"X25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}`,
		`{"kty":"RSA","n":"0vx7","e":"AQAB","kid":"k"}`,
		`{"kty":"EC","crv":"P-256","x":"a","y":"b","kid":"k"}`,
		`{"kty":"oct","k":"AAAA","kid":"k"}`,
		`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kid":"k"}`,
		`null`, `[]`, `"x"`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, tp, err := parseJWK(data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "invalid jwk: ") {
				t.Fatalf("error %q does not say what was invalid", err)
			}
			return
		}
		if !k.IsPublic() || !k.Valid() || k.KeyID == "" || tp == "" || tp != thumbprint(&k) {
			t.Fatalf("accepted an unusable key: public=%v valid=%v kid=%q thumbprint=%q", k.IsPublic(), k.Valid(), k.KeyID, tp)
		}
		switch pub := k.Key.(type) {
		case ed25519.PublicKey:
		case *rsa.PublicKey:
			if pub.N.BitLen() < minRSABits {
				t.Fatalf("accepted a %d-bit RSA key", pub.N.BitLen())
			}
		default:
			t.Fatalf("accepted a %T", k.Key)
		}
	})
}

// FuzzDeviceJWT feeds arbitrary strings to the device-JWT checks behind POST /api/v2/auth/token
// and pin polling: no panic; an accepted token satisfies every documented check; an error never
// echoes the token.
func FuzzDeviceJWT(f *testing.F) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	key := jose.JSONWebKey{Key: pub, KeyID: "device-kid", Algorithm: "EdDSA"}
	const cid = "fuzz-client"
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: priv},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "device-kid"))
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []map[string]any{
		{"aud": "plex.tv", "iss": cid, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "nonce": "n", "scope": "username"},
		{"aud": []string{"plex.tv"}, "iss": cid, "iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "scope": []string{"email"}},
		{"aud": "plex.tv", "iss": "other", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()},
		{"aud": "plex.tv", "iss": cid, "iat": now.Add(time.Hour).Unix(), "exp": now.Add(2 * time.Hour).Unix()},
		{"aud": "plex.tv", "iss": cid, "iat": "yesterday", "scope": 7},
	} {
		tok, err := jwt.Signed(signer).Claims(c).Serialize()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
	}
	for _, s := range []string{"", "a.b.c", "..", "eyJhbGciOiJub25lIn0.e30.", `{"payload":"e30"}`, strings.Repeat("A", maxJWTBytes+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := verifyDeviceJWT(raw, key, cid, now)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid device JWT: ") {
				t.Fatalf("error %q does not say it is about the device JWT", msg)
			}
			// The signature is what makes a device JWT a credential; header values such as
			// kid may be quoted, and cannot contain the signature over themselves.
			parts := strings.Split(raw, ".")
			if len(raw) >= 24 && strings.Contains(msg, raw) || len(parts) == 3 && len(parts[2]) >= 24 && strings.Contains(msg, parts[2]) {
				t.Fatalf("error %q echoes the token", msg)
			}
			return
		}
		switch {
		case c.Issuer != cid:
			t.Fatalf("accepted iss %q", c.Issuer)
		case !c.Audience.Contains(plexIssuer):
			t.Fatalf("accepted aud %q", c.Audience)
		case c.IssuedAt == nil || c.IssuedAt.Time().After(now.Add(MaxIATSkew)):
			t.Fatalf("accepted iat %v", c.IssuedAt)
		case c.Expiry == nil || !c.Expiry.Time().After(now) || c.Expiry.Time().Sub(c.IssuedAt.Time()) > MaxDeviceJWTLifetime:
			t.Fatalf("accepted exp %v (iat %v)", c.Expiry, c.IssuedAt)
		}
		tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.EdDSA})
		if err != nil || tok.Headers[0].KeyID != "device-kid" || tok.Claims(pub, &jwt.Claims{}) != nil {
			t.Fatalf("accepted a token not signed by the registered key")
		}
	})
}
