package pmsemu

import (
	"net/http"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plexkit/plexkit/internal/spec"
)

// handler is the server's implementation and state. Server's fields are fixed by pmsemu.go, so
// the handler lives in the mux as the handler for every path; Server reaches it through the mux
// (see Server.impl).
type handler struct {
	cfg      Config
	auth     Authorizer
	store    *Store
	sessions []SessionConfig        // seeds whose RatingKey names a playable item
	ops      map[string]func(*call) // by spec operationId
	lists    *lists                 // playlists, play queues, collections (see lists.go)
	admin    *ops                   // preferences, butler, activities (see ops.go)

	mu        sync.Mutex
	transient map[string]transientToken

	hub  *Hub      // notifications and webhooks (hub.go)
	live *playback // sessions (playback.go)

	managed *managedHubs // the sections' managed hubs (managedhubs.go)

	seen seenDevices // client identifiers seen in authorised requests (device.new)

	unreachable atomic.Bool // remote access is down (SetReachable)
}

// call is one authenticated request on its way through a handler.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	caller Caller // zero for an operation that needs no token
	json   bool
	query  url.Values
	op     string // the operation: a spec operationId, or the name of an extraRoutes row
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
		store:     newStore(cfg),
		transient: map[string]transientToken{},
		live:      newPlayback(),
		seen:      seenDevices{max: maxSeenDevices},
	}
	h.hub = newHub(newWebhookSender(&h.cfg))
	st := h.store
	for _, it := range cfg.Items {
		st.AddItem(it) // an item naming a missing section or parent is dropped
	}
	// Seeds naming a section or item the server does not have are dropped, so every rendered
	// session and history entry points at an item that GET /library/metadata can serve.
	for _, sc := range cfg.Sessions {
		if rk, ok := h.seedItem(sc.Section, sc.Index, sc.RatingKey); ok {
			sc.RatingKey = rk
			h.sessions = append(h.sessions, sc)
		}
	}
	for _, v := range cfg.Views {
		local := st.LocalAccountID(v.AccountID)
		if v.Watched {
			st.Scrobble(local, v.RatingKey)
		}
		if v.ViewOffset > 0 {
			st.SetViewOffset(local, v.RatingKey, v.ViewOffset)
		}
	}
	for _, hc := range cfg.History {
		if rk, ok := h.seedItem(hc.Section, hc.Index, hc.RatingKey); ok {
			st.AddHistory(st.LocalAccountID(hc.AccountID), rk, hc.ViewedAt)
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

		"librarySectionGetSection":            h.sectionDirectory,
		"librarySectionGetFilters":            h.sectionFilters,
		"librarySectionGetSorts":              h.sectionSorts,
		"librarySectionGetFirstCharaters":     h.sectionFirstCharacters,
		"librarySectionGetCollections":        h.sectionCollections,
		"librarySectionGetAllLeaves":          h.sectionAllLeaves,
		"libraryMetadataGetAllLeaves":         h.allLeaves,
		"libraryMetadataPutSlash":             h.editMetadata,
		"librarySectionPutAll":                h.editSectionItems,
		"libraryMetadataDeleteSlash":          h.deleteMetadata,
		"librarySectionPostRefresh":           h.refreshSection,
		"librarySectionDeleteRefresh":         h.refreshSection,
		"libraryPostSectionsRefresh":          h.refreshAll,
		"libraryDeleteSectionsAllRefresh":     h.refreshAll,
		"putScrobble":                         h.scrobble,
		"putUnscrobble":                       h.unscrobble,
		"putRate":                             h.rate,
		"statusGetHistory":                    h.historyEntry,
		"statusDeleteHistory":                 h.deleteHistory,
		"hubsGetSlash":                        h.hubsHome,
		"hubsGetContinueWatching":             h.hubsContinueWatching,
		"hubsGetSection":                      h.hubsSection,
		"librarySectionGetAlbums":             h.sectionAlbums,
		"libraryGetAll":                       h.libraryAll,
		"libraryGetTags":                      h.libraryTags,
		"libraryMetadataGetSimilar":           h.similar,
		"libraryMetadataGetRelated":           h.relatedHubs,
		"hubsGetMetadataMetadataRelated":      h.relatedHubs,
		"libraryMetadataPostMarker":           h.addMarker,
		"libraryMetadataPutMarkerMarker":      h.editMarker,
		"libraryMetadataDeleteMarkerMarker":   h.deleteMarker,
		"libraryMetadataGetExtras":            h.extras,
		"libraryMetadataGetMatches":           h.matches,
		"libraryMetadataPutMatch":             h.match,
		"libraryMetadataPutUnmatch":           h.unmatch,
		"libraryMetadataDeleteMediaMediaItem": h.deleteMedia,

		"x.library":             h.library,
		"x.onDeck":              h.onDeck,
		"x.recentlyAdded":       h.recentlyAdded,
		"x.children":            h.children,
		"x.grandchildren":       h.grandchildren,
		"x.filterChoices":       h.filterChoices,
		"x.sectionTimeline":     h.sectionTimeline,
		"x.sectionFolders":      h.sectionFolders,
		"x.continueWatching":    h.continueWatching,
		"x.search":              h.legacySearch,
		"x.myplexAccount":       h.myplexAccount,
		"x.accounts":            h.accounts,
		"x.devices":             h.devices,
		"x.clients":             h.clients,
		"x.servers":             h.servers,
		"x.agents":              h.agents,
		"x.statisticsBandwidth": h.statisticsBandwidth,
		"x.statisticsResources": h.statisticsResources,
		"x.statisticsMedia":     h.statisticsMedia,
	}
	registerOps(h)
	registerLive(h)
	registerBrowse(h)
	registerArtwork(h)
	return h
}

