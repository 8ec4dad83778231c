package auth

import (
	"bytes"
	"context"
	"errors"
	"github.com/plexkit/plexkit/internal/testutil"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
)

// seen is what a test server observed of one request.
type seen struct {
	path, token, query, body string
}

// recorder is an httptest server that records requests and answers with handle.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.URL.Path, r.Header.Get(TokenHeader), r.URL.RawQuery, string(body)})
		rec.mu.Unlock()
		handle(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

// closeTracker is a Base that records whether each response body was closed.
type closeTracker struct {
	base   http.RoundTripper
	mu     sync.Mutex
	bodies []*trackedBody
}

type trackedBody struct {
	io.ReadCloser
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return b.ReadCloser.Close() }

func (c *closeTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.base.RoundTrip(r)
	if err == nil {
		tb := &trackedBody{ReadCloser: resp.Body}
		resp.Body = tb
		c.mu.Lock()
		c.bodies = append(c.bodies, tb)
		c.mu.Unlock()
	}
	return resp, err
}

// unclosed counts the response bodies not closed, other than the one returned to the caller.
func (c *closeTracker) unclosed(returned *http.Response) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, b := range c.bodies {
		if !b.closed.Load() && (returned == nil || b != returned.Body) {
			n++
		}
	}
	return n
}

// requestBody is a request body that records being closed.
type requestBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *requestBody) Close() error { b.closed.Store(true); return nil }

func TestTransportSetsTokenHeader(t *testing.T) {
	t.Parallel()
	tok := jwt("a", 7*24*time.Hour)
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		name   string
		url    string
		header string // X-Plex-Token the caller set
		query  string // what the server must see as the query
	}{
		{"plain request", srv.URL + "/library/sections", "", ""},
		{"query parameters are kept", srv.URL + "/status/sessions?X-Plex-Container-Start=0&type=1", "", "X-Plex-Container-Start=0&type=1"},
		{"the caller's token header is replaced", srv.URL + "/", "someone-elses", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequest(http.MethodGet, tt.url, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.header != "" {
				req.Header.Set(TokenHeader, tt.header)
			}
			resp, err := NewClient(StaticTokenSource(tok), nil).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if req.Header.Get(TokenHeader) != tt.header {
				t.Fatal("the caller's request was modified")
			}
			if resp.Request != req {
				t.Fatal("the response's Request is not the caller's request")
			}
			var got *seen
			for _, s := range srv.requests() {
				u := srv.URL + s.path
				if s.query != "" {
					u += "?" + s.query
				}
				if u == tt.url {
					got = &s
				}
			}
			if got == nil {
				t.Fatalf("the server did not see %s; saw %+v", tt.url, srv.requests())
			}
			if got.token != tok.Value {
				t.Fatalf("server saw token %q, want the source's", got.token)
			}
			if strings.Contains(strings.ToLower(got.query), "token") {
				t.Fatalf("the token was put in the query: %q", got.query)
			}
		})
	}
}

func TestTransportRefreshesOnceOn498(t *testing.T) {
	t.Parallel()
	old := jwt("old", 7*24*time.Hour)
	tests := []struct {
		name        string
		method      string
		body        func() io.Reader // http.NewRequest makes a *strings.Reader replayable (GetBody)
		static      bool             // a source that cannot refresh
		always498   bool             // the server refuses the new token too
		wantStatus  int
		wantReqs    int
		wantRefresh int64
	}{
		{name: "GET", method: http.MethodGet, wantStatus: 200, wantReqs: 2, wantRefresh: 1},
		{name: "HEAD", method: http.MethodHead, wantStatus: 200, wantReqs: 2, wantRefresh: 1},
		{name: "DELETE", method: http.MethodDelete, wantStatus: 200, wantReqs: 2, wantRefresh: 1},
		{name: "PUT with a replayable body", method: http.MethodPut, body: func() io.Reader { return strings.NewReader("payload") }, wantStatus: 200, wantReqs: 2, wantRefresh: 1},
		{name: "PUT with a one-shot body", method: http.MethodPut, body: func() io.Reader { return io.MultiReader(strings.NewReader("payload")) }, wantStatus: 498, wantReqs: 1},
		{name: "POST is never retried", method: http.MethodPost, body: func() io.Reader { return strings.NewReader("payload") }, wantStatus: 498, wantReqs: 1},
		{name: "PATCH is never retried", method: http.MethodPatch, wantStatus: 498, wantReqs: 1},
		{name: "a source that cannot refresh", method: http.MethodGet, static: true, wantStatus: 498, wantReqs: 1},
		{name: "refused again after the refresh", method: http.MethodGet, always498: true, wantStatus: 498, wantReqs: 2, wantRefresh: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.always498 || r.Header.Get(TokenHeader) == old.Value {
					w.WriteHeader(plexkit.StatusTokenExpired)
					io.WriteString(w, "<html><head><title>Token Expired</title></head></html>")
					return
				}
				io.WriteString(w, "ok")
			})
			inner := &counter{now: newClock().Now}
			var src TokenSource = NewCachedSource(inner, CacheOptions{Initial: old, Now: newClock().Now})
			if tt.static {
				src = StaticTokenSource(old)
			}
			var body io.Reader
			if tt.body != nil {
				body = tt.body()
			}
			req, err := http.NewRequest(tt.method, srv.URL+"/library/sections/1", body)
			if err != nil {
				t.Fatal(err)
			}
			tracker := &closeTracker{base: http.DefaultTransport}
			resp, err := NewClient(src, tracker).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			reqs := srv.requests()
			if len(reqs) != tt.wantReqs {
				t.Fatalf("server saw %d requests, want %d", len(reqs), tt.wantReqs)
			}
			if n := inner.calls.Load(); n != tt.wantRefresh {
				t.Fatalf("refreshes = %d, want %d", n, tt.wantRefresh)
			}
			if len(reqs) == 2 {
				if reqs[1].token == old.Value || reqs[1].token == "" {
					t.Fatal("the retry did not carry the refreshed token")
				}
				if reqs[1].body != reqs[0].body {
					t.Fatalf("the retry sent body %q, first try %q", reqs[1].body, reqs[0].body)
				}
			}
			if n := tracker.unclosed(nil); n != 0 {
				t.Fatalf("%d response bodies left open", n)
			}
		})
	}
}

