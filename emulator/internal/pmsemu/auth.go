package pmsemu

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"time"
)

// TransientTokenLifetime is how long a token from POST /security/token stays valid (if the
// server is not restarted first).
const TransientTokenLifetime = 48 * time.Hour

// transientToken is a token this server minted: it stands for the caller who asked for it, with
// that caller's role and shares.
type transientToken struct {
	caller  Caller
	expires time.Time
}

// token returns the token a request presents: the X-Plex-Token header, else the X-Plex-Token
// query parameter, which a PMS also accepts.
func token(r *http.Request, query url.Values) string {
	if t := r.Header.Get("X-Plex-Token"); t != "" {
		return t
	}
	return query.Get("X-Plex-Token")
}

// authenticate resolves the request's token to a caller, or returns the status to refuse it
// with: 401 for a missing, unknown or refused token or an account without access, 498 for an
// expired Plex JWT. Tokens this server minted are checked first.
func (h *handler) authenticate(r *http.Request, query url.Values) (Caller, int) {
	tok := token(r, query)
	if tok == "" {
		return Caller{}, http.StatusUnauthorized
	}
	if c, ok := h.transientCaller(tok); ok {
		return c, 0
	}
	if h.auth == nil {
		return Caller{}, http.StatusUnauthorized
	}
	c, res := h.auth.Authorize(h.cfg.MachineIdentifier, tok)
	switch {
	case res == AuthExpired:
		return Caller{}, StatusTokenExpired
	case res != AuthOK || c.Role == RoleNone:
		return Caller{}, http.StatusUnauthorized
	}
	return c, 0
}

func (h *handler) transientCaller(tok string) (Caller, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.transient[tok]
	if !ok {
		return Caller{}, false
	}
	if !h.cfg.Now().Before(t.expires) {
		delete(h.transient, tok)
		return Caller{}, false
	}
	return t.caller, true
}

// mint makes a transient token for c. Expired tokens are swept here, so a long-running emulator
// that mints many does not keep them all.
func (h *handler) mint(c Caller) string {
	tok := "transient-" + newUUID()
	now := h.cfg.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, t := range h.transient {
		if !now.Before(t.expires) {
			delete(h.transient, k)
		}
	}
	h.transient[tok] = transientToken{caller: c, expires: now.Add(TransientTokenLifetime)}
	return tok
}

func (h *handler) restart() {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.transient)
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails; it crashes the program instead
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return formatUUID(u)
}
