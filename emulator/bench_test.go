package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/internal/testutil"
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
	cpu := testutil.ProcessCPU()
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
	reportCPU(b, cpu)
}

// reportCPU reports the process's CPU time per operation since start (client and in-process
// emulator together), in µs.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(testutil.ProcessCPU()-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}

// BenchmarkRefreshParallel is BenchmarkRefresh from several goroutines at once, each with a
// device of its own (a refresh of one device is serial by nature: one nonce, one exchange).
// Run with -cpu 1,2: refreshes/s should grow with the cores when signing and verifying happen
// outside the emulator's lock.
func BenchmarkRefreshParallel(b *testing.B) {
	e := emulator.New(emulator.Options{NoncesPerMinute: -1})
	h := e.Handler()
	devices := make(chan *testDevice, 64)
	for range cap(devices) {
		d := newDevice(b)
		reg, _ := json.Marshal(map[string]any{"jwk": d.jwkJSON(b)})
		// Each device registers with a fresh legacy token: the first Plex JWT ends the one used.
		if w := serve(h, "POST", "/api/v2/auth/jwk", d.cid, e.LegacyToken("alice"), string(reg)); w.Code != http.StatusCreated {
			b.Fatalf("register: %d %s", w.Code, w.Body)
		}
		if w := serve(h, "GET", "/api/v2/auth/nonce", d.cid, "", ""); w.Code != http.StatusOK {
			b.Fatalf("nonce: %d", w.Code)
		}
		devices <- d
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := testutil.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		d := <-devices
		for pb.Next() {
			w := serve(h, "GET", "/api/v2/auth/nonce", d.cid, "", "")
			var n struct{ Nonce string }
			if err := json.Unmarshal(w.Body.Bytes(), &n); err != nil || w.Code != http.StatusOK {
				b.Errorf("nonce: %d %s", w.Code, w.Body)
				return
			}
			body, _ := json.Marshal(map[string]string{"jwt": d.deviceJWT(b, e.Now(), n.Nonce)})
			if w := serve(h, "POST", "/api/v2/auth/token", d.cid, "", string(body)); w.Code != http.StatusOK {
				b.Errorf("token: %d %s", w.Code, w.Body)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "refreshes/s")
	reportCPU(b, cpu)
}

// BenchmarkPlexJWTOnPMSParallel is BenchmarkPlexJWTOnPMS from several goroutines: every request
// is authorised by the same Plex JWT, as a busy client's are.
func BenchmarkPlexJWTOnPMSParallel(b *testing.B) {
	e := start(b, emulator.Options{})
	d := newDevice(b)
	registerLegacy(b, e, d, "alice")
	tok := refresh(b, e, d)
	nas := serverURL(b, e, emulator.ServerAliceNAS)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: tr}
	b.ReportAllocs()
	cpu := testutil.ProcessCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, _ := http.NewRequest("GET", nas+"/library/sections", nil)
			r.Header.Set("X-Plex-Token", tok)
			res, err := client.Do(r)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	reportCPU(b, cpu)
}
