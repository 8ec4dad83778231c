package testutil

import (
	"net/http"
	"time"
)

// Endless is a body that never ends: head, then unit repeated forever. It is what a hostile
// server sends to make a client read without bound.
type Endless struct {
	head, unit []byte
	off        int
}

// NewEndless returns the body head, unit, unit, …; unit must not be empty.
func NewEndless(head, unit string) *Endless {
	return &Endless{head: []byte(head), unit: []byte(unit)}
}

// Read fills p: what is left of the head first, then the unit over and over. It never ends.
func (e *Endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for n < len(p) {
		c := copy(p[n:], e.unit[e.off:])
		e.off = (e.off + c) % len(e.unit)
		n += c
	}
	return n, nil
}

// Trickle is a handler that sends the status and headers at once and then one byte every
// interval, flushed, until the client goes away: never idle for long, and never done.
func Trickle(interval time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for {
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(interval):
			}
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
		}
	}
}
