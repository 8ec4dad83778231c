package plexkit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// flaky answers the first fail requests with status (and Retry-After when set), then 200.
func flaky(t *testing.T, fail int32, status int, retryAfter string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if n.Add(1) <= fail {
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			return
		}
		_, _ = w.Write(append([]byte("ok:"), body...))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func fastRetry() *RetryTransport {
	return &RetryTransport{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
}

func TestRetryTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		body       string
		fail       int32
		status     int
		retryAfter string
		wantStatus int
		wantTries  int32
	}{
		{"get recovers from 503", "GET", "", 2, 503, "", 200, 3},
		{"get recovers from 500", "GET", "", 1, 500, "", 200, 2},
		{"get honours short retry-after on 429", "GET", "", 1, 429, "0", 200, 2},
		{"gives up after max retries", "GET", "", 10, 502, "", 502, 4},
		{"put with body is replayed", "PUT", "payload", 1, 504, "", 200, 2},
		{"post is never retried", "POST", "payload", 1, 503, "", 503, 1},
		{"404 is not retried", "GET", "", 1, 404, "", 404, 1},
		{"401 is not retried", "GET", "", 1, 401, "", 401, 1},
		{"long retry-after is returned to the caller", "GET", "", 1, 429, "3600", 429, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := flaky(t, tt.fail, tt.status, tt.retryAfter)
			c := &http.Client{Transport: fastRetry()}
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, _ := http.NewRequest(tt.method, srv.URL, body)
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if n.Load() != tt.wantTries {
				t.Fatalf("tries = %d, want %d", n.Load(), tt.wantTries)
			}
			if tt.wantStatus == 200 && string(got) != "ok:"+tt.body {
				t.Fatalf("body = %q, want the replayed request body", got)
			}
		})
	}
}

func TestRetryTransportStopsWhenContextDone(t *testing.T) {
	t.Parallel()
	srv, n := flaky(t, 100, 503, "")
	rt := &RetryTransport{MinBackoff: time.Hour, MaxBackoff: time.Hour, MaxRetries: 5}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
	_, err := (&http.Client{Transport: rt}).Do(req)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n.Load() != 1 {
		t.Fatalf("tries = %d, want 1: nothing may be sent after the context is done", n.Load())
	}
}

func TestRetryTransportRetriesDroppedConnections(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	tr := &http.Transport{DisableKeepAlives: true}
	c := &http.Client{Transport: &RetryTransport{Base: tr, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || n.Load() != 2 {
		t.Fatalf("status %d after %d tries, want 200 after 2", resp.StatusCode, n.Load())
	}
}

func TestRetryTransportNoRetriesWhenNegative(t *testing.T) {
	t.Parallel()
	srv, n := flaky(t, 1, 503, "")
	c := &http.Client{Transport: &RetryTransport{MaxRetries: -1}}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || n.Load() != 1 {
		t.Fatalf("status %d after %d tries, want 503 after 1", resp.StatusCode, n.Load())
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	for attempt := range 30 {
		for range 50 {
			d := backoff(attempt, 10*time.Millisecond, time.Second)
			if d < 10*time.Millisecond || d > time.Second {
				t.Fatalf("backoff(%d) = %v outside [10ms, 1s]", attempt, d)
			}
		}
	}
}

// Backoff bounds a caller may set, including a MaxBackoff below MinBackoff (which once made
// rand.N panic): every wait stays within [min, max(min, max)], and a request is still retried.
func TestBackoffClamped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		minB, maxB time.Duration
		lo, hi     time.Duration // the effective bounds
	}{
		{"max below min", 5 * time.Millisecond, time.Millisecond, 5 * time.Millisecond, 5 * time.Millisecond},
		{"max equal to min", 2 * time.Millisecond, 2 * time.Millisecond, 2 * time.Millisecond, 2 * time.Millisecond},
		{"max above min", time.Millisecond, 4 * time.Millisecond, time.Millisecond, 4 * time.Millisecond},
		{"min defaults above max", 0, time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			minB := orDefault(tt.minB, 100*time.Millisecond)
			for attempt := range 25 {
				if d := backoff(attempt, minB, tt.maxB); d < tt.lo || d > tt.hi {
					t.Fatalf("backoff(%d, %v, %v) = %v outside [%v, %v]", attempt, minB, tt.maxB, d, tt.lo, tt.hi)
				}
			}
			srv, n := flaky(t, 1, 503, "")
			c := &http.Client{Transport: &RetryTransport{MinBackoff: tt.minB, MaxBackoff: tt.maxB}}
			resp, err := c.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || n.Load() != 2 {
				t.Fatalf("status %d after %d tries, want 200 after 2", resp.StatusCode, n.Load())
			}
		})
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	for m, want := range map[string]bool{"": true, "GET": true, "HEAD": true, "OPTIONS": true, "PUT": true, "DELETE": true, "POST": false, "PATCH": false, "CONNECT": false} {
		if got := Idempotent(m); got != want {
			t.Errorf("Idempotent(%q) = %v, want %v", m, got, want)
		}
	}
}
