package emulator_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit/emulator"
)

func TestCreatePin(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	strongRE := regexp.MustCompile(`^[a-z0-9]{25}$`)
	shortRE := regexp.MustCompile(`^[A-Z0-9]{4}$`)
	for _, tt := range []struct {
		name   string
		r      func(d *testDevice) req
		strong bool
	}{
		{name: "JSON strong with jwk", strong: true, r: func(d *testDevice) req {
			return req{json: map[string]any{"jwk": d.jwkJSON(t), "strong": true}}
		}},
		{name: "JSON jwk only", r: func(d *testDevice) req {
			return req{json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "JSON strong as a string", strong: true, r: func(*testDevice) req {
			return req{json: map[string]any{"strong": "true"}}
		}},
		{name: "query strong with JSON body", strong: true, r: func(d *testDevice) req {
			return req{url: "/api/v2/pins?strong=true", json: map[string]any{"jwk": d.jwkJSON(t)}}
		}},
		{name: "form strong", strong: true, r: func(*testDevice) req {
			return req{form: url.Values{"strong": {"true"}}}
		}},
		{name: "form jwk", r: func(d *testDevice) req {
			return req{form: url.Values{"jwk": {string(d.jwkJSON(t))}}}
		}},
		{name: "no body", r: func(*testDevice) req { return req{} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDevice(t)
			r := tt.r(d)
			r.method, r.cid = "POST", d.cid
			if r.url == "" {
				r.url = "/api/v2/pins"
			}
			r.header = http.Header{"X-Plex-Product": {"plexkit test"}}
			before := e.Now()
			p := decode[pinBody](t, do(t, e, r), http.StatusCreated)
			wantLife, re := emulator.PinLifetime, shortRE
			if tt.strong {
				wantLife, re = emulator.StrongPinLifetime, strongRE
			}
			if !re.MatchString(p.Code) {
				t.Errorf("code %q does not match %s", p.Code, re)
			}
			if p.ExpiresIn != int(wantLife.Seconds()) && p.ExpiresIn != int(wantLife.Seconds())-1 {
				t.Errorf("expiresIn %d, want %v", p.ExpiresIn, wantLife)
			}
			created, err1 := time.Parse(time.RFC3339, p.CreatedAt)
			expires, err2 := time.Parse(time.RFC3339, p.ExpiresAt)
			if err1 != nil || err2 != nil || expires.Sub(created) != wantLife || created.Before(before.Truncate(time.Second)) {
				t.Errorf("createdAt %q expiresAt %q", p.CreatedAt, p.ExpiresAt)
			}
			if p.AuthToken != nil || p.NewRegistration != nil || p.ClientIdentifier != d.cid || p.Product != "plexkit test" || p.ID == 0 || p.Location.Code == "" {
				t.Errorf("pin %+v", p)
			}
		})
	}
}

func TestCreatePinErrors(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	taken := newDevice(t)
	registerLegacy(t, e, taken, "alice")
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallJWK, _ := (&jose.JSONWebKey{Key: &smallRSA.PublicKey, KeyID: "k"}).MarshalJSON()
	for _, tt := range []struct {
		name   string
		jwk    any
		noCID  bool
		strong any
		status int
		code   int
		msg    string
	}{
		{name: "no client identifier", noCID: true, status: 400, code: emulator.CodeClientIdentifierMissing, msg: "X-Plex-Client-Identifier is missing"},
		{name: "strong not a bool", strong: "maybe", status: 400, code: emulator.CodeBadRequest, msg: "strong must be true or false"},
		{name: "EC key", jwk: map[string]string{"kty": "EC", "crv": "P-256", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: `kty "EC" is not supported`},
		{name: "X25519", jwk: map[string]string{"kty": "OKP", "crv": "X25519", "x": "abc", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: `crv "X25519" is not supported`},
		{name: "no kty", jwk: map[string]string{"crv": "Ed25519", "x": "abc", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: "kty is missing"},
		{name: "no x", jwk: map[string]string{"kty": "OKP", "crv": "Ed25519", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: "x (the Ed25519 public key) is missing"},
		{name: "bad x", jwk: map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "AAAA", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: "x is not a valid Ed25519 public key"},
		{name: "no kid", jwk: map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}, status: 422, code: emulator.CodeInvalidJWK, msg: "kid is missing"},
		{name: "wrong alg", jwk: map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "k", "alg": "RS256"}, status: 422, code: emulator.CodeInvalidJWK, msg: `alg "RS256" does not fit`},
		{name: "private key", jwk: map[string]string{"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A", "kid": "k"}, status: 422, code: emulator.CodeInvalidJWK, msg: "private key"},
		{name: "small RSA", jwk: json.RawMessage(smallJWK), status: 422, code: emulator.CodeInvalidJWK, msg: "RSA key has 1024 bits"},
		{name: "not an object", jwk: "a string", status: 422, code: emulator.CodeInvalidJWK, msg: "not a JSON object"},
		{name: "thumbprint taken", jwk: taken.jwkJSON(t), status: 422, code: emulator.CodeThumbprintTaken, msg: "Thumbprint already taken"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := map[string]any{}
			if tt.jwk != nil {
				body["jwk"] = tt.jwk
			}
			if tt.strong != nil {
				body["strong"] = tt.strong
			}
			r := req{method: "POST", url: "/api/v2/pins", cid: newDevice(t).cid, json: body}
			if tt.noCID {
				r.cid = ""
			}
			wantError(t, do(t, e, r), tt.status, tt.code, tt.msg)
		})
	}
}

func TestPinRSAKey(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	d := &testDevice{cid: newDevice(t).cid, pub: jose.JSONWebKey{Key: &key.PublicKey, KeyID: "rsa-kid", Algorithm: "RS256", Use: "sig"}}
	p := pinWithJWK(t, e, d, true)
	if err := e.ClaimPin(p.Code, "carol"); err != nil {
		t.Fatal(err)
	}
	now := e.Now()
	c := d.claims(now, "")
	res := pollPin(t, e, d.cid, p.ID, sign(t, jose.RS256, key, "rsa-kid", c))
	got := decode[pinBody](t, res, http.StatusOK)
	if got.AuthToken == nil || verifyPlexJWT(t, e, *got.AuthToken).Thumbprint != "rsa-kid" {
		t.Fatalf("RSA pin exchange: %s", res.body)
	}
	// An RSA key must sign with RS256, not PS256.
	n := getNonce(t, e, d)
	wantError(t, exchange(t, e, d.cid, sign(t, jose.PS256, key, "rsa-kid", d.claims(e.Now(), n))), 422,
		emulator.CodeInvalidDeviceJWT, `alg "PS256" is not allowed: the registered key signs with RS256`)
	decode[map[string]string](t, exchange(t, e, d.cid, sign(t, jose.RS256, key, "rsa-kid", d.claims(e.Now(), getNonce(t, e, d)))), http.StatusOK)
}

func TestPollPin(t *testing.T) {
	t.Parallel()

	t.Run("unclaimed", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, false)
		got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
		if got.AuthToken != nil || got.Code != p.Code || got.ID != p.ID {
			t.Errorf("unclaimed pin: %+v", got)
		}
	})
	t.Run("claimed with jwk", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, true)
		if err := e.ClaimPin(p.Code, "bob"); err != nil {
			t.Fatal(err)
		}
		got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
		if got.AuthToken == nil || got.NewRegistration == nil || *got.NewRegistration {
			t.Fatalf("claimed pin: %+v", got)
		}
		c := verifyPlexJWT(t, e, *got.AuthToken)
		if c.Thumbprint != d.pub.KeyID || c.User["username"] != "bob" {
			t.Errorf("claims %+v", c)
		}
		// The JWK is now registered: the refresh flow works for this client.
		refresh(t, e, d)
	})
	t.Run("claimed with jwk, no deviceJWT", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, true)
		if err := e.ClaimPin(p.Code, "bob"); err != nil {
			t.Fatal(err)
		}
		wantError(t, pollPin(t, e, d.cid, p.ID, ""), 422, emulator.CodeInvalidDeviceJWT, "needs a deviceJWT")
	})
	t.Run("claimed with jwk, deviceJWT by another key", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d, other := newDevice(t), newDevice(t)
		p := pinWithJWK(t, e, d, true)
		if err := e.ClaimPin(p.Code, "bob"); err != nil {
			t.Fatal(err)
		}
		forged := sign(t, jose.EdDSA, other.priv, d.pub.KeyID, d.claims(e.Now(), ""))
		wantError(t, pollPin(t, e, d.cid, p.ID, forged), 422, emulator.CodeInvalidDeviceJWT, "signature verification failed")
	})
	t.Run("claimed without jwk", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: d.cid}), http.StatusCreated)
		if err := e.ClaimPin(p.Code, "carol"); err != nil {
			t.Fatal(err)
		}
		got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK)
		if got.AuthToken == nil || !regexp.MustCompile(`^[A-Za-z0-9]{20}$`).MatchString(*got.AuthToken) {
			t.Fatalf("legacy pin token: %+v", got)
		}
		u := decode[map[string]any](t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: *got.AuthToken}), http.StatusOK)
		if u["username"] != "carol" {
			t.Errorf("token belongs to %v", u["username"])
		}
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, false)
		for _, tt := range []struct {
			name string
			cid  string
			path string
		}{
			{"unknown id", d.cid, "/api/v2/pins/" + strconv.Itoa(p.ID+1000)},
			{"not a number", d.cid, "/api/v2/pins/abc"},
			{"another client", newDevice(t).cid, "/api/v2/pins/" + strconv.Itoa(p.ID)},
		} {
			t.Run(tt.name, func(t *testing.T) {
				res := do(t, e, req{method: "GET", url: tt.path, cid: tt.cid})
				wantError(t, res, http.StatusNotFound, emulator.CodePinNotFound, "Code not found or expired")
			})
		}
	})
	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, false)
		e.Advance(emulator.PinLifetime)
		wantError(t, pollPin(t, e, d.cid, p.ID, ""), http.StatusNotFound, emulator.CodePinNotFound, "Code not found or expired")
		if err := e.ClaimPin(p.Code, "alice"); err == nil {
			t.Error("ClaimPin of an expired pin succeeded")
		}
	})
	t.Run("strong pin lives 30 minutes", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, true)
		e.Advance(emulator.PinLifetime + time.Minute)
		got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK)
		if got.ExpiresIn > 14*60 || got.ExpiresIn < 13*60 {
			t.Errorf("expiresIn %d after 16 minutes", got.ExpiresIn)
		}
	})
	t.Run("poll rate limit", func(t *testing.T) {
		t.Parallel()
		e := start(t, emulator.Options{Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), FreezeClock: true})
		d := newDevice(t)
		p := pinWithJWK(t, e, d, false)
		pollPin(t, e, d.cid, p.ID, "")
		pollPin(t, e, d.cid, p.ID, "")
		res := pollPin(t, e, d.cid, p.ID, "")
		wantError(t, res, http.StatusTooManyRequests, emulator.CodeRateLimited, "twice a second")
		if res.header.Get("Retry-After") != "1" {
			t.Errorf("Retry-After %q", res.header.Get("Retry-After"))
		}
		e.Advance(time.Second)
		decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK)
	})
}

