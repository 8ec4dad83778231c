package plexkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Defaults of BodyTimeoutTransport.
const (
	DefaultBodyIdle    = 30 * time.Second
	DefaultBodyMinRate = 1 << 10 // bytes per second
)

// BodyTimeoutTransport bounds the wait for a response body, once its headers have arrived: a
// read that waits longer than Idle for the next bytes fails, and so does a body that arrives
// slower than MinRate bytes per second on average (after an allowance of Idle), which an idle
// timeout alone would not catch — a server that sends one byte a second is never idle for long.
// Only time spent waiting inside Read counts: a caller that takes its time between reads (a
// slow consumer of a paged list) is never cut off. The bound works under the request's context:
// it cancels the request with a *SlowBodyError as the cause, which Read then returns.
//
// The plex.tv and PMS clients wrap their transport in one (with the defaults; see
// WithBodyTimeout) unless it already is one; to tune it, pass an http.Client whose Transport is a
// BodyTimeoutTransport.
type BodyTimeoutTransport struct {
	// Base performs the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Idle is the longest one read may wait for data; 0 means DefaultBodyIdle.
	Idle time.Duration
	// MinRate is the slowest average rate accepted, in bytes per second of waiting; 0 means
	// DefaultBodyMinRate, negative means no rate is enforced.
	MinRate int64
}

// SlowBodyError is a response body that stopped arriving, or arrived too slowly.
type SlowBodyError struct {
	URL      string        // redacted
	Received int64         // bytes of the body received
	Waited   time.Duration // time spent waiting for them
	Idle     time.Duration // set when one read waited this long for nothing
	MinRate  int64         // set when the average rate fell below this
}

// Error implements error.
func (e *SlowBodyError) Error() string {
	if e.Idle > 0 {
		return fmt.Sprintf("the server stopped sending its answer: no data for %s (after %d bytes)", e.Idle, e.Received)
	}
	return fmt.Sprintf("the server sends its answer too slowly: %d bytes in %s, under %d bytes/s", e.Received, e.Waited.Round(time.Millisecond), e.MinRate)
}

// Timeout reports true: a SlowBodyError is a timeout (it satisfies net.Error's Timeout).
func (e *SlowBodyError) Timeout() bool { return true }

// RoundTrip implements http.RoundTripper.
func (t *BodyTimeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	resp, err := base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel(nil)
		return resp, err
	}
	idle, rate := t.Idle, t.MinRate
	if idle <= 0 {
		idle = DefaultBodyIdle
	}
	if rate == 0 {
		rate = DefaultBodyMinRate
	}
	resp.Body = &timedBody{rc: resp.Body, ctx: ctx, cancel: cancel, idle: idle, rate: rate, url: RedactURL(req.URL.String())}
	return resp, nil
}

// timedBody is a response body whose reads are bounded in time.
type timedBody struct {
	rc     io.ReadCloser
	ctx    context.Context
	cancel context.CancelCauseFunc
	idle   time.Duration
	rate   int64
	url    string

	mu       sync.Mutex // Read and Close may run concurrently (a Close to interrupt a Read)
	timer    *time.Timer
	received int64
	waited   time.Duration
}

// allowance is how long the next read may wait: Idle, or less once the average rate is at risk.
func (b *timedBody) allowance() (time.Duration, *SlowBodyError) {
	d := b.idle
	if b.rate > 0 {
		budget := b.idle + time.Duration(float64(b.received)/float64(b.rate)*float64(time.Second)) - b.waited
		if budget <= 0 {
			return 0, &SlowBodyError{URL: b.url, Received: b.received, Waited: b.waited, MinRate: b.rate}
		}
		d = min(d, budget)
	}
	return d, nil
}

// Read implements io.Reader.
func (b *timedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	d, slow := b.allowance()
	if slow != nil {
		b.mu.Unlock()
		b.cancel(slow)
		return 0, slow
	}
	received, waited := b.received, b.waited
	fire := func() {
		e := &SlowBodyError{URL: b.url, Received: received, Waited: waited + d}
		if d == b.idle {
			e.Idle = d
		} else {
			e.MinRate = b.rate
		}
		b.cancel(e)
	}
	b.timer = time.AfterFunc(d, fire)
	b.mu.Unlock()

	start := time.Now()
	n, err := b.rc.Read(p)
	elapsed := time.Since(start)

	b.mu.Lock()
	b.timer.Stop()
	b.received += int64(n)
	b.waited += elapsed
	b.mu.Unlock()
	if err != nil && err != io.EOF {
		var slow *SlowBodyError
		if errors.As(context.Cause(b.ctx), &slow) {
			return n, slow
		}
	}
	return n, err
}

// Close implements io.Closer.
func (b *timedBody) Close() error {
	b.mu.Lock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.mu.Unlock()
	err := b.rc.Close()
	b.cancel(nil)
	return err
}

// WithBodyTimeout returns rt wrapped in a BodyTimeoutTransport with the defaults, or rt itself
// when it already is one.
func WithBodyTimeout(rt http.RoundTripper) http.RoundTripper {
	if _, ok := rt.(*BodyTimeoutTransport); ok {
		return rt
	}
	return &BodyTimeoutTransport{Base: rt}
}
