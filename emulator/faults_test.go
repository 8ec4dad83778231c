package emulator_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

func TestFaults(t *testing.T) {
	t.Parallel()
	nonce := func(t *testing.T, e *emulator.Emulator) resp {
		return do(t, e, req{method: "GET", url: "/api/v2/auth/nonce", cid: "c"})
	}
	for _, tt := range []struct {
		name    string
		pattern string
		fault   emulator.Fault
		check   func(t *testing.T, e *emulator.Emulator)
	}{
		{name: "status with count", pattern: "GET /api/v2/auth/nonce", fault: emulator.Fault{Status: 503, Count: 2},
			check: func(t *testing.T, e *emulator.Emulator) {
				wantError(t, nonce(t, e), 503, emulator.CodeInjectedFault, "Service Unavailable")
				wantError(t, nonce(t, e), 503, emulator.CodeInjectedFault, "")
				if s := nonce(t, e).status; s != 200 {
					t.Errorf("third request: %d", s)
				}
			}},
		{name: "429 with Retry-After", pattern: "GET /api/v2/auth/nonce", fault: emulator.Fault{Status: 429, RetryAfter: 7 * time.Second},
			check: func(t *testing.T, e *emulator.Emulator) {
				for range 3 {
					res := nonce(t, e)
					wantError(t, res, 429, emulator.CodeRateLimited, "")
					if res.header.Get("Retry-After") != "7" {
						t.Errorf("Retry-After %q", res.header.Get("Retry-After"))
					}
				}
			}},
		{name: "only the named endpoint", pattern: "GET /api/v2/pins/{id}", fault: emulator.Fault{Status: 500},
			check: func(t *testing.T, e *emulator.Emulator) {
				if s := nonce(t, e).status; s != 200 {
					t.Errorf("other endpoint: %d", s)
				}
				wantError(t, do(t, e, req{method: "GET", url: "/api/v2/pins/1", cid: "c"}), 500, emulator.CodeInjectedFault, "")
			}},
		{name: "star", pattern: "*", fault: emulator.Fault{Status: 502},
			check: func(t *testing.T, e *emulator.Emulator) {
				wantError(t, nonce(t, e), 502, emulator.CodeInjectedFault, "")
				res := do(t, e, req{method: "GET", url: serverURL(t, e, emulator.ServerAliceNAS) + "/identity"})
				if res.status != 502 || !strings.Contains(string(res.body), "<h1>502 Bad Gateway</h1>") {
					t.Errorf("PMS under *: %d %s", res.status, res.body)
				}
				if res := do(t, e, req{method: "GET", url: "/__emulator/state"}); res.status != 200 {
					t.Errorf("control API faulted: %d", res.status)
				}
			}},
		{name: "PMS prefix", pattern: "pms:alice-nas *", fault: emulator.Fault{Status: 503},
			check: func(t *testing.T, e *emulator.Emulator) {
				if res := do(t, e, req{method: "GET", url: serverURL(t, e, emulator.ServerAliceNAS) + "/identity"}); res.status != 503 {
					t.Errorf("alice-nas: %d", res.status)
				}
				if res := do(t, e, req{method: "GET", url: serverURL(t, e, emulator.ServerAliceVault) + "/identity"}); res.status != 200 {
					t.Errorf("alice-vault: %d", res.status)
				}
				if s := nonce(t, e).status; s != 200 {
					t.Errorf("plex.tv: %d", s)
				}
			}},
		{name: "PMS pattern", pattern: "pms:alice-nas GET /library/sections/{sectionId}/all", fault: emulator.Fault{Status: 500, Count: 1},
			check: func(t *testing.T, e *emulator.Emulator) {
				nas := serverURL(t, e, emulator.ServerAliceNAS)
				tok := accessTokens(t, e, "alice")["alice-nas"]
				if res := do(t, e, req{method: "GET", url: nas + "/library/sections/2/all", token: tok}); res.status != 500 {
					t.Errorf("first: %d", res.status)
				}
				if res := do(t, e, req{method: "GET", url: nas + "/library/sections/2/all", token: tok}); res.status != 200 {
					t.Errorf("second: %d", res.status)
				}
				if got := e.Stats()["pms:alice-nas GET /library/sections/{sectionId}/all"]; got != 2 {
					t.Errorf("stats count %d, want 2 (faulted and served)", got)
				}
			}},
		{name: "latency", pattern: "GET /api/v2/auth/keys", fault: emulator.Fault{Latency: time.Hour},
			check: func(t *testing.T, e *emulator.Emulator) {
				// A request whose deadline is far shorter than the injected latency times out;
				// the same request, with the same deadline, succeeds once the fault is gone.
				get := func() error {
					ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
					defer cancel()
					r, _ := http.NewRequestWithContext(ctx, "GET", e.URL()+"/api/v2/auth/keys", nil)
					res, err := http.DefaultClient.Do(r)
					if err != nil {
						return err
					}
					res.Body.Close()
					if res.StatusCode != 200 {
						return fmt.Errorf("status %d", res.StatusCode)
					}
					return nil
				}
				if err := get(); !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("delayed request: %v, want context.DeadlineExceeded", err)
				}
				e.ClearFaults()
				if err := get(); err != nil {
					t.Errorf("request without latency: %v", err)
				}
			}},
		{name: "drop", pattern: "GET /api/v2/auth/nonce", fault: emulator.Fault{Drop: true, Count: 1},
			check: func(t *testing.T, e *emulator.Emulator) {
				r, _ := http.NewRequest("GET", e.URL()+"/api/v2/auth/nonce", nil)
				r.Header.Set("X-Plex-Client-Identifier", "c")
				res, err := (&http.Client{Transport: &http.Transport{}}).Do(r)
				if err == nil {
					res.Body.Close()
					t.Fatalf("dropped request answered %d", res.StatusCode)
				}
				if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
					t.Errorf("error %v, want a closed connection", err)
				}
				if s := nonce(t, e).status; s != 200 {
					t.Errorf("after the drop: %d", s)
				}
			}},
		{name: "cleared by zero fault", pattern: "GET /api/v2/auth/nonce", fault: emulator.Fault{Status: 500},
			check: func(t *testing.T, e *emulator.Emulator) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{})
				if s := nonce(t, e).status; s != 200 {
					t.Errorf("after clearing: %d", s)
				}
			}},
		{name: "exact beats prefix", pattern: "GET /api/v2/*", fault: emulator.Fault{Status: 500},
			check: func(t *testing.T, e *emulator.Emulator) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{Status: 418})
				if s := nonce(t, e).status; s != 418 {
					t.Errorf("exact: %d", s)
				}
				if s := do(t, e, req{method: "GET", url: "/api/v2/auth/keys"}).status; s != 500 {
					t.Errorf("prefix: %d", s)
				}
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, emulator.Options{NoncesPerMinute: -1})
			e.SetFault(tt.pattern, tt.fault)
			tt.check(t, e)
		})
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	refresh(t, e, d)
	refresh(t, e, d)
	tok := accessTokens(t, e, "alice")["alice-nas"]
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	do(t, e, req{method: "GET", url: nas + "/status/sessions", token: tok})
	do(t, e, req{method: "GET", url: nas + "/library/sections/1/all", token: tok})
	do(t, e, req{method: "GET", url: "/api/v2/pins/12345", cid: "c"})
	do(t, e, req{method: "GET", url: "/nope"})
	do(t, e, req{method: "GET", url: "/__emulator/stats"})
	want := map[string]int{
		"POST /api/v2/auth/jwk":                               1,
		"GET /api/v2/auth/nonce":                              2,
		"POST /api/v2/auth/token":                             2,
		"GET /api/v2/resources":                               1,
		"GET /api/v2/pins/{id}":                               1,
		"GET (unknown)":                                       1,
		"pms:alice-nas GET /status/sessions":                  1,
		"pms:alice-nas GET /library/sections/{sectionId}/all": 1,
	}
	got := e.Stats()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("Stats()[%q] = %d, want %d", k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %q (%d)", k, got[k])
		}
	}
	served := decode[map[string]int](t, do(t, e, req{method: "GET", url: "/__emulator/stats"}), http.StatusOK)
	if len(served) != len(got) || served["GET /api/v2/auth/nonce"] != 2 {
		t.Errorf("control API stats %v, want %v", served, got)
	}
	if res := do(t, e, req{method: "DELETE", url: "/__emulator/stats"}); res.status != http.StatusNoContent {
		t.Fatalf("reset: %d", res.status)
	}
	if got := e.Stats(); len(got) != 0 {
		t.Errorf("after reset: %v", got)
	}
}