func TestTransportConcurrent498sRefreshOnce(t *testing.T) {
	t.Parallel()
	old := jwt("old", 7*24*time.Hour)
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(TokenHeader) == old.Value {
			w.WriteHeader(plexkit.StatusTokenExpired)
		}
	})
	inner := &counter{now: newClock().Now}
	hc := NewClient(NewCachedSource(inner, CacheOptions{Initial: old, Now: newClock().Now}), nil)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			resp, err := hc.Get(srv.URL)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := inner.calls.Load(); n != 1 {
		t.Fatalf("20 requests refused at once caused %d refreshes, want 1", n)
	}
}

func TestTransportRefreshFailure(t *testing.T) {
	t.Parallel()
	old := jwt("old", 7*24*time.Hour)
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(plexkit.StatusTokenExpired) })
	errRevoked := &plexkit.Error{StatusCode: 422, Code: plexkit.CodeJWKMissing, Message: "jwk missing"}
	src := NewCachedSource(TokenSourceFunc(func(context.Context) (*Token, error) { return nil, errRevoked }), CacheOptions{Initial: old, Now: newClock().Now})
	tracker := &closeTracker{base: http.DefaultTransport}
	resp, err := NewClient(src, tracker).Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("status %d, want an error", resp.StatusCode)
	}
	if !errors.Is(err, plexkit.ErrTokenExpired) || !errors.Is(err, plexkit.ErrDeviceRevoked) {
		t.Fatalf("error %v: want it to match ErrTokenExpired and the refresh's ErrDeviceRevoked", err)
	}
	if strings.Contains(err.Error(), old.Value) {
		t.Fatalf("error %q contains the token", err)
	}
	if n := tracker.unclosed(nil); n != 0 || len(tracker.bodies) != 1 {
		t.Fatalf("%d of %d response bodies left open", n, len(tracker.bodies))
	}
}

