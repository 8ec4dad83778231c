package devicekey

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestSignDeviceJWT(t *testing.T) {
	t.Parallel()
	k := rfcKey(t, "")
	hexKey := rfcKey(t, strings.Repeat("0f", 32))
	iat := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

	tests := []struct {
		name   string
		key    *Key
		claims DeviceClaims
		want   map[string]any // exact claim set
	}{
		{
			name:   "nonce and scopes",
			key:    k,
			claims: DeviceClaims{ClientIdentifier: "client-1", Nonce: "n-1", Scopes: []string{"username", "email", "joinedAt"}, IssuedAt: iat},
			want:   map[string]any{"nonce": "n-1", "scope": "username,email,joinedAt", "aud": "plex.tv", "iss": "client-1", "iat": float64(iat.Unix()), "exp": float64(iat.Unix() + 300)},
		},
		{
			name:   "no nonce and no scopes are omitted",
			key:    k,
			claims: DeviceClaims{ClientIdentifier: "client-2", IssuedAt: iat},
			want:   map[string]any{"aud": "plex.tv", "iss": "client-2", "iat": float64(iat.Unix()), "exp": float64(iat.Unix() + 300)},
		},
		{
			name:   "custom lifetime",
			key:    k,
			claims: DeviceClaims{ClientIdentifier: "c", Nonce: "n", IssuedAt: iat, Lifetime: time.Hour},
			want:   map[string]any{"nonce": "n", "aud": "plex.tv", "iss": "c", "iat": float64(iat.Unix()), "exp": float64(iat.Unix() + 3600)},
		},
		{
			name:   "imported kid",
			key:    hexKey,
			claims: DeviceClaims{ClientIdentifier: "c", Scopes: Scopes, IssuedAt: iat},
			want:   map[string]any{"scope": "username,email,friendly_name,restricted,anonymous,joinedAt", "aud": "plex.tv", "iss": "c", "iat": float64(iat.Unix()), "exp": float64(iat.Unix() + 300)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := tt.key.SignDeviceJWT(tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
			if err != nil {
				t.Fatal(err)
			}
			h := tok.Headers[0]
			if h.Algorithm != "EdDSA" || h.KeyID != tt.key.KID() || h.ExtraHeaders["typ"] != "JWT" || len(h.ExtraHeaders) != 1 {
				t.Errorf("header alg=%q kid=%q extra=%v, want EdDSA, %q, typ JWT", h.Algorithm, h.KeyID, h.ExtraHeaders, tt.key.KID())
			}
			var got map[string]any
			if err := tok.Claims(tt.key.Public(), &got); err != nil {
				t.Fatalf("signature does not verify with the public key: %v", err)
			}
			if len(got) != len(tt.want) {
				t.Errorf("claims %v, want exactly %v", got, tt.want)
			}
			for name, v := range tt.want {
				if got[name] != v {
					t.Errorf("claim %s = %v (%T), want %v", name, got[name], got[name], v)
				}
			}
		})
	}
}

func TestSignDeviceJWTDefaultsToNow(t *testing.T) {
	t.Parallel()
	before := time.Now().Unix()
	token, err := rfcKey(t, "").SignDeviceJWT(DeviceClaims{ClientIdentifier: "c"})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now().Unix()
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.Claims
	if err := tok.Claims(rfcKey(t, "").Public(), &c); err != nil {
		t.Fatal(err)
	}
	if iat := int64(*c.IssuedAt); iat < before || iat > after {
		t.Errorf("iat %d not in [%d, %d]", iat, before, after)
	}
	if d := int64(*c.Expiry) - int64(*c.IssuedAt); d != 300 {
		t.Errorf("exp - iat = %d, want 300", d)
	}
}

func TestSignDeviceJWTRefusesBadClaims(t *testing.T) {
	t.Parallel()
	k := rfcKey(t, "")
	tests := []struct {
		name      string
		claims    DeviceClaims
		wantScope string // "" → ErrBadClaims expected
		wantText  string
	}{
		{name: "admin scope", claims: DeviceClaims{ClientIdentifier: "c", Scopes: []string{"username", "admin"}}, wantScope: "admin", wantText: `unknown scope "admin"`},
		{name: "shared_user scope", claims: DeviceClaims{ClientIdentifier: "c", Scopes: []string{"shared_user"}}, wantScope: "shared_user", wantText: "roles on a server"},
		{name: "wrong case", claims: DeviceClaims{ClientIdentifier: "c", Scopes: []string{"joinedat"}}, wantScope: "joinedat", wantText: "joinedAt"},
		{name: "empty scope word", claims: DeviceClaims{ClientIdentifier: "c", Scopes: []string{""}}, wantScope: "", wantText: `unknown scope ""`},
		{name: "no client identifier", claims: DeviceClaims{}, wantText: "client identifier (iss) is empty"},
		{name: "negative lifetime", claims: DeviceClaims{ClientIdentifier: "c", Lifetime: -time.Second}, wantText: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, err := k.SignDeviceJWT(tt.claims)
			if token != "" {
				t.Errorf("got a token %q with an error", token)
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err = %v, want one saying %q", err, tt.wantText)
			}
			var se *ScopeError
			if errors.As(err, &se) {
				if se.Scope != tt.wantScope {
					t.Errorf("ScopeError.Scope = %q, want %q", se.Scope, tt.wantScope)
				}
			} else if !errors.Is(err, ErrBadClaims) {
				t.Errorf("err = %v, want *ScopeError or ErrBadClaims", err)
			}
		})
	}
}

