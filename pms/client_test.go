package pms_test

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3tTokenValue1234"
	tests := []struct {
		name    string
		baseURL string
		opts    []pms.Option
		option  string // the OptionError's Option; "" means success
	}{
		{"plain", "http://192.168.1.10:32400", nil, ""},
		{"path prefix", "https://example.com/plex/", nil, ""},
		{"all options", "http://h:32400", []pms.Option{
			pms.WithToken(secret), pms.WithHTTPClient(&http.Client{}), pms.WithXML(),
			pms.WithClientInfo(plexkit.DefaultClientInfo("id")), pms.WithRaceGrace(0),
			pms.WithConnectTimeout(1), pms.WithRefetch(func(context.Context) (pms.ServerRef, error) { return pms.ServerRef{}, nil }),
			nil,
		}, ""},
		{"not a URL", "http://[::1", nil, "baseURL"},
		{"relative", "/plex", nil, "baseURL"},
		{"other scheme", "ftp://h/", nil, "baseURL"},
		{"token in the query", "http://h:32400/?X-Plex-Token=" + secret, nil, "baseURL"},
		{"credentials", "http://user:" + secret + "@h:32400", nil, "baseURL"},
		{"empty token", "http://h", []pms.Option{pms.WithToken(" ")}, "WithToken"},
		{"token with a newline", "http://h", []pms.Option{pms.WithToken(secret + "\n")}, "WithToken"},
		{"two tokens", "http://h", []pms.Option{pms.WithToken(secret), pms.WithTokenSource(auth.StaticTokenSource(&auth.Token{Value: secret}))}, "WithTokenSource"},
		{"nil token source", "http://h", []pms.Option{pms.WithTokenSource(nil)}, "WithTokenSource"},
		{"nil HTTP client", "http://h", []pms.Option{pms.WithHTTPClient(nil)}, "WithHTTPClient"},
		{"nil refetch", "http://h", []pms.Option{pms.WithRefetch(nil)}, "WithRefetch"},
		{"negative grace", "http://h", []pms.Option{pms.WithRaceGrace(-1)}, "WithRaceGrace"},
		{"zero connect timeout", "http://h", []pms.Option{pms.WithConnectTimeout(0)}, "WithConnectTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := pms.NewClient(tt.baseURL, tt.opts...)
			if tt.option == "" {
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				if got, want := c.BaseURL(), strings.TrimSuffix(tt.baseURL, "/"); got != want {
					t.Errorf("BaseURL() = %q, want %q", got, want)
				}
				return
			}
			var oe *pms.OptionError
			if !errors.As(err, &oe) || oe.Option != tt.option {
				t.Fatalf("NewClient error = %v, want an *OptionError for %s", err, tt.option)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the token: %v", err)
			}
		})
	}
}

