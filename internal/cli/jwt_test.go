package cli

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/plexkit/plexkit/devicekey"
)

func TestJWTSign(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "pk")
	runCLI(t, withConfig(dir), "", "key", "generate").mustSucceed(t)
	dev, err := devicekey.LoadDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		args      []string
		json      bool
		wantIss   string
		wantScope any
	}{
		{name: "nonce only", args: []string{"--nonce", "n-1"}, wantIss: dev.ClientIdentifier},
		{name: "scopes", args: []string{"--nonce", "n-1", "--scope", "username, email,joinedAt"}, wantIss: dev.ClientIdentifier, wantScope: "username,email,joinedAt"},
		{name: "other client id", args: []string{"--nonce", "n-1", "--client-id", "someone"}, wantIss: "someone"},
		{name: "json", args: []string{"--nonce", "n-1", "--json"}, json: true, wantIss: dev.ClientIdentifier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := time.Now().Unix()
			r := runCLI(t, withConfig(dir), "", append([]string{"jwt", "sign"}, tt.args...)...).mustSucceed(t)
			after := time.Now().Unix()
			token := strings.TrimSpace(r.stdout)
			if tt.json {
				var out map[string]string
				if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
					t.Fatal(err)
				}
				token = out["jwt"]
			}
			// Checked with go-jose directly, not with plexkit's verifier.
			tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
			if err != nil {
				t.Fatal(err)
			}
			h := tok.Headers[0]
			if h.Algorithm != "EdDSA" || h.KeyID != dev.Key.KID() || h.ExtraHeaders["typ"] != "JWT" {
				t.Errorf("header %+v", h)
			}
			var claims map[string]any
			if err := tok.Claims(dev.Key.Public(), &claims); err != nil {
				t.Fatalf("signature: %v", err)
			}
			iat, _ := claims["iat"].(float64)
			exp, _ := claims["exp"].(float64)
			if claims["nonce"] != "n-1" || claims["aud"] != "plex.tv" || claims["iss"] != tt.wantIss || claims["scope"] != tt.wantScope ||
				int64(iat) < before || int64(iat) > after || exp-iat != 300 {
				t.Errorf("claims %v", claims)
			}
		})
	}
	t.Run("without a device", func(t *testing.T) {
		t.Parallel()
		runCLI(t, nil, "", "jwt", "sign", "--nonce", "n").expect(t, 1, "plexkit key generate")
	})
}

// plexIssuer stands in for plex.tv: a signing key and its JWKS.
type plexIssuer struct {
	priv ed25519.PrivateKey
	kid  string
}

func newPlexIssuer(t testing.TB) plexIssuer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return plexIssuer{priv: priv, kid: "plex-1"}
}

func (p plexIssuer) jwks(t testing.TB) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: p.priv.Public(), KeyID: p.kid, Algorithm: "EdDSA", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (p plexIssuer) sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: p.priv}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.kid))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func plexJWTClaims(now time.Time, client string) map[string]any {
	return map[string]any{
		"iss": "plex.tv", "aud": []string{"plex.tv", client}, "thumbprint": "device-kid",
		"iat": now.Unix(), "exp": now.Add(7 * 24 * time.Hour).Unix(),
		"user": map[string]any{"id": 42, "uuid": "u42", "username": "alice"},
	}
}

