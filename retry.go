package plexkit

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// RetryTransport retries idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) that fail with
// 429, 500, 502, 503 or 504, or with a network error, with exponential backoff and full jitter.
// It honours Retry-After (up to MaxRetryAfter), never retries once the request's context is done,
// and never retries POST: a POST to plex.tv (a pin, a token exchange with a single-use nonce) is
// not safe to repeat. It is the only place plexkit retries.
type RetryTransport struct {
	// Base performs the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// MaxRetries is how many times a request is retried; 0 means 3, negative means never.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the wait between tries; 0 means 100 ms and 3 s. A
	// MaxBackoff below MinBackoff is taken as MinBackoff: every wait is then MinBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After that is waited out; a longer one is returned to
	// the caller as the error. 0 means 10 s.
	MaxRetryAfter time.Duration
}

func (t *RetryTransport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	maxRetries := t.MaxRetries
	if maxRetries == 0 {
		maxRetries = 3
	}
	if !Idempotent(req.Method) || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		maxRetries = 0
	}
	minB, maxB := orDefault(t.MinBackoff, 100*time.Millisecond), orDefault(t.MaxBackoff, 3*time.Second)
	maxB = max(maxB, minB)
	maxRA := orDefault(t.MaxRetryAfter, 10*time.Second)
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.base().RoundTrip(r)
		if attempt >= maxRetries || req.Context().Err() != nil {
			return resp, err
		}
		wait, retry := shouldRetry(resp, err)
		if !retry {
			return resp, err
		}
		if wait > maxRA {
			return resp, err
		}
		if wait == 0 {
			wait = backoff(attempt, minB, maxB)
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := Sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// Idempotent reports whether a request with this method may be sent twice without changing
// the outcome (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, PUT and DELETE. The empty method is GET.
func Idempotent(method string) bool {
	switch method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// shouldRetry reports whether a try may be repeated and, when the server said, after how long.
func shouldRetry(resp *http.Response, err error) (time.Duration, bool) {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, false
		}
		var ne net.Error
		return 0, errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()), true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return 0, true
	}
	return 0, false
}

// backoff is exponential with full jitter: a random wait in [min, min·2^attempt], capped at max.
// A max below min is taken as min.
func backoff(attempt int, minB, maxB time.Duration) time.Duration {
	maxB = max(maxB, minB)
	upper := minB << min(attempt, 20)
	if upper > maxB || upper <= 0 {
		upper = maxB
	}
	return minB + rand.N(upper-minB+1)
}

// Sleep waits for d, or until ctx is done, whichever comes first; then it returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}
