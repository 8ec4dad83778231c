package emulator_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/emulator"
)

func TestTokenExchangeChecks(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{NoncesPerMinute: -1})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		name string
		// jwt builds the device JWT from a fresh nonce and the emulator time.
		jwt    func(nonce string, now time.Time) string
		status int
		code   int
		msg    string
	}{
		{name: "valid", status: http.StatusOK,
			jwt: func(n string, now time.Time) string { return d.deviceJWT(t, now, n) }},
		{name: "not a JWS", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "not a compact JWS",
			jwt: func(string, time.Time) string { return "not.a.jwt" }},
		{name: "JSON serialization", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "not a compact JWS",
			jwt: func(string, time.Time) string { return `{"payload":"e30","signatures":[]}` }},
		{name: "HS256", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: `alg "HS256" is not allowed`,
			jwt: func(n string, now time.Time) string {
				return sign(t, jose.HS256, []byte("0123456789abcdef0123456789abcdef"), d.pub.KeyID, d.claims(now, n))
			}},
		{name: "RS256 for an Ed25519 key", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: `alg "RS256" is not allowed`,
			jwt: func(n string, now time.Time) string {
				return sign(t, jose.RS256, rsaKey, d.pub.KeyID, d.claims(now, n))
			}},
		{name: "kid missing", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "kid is missing",
			jwt: func(n string, now time.Time) string { return sign(t, jose.EdDSA, d.priv, "", d.claims(now, n)) }},
		{name: "kid is the client identifier", status: 422, code: emulator.CodeInvalidDeviceJWT,
			msg: "kid is the client identifier",
			jwt: func(n string, now time.Time) string { return sign(t, jose.EdDSA, d.priv, d.cid, d.claims(now, n)) }},
		{name: "kid of another key", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "not the key registered",
			jwt: func(n string, now time.Time) string {
				return sign(t, jose.EdDSA, d.priv, "other-kid", d.claims(now, n))
			}},
		{name: "signed by another key", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "signature verification failed",
			jwt: func(n string, now time.Time) string {
				return sign(t, jose.EdDSA, otherKey, d.pub.KeyID, d.claims(now, n))
			}},
		{name: "aud wrong", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: `aud must be "plex.tv"`,
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["aud"] = "plex.com"
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "aud as a list", status: http.StatusOK,
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["aud"] = []string{"plex.tv"}
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "iss wrong", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "iss must be the X-Plex-Client-Identifier",
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["iss"] = "someone-else"
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "iat 2 min ahead", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "ahead of plex.tv's clock (at most 1m0s allowed)",
			jwt: func(n string, now time.Time) string {
				return d.deviceJWT(t, now.Add(2*time.Minute), n)
			}},
		{name: "iat 2 min behind", status: http.StatusOK,
			jwt: func(n string, now time.Time) string {
				c := d.claims(now.Add(-2*time.Minute), n)
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "iat missing", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "iat is missing",
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				delete(c, "iat")
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "exp missing", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "exp is missing",
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				delete(c, "exp")
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "exp past", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "exp is not in the future",
			jwt: func(n string, now time.Time) string {
				c := d.claims(now.Add(-10*time.Minute), n)
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "exp a day after iat", status: http.StatusOK,
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["exp"] = now.Add(24 * time.Hour).Unix()
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "exp more than a day after iat", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "exp is more than 24h0m0s after iat",
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["exp"] = now.Add(24*time.Hour + time.Second).Unix()
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
		{name: "nonce missing", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "nonce is missing",
			jwt: func(_ string, now time.Time) string { return d.deviceJWT(t, now, "") }},
		{name: "nonce not issued", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "nonce was not issued",
			jwt: func(_ string, now time.Time) string {
				return d.deviceJWT(t, now, "7c415b56-8f48-488a-98ab-847ef4460442")
			}},
		{name: "nonce of another client", status: 422, code: emulator.CodeInvalidDeviceJWT, msg: "issued to another client",
			jwt: func(_ string, now time.Time) string {
				return d.deviceJWT(t, now, getNonce(t, e, newDevice(t)))
			}},
		{name: "unknown scopes are ignored", status: http.StatusOK,
			jwt: func(n string, now time.Time) string {
				c := d.claims(now, n)
				c["scope"] = "shared_user,admin,username"
				return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c)
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the cases share one device, and "nonce of another client" must not
			// race the others for the emulator's clock.
			sent := tt.jwt(getNonce(t, e, d), e.Now())
			res := exchange(t, e, d.cid, sent)
			if tt.status == http.StatusOK {
				got := decode[map[string]string](t, res, http.StatusOK)
				verifyPlexJWT(t, e, got["auth_token"])
				return
			}
			wantError(t, res, tt.status, tt.code, tt.msg)
			for _, part := range strings.Split(sent, ".")[1:] {
				if len(part) > 16 && strings.Contains(string(res.body), part) {
					t.Errorf("error body echoes the device JWT: %s", res.body)
				}
			}
		})
	}
}

func TestTokenExchangeRequest(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	for _, tt := range []struct {
		name string
		r    req
		code int
	}{
		{"no client identifier", req{method: "POST", url: "/api/v2/auth/token", json: map[string]string{"jwt": "a.b.c"}}, emulator.CodeClientIdentifierMissing},
		{"no body", req{method: "POST", url: "/api/v2/auth/token", cid: d.cid}, emulator.CodeBadRequest},
		{"empty jwt", req{method: "POST", url: "/api/v2/auth/token", cid: d.cid, json: map[string]string{"jwt": ""}}, emulator.CodeBadRequest},
		{"wrong field", req{method: "POST", url: "/api/v2/auth/token", cid: d.cid, json: map[string]string{"token": "a.b.c"}}, emulator.CodeBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, do(t, e, tt.r), http.StatusBadRequest, tt.code, "")
		})
	}
}