func TestJWTDecode(t *testing.T) {
	t.Parallel()
	p := newPlexIssuer(t)
	now := time.Now()
	valid := p.sign(t, plexJWTClaims(now, "c1"))
	expired := p.sign(t, plexJWTClaims(now.Add(-8*24*time.Hour), "c1"))
	tests := []struct {
		name    string
		args    []string
		stdin   string
		code    int
		stdout  []string
		stderr  string
		jsonExp *bool
	}{
		{name: "argument", args: []string{valid}, stdout: []string{`"kid": "plex-1"`, `"username": "alice"`, "Expires:", "in 6 days", "Nothing was verified"}},
		{name: "stdin", args: []string{"-"}, stdin: valid + "\n", stdout: []string{`"iss": "plex.tv"`, "Nothing was verified"}},
		{name: "expired", args: []string{expired}, stdout: []string{"Expired:", "1 day", "ago"}},
		{name: "json", args: []string{"--json", valid}, jsonExp: new(bool)},
		{name: "json expired", args: []string{"--json", expired}, jsonExp: func() *bool { b := true; return &b }()},
		{name: "truncated", args: []string{valid[:strings.LastIndexByte(valid, '.')]}, code: 1, stderr: "format check"},
		{name: "empty stdin", args: []string{"-"}, stdin: "", code: 1, stderr: "empty"},
		{name: "not a JWT", args: []string{"hello"}, code: 1, stderr: "three base64url parts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.stdin, append([]string{"jwt", "decode"}, tt.args...)...)
			if tt.code != 0 {
				r.expect(t, tt.code, tt.stderr)
				return
			}
			r.mustSucceed(t)
			for _, s := range tt.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if tt.jsonExp != nil {
				var out struct {
					Verified *bool          `json:"verified"`
					Header   map[string]any `json:"header"`
					Claims   map[string]any `json:"claims"`
					Expired  *bool          `json:"expired"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
					t.Fatalf("%v: %s", err, r.stdout)
				}
				if out.Verified == nil || *out.Verified || out.Header["alg"] != "EdDSA" || out.Claims["iss"] != "plex.tv" || out.Expired == nil || *out.Expired != *tt.jsonExp {
					t.Errorf("json %s", r.stdout)
				}
			}
		})
	}
}

func TestJWTVerify(t *testing.T) {
	t.Parallel()
	p := newPlexIssuer(t)
	other := newPlexIssuer(t)
	other.kid = "stranger"
	now := time.Now()
	jwksFile := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(jwksFile, p.jwks(t), 0o644); err != nil {
		t.Fatal(err)
	}
	badJWKS := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badJWKS, []byte(`{"keys":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write(p.jwks(t))
	}))
	t.Cleanup(srv.Close)

	valid := p.sign(t, plexJWTClaims(now, "c1"))
	unsigned := "eyJhbGciOiJub25lIiwia2lkIjoicGxleC0xIn0." + strings.Split(valid, ".")[1] + "."
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr []string
	}{
		{name: "valid with a file", args: []string{valid, "--jwks", jwksFile}, stdout: "valid: Plex JWT for alice, signed by key plex-1"},
		{name: "valid with a URL", args: []string{valid, "--jwks", srv.URL, "--client-id", "c1", "--thumbprint", "device-kid"}, stdout: "valid"},
		{name: "valid from stdin", args: []string{"-", "--jwks", jwksFile}, stdin: valid, stdout: "valid"},
		{name: "json", args: []string{"--json", valid, "--jwks", jwksFile}, stdout: `"valid": true`},
		{name: "expired", args: []string{p.sign(t, plexJWTClaims(now.Add(-8*24*time.Hour), "c1")), "--jwks", jwksFile}, code: 1, stderr: []string{"invalid", "exp check", "expired at"}},
		{name: "wrong client", args: []string{valid, "--jwks", jwksFile, "--client-id", "c2"}, code: 1, stderr: []string{"aud check", `"c2"`}},
		{name: "wrong audience", args: []string{valid, "--jwks", jwksFile, "--aud", "app"}, code: 1, stderr: []string{"aud check"}},
		{name: "wrong thumbprint", args: []string{valid, "--jwks", jwksFile, "--thumbprint", "mine"}, code: 1, stderr: []string{"thumbprint check"}},
		{name: "alg none", args: []string{unsigned, "--jwks", jwksFile}, code: 1, stderr: []string{"alg check", `"none"`}},
		{name: "unknown kid", args: []string{other.sign(t, plexJWTClaims(now, "c1")), "--jwks", jwksFile}, code: 1, stderr: []string{"kid check", "stranger"}},
		{name: "tampered", args: []string{valid[:len(valid)-4] + "AAAA", "--jwks", jwksFile}, code: 1, stderr: []string{"signature check"}},
		{name: "truncated", args: []string{valid[:len(valid)/2], "--jwks", jwksFile}, code: 1, stderr: []string{"format check"}},
		{name: "unusable key set", args: []string{valid, "--jwks", badJWKS}, code: 1, stderr: []string{"no usable signing key"}},
		{name: "missing key set file", args: []string{valid, "--jwks", badJWKS + ".nope"}, code: 1, stderr: []string{"read the key set"}},
		{name: "no --jwks", args: []string{valid}, code: 2, stderr: []string{"--jwks"}},
		{name: "two tokens", args: []string{valid, valid, "--jwks", jwksFile}, code: 2, stderr: []string{"takes 1 argument"}},
	}
	// The cases run in parallel inside this group, so the request count is read after them all.
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := runCLI(t, nil, tt.stdin, append([]string{"jwt", "verify"}, tt.args...)...)
				r.expect(t, tt.code, tt.stderr...)
				if !strings.Contains(r.stdout, tt.stdout) {
					t.Errorf("stdout %q lacks %q", r.stdout, tt.stdout)
				}
				if tt.code != 0 && r.stdout != "" {
					t.Errorf("stdout on failure: %q", r.stdout)
				}
				if strings.Contains(r.stderr, valid[:40]) {
					t.Errorf("stderr shows the token: %q", r.stderr)
				}
			})
		}
	})
	if requests.Load() != 1 {
		t.Errorf("%d JWKS requests, want 1", requests.Load())
	}
}
