package emulator_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/plexkit/plexkit/emulator"
)

// start returns a started emulator, closed when the test ends.
func start(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// testDevice is a client installation: a client identifier and an Ed25519 key, made here with
// the standard library and go-jose, never with plexkit's client packages.
type testDevice struct {
	cid  string
	priv ed25519.PrivateKey
	pub  jose.JSONWebKey // public JWK with kid
}

func newDevice(t testing.TB) *testDevice {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := jose.JSONWebKey{Key: pub, Algorithm: "EdDSA", Use: "sig"}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	jwk.KeyID = base64.RawURLEncoding.EncodeToString(sum)
	var cid [16]byte
	_, _ = rand.Read(cid[:])
	return &testDevice{cid: "test-" + base64.RawURLEncoding.EncodeToString(cid[:]), priv: priv, pub: jwk}
}

func (d *testDevice) jwkJSON(t testing.TB) json.RawMessage {
	t.Helper()
	b, err := d.pub.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sign signs claims with key under alg, with header kid.
func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, claims any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// claims returns a valid device JWT payload for d at now, with nonce (omitted when empty).
func (d *testDevice) claims(now time.Time, nonce string) map[string]any {
	c := map[string]any{
		"aud": "plex.tv", "iss": d.cid, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
		"scope": "username,email,friendly_name",
	}
	if nonce != "" {
		c["nonce"] = nonce
	}
	return c
}

// deviceJWT is a valid device JWT for d at now.
func (d *testDevice) deviceJWT(t testing.TB, now time.Time, nonce string) string {
	t.Helper()
	return sign(t, jose.EdDSA, d.priv, d.pub.KeyID, d.claims(now, nonce))
}

// req describes one request to the emulator.
type req struct {
	method string
	url    string // absolute, or a path on plex.tv
	cid    string
	token  string
	accept string // default application/json; "-" for none
	form   url.Values
	json   any
	header http.Header
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends r to e (plex.tv for a path) and returns the response.
func do(t testing.TB, e *emulator.Emulator, r req) resp {
	t.Helper()
	u := r.url
	if strings.HasPrefix(u, "/") {
		u = e.URL() + u
	}
	var body io.Reader
	ct := ""
	switch {
	case r.form != nil:
		body, ct = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	case r.json != nil:
		b, err := json.Marshal(r.json)
		if err != nil {
			t.Fatal(err)
		}
		body, ct = strings.NewReader(string(b)), "application/json"
	}
	hr, err := http.NewRequest(r.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		hr.Header[k] = v
	}
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	switch r.accept {
	case "":
		hr.Header.Set("Accept", "application/json")
	case "-":
	default:
		hr.Header.Set("Accept", r.accept)
	}
	if r.cid != "" {
		hr.Header.Set("X-Plex-Client-Identifier", r.cid)
	}
	if r.token != "" {
		hr.Header.Set("X-Plex-Token", r.token)
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// plexError is plex.tv's error envelope.
type plexError struct {
	Errors []struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  int    `json:"status"`
	} `json:"errors"`
}

// wantError checks that res is plex.tv's JSON error with status, code and a message containing
// msg.
func wantError(t testing.TB, res resp, status, code int, msg string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d; body %s", res.status, status, res.body)
	}
	var pe plexError
	if err := json.Unmarshal(res.body, &pe); err != nil || len(pe.Errors) != 1 {
		t.Fatalf("body is not one plex.tv error: %s", res.body)
	}
	got := pe.Errors[0]
	if got.Code != code || got.Status != status || !strings.Contains(got.Message, msg) {
		t.Fatalf("error %+v, want code %d status %d message containing %q", got, code, status, msg)
	}
}

func decode[T any](t testing.TB, res resp, wantStatus int) T {
	t.Helper()
	if res.status != wantStatus {
		t.Fatalf("status %d, want %d; body %s", res.status, wantStatus, res.body)
	}
	var v T
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("decoding %s: %v", res.body, err)
	}
	return v
}

// pinBody is the subset of the pin object the tests read.
type pinBody struct {
	ID               int     `json:"id"`
	Code             string  `json:"code"`
	ClientIdentifier string  `json:"clientIdentifier"`
	Product          string  `json:"product"`
	ExpiresIn        int     `json:"expiresIn"`
	CreatedAt        string  `json:"createdAt"`
	ExpiresAt        string  `json:"expiresAt"`
	AuthToken        *string `json:"authToken"`
	NewRegistration  *bool   `json:"newRegistration"`
	Location         struct {
		Code string `json:"code"`
	} `json:"location"`
}

// registerLegacy registers d's JWK with username's legacy token.
func registerLegacy(t testing.TB, e *emulator.Emulator, d *testDevice, username string) {
	t.Helper()
	res := do(t, e, req{method: "POST", url: "/api/v2/auth/jwk", cid: d.cid, token: e.LegacyToken(username),
		json: map[string]any{"jwk": d.jwkJSON(t)}})
	if res.status != http.StatusCreated {
		t.Fatalf("register jwk: %d %s", res.status, res.body)
	}
}

// getNonce fetches a nonce for d.
func getNonce(t testing.TB, e *emulator.Emulator, d *testDevice) string {
	t.Helper()
	n := decode[map[string]string](t, do(t, e, req{method: "GET", url: "/api/v2/auth/nonce", cid: d.cid}), http.StatusOK)
	return n["nonce"]
}

// exchange posts a device JWT to /api/v2/auth/token.
func exchange(t testing.TB, e *emulator.Emulator, cid, deviceJWT string) resp {
	t.Helper()
	return do(t, e, req{method: "POST", url: "/api/v2/auth/token", cid: cid, json: map[string]string{"jwt": deviceJWT}})
}

// refresh runs nonce → device JWT → token for d and returns the Plex JWT.
func refresh(t testing.TB, e *emulator.Emulator, d *testDevice) string {
	t.Helper()
	n := getNonce(t, e, d)
	got := decode[map[string]string](t, exchange(t, e, d.cid, d.deviceJWT(t, e.Now(), n)), http.StatusOK)
	if got["auth_token"] == "" {
		t.Fatalf("no auth_token in %v", got)
	}
	return got["auth_token"]
}

// jwks fetches plex.tv's keys.
func jwks(t testing.TB, e *emulator.Emulator) jose.JSONWebKeySet {
	t.Helper()
	return decode[jose.JSONWebKeySet](t, do(t, e, req{method: "GET", url: "/api/v2/auth/keys"}), http.StatusOK)
}

// plexJWT is what the tests read from an issued Plex JWT.
type plexJWT struct {
	jwt.Claims
	Thumbprint string         `json:"thumbprint"`
	Nonce      string         `json:"nonce"`
	User       map[string]any `json:"user"`
	kid        string
}

// verifyPlexJWT verifies tok with the key its kid names in plex.tv's JWKS.
func verifyPlexJWT(t testing.TB, e *emulator.Emulator, tok string) plexJWT {
	t.Helper()
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatalf("Plex JWT does not parse: %v", err)
	}
	kid := parsed.Headers[0].KeyID
	set := jwks(t, e)
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %q is not in the JWKS", kid)
	}
	var c plexJWT
	if err := parsed.Claims(keys[0].Key, &c); err != nil {
		t.Fatalf("Plex JWT does not verify: %v", err)
	}
	c.kid = kid
	return c
}

