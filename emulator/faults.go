package emulator

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
)

// Fault is a misbehaviour injected into the requests of one endpoint (see SetFault).
type Fault struct {
	// Latency delays the request (real time, not the emulator clock) before anything else.
	Latency time.Duration
	// Status, when non-zero, answers the request with this status (e.g. 500, 503, 429) instead
	// of serving it: plex.tv's JSON error envelope with code CodeInjectedFault (1003 for 429),
	// or a PMS's HTML error body.
	Status int
	// RetryAfter, when non-zero, is sent as Retry-After (whole seconds) with Status.
	RetryAfter time.Duration
	// Count is how many requests the fault applies to; 0 means until cleared.
	Count int
	// Drop closes the connection without an answer (after Latency).
	Drop bool
}

func (f Fault) isZero() bool { return f == Fault{} }

// faultState is a Fault with the number of requests it still applies to.
type faultState struct {
	Fault
	remaining int // 0: unlimited
}

// controlPrefix is where the control API lives; it is never faulted nor counted.
const controlPrefix = "/__emulator/"

// SetFault injects f into every request that pattern matches; the zero Fault clears it.
// pattern is a Stats key ("GET /api/v2/auth/nonce", "pms:alice-nas GET /status/sessions"), a
// prefix ending in "*" ("pms:alice-nas *", "POST /api/v2/*"), or "*" for every plex.tv and PMS
// request. When several patterns match, an exact one wins, then the longest prefix. The
// control API (/__emulator/) is never faulted.
func (e *Emulator) SetFault(pattern string, f Fault) {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	if f.isZero() {
		delete(e.faults, pattern)
		return
	}
	e.faults[pattern] = &faultState{Fault: f, remaining: f.Count}
}

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() {
	e.lazyInit()
	e.mu.Lock()
	defer e.mu.Unlock()
	clear(e.faults)
}

// takeFault returns the fault for the request named key, using up one of its count. The
// caller holds e.mu.
func (e *Emulator) takeFault(key string) (Fault, bool) {
	best, bestLen := "", -1
	for p := range e.faults {
		switch {
		case p == key:
			best, bestLen = p, len(key)+1
		case strings.HasSuffix(p, "*") && strings.HasPrefix(key, p[:len(p)-1]) && len(p)-1 > bestLen:
			best, bestLen = p, len(p)-1
		}
	}
	if bestLen < 0 {
		return Fault{}, false
	}
	fs := e.faults[best]
	if fs.remaining > 0 {
		if fs.remaining--; fs.remaining == 0 {
			delete(e.faults, best)
		}
	}
	return fs.Fault, true
}

// plexKey names a plex.tv request by the route pattern it matches, for Stats and faults.
func (e *Emulator) plexKey(r *http.Request) string {
	if _, pattern := e.mux.Handler(r); pattern != "" && pattern != "/" {
		if strings.Contains(pattern, " ") {
			return pattern
		}
		return r.Method + " " + pattern
	}
	return r.Method + " " + pmsemu.UnknownRoute
}

// instrument wraps a listener's handler: it counts the request (plex.tv only: a PMS counts its
// own through Config.OnRequest), applies any fault, and logs one line. Control API requests
// are only logged.
func (e *Emulator) instrument(listener string, key func(*http.Request) string, h http.Handler) http.Handler {
	plex := listener == "plex.tv"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		// Like a real server, the Date header tells the emulator's own clock, so clients that
		// learn the server's time from it follow Advance.
		w.Header().Set("Date", e.Now().UTC().Format(http.TimeFormat))
		defer func() {
			if e.opts.Logf != nil {
				e.opts.Logf("%s %s %s %s %s", listener, r.Method, r.URL.Path, sw.outcome(), time.Since(start).Round(time.Microsecond))
			}
		}()
		if plex && strings.HasPrefix(r.URL.Path, controlPrefix) {
			h.ServeHTTP(sw, r)
			return
		}
		k := key(r)
		e.mu.Lock()
		if plex {
			e.stats[k]++
		}
		f, faulted := e.takeFault(k)
		if faulted && !plex && (f.Status != 0 || f.Drop) {
			e.stats[k]++ // the PMS never sees this request, so count it here
		}
		e.mu.Unlock()
		if faulted && !e.applyFault(sw, r, f, plex) {
			return
		}
		h.ServeHTTP(sw, r)
	})
}

// applyFault performs f and reports whether the request should still be served.
func (e *Emulator) applyFault(w *statusWriter, r *http.Request, f Fault, plex bool) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			w.dropped = true
			return false
		}
	}
	switch {
	case f.Drop:
		w.dropped = true
		if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close() // the point is to close it; an error changes nothing
				return false
			}
		}
		panic(http.ErrAbortHandler) // net/http closes the connection without logging
	case f.Status != 0:
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", retryAfterSeconds(f.RetryAfter))
		}
		switch {
		case !plex:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(f.Status)
			_, _ = fmt.Fprint(w, pmsemu.ErrorBody(f.Status))
		case f.Status == http.StatusTooManyRequests:
			writeError(w, r, f.Status, CodeRateLimited, "Too many requests (injected by the emulator)")
		default:
			writeError(w, r, f.Status, CodeInjectedFault, http.StatusText(f.Status)+" (injected by the emulator)")
		}
		return false
	}
	return true
}

// statusWriter records the status a handler wrote, for the log line.
type statusWriter struct {
	http.ResponseWriter
	status  int
	dropped bool
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher when the underlying writer does.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack implements http.Hijacker when the underlying writer does.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := w.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("emulator: connection cannot be hijacked")
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) outcome() string {
	switch {
	case w.dropped:
		return "dropped"
	case w.status == 0:
		return "200"
	}
	return fmt.Sprint(w.status)
}