// TestRoles checks what each account may do on alice-nas with the token plex.tv lists for it:
// the owner is admin, a friend and a managed user are shared users, a stranger has no access.
func TestRoles(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	alice := clientFor(t, e, "alice", nas)
	bob := clientFor(t, e, "bob", nas)
	carol := clientFor(t, e, "carol", nas)
	bobToken := accessToken(t, e, "bob", nas)

	t.Run("owner lists sessions", func(t *testing.T) {
		t.Parallel()
		sessions, err := alice.Sessions.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		users := map[string]bool{}
		for _, s := range sessions {
			users[s.User.Title] = true
			if s.SessionKey == "" || s.Player.State == "" || s.Session.Bandwidth <= 0 || s.RatingKey == "" {
				t.Errorf("session %+v lacks its key, player state, bandwidth or item", s)
			}
			// The session's item is the library's item.
			item, err := alice.Library.Metadata(ctx, string(s.RatingKey))
			if err != nil {
				t.Fatal(err)
			}
			if item.Title != s.Title || item.Type != s.Type {
				t.Errorf("session plays %q (%s), the library says %q (%s)", s.Title, s.Type, item.Title, item.Type)
			}
		}
		if len(sessions) != 2 || !users["alice"] || !users["bob"] {
			t.Errorf("sessions of %v, want alice's and bob's", users)
		}
	})

	t.Run("friend may not list sessions", func(t *testing.T) {
		t.Parallel()
		_, err := bob.Sessions.List(ctx)
		var pe *plexkit.Error
		if !errors.Is(err, plexkit.ErrUnauthorized) || !errors.As(err, &pe) || pe.StatusCode != http.StatusUnauthorized {
			t.Fatalf("Sessions.List as bob = %v, want a 401 *plexkit.Error", err)
		}
		if strings.Contains(err.Error(), bobToken) {
			t.Errorf("the error shows the token: %v", err)
		}
	})

	t.Run("history is everyone's for the owner, one's own for a friend", func(t *testing.T) {
		t.Parallel()
		all, err := alice.History.ListAll(ctx, pms.HistoryOptions{})
		if err != nil {
			t.Fatal(err)
		}
		accounts := map[pms.FlexInt]int{}
		for _, h := range all {
			accounts[h.AccountID]++
		}
		if len(accounts) < 3 {
			t.Errorf("alice sees the history of %d accounts, want alice's, bob's and carol's", len(accounts))
		}
		bobs, err := bob.History.ListAll(ctx, pms.HistoryOptions{PageSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		bobID := pms.FlexInt(userID(t, e, "bob"))
		if len(bobs) == 0 || len(bobs) != accounts[bobID] {
			t.Errorf("bob sees %d entries, alice sees %d of bob's", len(bobs), accounts[bobID])
		}
		for _, h := range bobs {
			if h.AccountID != bobID {
				t.Errorf("bob sees an entry of account %d", h.AccountID)
			}
		}
		filtered, err := alice.History.ListAll(ctx, pms.HistoryOptions{AccountID: int(bobID)})
		if err != nil || len(filtered) != len(bobs) {
			t.Errorf("alice filtering on bob: %d entries, %v; want %d", len(filtered), err, len(bobs))
		}
	})

	t.Run("friend sees shared sections only", func(t *testing.T) {
		t.Parallel()
		sections, err := bob.Library.Sections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(sections) != 2 || sections[0].Key != "1" || sections[1].Key != "3" {
			t.Fatalf("bob sees sections %+v, want only sections 1 and 3", sections)
		}
		for _, key := range []string{"2", "4"} {
			for _, err := range bob.Library.Items(ctx, key, pms.ItemsOptions{}) {
				if !errors.Is(err, plexkit.ErrNotFound) {
					t.Fatalf("bob listing section %s: %v, want ErrNotFound", key, err)
				}
			}
		}
		for key, want := range map[string]int{"1": 2000, "3": 120} {
			n, err := bob.Library.ItemCount(ctx, key)
			if err != nil || n != want {
				t.Errorf("bob counts %d items in section %s (%v), want %d", n, key, err, want)
			}
		}
	})

	t.Run("managed user sees every section, no sessions", func(t *testing.T) {
		t.Parallel()
		sections, err := carol.Library.Sections(ctx)
		if err != nil || len(sections) != 4 {
			t.Fatalf("carol sees %d sections (%v), want 4", len(sections), err)
		}
		if _, err := carol.Sessions.List(ctx); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("Sessions.List as carol = %v, want ErrUnauthorized", err)
		}
	})

	t.Run("stranger is refused", func(t *testing.T) {
		t.Parallel()
		dave := newClient(t, serverInfo(t, e, nas).URL, pms.WithToken(e.LegacyToken("dave")))
		if _, err := dave.Library.Sections(ctx); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("Sections as dave = %v, want ErrUnauthorized", err)
		}
		if id, err := dave.Server.Identity(ctx); err != nil || id.MachineIdentifier != serverInfo(t, e, nas).MachineIdentifier {
			t.Errorf("Identity as dave = %+v, %v; /identity needs no token", id, err)
		}
	})
}

func TestSharedAdminStatusForbidden(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{SharedAdminStatus: http.StatusForbidden})
	_, err := clientFor(t, e, "bob", nas).Sessions.List(context.Background())
	if !errors.Is(err, plexkit.ErrForbidden) {
		t.Fatalf("Sessions.List as bob = %v, want ErrForbidden", err)
	}
}

