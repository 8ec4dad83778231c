package emulator

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
	"github.com/plexkit/plexkit/internal/spec"
)

// deadKind says how /api/v2/resources presents a dead connection.
type deadKind int

const (
	deadLocal  deadKind = iota // http, local: a LAN address that no longer answers
	deadRemote                 // https, remote: a public address behind a broken port forward
	deadRelay                  // https, relay: a relay that never answers
)

// deadConnection is a connection listed in /api/v2/resources that accepts TCP and never
// answers.
type deadConnection struct {
	kind deadKind
	addr string // host:port
}

// startServer serves s's PMS on two new loopback listeners, its live local connection and its
// live remote one (what a friend's client reaches: clients try only the remote connections of a
// server they do not own), and opens its dead connections. The caller holds e.mu.
func (e *Emulator) startServer(s *server) error {
	name := s.name
	cfg := s.cfg
	cfg.Webhooks = e.webhookURLs
	pms := pmsemu.New(cfg, pmsAuthorizer{e})
	s.pms = pms
	h := e.instrument("pms:"+name, func(r *http.Request) string { return pmsKey(name, r) }, pms)
	for _, u := range []*string{&s.url, &s.remoteURL} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("emulator: listener for server %s: %w", s.name, err)
		}
		*u = "http://" + ln.Addr().String()
		e.serve(ln, h)
	}
	for _, kind := range []deadKind{deadLocal, deadRemote, deadRelay} {
		h, err := newBlackhole()
		if err != nil {
			return fmt.Errorf("emulator: dead connection for server %s: %w", s.name, err)
		}
		e.holes = append(e.holes, h)
		s.dead = append(s.dead, deadConnection{kind: kind, addr: h.ln.Addr().String()})
	}
	return nil
}

// pmsKey names a PMS request for faults (and for Stats when a fault answers it, since the PMS
// then never sees it): "pms:<server> METHOD <spec path template>", or the literal path when the
// spec has no such operation.
func pmsKey(serverName string, r *http.Request) string {
	path := r.URL.Path
	if op, ok := spec.Lookup(r.Method, path); ok {
		path = op.Path
	}
	return "pms:" + serverName + " " + r.Method + " " + path
}

// pmsAuthorizer answers, for a server, who a token belongs to and what their role is.
type pmsAuthorizer struct{ e *Emulator }

// Authorize implements pmsemu.Authorizer. A server accepts its own access tokens (from
// /api/v2/resources); a server with AcceptsAccountJWT also accepts account tokens, a Plex JWT
// (verified against plex.tv's current and previous keys) or a legacy token. Then the account's
// role decides: owner → admin, share → shared user (with its sections), managed home user →
// shared user with Managed, nobody → 401.
func (a pmsAuthorizer) Authorize(machineIdentifier, token string) (pmsemu.Caller, pmsemu.AuthResult) {
	e := a.e
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	var s *server
	for _, c := range e.servers {
		if c.machineID == machineIdentifier {
			s = c
		}
	}
	if s == nil {
		return pmsemu.Caller{}, pmsemu.AuthUnauthorized
	}
	var acct *account
	if st := e.serverTokens[token]; st != nil {
		if st.srv != s {
			return pmsemu.Caller{}, pmsemu.AuthUnauthorized
		}
		acct = st.acct
	} else {
		if !s.acceptsAccountJWT {
			return pmsemu.Caller{}, pmsemu.AuthUnauthorized
		}
		id, res := e.checkToken(token, now)
		switch {
		case res == tokenExpired && e.opts.ExpiredJWTStatusOnPMS == StatusTokenExpired:
			return pmsemu.Caller{}, pmsemu.AuthExpired
		case res != tokenOK:
			return pmsemu.Caller{}, pmsemu.AuthUnauthorized
		}
		acct = id.acct
	}
	c := pmsemu.Caller{AccountID: acct.id, UUID: acct.uuid, Username: acct.username, Thumb: acct.thumb()}
	if acct == s.owner {
		c.Role = pmsemu.RoleAdmin
		return c, pmsemu.AuthOK
	}
	sh := s.shares[acct.id]
	if sh == nil {
		return pmsemu.Caller{}, pmsemu.AuthUnauthorized
	}
	c.Role, c.Managed, c.Sections = pmsemu.RoleShared, sh.managed, append([]string(nil), sh.sections...)
	return c, pmsemu.AuthOK
}

// blackhole is a listener that accepts connections and never answers on them.
type blackhole struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	done  chan struct{}
}

func newBlackhole() (*blackhole, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	h := &blackhole{ln: ln, done: make(chan struct{})}
	go h.accept()
	return h, nil
}

func (h *blackhole) accept() {
	defer close(h.done)
	for {
		c, err := h.ln.Accept()
		if err != nil {
			return // the listener was closed
		}
		h.mu.Lock()
		h.conns = append(h.conns, c)
		h.mu.Unlock()
	}
}

// close stops accepting and drops every connection held open.
func (h *blackhole) close() error {
	err := h.ln.Close()
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		_ = c.Close() // the peer sees EOF; nothing to report
	}
	h.conns = nil
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