// pinWithJWK creates a pin for d carrying its JWK.
func pinWithJWK(t testing.TB, e *emulator.Emulator, d *testDevice, strong bool) pinBody {
	t.Helper()
	return decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: d.cid,
		json: map[string]any{"jwk": d.jwkJSON(t), "strong": strong}}), http.StatusCreated)
}

// pollPin polls pin id as d, with a device JWT when deviceJWT is non-empty.
func pollPin(t testing.TB, e *emulator.Emulator, cid string, id int, deviceJWT string) resp {
	t.Helper()
	u := "/api/v2/pins/" + strconv.Itoa(id)
	if deviceJWT != "" {
		u += "?deviceJWT=" + url.QueryEscape(deviceJWT)
	}
	return do(t, e, req{method: "GET", url: u, cid: cid})
}

// linkViaPin registers d through a JWK pin approved by username and returns the Plex JWT.
func linkViaPin(t testing.TB, e *emulator.Emulator, d *testDevice, username string) string {
	t.Helper()
	p := pinWithJWK(t, e, d, true)
	if err := e.ClaimPin(p.Code, username); err != nil {
		t.Fatal(err)
	}
	got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
	if got.AuthToken == nil {
		t.Fatal("claimed pin has no authToken")
	}
	return *got.AuthToken
}
