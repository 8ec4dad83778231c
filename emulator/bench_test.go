package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// serve runs one request against h in process and returns the recorder.
func serve(h http.Handler, method, path, cid, token, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Accept", "application/json")
	r.Header.Set("X-Plex-Client-Identifier", cid)
	if token != "" {
		r.Header.Set("X-Plex-Token", token)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// BenchmarkRefresh measures a full Plex JWT refresh against the plex.tv handler, in process:
// GET /api/v2/auth/nonce, signing the device JWT (client side, included), and
// POST /api/v2/auth/token.
func BenchmarkRefresh(b *testing.B) {
	e := emulator.New(emulator.Options{NoncesPerMinute: -1})
	h := e.Handler()
	d := newDevice(b)
	reg, _ := json.Marshal(map[string]any{"jwk": d.jwkJSON(b)})
	if w := serve(h, "POST", "/api/v2/auth/jwk", d.cid, e.LegacyToken("alice"), string(reg)); w.Code != http.StatusCreated {
		b.Fatalf("register: %d %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := serve(h, "GET", "/api/v2/auth/nonce", d.cid, "", "")
		var n struct{ Nonce string }
		if err := json.Unmarshal(w.Body.Bytes(), &n); err != nil || w.Code != http.StatusOK {
			b.Fatalf("nonce: %d %s", w.Code, w.Body)
		}
		body, _ := json.Marshal(map[string]string{"jwt": d.deviceJWT(b, e.Now(), n.Nonce)})
		if w := serve(h, "POST", "/api/v2/auth/token", d.cid, "", string(body)); w.Code != http.StatusOK {
			b.Fatalf("token: %d %s", w.Code, w.Body)
		}
	}
}

// BenchmarkPlexJWTOnPMS measures a PMS request authorised by a Plex JWT (signature check
// against plex.tv's keys, device check, role).
func BenchmarkPlexJWTOnPMS(b *testing.B) {
	e := start(b, emulator.Options{})
	d := newDevice(b)
	registerLegacy(b, e, d, "alice")
	tok := refresh(b, e, d)
	nas := serverURL(b, e, emulator.ServerAliceNAS)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		r, _ := http.NewRequest("GET", nas+"/library/sections", nil)
		r.Header.Set("X-Plex-Token", tok)
		res, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
