package emulator

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultRequestReadTimeout is Options.RequestReadTimeout's default.
const DefaultRequestReadTimeout = 10 * time.Second

// readTimeout returns how long a client may take to send a request's headers, and then its body.
func (e *Emulator) readTimeout() time.Duration {
	if e.opts.RequestReadTimeout > 0 {
		return e.opts.RequestReadTimeout
	}
	return DefaultRequestReadTimeout
}

// boundBodies bounds the time a client may take to send a request body: a read deadline is set
// when a request with a body arrives and cleared as soon as the body has been read to its end.
//
// Why not http.Server.ReadTimeout: it stays armed while the response is written, and net/http's
// background read (which watches for the client going away) then fails at the deadline and
// cancels the request — it would end every long-lived response (a websocket, an event stream,
// a long poll) after ReadTimeout. Here the deadline covers the body only: a request without a
// body (every GET, and so every websocket and event stream) never has one, and a handler that
// streams its answer after reading its request body to the end has none either. A handler that
// answers at length without reading its body is cut off at the deadline: read the body first.
func (e *Emulator) boundBodies(h http.Handler) http.Handler {
	timeout := e.readTimeout()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			h.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			h.ServeHTTP(w, r) // not a connection that takes deadlines (an in-process test writer)
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, clear: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		h.ServeHTTP(w, r)
	})
}

// deadlineBody clears the read deadline once the body has been read to its end.
type deadlineBody struct {
	io.ReadCloser
	once  sync.Once
	clear func()
}

// Read implements io.Reader.
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, io.EOF) {
		b.once.Do(b.clear)
	}
	return n, err
}
