package pmsemu

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/plexkit/plexkit/internal/spec"
)

// handler is the server's implementation and state. Server's fields are fixed by pmsemu.go, so
// the handler lives in the mux as the handler for every path; Server reaches it through the mux
// (see Server.impl).
type handler struct {
	cfg      Config
	auth     Authorizer
	sections []*section // in configuration order; position = rating key prefix
	byKey    map[string]*section
	accounts map[int]Account
	sessions []SessionConfig
	history  []historyEntry
	ops      map[string]func(*call) // by spec operationId

	mu        sync.Mutex
	transient map[string]transientToken

	hub    *Hub      // notifications and webhooks (hub.go)
	live   *playback // sessions (playback.go)
	histMu sync.Mutex
}

// call is one authenticated request on its way through a handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller Caller // zero for an operation that needs no token
	json   bool
	query  url.Values
}

// UnknownRoute is the pattern passed to Config.OnRequest, after the method, for a request that
// matches no operation of the spec.
const UnknownRoute = "(unknown)"

// DefaultVersion is the PMS version reported when Config.Version is empty.
const DefaultVersion = "1.42.2.10156-f737b826c"

// routes installs the handler. Every request is routed by the operation table generated from
// the official spec (package internal/spec), not by mux patterns, so the role of every operation,
// including those this emulator serves no data for, is checked the same way.
func (s *Server) routes() {
	h := newHandler(s.cfg, s.auth)
	s.mux.Handle("/", h)
}

// impl returns the handler routes installed.
func (s *Server) impl() *handler {
	hd, _ := s.mux.Handler(&http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}})
	return hd.(*handler)
}

// Restart does what a PMS restart does: it forgets the transient tokens the server minted and
// its sessions (sessionKeys start from 1 again), and drops every notification stream.
func (s *Server) Restart() {
	h := s.impl()
	h.restart()
	h.restartPlayback()
	h.hub.DropAll()
}

func newHandler(cfg Config, auth Authorizer) *handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Version == "" {
		cfg.Version = DefaultVersion
	}
	if cfg.SharedAdminStatus != http.StatusForbidden {
		cfg.SharedAdminStatus = http.StatusUnauthorized
	}
	h := &handler{
		cfg:       cfg,
		auth:      auth,
		byKey:     map[string]*section{},
		accounts:  map[int]Account{},
		transient: map[string]transientToken{},
		live:      newPlayback(),
	}
	h.hub = newHub(newWebhookSender(&h.cfg))
	for _, sc := range cfg.Sections {
		if _, dup := h.byKey[sc.Key]; dup || sc.Key == "" {
			continue // the first section with a key wins; a key is required
		}
		sec := newSection(cfg.MachineIdentifier, len(h.sections), sc)
		h.sections = append(h.sections, sec)
		h.byKey[sc.Key] = sec
	}
	for _, a := range cfg.Accounts {
		h.accounts[a.ID] = a
	}
	// Seeds naming a section or item the server does not have are dropped, so every rendered
	// session and history entry points at an item that GET /library/metadata can serve.
	var seeded []SessionConfig
	for _, sc := range cfg.Sessions {
		if h.valid(sc.Section, sc.Index) {
			seeded = append(seeded, sc)
		}
	}
	h.seedSessions(seeded)
	for i, hc := range cfg.History {
		if h.valid(hc.Section, hc.Index) {
			h.history = append(h.history, historyEntry{HistoryConfig: hc, id: i + 1})
		}
	}
	h.ops = map[string]func(*call){
		"getIdentity":             h.identity,
		"getSlash":                h.root,
		"libraryGetSections":      h.librarySections,
		"librarySectionGetAll":    h.sectionItems,
		"libraryMetadataGetSlash": h.metadataItems,
		"hubsGetSearch":           h.search,
		"statusGetSlash":          h.statusSessions,
		"statusGetHistoryAll":     h.historyAll,
		"securityPostToken":       h.securityToken,
		"securityGetResources":    h.securityResources,
		"timelinePostSlash":       h.timeline,
		"statusPostTerminate":     h.terminate,
		"websocketGetSlash":       h.websocketNotifications,
		"eventsourceGetSlash":     h.eventSourceNotifications,
		"transcodeDecision":       h.transcodeDecision,
		"transcodeStart":          h.transcodeDecision,
		opProgress:                h.progress,
		opTranscodeSessions:       h.transcodeSessions,
	}
	return h
}

func (h *handler) valid(sectionKey string, index int) bool {
	s := h.byKey[sectionKey]
	return s != nil && index >= 0 && index < s.Size
}

// aliases are paths clients use that the spec does not list, routed to the operation the
// server actually runs for them: python-plexapi and most clients list sections at
// /library/sections.
var aliases = map[string]string{
	"/library/sections":           "/library/sections/all",
	"/:/websockets/notifications": "/:/websocket/notifications",
}

// route finds the operation for r and the pattern reported to OnRequest.
func route(r *http.Request) (op spec.Operation, pattern string, ok bool) {
	path := r.URL.Path
	if op, ok = spec.Lookup(r.Method, path); ok {
		return op, r.Method + " " + op.Path, true
	}
	if target, alias := aliases[path]; alias && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		op, ok = spec.Lookup(r.Method, target)
		return op, r.Method + " " + path, ok
	}
	// A PMS mints transient tokens whatever the verb (the spec lists POST, the preferred one),
	// and takes timeline reports by GET as well as POST.
	if op, ok = spec.Lookup(http.MethodPost, path); ok && (op.OperationID == "securityPostToken" || op.OperationID == "timelinePostSlash") {
		return op, r.Method + " " + op.Path, true
	}
	if op, ok = liveRoute(r.Method, path); ok {
		return op, r.Method + " " + op.Path, true
	}
	return spec.Operation{}, r.Method + " " + UnknownRoute, false
}

// ServeHTTP checks a request the way a PMS does: route, token, role; then runs the operation.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, pattern, found := route(r)
	if h.cfg.OnRequest != nil {
		h.cfg.OnRequest(pattern)
	}
	c := &call{w: w, r: r, json: wantsJSON(r), query: r.URL.Query()}
	if !found || op.Role != spec.RoleNone {
		caller, status := h.authenticate(r, c.query)
		if status != 0 {
			writeError(w, status)
			return
		}
		c.caller = caller
	}
	switch {
	case !found:
		writeError(w, http.StatusNotFound)
	case op.Role == spec.RoleAdmin && c.caller.Role != RoleAdmin:
		writeError(w, h.cfg.SharedAdminStatus)
	case h.ops[op.OperationID] == nil:
		writeError(w, http.StatusNotImplemented)
	default:
		h.ops[op.OperationID](c)
	}
}

// canSee reports whether c's caller may see section s: the admin sees every section, a shared
// user those shared with them (all when Caller.Sections is nil).
func (c *call) canSee(s *section) bool {
	return c.caller.Role == RoleAdmin || c.caller.Sections == nil || slices.Contains(c.caller.Sections, s.Key)
}