func TestTokenExchangeForm(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	jwtText := d.deviceJWT(t, e.Now(), getNonce(t, e, d))
	res := do(t, e, req{method: "POST", url: "/api/v2/auth/token", cid: d.cid, form: map[string][]string{"jwt": {jwtText}}})
	verifyPlexJWT(t, e, decode[map[string]string](t, res, http.StatusOK)["auth_token"])
}

func TestNonceSingleUseAndExpiry(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		between func(e *emulator.Emulator, d *testDevice, nonce string)
		msg     string
	}{
		{name: "replayed", msg: "nonce was already used", between: func(e *emulator.Emulator, d *testDevice, n string) {
			got := decode[map[string]string](t, exchange(t, e, d.cid, d.deviceJWT(t, e.Now(), n)), http.StatusOK)
			if got["auth_token"] == "" {
				t.Fatal("first use refused")
			}
		}},
		{name: "expired", msg: "nonce has expired", between: func(e *emulator.Emulator, _ *testDevice, _ string) {
			e.Advance(emulator.NonceLifetime + time.Second)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, emulator.Options{})
			d := newDevice(t)
			registerLegacy(t, e, d, "alice")
			n := getNonce(t, e, d)
			tt.between(e, d, n)
			wantError(t, exchange(t, e, d.cid, d.deviceJWT(t, e.Now(), n)), 422, emulator.CodeInvalidDeviceJWT, tt.msg)
		})
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

	t.Run("format", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		if n := getNonce(t, e, newDevice(t)); !uuidRE.MatchString(n) {
			t.Errorf("nonce %q is not a UUID", n)
		}
	})
	t.Run("client identifier required", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/auth/nonce"}), http.StatusBadRequest,
			emulator.CodeClientIdentifierMissing, "X-Plex-Client-Identifier is missing")
	})
	t.Run("rate limited per client", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), FreezeClock: true})
		d, other := newDevice(t), newDevice(t)
		seen := map[string]bool{}
		for range 10 {
			seen[getNonce(t, e, d)] = true
		}
		if len(seen) != 10 {
			t.Errorf("10 nonces, %d distinct", len(seen))
		}
		res := do(t, e, req{method: "GET", url: "/api/v2/auth/nonce", cid: d.cid})
		wantError(t, res, http.StatusTooManyRequests, emulator.CodeRateLimited, "nonce")
		ra, err := strconv.Atoi(res.header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q, want 1..60 seconds", res.header.Get("Retry-After"))
		}
		getNonce(t, e, other) // another client is not limited
		e.Advance(time.Minute)
		getNonce(t, e, d) // the window has passed
	})
	t.Run("limit off", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{NoncesPerMinute: -1})
		d := newDevice(t)
		for range 30 {
			getNonce(t, e, d)
		}
	})
}

