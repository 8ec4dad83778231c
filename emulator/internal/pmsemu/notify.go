package pmsemu

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// The notification endpoints (reference: plex-live.md §1): a websocket at
// /:/websockets/notifications (the path every client dials) and /:/websocket/notifications
// (the spec's), and server-sent events at /:/eventsource/notifications. The token is checked
// before the upgrade, like every request (401 for none or a bad one). Shared users are let in,
// as the spec allows, and see only their own events, unless Config.RefuseSharedNotifications.

// SSEPingInterval is how often the event stream sends "event: ping" with "data: {}", as a PMS
// does; a client that hears nothing for several intervals can tell the stream is dead.
var SSEPingInterval = 10 * time.Second

// writeTimeout bounds one frame's write: a client that does not read for this long is
// disconnected rather than holding its buffer.
const writeTimeout = 10 * time.Second

// allowedNotifications answers 401 for a shared user when the server refuses them streams.
func (h *handler) allowedNotifications(c *call) bool {
	if c.caller.Role != RoleAdmin && h.cfg.RefuseSharedNotifications {
		writeError(c.w, http.StatusUnauthorized)
		return false
	}
	return true
}

// websocketNotifications serves the websocket endpoints: one JSON text frame per event.
// Frames from the client are read and ignored (a PMS ignores them; some clients send one every
// second as a keep-alive).
func (h *handler) websocketNotifications(c *call) {
	if !h.allowedNotifications(c) {
		return
	}
	if !strings.EqualFold(c.r.Header.Get("Upgrade"), "websocket") {
		// A plain GET (an SDK generated from the spec, which types the answer as a binary
		// body): the spec's empty answer rather than a handshake error.
		serveEmpty(c, "websocketGetSlash")
		return
	}
	// Subscribed before the handshake is answered, so that a client that has its 101 misses
	// nothing published after it.
	sub := h.hub.subscribe(c.caller, parseFilter(c.query))
	defer h.hub.unsubscribe(sub)
	conn, err := websocket.Accept(c.w, c.r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept has answered the bad handshake
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 10)
	ctx, cancel := context.WithCancel(c.r.Context())
	defer cancel()
	go func() {
		defer cancel()
		for {
			if _, _, err := conn.Read(ctx); err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sub.gone:
			return // dropped: CloseNow ends the connection without a close frame, as a crash would
		case f := <-sub.ch:
			wctx, wcancel := context.WithTimeout(ctx, writeTimeout)
			err := conn.Write(wctx, websocket.MessageText, f.ws)
			wcancel()
			if err != nil {
				return
			}
		}
	}
}

// eventSourceNotifications serves GET /:/eventsource/notifications: server-sent events, one
// "event: <type>" / "data: {<Child>: entry}" pair per event, and a ping every SSEPingInterval.
func (h *handler) eventSourceNotifications(c *call) {
	if !h.allowedNotifications(c) {
		return
	}
	flusher, ok := c.w.(http.Flusher)
	if !ok {
		writeError(c.w, http.StatusInternalServerError)
		return
	}
	sub := h.hub.subscribe(c.caller, parseFilter(c.query))
	defer h.hub.unsubscribe(sub)
	// text/event-stream, as servers answer; application/octet-stream (the spec's type, same
	// framing) to a client that asks for exactly that, as SDKs generated from the spec do.
	ctype := "text/event-stream"
	if accept := c.r.Header.Get("Accept"); strings.Contains(accept, "application/octet-stream") && !strings.Contains(accept, "text/event-stream") {
		ctype = "application/octet-stream"
	}
	c.w.Header().Set("Content-Type", ctype)
	c.w.Header().Set("Cache-Control", "no-cache")
	c.w.Header().Set("Connection", "keep-alive")
	c.w.WriteHeader(http.StatusOK)
	flusher.Flush()
	rc := http.NewResponseController(c.w)
	ping := time.NewTicker(SSEPingInterval)
	defer ping.Stop()
	write := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := c.w.Write(b); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	for {
		select {
		case <-c.r.Context().Done():
			return
		case <-sub.gone:
			panic(http.ErrAbortHandler) // dropped: cut the connection, do not end the stream cleanly
		case <-ping.C:
			if !write([]byte("event: ping\ndata: {}\n\n")) {
				return
			}
		case f := <-sub.ch:
			if !write(f.sse) {
				return
			}
		}
	}
}

// ReachabilityEntry is the entry of a "reachability" notification (reference §1.11).
type ReachabilityEntry struct {
	Reachability bool `json:"reachability"`
}

// SetReachable sets whether plex.tv can reach the server from outside (its remote access) and,
// when that changes, sends the "reachability" notification, as a PMS does when its port
// mapping comes up or goes down (Tautulli then reads /myplex/account, whose mappingState
// follows). It goes to the admin's streams only: it is about the server, not any account's
// playback (a choice; the reference does not say who gets it). It reports whether the state
// changed. A server starts reachable.
func (s *Server) SetReachable(reachable bool) bool {
	h := s.impl()
	h.mu.Lock() // changes and their notifications in the same order
	defer h.mu.Unlock()
	if h.unreachable.Swap(!reachable) == !reachable {
		return false
	}
	h.hub.Publish(Notification{Type: "reachability", Entry: ReachabilityEntry{Reachability: reachable}, AdminOnly: true})
	return true
}