func TestLinkPin(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	for _, tt := range []struct {
		name   string
		path   string
		token  func() string
		code   func(p pinBody) string
		status int
		errNum int
		msg    string
	}{
		{name: "legacy token", path: "/api/v2/pins/link", token: func() string { return e.LegacyToken("alice") },
			code: func(p pinBody) string { return p.Code }, status: http.StatusNoContent},
		{name: ".json and lower-case code", path: "/api/v2/pins/link.json", token: func() string { return e.LegacyToken("bob") },
			code: func(p pinBody) string { return strings.ToLower(p.Code) }, status: http.StatusNoContent},
		{name: "Plex JWT", path: "/api/v2/pins/link", token: func() string { return linkViaPin(t, e, newDevice(t), "carol") },
			code: func(p pinBody) string { return p.Code }, status: http.StatusNoContent},
		{name: "unknown code", path: "/api/v2/pins/link", token: func() string { return e.LegacyToken("alice") },
			code: func(pinBody) string { return "ZZZZZ" }, status: 404, errNum: emulator.CodePinNotFound, msg: "Code not found or expired"},
		{name: "no code", path: "/api/v2/pins/link", token: func() string { return e.LegacyToken("alice") },
			code: func(pinBody) string { return "" }, status: 400, errNum: emulator.CodeBadRequest, msg: "code is required"},
		{name: "bad token", path: "/api/v2/pins/link", token: func() string { return "bogus" },
			code: func(p pinBody) string { return p.Code }, status: 401, errNum: emulator.CodeUnauthorized, msg: "User could not be authenticated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := newDevice(t)
			p := decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: d.cid}), http.StatusCreated)
			res := do(t, e, req{method: "PUT", url: tt.path, token: tt.token(), form: url.Values{"code": {tt.code(p)}}})
			if tt.status != http.StatusNoContent {
				wantError(t, res, tt.status, tt.errNum, tt.msg)
				if got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK); got.AuthToken != nil {
					t.Error("pin claimed after a failed link")
				}
				return
			}
			if res.status != http.StatusNoContent {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK); got.AuthToken == nil {
				t.Error("pin not claimed after link")
			}
		})
	}
}