// seedItem resolves a seed's item: rk when set, else item index of the section (a show's or
// artist's first leaf); ok is false when there is no such item.
func (h *handler) seedItem(sectionKey string, index, rk int) (int, bool) {
	st := h.store
	if rk == 0 {
		sec := st.Section(sectionKey)
		if sec == nil || index < 0 || index >= st.SectionLen(sec) {
			return 0, false
		}
		rk = st.SectionAt(sec, index)
	}
	leaves := st.Leaves(rk)
	if _, ok := st.Item(rk); !ok || len(leaves) == 0 {
		return 0, false
	}
	return leaves[0], true
}

// match is the operation a request routes to.
type match struct {
	name    string // key of handler.ops
	role    spec.Role
	pattern string // "METHOD /template", for OnRequest
}

// route finds the operation for r: in the table generated from the spec, then in the hand-kept
// table of what real servers serve beyond it (extraRoutes).
func route(r *http.Request) (match, bool) {
	path := r.URL.Path
	if op, ok := spec.Lookup(r.Method, path); ok {
		return match{op.OperationID, op.Role, r.Method + " " + op.Path}, true
	}
	if x, ok := matchExtra(r.Method, path); ok {
		return match{x.Name, x.Role, r.Method + " " + x.Pattern}, true
	}
	// A PMS mints transient tokens whatever the verb (the spec lists POST, the preferred one),
	// and takes timeline reports by GET as well as POST.
	if op, ok := spec.Lookup(http.MethodPost, path); ok && (op.OperationID == "securityPostToken" || op.OperationID == "timelinePostSlash") {
		return match{op.OperationID, op.Role, r.Method + " " + op.Path}, true
	}
	return match{pattern: r.Method + " " + UnknownRoute}, false
}

// ServeHTTP checks a request the way a PMS does: route, token, role; then runs the operation.
// The role check comes before anything else, so a shared user is refused an admin operation
// even where the emulator serves no data.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m, found := route(r)
	if h.cfg.OnRequest != nil {
		h.cfg.OnRequest(m.pattern)
	}
	c := &call{w: w, r: r, json: wantsJSON(r), query: r.URL.Query(), op: m.name}
	if !found || m.role != spec.RoleNone {
		caller, status := h.authenticate(r, c.query)
		if status != 0 {
			writeError(w, status)
			return
		}
		c.caller = caller
		h.noticeDevice(c)
	}
	switch {
	case !found:
		writeError(w, http.StatusNotFound)
	case m.role == spec.RoleAdmin && c.caller.Role != RoleAdmin:
		writeError(w, h.cfg.SharedAdminStatus)
	case h.ops[m.name] == nil:
		serveEmpty(c, m.name)
	default:
		h.ops[m.name](c)
	}
}

// canSee reports whether c's caller may see section s: the admin sees every section, a shared
// user those shared with them (all when Caller.Sections is nil).
func (c *call) canSee(s *Section) bool {
	return s != nil && (c.caller.Role == RoleAdmin || c.caller.Sections == nil || slices.Contains(c.caller.Sections, s.Key))
}

// account is the caller's server-local account id, the one state and history are kept under.
func (h *handler) account(c *call) int { return h.store.LocalAccountID(c.caller.AccountID) }
