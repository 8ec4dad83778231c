package plextv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

func TestNewClientRefusesBadOptions(t *testing.T) {
	t.Parallel()
	info := plextv.WithClientInfo(plexkit.DefaultClientInfo("cid-1"))
	tests := []struct {
		name   string
		opts   []plextv.Option
		option string // the OptionError's Option
		reason string // part of its text
	}{
		{"no client info", nil, "WithClientInfo", "required"},
		{"empty client identifier", []plextv.Option{plextv.WithClientInfo(plexkit.ClientInfo{Product: "x"})}, "WithClientInfo", "ClientIdentifier is empty"},
		{"relative base URL", []plextv.Option{info, plextv.WithBaseURL("/api")}, "WithBaseURL", "not an absolute http(s) URL"},
		{"ftp base URL", []plextv.Option{info, plextv.WithBaseURL("ftp://plex.tv")}, "WithBaseURL", "not an absolute http(s) URL"},
		{"base URL with query", []plextv.Option{info, plextv.WithBaseURL("https://plex.tv/?X-Plex-Token=abc")}, "WithBaseURL", "must not carry a query"},
		{"base URL with credentials", []plextv.Option{info, plextv.WithBaseURL("https://u:p@plex.tv")}, "WithBaseURL", "credentials"},
		{"unparsable base URL", []plextv.Option{info, plextv.WithBaseURL("http://[::1")}, "WithBaseURL", "not a URL"},
		{"nil HTTP client", []plextv.Option{info, plextv.WithHTTPClient(nil)}, "WithHTTPClient", "nil"},
		{"nil verifier", []plextv.Option{info, plextv.WithVerifier(nil)}, "WithVerifier", "nil"},
		{"nil clock", []plextv.Option{info, plextv.WithClock(nil)}, "WithClock", "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := plextv.NewClient(tt.opts...)
			var oe *plextv.OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("NewClient = %v, %v; want an *OptionError", c, err)
			}
			if oe.Option != tt.option || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error = %q (option %s); want option %s and %q", err, oe.Option, tt.option, tt.reason)
			}
			if strings.Contains(err.Error(), "X-Plex-Token=abc") {
				t.Errorf("error %q repeats a token from the URL", err)
			}
		})
	}
}

func TestApprovalURLs(t *testing.T) {
	t.Parallel()
	pin := &plextv.Pin{ID: 1, Code: "AB CD", ClientIdentifier: "cid-1"}
	tests := []struct {
		name, base    string
		auth, link    string
		product, fwd  string
		wantAuthExtra string
	}{
		{
			name: "plex.tv", base: "",
			auth: "https://app.plex.tv/auth#?clientID=cid-1&code=AB+CD&context%5Bdevice%5D%5Bproduct%5D=plexkit",
			link: "https://plex.tv/link/?pin=AB+CD",
		},
		{
			name: "plex.tv with forward URL and product", base: "https://plex.tv", product: "My App", fwd: "https://example.com/done",
			auth: "https://app.plex.tv/auth#?clientID=cid-1&code=AB+CD&context%5Bdevice%5D%5Bproduct%5D=My+App&forwardUrl=https%3A%2F%2Fexample.com%2Fdone",
			link: "https://plex.tv/link/?pin=AB+CD",
		},
		{
			name: "emulator under a path prefix", base: "http://127.0.0.1:9/prefix/",
			auth: "http://127.0.0.1:9/prefix/auth#?clientID=cid-1&code=AB+CD&context%5Bdevice%5D%5Bproduct%5D=plexkit",
			link: "http://127.0.0.1:9/prefix/link?pin=AB+CD",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := []plextv.Option{plextv.WithClientInfo(plexkit.DefaultClientInfo("cid-1"))}
			if tt.base != "" {
				opts = append(opts, plextv.WithBaseURL(tt.base))
			}
			c, err := plextv.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Pins.AuthURL(pin, tt.product, tt.fwd); got != tt.auth {
				t.Errorf("AuthURL = %s\nwant       %s", got, tt.auth)
			}
			if got := c.Pins.LinkURL(pin); got != tt.link {
				t.Errorf("LinkURL = %s, want %s", got, tt.link)
			}
		})
	}
}