// TestServerTokens checks that each server takes only what it should: alice-vault refuses the
// account token and takes its own access token; no server takes another's access token.
func TestServerTokens(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	nasURL, vaultURL := serverInfo(t, e, nas).URL, serverInfo(t, e, vault).URL
	nasToken, vaultToken := accessToken(t, e, "alice", nas), accessToken(t, e, "alice", vault)
	tests := []struct {
		name, url, token string
		sections         int // 0: refused
	}{
		{"nas takes the account token", nasURL, e.LegacyToken("alice"), 4},
		{"nas takes its access token", nasURL, nasToken, 4},
		{"vault refuses the account token", vaultURL, e.LegacyToken("alice"), 0},
		{"vault takes its access token", vaultURL, vaultToken, 2},
		{"vault refuses nas's access token", vaultURL, nasToken, 0},
		{"nas refuses vault's access token", nasURL, vaultToken, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, tt.url, pms.WithToken(tt.token))
			sections, err := c.Library.Sections(ctx)
			switch {
			case tt.sections > 0 && (err != nil || len(sections) != tt.sections):
				t.Errorf("Sections = %d, %v; want the server's %d sections", len(sections), err, tt.sections)
			case tt.sections == 0 && !errors.Is(err, plexkit.ErrUnauthorized):
				t.Errorf("Sections error = %v, want ErrUnauthorized", err)
			}
		})
	}
}