func TestControlAPI(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), FreezeClock: true})
	d := newDevice(t)
	p := pinWithJWK(t, e, d, false)

	t.Run("pins and claim", func(t *testing.T) {
		pins := decode[[]struct {
			ID               int    `json:"id"`
			Code             string `json:"code"`
			ClientIdentifier string `json:"clientIdentifier"`
			Claimed          bool   `json:"claimed"`
		}](t, do(t, e, req{method: "GET", url: "/__emulator/pins"}), http.StatusOK)
		if len(pins) != 1 || pins[0].ID != p.ID || pins[0].Code != p.Code || pins[0].ClientIdentifier != d.cid || pins[0].Claimed {
			t.Fatalf("pins %+v", pins)
		}
		for _, tt := range []struct {
			form   url.Values
			status int
		}{
			{url.Values{"code": {p.Code}}, 400},
			{url.Values{"code": {p.Code}, "user": {"nobody"}}, 400},  // ErrNoSuchAccount
			{url.Values{"code": {"XXXX9"}, "user": {"nobody"}}, 400}, // the user is checked first
			{url.Values{"code": {"XXXX9"}, "user": {"bob"}}, 404},    // ErrPinNotFound
			{url.Values{"code": {p.Code}, "user": {"bob"}}, 204},
		} {
			if res := do(t, e, req{method: "POST", url: "/__emulator/pins/claim", form: tt.form}); res.status != tt.status {
				t.Errorf("claim %v: %d, want %d (%s)", tt.form, res.status, tt.status, res.body)
			}
		}
		got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
		if got.AuthToken == nil || verifyPlexJWT(t, e, *got.AuthToken).User["username"] != "bob" {
			t.Errorf("claimed via control API: %+v", got)
		}
	})
	t.Run("clock", func(t *testing.T) {
		res := do(t, e, req{method: "POST", url: "/__emulator/clock", form: url.Values{"advance": {"90m"}}})
		now := decode[map[string]string](t, res, http.StatusOK)["now"]
		if now != "2025-01-02T04:34:05Z" || !e.Now().Equal(time.Date(2025, 1, 2, 4, 34, 5, 0, time.UTC)) {
			t.Errorf("now %q, e.Now() %v", now, e.Now())
		}
		if res := do(t, e, req{method: "POST", url: "/__emulator/clock", form: url.Values{"advance": {"soon"}}}); res.status != 400 {
			t.Errorf("bad duration: %d", res.status)
		}
	})
	t.Run("revoke", func(t *testing.T) {
		if res := do(t, e, req{method: "POST", url: "/__emulator/devices/revoke", form: url.Values{}}); res.status != 400 {
			t.Errorf("no clientIdentifier: %d", res.status)
		}
		if res := do(t, e, req{method: "POST", url: "/__emulator/devices/revoke", form: url.Values{"clientIdentifier": {d.cid}}}); res.status != 204 {
			t.Fatalf("revoke: %d", res.status)
		}
		wantError(t, exchange(t, e, d.cid, d.deviceJWT(t, e.Now(), getNonce(t, e, d))), 401, emulator.CodeJWKMissing, "removed")
	})
	t.Run("rotate", func(t *testing.T) {
		before := jwks(t, e).Keys[0].KeyID
		res := do(t, e, req{method: "POST", url: "/__emulator/keys/rotate"})
		if res.status != 200 || !strings.Contains(string(res.body), before) {
			t.Fatalf("rotate: %d %s", res.status, res.body)
		}
		if after := jwks(t, e); len(after.Keys) != 2 || after.Keys[0].KeyID == before {
			t.Errorf("after rotation: %v", kids(after))
		}
	})
	t.Run("faults", func(t *testing.T) {
		for _, tt := range []struct {
			form   url.Values
			status int
		}{
			{url.Values{"status": {"500"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "status": {"abc"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "latency": {"-1s"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "count": {"-1"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "drop": {"perhaps"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "retryAfter": {"soon"}}, 400},
			{url.Values{"endpoint": {"GET /api/v2/auth/keys"}, "status": {"429"}, "retryAfter": {"3"}, "count": {"1"}}, 204},
		} {
			if res := do(t, e, req{method: "POST", url: "/__emulator/faults", form: tt.form}); res.status != tt.status {
				t.Errorf("faults %v: %d, want %d", tt.form, res.status, tt.status)
			}
		}
		res := do(t, e, req{method: "GET", url: "/api/v2/auth/keys"})
		if res.status != 429 || res.header.Get("Retry-After") != "3" {
			t.Errorf("fault via control API: %d %q", res.status, res.header.Get("Retry-After"))
		}
		do(t, e, req{method: "POST", url: "/__emulator/faults", form: url.Values{"endpoint": {"*"}, "status": {"500"}}})
		if s := do(t, e, req{method: "GET", url: "/api/v2/auth/keys"}).status; s != 500 {
			t.Errorf("* fault: %d", s)
		}
		if res := do(t, e, req{method: "POST", url: "/__emulator/faults", form: url.Values{}}); res.status != 204 {
			t.Errorf("clear all: %d", res.status)
		}
		if s := do(t, e, req{method: "GET", url: "/api/v2/auth/keys"}).status; s != 200 {
			t.Errorf("after clearing all: %d", s)
		}
	})
}

func TestLogf(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var lines []string
	e := start(t, emulator.Options{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}})
	d := newDevice(t)
	registerLegacy(t, e, d, "alice")
	tok := refresh(t, e, d)
	do(t, e, req{method: "GET", url: "/api/v2/user?X-Plex-Token=" + url.QueryEscape(tok), cid: d.cid})
	do(t, e, req{method: "GET", url: serverURL(t, e, emulator.ServerAliceNAS) + "/library/sections", token: tok})
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 5 {
		t.Errorf("%d log lines, want 5: %q", len(lines), lines)
	}
	for _, l := range lines {
		for _, secret := range []string{tok, e.LegacyToken("alice"), strings.Split(tok, ".")[2]} {
			if strings.Contains(l, secret) {
				t.Errorf("log line holds a token: %q", l)
			}
		}
	}
	if !strings.HasPrefix(lines[4], "pms:alice-nas GET /library/sections 200") || !strings.HasPrefix(lines[2], "plex.tv POST /api/v2/auth/token 200") {
		t.Errorf("lines %q", lines)
	}
}

func TestControlAPICrossOrigin(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	code := decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: "c"}), http.StatusCreated).Code
	for _, tt := range []struct {
		name   string
		header http.Header
		status int
	}{
		{"cross-site fetch", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"foreign origin", http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden},
		{"same origin", http.Header{"Sec-Fetch-Site": {"same-origin"}}, http.StatusNoContent},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := do(t, e, req{method: "POST", url: "/__emulator/pins/claim", header: tt.header,
				form: url.Values{"code": {code}, "user": {"alice"}}})
			if res.status != tt.status {
				t.Errorf("status %d, want %d", res.status, tt.status)
			}
		})
	}
	res := do(t, e, req{method: "POST", url: "/signin", header: http.Header{"Sec-Fetch-Site": {"cross-site"}},
		form: url.Values{"username": {"alice"}}})
	if res.status != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", res.status)
	}
}