// TestOneRequestPath checks what every request of a whole session carries: the identification
// headers and Accept: application/json always; X-Plex-Token only on the calls that need it
// (and never as a query parameter); deviceJWT only on PIN polls.
func TestOneRequestPath(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	rec := &recorder{}
	c := newClient(t, e, dev, plextv.WithHTTPClient(&http.Client{Transport: rec}))
	tok := login(t, e, c, dev, "alice")
	ctx := context.Background()
	if _, err := plextv.NewJWTSource(c, dev, nil).Token(ctx); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	ac := c.WithTokenSource(auth.StaticTokenSource(tok))
	if _, err := ac.Users.Me(ctx, ""); err != nil {
		t.Fatalf("Users.Me: %v", err)
	}
	if _, err := ac.Resources.List(ctx); err != nil {
		t.Fatalf("Resources.List: %v", err)
	}
	needsToken := map[string]bool{"/api/v2/user": true, "/api/v2/resources": true}
	seen := map[string]bool{}
	for _, r := range rec.all() {
		path := r.URL.Path
		if strings.HasPrefix(path, "/api/v2/pins/") {
			path = "/api/v2/pins/{id}"
		}
		seen[r.Method+" "+path] = true
		t.Run(r.Method+" "+path, func(t *testing.T) {
			for h, want := range map[string]string{
				"X-Plex-Client-Identifier": dev.ClientIdentifier,
				"X-Plex-Product":           "plexkit",
				"X-Plex-Version":           plexkit.Version,
				"Accept":                   "application/json",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if got := r.Header.Get("X-Plex-Token") != ""; got != needsToken[r.URL.Path] {
				t.Errorf("X-Plex-Token sent = %v, want %v", got, needsToken[r.URL.Path])
			}
			if r.URL.Query().Has("X-Plex-Token") {
				t.Error("the token travels in the query")
			}
			if got := r.URL.Query().Has("deviceJWT"); got != (path == "/api/v2/pins/{id}") {
				t.Errorf("deviceJWT in the query = %v", got)
			}
		})
	}
	for _, want := range []string{"POST /api/v2/pins", "GET /api/v2/pins/{id}", "GET /api/v2/auth/keys", "GET /api/v2/auth/nonce", "POST /api/v2/auth/token", "GET /api/v2/user", "GET /api/v2/resources"} {
		if !seen[want] {
			t.Errorf("the session made no %s request", want)
		}
	}
}

// TestBaseURLWithPathPrefix mounts the emulator under a path, as behind a proxy: a request built
// from an absolute path would miss it.
func TestBaseURLWithPathPrefix(t *testing.T) {
	t.Parallel()
	e := emulator.New(emulator.Options{LibrarySize: 10})
	mux := http.NewServeMux()
	mux.Handle("/plex/", http.StripPrefix("/plex", e.Handler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	dev := newDevice(t)
	c, err := plextv.NewClient(
		plextv.WithBaseURL(srv.URL+"/plex/"),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(e.Now),
	)
	if err != nil {
		t.Fatal(err)
	}
	var link string
	tok, err := plextv.Login(context.Background(), c, dev, plextv.LoginOptions{
		Link:         true,
		PollInterval: 10 * time.Millisecond,
		OnPin: func(p *plextv.Pin, u string) {
			link = u
			claimAs(t, e, "bob")(p, u)
		},
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if !strings.HasPrefix(link, srv.URL+"/plex/link?pin=") {
		t.Errorf("link URL %s is not under the base URL", link)
	}
	u, err := c.Users.Me(context.Background(), tok.Value)
	if err != nil || u.Username != "bob" {
		t.Fatalf("Users.Me = %+v, %v; want bob", u, err)
	}
}

func TestUsersAndResources(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	users := map[string]emulator.UserInfo{}
	for _, u := range e.Users() {
		users[u.Username] = u
	}
	tests := []struct {
		user    string
		servers map[string]bool // name → owned
	}{
		{"alice", map[string]bool{"alice-nas": true, "alice-vault": true}},
		{"bob", map[string]bool{"alice-nas": false}},
		{"dave", map[string]bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			t.Parallel()
			dev := newDevice(t)
			c := newClient(t, e, dev)
			tok := login(t, e, c, dev, tt.user)
			ctx := context.Background()
			me, err := c.Users.Me(ctx, tok.Value)
			if err != nil {
				t.Fatalf("Users.Me: %v", err)
			}
			want := users[tt.user]
			if me.Username != want.Username || me.ID != int64(want.ID) || me.UUID != want.UUID || me.Email != want.Email {
				t.Errorf("Users.Me = %+v, want %+v", me, want)
			}
			if _, err := c.Resources.List(ctx); !errors.Is(err, plextv.ErrNoTokenSource) {
				t.Errorf("Resources.List without a token source = %v, want ErrNoTokenSource", err)
			}
			servers, err := c.WithTokenSource(auth.StaticTokenSource(tok)).Resources.Servers(ctx)
			if err != nil {
				t.Fatalf("Resources.Servers: %v", err)
			}
			got := map[string]bool{}
			for _, s := range servers {
				got[s.Name] = s.Owned
				if !s.IsServer() || s.AccessToken == "" || len(s.Connections) == 0 {
					t.Errorf("server %s: IsServer %v, access token set %v, %d connections", s.Name, s.IsServer(), s.AccessToken != "", len(s.Connections))
				}
				if !s.Owned && s.SourceTitle != "alice" {
					t.Errorf("shared server %s: SourceTitle %q, want alice", s.Name, s.SourceTitle)
				}
				for _, text := range []string{s.String(), fmt.Sprintf("%v %+v %#v", s, s, s)} {
					if strings.Contains(text, s.AccessToken) {
						t.Errorf("the printed resource shows its access token: %s", text)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.servers) {
				t.Errorf("servers (name → owned) = %v, want %v", got, tt.servers)
			}
		})
	}
}

// TestServersLiveConnection checks that one listed connection of each server really answers.
func TestServersLiveConnection(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	tok := login(t, e, c, dev, "alice")
	servers, err := c.WithTokenSource(auth.StaticTokenSource(tok)).Resources.Servers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]string{}
	for _, s := range e.Servers() {
		live[s.Name] = s.URL
	}
	for _, s := range servers {
		found := false
		for _, conn := range s.Connections {
			if strings.TrimSuffix(conn.URI, "/") == strings.TrimSuffix(live[s.Name], "/") {
				found = true
			}
		}
		if !found {
			t.Errorf("server %s: no connection is its live URL %s: %+v", s.Name, live[s.Name], s.Connections)
		}
	}
}

// TestErrorsNeverShowSecrets provokes failures on the calls that carry secrets and checks that
// no error text holds them.
func TestErrorsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	tok := login(t, e, c, dev, "alice")
	djwt, err := dev.Key.SignDeviceJWT(devicekeyClaims(dev))
	if err != nil {
		t.Fatal(err)
	}
	legacy := e.LegacyToken("alice")
	ctx := context.Background()
	tests := []struct {
		name  string
		fault string
		f     emulator.Fault
		call  func() error
	}{
		{"pin poll refused", "GET /api/v2/pins/{id}", emulator.Fault{Status: http.StatusBadRequest}, func() error {
			_, err := c.Pins.Get(ctx, 12345, djwt)
			return err
		}},
		{"pin poll connection dropped", "GET /api/v2/pins/{id}", emulator.Fault{Drop: true}, func() error {
			_, err := c.Pins.Get(ctx, 12345, djwt)
			return err
		}},
		{"exchange refused", "POST /api/v2/auth/token", emulator.Fault{Status: http.StatusInternalServerError}, func() error {
			_, err := c.Auth.Exchange(ctx, djwt)
			return err
		}},
		{"user with a token, dropped", "GET /api/v2/user", emulator.Fault{Drop: true}, func() error {
			_, err := c.Users.Me(ctx, tok.Value)
			return err
		}},
		{"registration with a legacy token", "POST /api/v2/auth/jwk", emulator.Fault{Status: http.StatusUnprocessableEntity}, func() error {
			return c.Auth.RegisterJWK(ctx, legacy, dev.Key.PublicJWK())
		}},
	}
	// One emulator, faults set one after the other: not parallel.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.SetFault(tt.fault, tt.f)
			defer e.SetFault(tt.fault, emulator.Fault{})
			err := tt.call()
			if err == nil {
				t.Fatal("the call succeeded despite the fault")
			}
			for _, secret := range []string{djwt, tok.Value, legacy} {
				if strings.Contains(err.Error(), secret) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), secret) {
					t.Errorf("error shows a secret: %v", err)
				}
			}
		})
	}
}