func TestValidateScopes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		scopes  []string
		wantBad string
		// suggest is the scope a typo is taken for; "" means the word asks for a role and gets
		// the explanation of roles against scopes.
		suggest string
	}{
		{name: "none", scopes: nil},
		{name: "all documented", scopes: Scopes},
		{name: "admin", scopes: []string{"email", "admin"}, wantBad: "admin"},
		{name: "shared user", scopes: []string{"shared_user"}, wantBad: "shared_user"},
		{name: "padded", scopes: []string{" email"}, wantBad: " email", suggest: "email"},
		{name: "typo", scopes: []string{"usernmae"}, wantBad: "usernmae", suggest: "username"},
		{name: "case", scopes: []string{"joinedat"}, wantBad: "joinedat", suggest: "joinedAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateScopes(tt.scopes)
			if tt.wantBad == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *ScopeError
			if !errors.As(err, &se) || se.Scope != tt.wantBad {
				t.Fatalf("err = %v, want *ScopeError{%q}", err, tt.wantBad)
			}
			if tt.suggest != "" {
				if want := fmt.Sprintf("did you mean %q?", tt.suggest); !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "roles on a server") {
					t.Errorf("message %q: want %q and no lecture on roles", err, want)
				}
				return
			}
			for _, s := range []string{"only choose which account claims", `"admin" and "shared user" are roles on a server`, "accessToken", "/api/v2/resources"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q lacks %q", err, s)
				}
			}
		})
	}
}

// TestDeviceJWTWireFormat pins the exact bytes of the protected header and claims, because
// plex.tv and other JOSE implementations see those, not Go values.
func TestDeviceJWTWireFormat(t *testing.T) {
	t.Parallel()
	k := rfcKey(t, "")
	token, err := k.SignDeviceJWT(DeviceClaims{ClientIdentifier: "c", Nonce: "n", Scopes: []string{"username"}, IssuedAt: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d parts", len(parts))
	}
	var header map[string]string
	if err := json.Unmarshal(b64(t, parts[0]), &header); err != nil {
		t.Fatal(err)
	}
	if len(header) != 3 || header["alg"] != "EdDSA" || header["kid"] != rfcThumbprint || header["typ"] != "JWT" {
		t.Errorf("header = %v", header)
	}
	wantPayload := `{"nonce":"n","scope":"username","aud":"plex.tv","iss":"c","iat":1700000000,"exp":1700000300}`
	if got := string(b64(t, parts[1])); got != wantPayload {
		t.Errorf("payload = %s, want %s", got, wantPayload)
	}
}