func TestPlexJWTClaims(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		scope any
		want  []string // keys of user besides id and uuid
	}{
		{"no scope", nil, nil},
		{"all documented", "username,email,friendly_name,restricted,anonymous,joinedAt",
			[]string{"anonymous", "email", "friendly_name", "joinedAt", "restricted", "username"}},
		{"spaces and unknown words", "username, admin ,shared_user", []string{"username"}},
		{"list form", []string{"email"}, []string{"email"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, emulator.Options{})
			d := newDevice(t)
			registerLegacy(t, e, d, "bob")
			n := getNonce(t, e, d)
			now := e.Now()
			c := d.claims(now, n)
			delete(c, "scope")
			if tt.scope != nil {
				c["scope"] = tt.scope
			}
			res := exchange(t, e, d.cid, sign(t, jose.EdDSA, d.priv, d.pub.KeyID, c))
			tok := verifyPlexJWT(t, e, decode[map[string]string](t, res, http.StatusOK)["auth_token"])

			bob := userInfo(t, e, "bob")
			if tok.Issuer != "plex.tv" || !slices.Equal(tok.Audience, []string{"plex.tv", d.cid}) {
				t.Errorf("iss %q aud %q", tok.Issuer, tok.Audience)
			}
			if tok.Expiry == nil || tok.IssuedAt == nil || tok.Expiry.Time().Sub(tok.IssuedAt.Time()) != emulator.PlexJWTLifetime {
				t.Errorf("exp - iat is not 7 days: %v %v", tok.IssuedAt, tok.Expiry)
			}
			if d := tok.IssuedAt.Time().Sub(now); d < -time.Second || d > 5*time.Second {
				t.Errorf("iat %v, emulator time %v", tok.IssuedAt.Time(), now)
			}
			if tok.Thumbprint != d.pub.KeyID || tok.Nonce != n {
				t.Errorf("thumbprint %q nonce %q, want %q %q", tok.Thumbprint, tok.Nonce, d.pub.KeyID, n)
			}
			if tok.kid != jwks(t, e).Keys[0].KeyID {
				t.Errorf("signed with kid %q, not the current key", tok.kid)
			}
			if id, _ := tok.User["id"].(float64); int(id) != bob.ID || tok.User["uuid"] != bob.UUID {
				t.Errorf("user %v, want id %d uuid %s", tok.User, bob.ID, bob.UUID)
			}
			var keys []string
			for k := range tok.User {
				if k != "id" && k != "uuid" {
					keys = append(keys, k)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tt.want) {
				t.Errorf("released claims %v, want %v", keys, tt.want)
			}
			if slices.Contains(keys, "username") && tok.User["username"] != "bob" {
				t.Errorf("username %v", tok.User["username"])
			}
			if slices.Contains(keys, "email") && tok.User["email"] != bob.Email {
				t.Errorf("email %v", tok.User["email"])
			}
		})
	}
}

func userInfo(t testing.TB, e *emulator.Emulator, name string) emulator.UserInfo {
	t.Helper()
	for _, u := range e.Users() {
		if u.Username == name {
			return u
		}
	}
	t.Fatalf("no user %s", name)
	return emulator.UserInfo{}
}

func TestRegisterJWK(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	taken := newDevice(t)
	registerLegacy(t, e, taken, "alice")
	for _, tt := range []struct {
		name   string
		r      func(d *testDevice) req
		status int
		code   int
		msg    string
	}{
		{name: "legacy token", status: http.StatusCreated, r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: e.LegacyToken("bob"), json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "Plex JWT", status: 401, code: emulator.CodeUnauthorized, msg: "takes the account's legacy token, not a Plex JWT", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: linkViaPin(t, e, newDevice(t), "bob"), json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "same key again for the same client", status: http.StatusCreated, r: func(*testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: taken.cid, token: e.LegacyToken("alice"), json: map[string]any{"jwk": taken.jwkJSON(t)}}
		}},
		{name: "no client identifier", status: 400, code: emulator.CodeClientIdentifierMissing, msg: "X-Plex-Client-Identifier", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", token: e.LegacyToken("bob"), json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "no token", status: 401, code: emulator.CodeUnauthorized, msg: "User could not be authenticated", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "invalid token", status: 401, code: emulator.CodeUnauthorized, msg: "User could not be authenticated", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: "AAAAAAAAAAAAAAAAAAAA", json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "thumbprint taken", status: 422, code: emulator.CodeThumbprintTaken, msg: "Thumbprint already taken", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: e.LegacyToken("bob"), json: map[string]any{"jwk": taken.jwkJSON(t)}}
		}},
		{name: "invalid jwk", status: 422, code: emulator.CodeInvalidJWK, msg: "kid is missing", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: e.LegacyToken("bob"),
				json: map[string]any{"jwk": map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}}}
		}},
		{name: "body not JSON", status: 400, code: emulator.CodeBadRequest, msg: "body must be JSON", r: func(d *testDevice) req {
			return req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: e.LegacyToken("bob"), form: map[string][]string{"jwk": {"x"}}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := do(t, e, tt.r(newDevice(t)))
			if tt.status == http.StatusCreated {
				if res.status != http.StatusCreated {
					t.Fatalf("status %d: %s", res.status, res.body)
				}
				return
			}
			wantError(t, res, tt.status, tt.code, tt.msg)
		})
	}
}