func TestTransportRedirects(t *testing.T) {
	t.Parallel()
	tok := jwt("a", 7*24*time.Hour)
	var firstURL atomic.Value // set before any request; read by the other host's handler
	other := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/back" {
			http.Redirect(w, r, firstURL.Load().(string)+"/final", http.StatusFound)
		}
	})
	first := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/same":
			http.Redirect(w, r, "/final", http.StatusFound)
		case "/cross":
			http.Redirect(w, r, other.URL+"/final", http.StatusFound)
		case "/cross-with-query":
			http.Redirect(w, r, other.URL+"/final?X-Plex-Token="+url.QueryEscape(r.Header.Get(TokenHeader))+"&a=1", http.StatusFound)
		case "/cross-with-encoded-query":
			http.Redirect(w, r, other.URL+"/final?x%2Dplex%2Dtoken="+url.QueryEscape(r.Header.Get(TokenHeader))+"&a=1", http.StatusFound)
		case "/cross-and-back":
			http.Redirect(w, r, other.URL+"/back", http.StatusFound)
		}
	})
	firstURL.Store(first.URL)
	tests := []struct {
		name        string
		client      func() *http.Client
		path        string
		callerToken string // set on the request by the caller
		wantFirst   bool   // the first host's /final saw the token
	}{
		{name: "same host keeps the token", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/same", wantFirst: true},
		{name: "another host gets no token", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/cross"},
		{name: "another host gets no caller-set token", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/cross", callerToken: "caller-set-token"},
		{name: "another host gets no token in the query", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/cross-with-query"},
		{name: "another host gets no escaped token parameter", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/cross-with-encoded-query"},
		{name: "back to the first host gets the token again", client: func() *http.Client { return NewClient(StaticTokenSource(tok), nil) }, path: "/cross-and-back", wantFirst: true},
		{name: "Transport alone, without CheckRedirect", client: func() *http.Client { return &http.Client{Transport: &Transport{Source: StaticTokenSource(tok)}} }, path: "/cross"},
		{name: "Transport alone, caller-set token", client: func() *http.Client { return &http.Client{Transport: &Transport{Source: StaticTokenSource(tok)}} }, path: "/cross", callerToken: "caller-set-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the cases share the two servers' request logs.
			first.mu.Lock()
			first.reqs = nil
			first.mu.Unlock()
			other.mu.Lock()
			other.reqs = nil
			other.mu.Unlock()
			req, err := http.NewRequest(http.MethodGet, first.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.callerToken != "" {
				req.Header.Set(TokenHeader, tt.callerToken)
			}
			resp, err := tt.client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			firstReqs, otherReqs := first.requests(), other.requests()
			if len(firstReqs) == 0 || firstReqs[0].token != tok.Value {
				t.Fatalf("the first host saw %+v, want the token", firstReqs)
			}
			if strings.HasPrefix(tt.path, "/cross") && len(otherReqs) == 0 {
				t.Fatal("the redirect did not reach the other host")
			}
			for _, s := range otherReqs {
				if s.token != "" || strings.Contains(s.query, tok.Value) || strings.Contains(s.query, url.QueryEscape(tok.Value)) {
					t.Fatalf("the other host saw a token: %+v", s)
				}
			}
			if strings.HasPrefix(tt.path, "/cross-with") && (len(otherReqs) != 1 || otherReqs[0].query != "a=1") {
				t.Fatalf("the other host saw %+v, want only the other query parameters", otherReqs)
			}
			last := firstReqs[len(firstReqs)-1]
			if tt.wantFirst && (last.path != "/final" || last.token != tok.Value) {
				t.Fatalf("the first host's last request was %+v, want /final with the token", last)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want bool
	}{
		{"https://plex.tv/api", "https://plex.tv/other", true},
		{"https://plex.tv/", "https://PLEX.tv:443/", true},
		{"http://10.0.0.2:32400/", "http://10.0.0.2:32400/x", true},
		{"http://10.0.0.2:32400/", "http://10.0.0.2:32401/", false},
		{"https://plex.tv/", "https://evil.example/", false},
		{"https://plex.tv/", "http://plex.tv/", false},
		{"http://plex.tv/", "https://plex.tv:443/", false},
		{"http://10.0.0.2:32400/", "https://10.0.0.2:32400/", true},
		{"https://[::1]:32400/", "https://[::1]:32400/a", true},
	}
	for _, tt := range tests {
		t.Run(tt.a+" to "+tt.b, func(t *testing.T) {
			t.Parallel()
			a, _ := url.Parse(tt.a)
			b, _ := url.Parse(tt.b)
			if got := sameOrigin(a, b); got != tt.want {
				t.Fatalf("sameOrigin = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestTransportErrorsCloseBodies(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {})
	deadAddr := strings.TrimPrefix(testutil.ClosedURL(t), "http://")
	errSource := errors.New("no device key")
	tests := []struct {
		name    string
		tr      *Transport
		url     string
		wantErr string
	}{
		{"token source fails", &Transport{Source: TokenSourceFunc(func(context.Context) (*Token, error) { return nil, errSource })}, srv.URL, "no device key"},
		{"no source", &Transport{}, srv.URL, "no token Source"},
		{"token that would split the header", &Transport{Source: StaticTokenSource(&Token{Value: "eyJ.secret.x\r\nX-Evil: 1", Kind: KindLegacy})}, srv.URL, "not printable ASCII"},
		{"base fails to connect", &Transport{Source: StaticTokenSource(jwt("a", time.Hour))}, "http://" + deadAddr + "/", "connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := &requestBody{Reader: bytes.NewReader([]byte("payload"))}
			req, err := http.NewRequest(http.MethodPut, tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := tt.tr.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				t.Fatal("no error")
			}
			if resp != nil {
				t.Fatal("a response with the error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), jwt("a", 0).Value) {
				t.Fatalf("error %q contains the token", err)
			}
			if !body.closed.Load() {
				t.Fatal("the request body was not closed")
			}
		})
	}
	for _, s := range srv.requests() {
		t.Fatalf("a failed request reached the server: %+v", s)
	}
}
