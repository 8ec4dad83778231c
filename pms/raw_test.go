package pms_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestRawRequestPath checks that Raw sends what the typed calls send — identification headers,
// Accept, the token in the header and never in the URL — with the path and query as given.
func TestRawRequestPath(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	token := accessToken(t, e, "alice", nas)
	info := plexkit.DefaultClientInfo("pms-raw-test")
	rec := newRecorder(t, serverInfo(t, e, nas).URL)
	c := newClient(t, rec.srv.URL+"/plex", pms.WithToken(token), pms.WithClientInfo(info))
	ctx := context.Background()

	resp, err := c.Raw(ctx, http.MethodGet, "/library/sections?type=1&b=2&a=1")
	must(t, err)
	var body struct {
		MediaContainer struct {
			Directory []struct{ Key string } `json:"Directory"`
		} `json:"MediaContainer"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(body.MediaContainer.Directory) != 4 {
		t.Fatalf("GET /library/sections = %d, %d sections, %v", resp.StatusCode, len(body.MediaContainer.Directory), err)
	}
	resp, err = c.Raw(ctx, http.MethodHead, "identity")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD identity = %d", resp.StatusCode)
	}
	resp, err = c.Raw(ctx, http.MethodGet, "/library/a%2Fb")
	must(t, err)
	resp.Body.Close()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	want := []struct{ method, path, query string }{
		{"GET", "/plex/library/sections", "type=1&b=2&a=1"},
		{"HEAD", "/plex/identity", ""},
		{"GET", "/plex/library/a%2Fb", ""},
	}
	if len(rec.reqs) != len(want) {
		t.Fatalf("the proxy saw %d requests, want %d", len(rec.reqs), len(want))
	}
	for i, w := range want {
		r := rec.reqs[i]
		if r.Method != w.method || r.URL.EscapedPath() != w.path || r.URL.RawQuery != w.query {
			t.Errorf("request %d = %s %s ? %s, want %s %s ? %s", i, r.Method, r.URL.EscapedPath(), r.URL.RawQuery, w.method, w.path, w.query)
		}
		if r.Header.Get("X-Plex-Token") != token {
			t.Errorf("request %d: the X-Plex-Token header is not the token", i)
		}
		if r.Header.Get("X-Plex-Client-Identifier") != info.ClientIdentifier || r.Header.Get("Accept") != "application/json" {
			t.Errorf("request %d: headers %v", i, r.Header)
		}
	}
}

// TestRawFirstAnswer checks that Raw returns the server's first answer: no retry of a 503, no
// refetch on a 401, no refresh on a 498, no redirect followed.
func TestRawFirstAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("a 503 is not retried", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, emulator.Options{})
		c := clientFor(t, e, "alice", nas)
		e.SetFault("pms:"+nas+" GET /library/sections", emulator.Fault{Status: http.StatusServiceUnavailable, Count: 1})
		resp, err := c.Raw(ctx, http.MethodGet, "/library/sections")
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable || statsFor(e, nas, "GET /library/sections") != 1 {
			t.Errorf("Raw = %d after %d requests, want 503 after 1", resp.StatusCode, statsFor(e, nas, "GET /library/sections"))
		}
	})

	t.Run("a 401 is not refetched", func(t *testing.T) {
		t.Parallel()
		e := startEmulator(t, emulator.Options{})
		var refetches atomic.Int32
		c := newClient(t, serverInfo(t, e, vault).URL, pms.WithToken(accessToken(t, e, "alice", nas)),
			pms.WithRefetch(func(context.Context) (pms.ServerRef, error) {
				refetches.Add(1)
				return serverRef(t, e, "alice", vault), nil
			}))
		resp, err := c.Raw(ctx, http.MethodGet, "/library/sections")
		must(t, err)
		err = plexkit.CheckResponse(resp)
		resp.Body.Close()
		if !errors.Is(err, plexkit.ErrUnauthorized) || refetches.Load() != 0 || statsFor(e, vault, "GET /library/sections") != 1 {
			t.Errorf("Raw = %v after %d refetches, want a 401 and none", err, refetches.Load())
		}
	})

	t.Run("a 498 is not refreshed", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(plexkit.StatusTokenExpired)
		}))
		t.Cleanup(srv.Close)
		src := &rotatingSource{value: "stale-token-0123456789"}
		resp, err := newClient(t, srv.URL, pms.WithTokenSource(src)).Raw(ctx, http.MethodGet, "/")
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != plexkit.StatusTokenExpired || src.refreshes != 0 {
			t.Errorf("Raw = %d after %d refreshes, want 498 and none", resp.StatusCode, src.refreshes)
		}
	})

	t.Run("a redirect is not followed", func(t *testing.T) {
		t.Parallel()
		var followed atomic.Int32
		elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
		t.Cleanup(elsewhere.Close)
		srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/", http.StatusFound))
		t.Cleanup(srv.Close)
		resp, err := newClient(t, srv.URL, pms.WithToken("abcdefghij0123456789")).Raw(ctx, http.MethodGet, "/")
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || followed.Load() != 0 {
			t.Errorf("Raw = %d, the redirect's target asked %d times; want 302 and 0", resp.StatusCode, followed.Load())
		}
	})
}

func TestRawArguments(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3tTokenValue1234"
	var asked atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { asked.Add(1) }))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, pms.WithToken(secret))
	for _, tt := range []struct{ name, method, path, arg string }{
		{"no method", "", "/", "method"},
		{"a URL of its own", "GET", "http://elsewhere.example/library", "path"},
		{"a host without a scheme", "GET", "//elsewhere.example/library", "path"},
		{"a token in the query", "GET", "/library?X-Plex-Token=" + secret, "path"},
		{"an escaped token in the query", "GET", "/library?x%2Dplex%2Dtoken=" + secret, "path"},
		{"a fragment", "GET", "/library#top", "path"},
		{"not a URL", "GET", "/library%zz", "path"},
	} {
		_, err := c.Raw(context.Background(), tt.method, tt.path)
		var ae *pms.ArgumentError
		if !errors.As(err, &ae) || ae.Arg != tt.arg {
			t.Errorf("%s: Raw = %v, want an *ArgumentError for %s", tt.name, err, tt.arg)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the error shows the token: %v", tt.name, err)
		}
	}
	if asked.Load() != 0 {
		t.Errorf("the server was asked %d times, want 0", asked.Load())
	}
}