// TestRefetch checks WithRefetch: a 401 leads to one refetch and one retry with the new token.
func TestRefetch(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	vaultRef := serverRef(t, e, "alice", vault)
	nasRef := serverRef(t, e, "alice", nas)
	vaultURL := serverInfo(t, e, vault).URL
	stale := nasRef.AccessToken // another server's token: vault answers 401

	// counter is a refetch function that counts its calls.
	type counter struct {
		mu    sync.Mutex
		calls int
	}
	refetchOf := func(cnt *counter, ref pms.ServerRef, err error) pms.Option {
		return pms.WithRefetch(func(context.Context) (pms.ServerRef, error) {
			cnt.mu.Lock()
			defer cnt.mu.Unlock()
			cnt.calls++
			return ref, err
		})
	}

	t.Run("a 401 becomes a success once", func(t *testing.T) {
		t.Parallel()
		var cnt counter
		c := newClient(t, vaultURL, pms.WithToken(stale), refetchOf(&cnt, vaultRef, nil))
		for range 3 {
			if _, err := c.Library.Sections(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if cnt.calls != 1 {
			t.Errorf("refetch called %d times, want 1", cnt.calls)
		}
		if c.MachineIdentifier() != vaultRef.MachineIdentifier {
			t.Errorf("MachineIdentifier() = %q after the refetch, want %q", c.MachineIdentifier(), vaultRef.MachineIdentifier)
		}
	})

	t.Run("concurrent refusals share one refetch", func(t *testing.T) {
		t.Parallel()
		var cnt counter
		c := newClient(t, vaultURL, pms.WithToken(stale), refetchOf(&cnt, vaultRef, nil))
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				_, err := c.Library.Sections(ctx)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		if cnt.calls != 1 {
			t.Errorf("refetch called %d times, want 1", cnt.calls)
		}
	})

	t.Run("a refetch that fails", func(t *testing.T) {
		t.Parallel()
		var cnt counter
		boom := errors.New("plex.tv is down")
		c := newClient(t, vaultURL, pms.WithToken(stale), refetchOf(&cnt, pms.ServerRef{}, boom))
		_, err := c.Library.Sections(ctx)
		if !errors.Is(err, plexkit.ErrUnauthorized) || !errors.Is(err, boom) {
			t.Fatalf("Sections = %v, want both the 401 and the refetch error", err)
		}
	})

	t.Run("a refetched token that is refused too is not retried again", func(t *testing.T) {
		t.Parallel()
		// A new emulator, so that its request counts are this subtest's alone.
		e := startEmulator(t, emulator.Options{})
		ref := serverRef(t, e, "alice", vault)
		ref.AccessToken = accessToken(t, e, "alice", nas)
		var cnt counter
		c := newClient(t, serverInfo(t, e, vault).URL, pms.WithToken(ref.AccessToken), refetchOf(&cnt, ref, nil))
		_, err := c.Library.Sections(ctx)
		if !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Fatalf("Sections = %v, want ErrUnauthorized", err)
		}
		if got := statsFor(e, vault, "GET /library/sections"); cnt.calls != 1 || got != 2 {
			t.Errorf("refetch called %d times, server asked %d times; want 1 and 2", cnt.calls, got)
		}
	})

	t.Run("a refetch naming another server", func(t *testing.T) {
		t.Parallel()
		var cnt counter
		c, err := pms.Connect(ctx, vaultRef, fastRetry, pms.WithToken(stale), refetchOf(&cnt, nasRef, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Library.Sections(ctx); !errors.Is(err, pms.ErrWrongServer) || !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Fatalf("Sections = %v, want ErrWrongServer and ErrUnauthorized", err)
		}
	})

	t.Run("a POST is not repeated, the next call uses the new token", func(t *testing.T) {
		t.Parallel()
		var cnt counter
		c := newClient(t, vaultURL, pms.WithToken(stale), refetchOf(&cnt, vaultRef, nil))
		before := statsFor(e, vault, "POST /security/token")
		_, err := c.Security.TransientToken(ctx)
		if !errors.Is(err, plexkit.ErrUnauthorized) || !strings.Contains(err.Error(), "not repeated") {
			t.Fatalf("TransientToken = %v, want ErrUnauthorized, not repeated", err)
		}
		tok, err := c.Security.TransientToken(ctx)
		if err != nil || !strings.HasPrefix(tok, "transient-") {
			t.Fatalf("second TransientToken = %v", err)
		}
		if cnt.calls != 1 {
			t.Errorf("refetch called %d times, want 1", cnt.calls)
		}
		if got := statsFor(e, vault, "POST /security/token") - before; got < 2 {
			t.Errorf("the server saw %d token requests, want the refused one and the next", got)
		}
	})

	t.Run("a refetch moves to a listed connection", func(t *testing.T) {
		t.Parallel()
		// The client starts on a proxy that is not among the connections plex.tv lists.
		target, _ := url.Parse(vaultURL)
		proxy := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
		t.Cleanup(proxy.Close)
		var cnt counter
		c := newClient(t, proxy.URL, pms.WithToken(stale), refetchOf(&cnt, vaultRef, nil))
		if _, err := c.Library.Sections(ctx); err != nil {
			t.Fatal(err)
		}
		if c.BaseURL() != vaultURL {
			t.Errorf("BaseURL() = %q after the refetch, want the live connection %q", c.BaseURL(), vaultURL)
		}
	})

	t.Run("a refetch without an access token keeps the configured source", func(t *testing.T) {
		t.Parallel()
		// A new emulator, so that its faults are this subtest's alone.
		e := startEmulator(t, emulator.Options{})
		ref := serverRef(t, e, "alice", nas)
		ref.AccessToken = "" // plex.tv lists none: the account's token is to be used
		src := &rotatingSource{value: e.LegacyToken("alice"), fresh: e.LegacyToken("alice")}
		var cnt counter
		c := newClient(t, serverInfo(t, e, nas).URL, pms.WithTokenSource(src), refetchOf(&cnt, ref, nil))
		const op = "pms:" + nas + " GET /library/sections"
		e.SetFault(op, emulator.Fault{Status: http.StatusUnauthorized, Count: 1})
		if _, err := c.Library.Sections(ctx); err != nil {
			t.Fatalf("Sections after a 401 = %v, want a success with the configured source", err)
		}
		// The source is still the configured one: a 498 refreshes it, and refetches nothing.
		e.SetFault(op, emulator.Fault{Status: plexkit.StatusTokenExpired, Count: 1})
		if _, err := c.Library.Sections(ctx); err != nil {
			t.Fatalf("Sections after a 498 = %v", err)
		}
		if cnt.calls != 1 || src.refreshes != 1 {
			t.Errorf("refetch called %d times, source refreshed %d times; want 1 and 1", cnt.calls, src.refreshes)
		}
	})

	t.Run("a refetch without an access token nor a token of its own", func(t *testing.T) {
		t.Parallel()
		noToken := vaultRef
		noToken.AccessToken = ""
		var cnt counter
		c := newClient(t, vaultURL, refetchOf(&cnt, noToken, nil))
		_, err := c.Library.Sections(ctx)
		if !errors.Is(err, plexkit.ErrUnauthorized) || !strings.Contains(err.Error(), "lists no access token") {
			t.Fatalf("Sections = %v, want ErrUnauthorized and why the refetch did not help", err)
		}
	})

	t.Run("a 498 for a fixed token refetches it", func(t *testing.T) {
		t.Parallel()
		// Plex expired the server's access token: only plex.tv can give a new one.
		e := startEmulator(t, emulator.Options{})
		ref := serverRef(t, e, "alice", vault)
		var cnt counter
		c := newClient(t, serverInfo(t, e, vault).URL, pms.WithToken(ref.AccessToken), refetchOf(&cnt, ref, nil))
		e.SetFault("pms:"+vault+" GET /library/sections", emulator.Fault{Status: plexkit.StatusTokenExpired, Count: 1})
		if _, err := c.Library.Sections(ctx); err != nil {
			t.Fatalf("Sections after a 498 = %v, want a success after a refetch", err)
		}
		if got := statsFor(e, vault, "GET /library/sections"); cnt.calls != 1 || got != 2 {
			t.Errorf("refetch called %d times, server asked %d times; want 1 and 2", cnt.calls, got)
		}
	})

	t.Run("without refetch a 401 is returned", func(t *testing.T) {
		t.Parallel()
		c := newClient(t, vaultURL, pms.WithToken(stale))
		if _, err := c.Library.Sections(ctx); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Fatalf("Sections = %v, want ErrUnauthorized", err)
		}
	})
}

// recorder is a reverse proxy that mounts a server under /plex/ and records what it was sent.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	srv  *httptest.Server
}