func TestLegacyTokenInvalidatedByFirstJWT(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	legacy := e.LegacyToken("alice")
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	user := func(tok string) resp {
		return do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok})
	}
	if res := user(legacy); res.status != http.StatusOK {
		t.Fatalf("legacy token before the first JWT: %d", res.status)
	}
	jwt1 := refresh(t, e, d)
	wantError(t, user(legacy), http.StatusUnauthorized, emulator.CodeUnauthorized, "User could not be authenticated")
	if res := user(jwt1); res.status != http.StatusOK {
		t.Fatalf("first JWT: %d %s", res.status, res.body)
	}
	// A second refresh keeps working, and the account has a new legacy token.
	if res := user(refresh(t, e, d)); res.status != http.StatusOK {
		t.Fatalf("second JWT: %d", res.status)
	}
	if fresh := e.LegacyToken("alice"); fresh == legacy || user(fresh).status != http.StatusOK {
		t.Errorf("LegacyToken after invalidation: same=%v", fresh == legacy)
	}
}

func TestRevokedDevice(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d, never := newDevice(t), newDevice(t)
	tok := linkViaPin(t, e, d, "alice")
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	if res := do(t, e, req{method: "GET", url: nas + "/library/sections", token: tok}); res.status != http.StatusOK {
		t.Fatalf("PMS before revocation: %d", res.status)
	}
	e.RevokeDevice(d.cid)

	t.Run("token exchange", func(t *testing.T) {
		wantError(t, exchange(t, e, d.cid, d.deviceJWT(t, e.Now(), getNonce(t, e, d))), http.StatusUnauthorized,
			emulator.CodeJWKMissing, "removed from Authorized Devices")
	})
	t.Run("never registered", func(t *testing.T) {
		wantError(t, exchange(t, e, never.cid, never.deviceJWT(t, e.Now(), getNonce(t, e, never))), http.StatusUnauthorized,
			emulator.CodeJWKMissing, "no JWK is registered")
	})
	t.Run("user", func(t *testing.T) {
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}), http.StatusUnauthorized,
			emulator.CodeUnauthorized, "removed from Authorized Devices")
	})
	t.Run("PMS", func(t *testing.T) {
		if res := do(t, e, req{method: "GET", url: nas + "/library/sections", token: tok}); res.status != http.StatusUnauthorized {
			t.Errorf("PMS after revocation: %d", res.status)
		}
	})
	t.Run("registers again", func(t *testing.T) {
		fresh := linkViaPin(t, e, d, "alice")
		if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: fresh}); res.status != http.StatusOK {
			t.Errorf("after re-registration: %d", res.status)
		}
		if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}); res.status != http.StatusUnauthorized {
			t.Errorf("a JWT from before revocation works again: %d", res.status)
		}
	})
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	old := refresh(t, e, d)
	oldKid := verifyPlexJWT(t, e, old).kid
	user := func(tok string) int {
		return do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}).status
	}

	e.RotateKey()
	set := jwks(t, e)
	if len(set.Keys) != 2 || set.Keys[1].KeyID != oldKid || set.Keys[0].KeyID == oldKid {
		t.Fatalf("JWKS after rotation: %d keys, kids %q", len(set.Keys), kids(set))
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.Algorithm != "EdDSA" || k.Use != "sig" {
			t.Errorf("JWKS key %q: public=%v alg=%q use=%q", k.KeyID, k.IsPublic(), k.Algorithm, k.Use)
		}
	}
	verifyPlexJWT(t, e, old)
	if s := user(old); s != http.StatusOK {
		t.Errorf("old token after one rotation: %d", s)
	}
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	if res := do(t, e, req{method: "GET", url: nas + "/library/sections", token: old}); res.status != http.StatusOK {
		t.Errorf("PMS, old token after one rotation: %d", res.status)
	}
	fresh := refresh(t, e, d)
	if k := verifyPlexJWT(t, e, fresh).kid; k != set.Keys[0].KeyID {
		t.Errorf("new token signed by %q, want the current key %q", k, set.Keys[0].KeyID)
	}

	e.RotateKey()
	if got := kids(jwks(t, e)); slices.Contains(got, oldKid) {
		t.Errorf("key rotated out twice is still served: %q", got)
	}
	if s := user(old); s != http.StatusUnauthorized {
		t.Errorf("token of a retired key: %d", s)
	}
	if s := user(fresh); s != http.StatusOK {
		t.Errorf("token of the previous key: %d", s)
	}
}

func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return out
}

// serverInfo returns the seeded server called name.
func serverInfo(t testing.TB, e *emulator.Emulator, name string) emulator.ServerInfo {
	t.Helper()
	for _, s := range e.Servers() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no server %s", name)
	return emulator.ServerInfo{}
}

func serverURL(t testing.TB, e *emulator.Emulator, name string) string {
	t.Helper()
	return serverInfo(t, e, name).URL
}
