package emulator_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

func TestLifecycle(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	if e.URL() != "" {
		t.Errorf("URL before Start: %q", e.URL())
	}
	if err := e.StartOn("256.0.0.1:1"); err == nil {
		t.Fatal("StartOn a bad address succeeded")
	}
	if err := e.StartOn("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); !errors.Is(err, emulator.ErrStarted) {
		t.Errorf("second Start: %v", err)
	}
	if !strings.HasPrefix(e.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q", e.URL())
	}
	var addrs []string
	for _, r := range resources(t, e, e.LegacyToken("alice"), "?includeHttps=1&includeRelay=1") {
		for _, c := range r.Connections {
			addrs = append(addrs, net.JoinHostPort(c.Address, strconv.Itoa(c.Port)))
		}
	}
	addrs = append(addrs, strings.TrimPrefix(e.URL(), "http://"))
	if len(addrs) != 11 {
		t.Fatalf("%d addresses, want plex.tv + 2 servers × 5 connections", len(addrs))
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := e.Start(); !errors.Is(err, emulator.ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

func TestHandlerWithoutStart(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	d := newDevice(t)
	get := func(path, token string) *http.Response {
		r, _ := http.NewRequest("GET", srv.URL+path, nil)
		r.Header.Set("Accept", "application/json")
		r.Header.Set("X-Plex-Client-Identifier", d.cid)
		r.Header.Set("X-Plex-Token", token)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := get("/api/v2/resources", e.LegacyToken("alice"))
	defer res.Body.Close()
	var rs []resource
	if err := json.NewDecoder(res.Body).Decode(&rs); err != nil || len(rs) != 2 {
		t.Fatalf("resources: %v %v", err, rs)
	}
	for _, r := range rs {
		if r.Presence || len(r.Connections) != 0 {
			t.Errorf("unstarted server %s: presence %v, %d connections", r.Name, r.Presence, len(r.Connections))
		}
	}
	res2 := get("/api/v2/user", e.LegacyToken("bob"))
	res2.Body.Close()
	if res2.StatusCode != http.StatusOK {
		t.Errorf("user: %d", res2.StatusCode)
	}
}

func TestConcurrentRefresh(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	const devices, rounds = 8, 5
	// Parallel subtests inside a group: the group returns when all of them have finished.
	t.Run("group", func(t *testing.T) {
		for i := range devices {
			t.Run(strconv.Itoa(i), func(t *testing.T) {
				t.Parallel()
				d := newDevice(t)
				tok := linkViaPin(t, e, d, "bob")
				for range rounds {
					tok = refresh(t, e, d)
				}
				if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}); res.status != http.StatusOK {
					t.Errorf("user: %d", res.status)
				}
			})
		}
	})
	if got := e.Stats()["POST /api/v2/auth/token"]; got != devices*rounds {
		t.Errorf("%d token exchanges counted, want %d", got, devices*rounds)
	}
}

func TestClaimPinErrors(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{})
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	r, _ := http.NewRequest("POST", srv.URL+"/api/v2/pins", nil)
	r.Header.Set("Accept", "application/json")
	r.Header.Set("X-Plex-Client-Identifier", "c")
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	var p pinBody
	err = json.NewDecoder(res.Body).Decode(&p)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, code, user string
		want             error
	}{
		{"unknown user", p.Code, "mallory", emulator.ErrNoSuchAccount},
		{"unknown code", "QQQQQ", "alice", emulator.ErrPinNotFound},
		{"ok, any case", strings.ToLower(p.Code), "Alice", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.ClaimPin(tt.code, tt.user); !errors.Is(err, tt.want) {
				t.Errorf("ClaimPin: %v, want %v", err, tt.want)
			}
		})
	}
}

// The zero Emulator is ready to use, as the package documentation promises: it serves its own
// plex.tv (not http.DefaultServeMux) with the default seed, and a whole pin flow works on it.
func TestZeroValue(t *testing.T) {
	t.Parallel()
	var e emulator.Emulator
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if now := e.Now(); time.Since(now) > time.Hour || time.Until(now) > time.Hour {
		t.Errorf("Now() = %v, want about the real time (the default Options.Start)", now)
	}
	if len(e.Users()) != 4 || len(e.Servers()) != 2 {
		t.Fatalf("seed: %d users, %d servers", len(e.Users()), len(e.Servers()))
	}
	d := newDevice(t)
	p := decode[pinBody](t, do(t, &e, req{method: "POST", url: "/api/v2/pins", cid: d.cid}), http.StatusCreated)
	if err := e.ClaimPin(p.Code, "alice"); err != nil {
		t.Fatal(err)
	}
	got := decode[pinBody](t, pollPin(t, &e, d.cid, p.ID, ""), http.StatusOK)
	if got.AuthToken == nil || *got.AuthToken == "" {
		t.Fatal("claimed pin has no authToken")
	}
	user := decode[map[string]any](t, do(t, &e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: *got.AuthToken}), http.StatusOK)
	if user["username"] != "alice" {
		t.Errorf("the pin's token belongs to %v, want alice", user["username"])
	}
	if n := e.Stats()["GET /api/v2/pins/{id}"]; n != 1 {
		t.Errorf("Stats: %d polls, want 1", n)
	}
}

// Every exported method works on a zero Emulator, started or not, without panicking.
func TestZeroValueMethods(t *testing.T) {
	t.Parallel()
	for name, call := range map[string]func(e *emulator.Emulator){
		"Handler":      func(e *emulator.Emulator) { _ = e.Handler() },
		"URL":          func(e *emulator.Emulator) { _ = e.URL() },
		"Now":          func(e *emulator.Emulator) { _ = e.Now() },
		"Advance":      func(e *emulator.Emulator) { e.Advance(time.Hour) },
		"State":        func(e *emulator.Emulator) { _ = e.State() },
		"LegacyToken":  func(e *emulator.Emulator) { _ = e.LegacyToken("alice") },
		"ClaimPin":     func(e *emulator.Emulator) { _ = e.ClaimPin("ABCD", "alice") },
		"RevokeDevice": func(e *emulator.Emulator) { e.RevokeDevice("x") },
		"RotateKey":    func(e *emulator.Emulator) { e.RotateKey() },
		"Stats":        func(e *emulator.Emulator) { _ = e.Stats() },
		"ResetStats":   func(e *emulator.Emulator) { e.ResetStats() },
		"SetFault":     func(e *emulator.Emulator) { e.SetFault("*", emulator.Fault{Status: 500}) },
		"ClearFaults":  func(e *emulator.Emulator) { e.ClearFaults() },
		"Close":        func(e *emulator.Emulator) { _ = e.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var e emulator.Emulator
			call(&e)
			if name == "Close" {
				return
			}
			srv := httptest.NewServer(e.Handler())
			defer srv.Close()
			res, err := http.Get(srv.URL + "/api/v2/auth/keys")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if name != "SetFault" && res.StatusCode != http.StatusOK {
				t.Errorf("after %s: GET /api/v2/auth/keys = %d", name, res.StatusCode)
			}
		})
	}
}