func newRecorder(t *testing.T, target string) *recorder {
	u, err := url.Parse(target)
	must(t, err)
	rec := &recorder{}
	mux := http.NewServeMux()
	mux.Handle("/plex/", http.StripPrefix("/plex", httputil.NewSingleHostReverseProxy(u)))
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, r.Clone(context.Background()))
		rec.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

// TestRequestPath runs every call through a reverse proxy that serves the server under /plex/
// only, and checks what each request carried.
func TestRequestPath(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	token := accessToken(t, e, "alice", nas)
	info := plexkit.DefaultClientInfo("pms-test-client")
	for _, tt := range []struct {
		name   string
		opts   []pms.Option
		accept string
	}{
		{"json", nil, "application/json"},
		{"xml", []pms.Option{pms.WithXML()}, "application/xml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t, serverInfo(t, e, nas).URL)
			c := newClient(t, rec.srv.URL+"/plex", append([]pms.Option{pms.WithToken(token), pms.WithClientInfo(info)}, tt.opts...)...)
			ctx := context.Background()
			if _, err := c.Server.Identity(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Server.Info(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Library.Sections(ctx); err != nil {
				t.Fatal(err)
			}
			items := collectItems(t, c.Library.Items(ctx, "1", pms.ItemsOptions{PageSize: 2, Limit: 3}))
			if _, err := c.Library.Metadata(ctx, string(items[0].RatingKey)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Sessions.List(ctx); err != nil {
				t.Fatal(err)
			}
			collectItems(t, c.History.List(ctx, pms.HistoryOptions{Since: e.Now().Add(-100 * time.Hour)}))
			if _, err := c.Search.Hubs(ctx, "river", 2); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Security.TransientToken(ctx); err != nil {
				t.Fatal(err)
			}

			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.reqs) != 10 { // nine calls, Items in two pages
				t.Errorf("the proxy saw %d requests, want 10", len(rec.reqs))
			}
			for _, r := range rec.reqs {
				what := r.Method + " " + r.URL.Path
				if !strings.HasPrefix(r.URL.Path, "/plex/") {
					t.Errorf("%s: outside the base path", what)
				}
				if strings.Contains(r.URL.RawQuery, token) || strings.Contains(strings.ToLower(r.URL.RawQuery), "x-plex-token") {
					t.Errorf("%s: the query %q carries a token", what, r.URL.RawQuery)
				}
				wantToken := token
				if r.URL.Path == "/plex/identity" {
					wantToken = ""
				}
				if got := r.Header.Get("X-Plex-Token"); got != wantToken {
					t.Errorf("%s: X-Plex-Token header is set = %v, want %v", what, got != "", wantToken != "")
				}
				if r.Header.Get("X-Plex-Client-Identifier") != info.ClientIdentifier || r.Header.Get("X-Plex-Product") != info.Product {
					t.Errorf("%s: X-Plex-* headers %v", what, r.Header)
				}
				if got := r.Header.Get("Accept"); got != tt.accept {
					t.Errorf("%s: Accept %q, want %q", what, got, tt.accept)
				}
			}
		})
	}
}

// rotatingSource is a token source that replaces its token when asked to refresh, as
// auth.CachedSource does.
type rotatingSource struct {
	mu        sync.Mutex
	value     string
	fresh     string // the token after a refresh; "" means "fresh-token-0123456789"
	refreshes int
}

func (s *rotatingSource) Token(context.Context) (*auth.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return &auth.Token{Value: s.value, Kind: auth.KindPlexJWT}, nil
}

func (s *rotatingSource) Refresh(context.Context) (*auth.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	s.value = cmp.Or(s.fresh, "fresh-token-0123456789")
	return &auth.Token{Value: s.value, Kind: auth.KindPlexJWT}, nil
}

// TestExpiredToken checks a server's 498 (token expired): a source that can refresh is asked
// once and the call repeated; a fixed token gives ErrTokenExpired.
func TestExpiredToken(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Plex-Token") != "fresh-token-0123456789" {
			w.WriteHeader(plexkit.StatusTokenExpired)
			return
		}
		w.Write([]byte(`{"MediaContainer":{"size":1,"Directory":[{"key":"1","title":"Movies","type":"movie"}]}}`))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()

	src := &rotatingSource{value: "stale-token-0123456789"}
	sections, err := newClient(t, srv.URL, pms.WithTokenSource(src)).Library.Sections(ctx)
	if err != nil || len(sections) != 1 || src.refreshes != 1 {
		t.Errorf("Sections with a refreshing source = %v, %v after %d refreshes; want 1 section after 1", sections, err, src.refreshes)
	}
	_, err = newClient(t, srv.URL, pms.WithToken("stale-token-0123456789")).Library.Sections(ctx)
	if !errors.Is(err, plexkit.ErrTokenExpired) {
		t.Errorf("Sections with a fixed expired token = %v, want ErrTokenExpired", err)
	}
}

// TestEmptyLists checks that an empty list is an empty slice, in both encodings: a server with
// no session answers {"MediaContainer":{"size":0}} or <MediaContainer size="0"/>.
func TestEmptyLists(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	for _, opts := range [][]pms.Option{nil, {pms.WithXML()}} {
		c := clientFor(t, e, "alice", vault, opts...)
		sessions, err := c.Sessions.List(ctx)
		if err != nil || sessions == nil || len(sessions) != 0 {
			t.Errorf("Sessions.List on alice-vault = %#v, %v; want an empty slice", sessions, err)
		}
		history, err := c.History.ListAll(ctx, pms.HistoryOptions{Until: time.Unix(1, 0)})
		if err != nil || history == nil || len(history) != 0 {
			t.Errorf("History.ListAll before 1970 = %#v, %v; want an empty slice", history, err)
		}
	}
}
