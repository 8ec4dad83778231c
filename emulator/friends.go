package emulator

import (
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
)

// shareMeta is what plex.tv keeps about a share beyond who and which sections: its id (the
// SharedServer id of the legacy API), when it was made, and its settings.
type shareMeta struct {
	id                                     int
	invitedAt                              time.Time
	allowSync, allowCameraUpload           bool
	allowChannels, allowTuners, allowSubAd bool
	filterMovies, filterTelevision         string
	filterMusic                            string
}

// meta returns sh's plex.tv record, creating it. The caller holds e.mu (or is seeding).
func (e *Emulator) meta(sh *share) *shareMeta {
	m := e.tv.shareMeta[sh]
	if m == nil {
		m = &shareMeta{id: e.tv.nextShare, allowSync: true}
		e.tv.nextShare++
		e.tv.shareMeta[sh] = m
	}
	return m
}

// sectionID is the plex.tv id of the server's section with this key: share requests name
// sections by it, not by the PMS key.
func (e *Emulator) sectionID(s *server, key string) int {
	i := slices.IndexFunc(s.cfg.Sections, func(c pmsemu.SectionConfig) bool { return c.Key == key })
	return (slices.Index(e.servers, s)+1)*100000 + i + 1
}

// sectionKey is the PMS key of the section with plex.tv id id, or "".
func (e *Emulator) sectionKey(s *server, id int) string {
	for _, c := range s.cfg.Sections {
		if e.sectionID(s, c.Key) == id {
			return c.Key
		}
	}
	return ""
}

// shared reports whether the section with key is visible to sh.
func (sh *share) shared(key string) bool {
	return sh.sections == nil || slices.Contains(sh.sections, key)
}

// serverByMachineID returns the server, or nil. The caller holds e.mu.
func (e *Emulator) serverByMachineID(mid string) *server {
	for _, s := range e.servers {
		if s.machineID == mid {
			return s
		}
	}
	return nil
}

// shareByID finds a share of s by its plex.tv id. The caller holds e.mu.
func (e *Emulator) shareByID(s *server, id int) *share {
	for _, sh := range s.shares {
		if e.meta(sh).id == id {
			return sh
		}
	}
	return nil
}

// unshare removes sh from s: its access token stops working on the PMS at once.
func (e *Emulator) unshare(s *server, sh *share) {
	delete(s.shares, sh.acct.id)
	delete(e.serverTokens, sh.token)
	delete(e.tv.shareMeta, sh)
}

// ownedServer authenticates r and returns the server {machineId} the caller owns, or answers
// 401, 404 (unknown server) or 403 (another account's). The caller holds e.mu.
func (e *Emulator) ownedServer(w http.ResponseWriter, r *http.Request, now time.Time) (*server, *account, bool) {
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return nil, nil, false
	}
	s := e.serverByMachineID(r.PathValue("machineId"))
	switch {
	case s == nil:
		writeLegacyResponse(w, r, http.StatusNotFound, "Server not found")
		return nil, nil, false
	case s.owner != id.acct:
		writeLegacyResponse(w, r, http.StatusForbidden, "You do not own this server")
		return nil, nil, false
	}
	return s, id.acct, true
}

// writeLegacyResponse writes the legacy v1 error <Response code="N" status="message"/>.
func writeLegacyResponse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	replyNode(w, r, status, el("Response", "code", status, "status", msg))
}

func myPlexContainer(mid string, kids []*xnode) *xnode {
	return el("MediaContainer", "friendlyName", "myPlex", "identifier", "com.plexapp.plugins.myplex",
		"machineIdentifier", mid, "size", len(kids)).add(kids...)
}

// usersXML serves GET /api/users/: the caller's friends and the other members of its Home, each
// with the caller's servers shared with them.
func (e *Emulator) usersXML(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	var users []*xnode
	for _, u := range e.related(id.acct) {
		homeUser := u.home && id.acct.home
		username, email := u.username, u.email
		if homeUser && u.restricted {
			username, email = "", "" // managed users have neither; clients match them on title
		}
		n := el("User", "id", u.id, "title", u.title(), "username", username, "email", email,
			"recommendationsPlaylistId", "", "thumb", u.thumb(), "protected", e.tv.homePins[u.id] != "",
			"home", homeUser, "allowTuners", 0, "allowSync", true, "allowCameraUpload", false,
			"allowChannels", false, "allowSubtitleAdmin", false, "filterAll", "", "filterMovies", "",
			"filterMusic", "", "filterPhotos", "", "filterTelevision", "", "restricted", u.restricted)
		for _, s := range e.servers {
			sh := s.shares[u.id]
			if s.owner != id.acct || sh == nil {
				continue
			}
			m := e.meta(sh)
			n.add(el("Server", "id", m.id, "serverId", e.serverDeviceID(s), "machineIdentifier", s.machineID,
				"name", s.name, "lastSeenAt", now.Unix(), "numLibraries", e.sharedCount(s, sh),
				"allLibraries", sh.sections == nil, "owned", true, "pending", false))
		}
		users = append(users, n)
	}
	e.mu.Unlock()
	c := myPlexContainer("", users)
	c.set("totalSize", len(users))
	replyNode(w, r, http.StatusOK, c)
}

// related lists a's friends and the other members of a's Home, by id. The caller holds e.mu.
func (e *Emulator) related(a *account) []*account {
	var out []*account
	for fid := range e.tv.friends[a.id] {
		out = append(out, e.byID[fid])
	}
	if a.home {
		for _, m := range e.homeMembers() {
			if m != a && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	slices.SortFunc(out, func(x, y *account) int { return cmp.Compare(x.id, y.id) })
	return out
}

func (e *Emulator) sharedCount(s *server, sh *share) int {
	n := 0
	for _, c := range s.cfg.Sections {
		if sh.shared(c.Key) {
			n++
		}
	}
	return n
}

// serverXML serves GET /api/servers/{machineId}: the owner's server with its sections and their
// plex.tv ids (what share requests name).
func (e *Emulator) serverXML(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	s, _, ok := e.ownedServer(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	n := e.serverElement(s, now)
	n.set("owned", true, "synced", false)
	for _, c := range s.cfg.Sections {
		n.add(el("Section", "id", e.sectionID(s, c.Key), "key", c.Key, "type", c.Type, "title", c.Title))
	}
	e.mu.Unlock()
	replyNode(w, r, http.StatusOK, myPlexContainer(s.machineID, []*xnode{n}))
}

// serverElement is a server as the legacy API describes it: <Server name address port …>.
func (e *Emulator) serverElement(s *server, now time.Time) *xnode {
	host, port := "127.0.0.1", 32400
	if conns := s.connections(false, false); len(conns) > 0 {
		live := conns[len(conns)-1]
		host, port = live.Address, live.Port
	}
	return el("Server", "name", s.name, "address", host, "port", port, "version", serverVersion, "scheme", "http",
		"host", host, "localAddresses", host, "machineIdentifier", s.machineID,
		"createdAt", s.owner.joinedAt.AddDate(0, 2, 0).Unix(), "updatedAt", now.Unix())
}

// sharedServerXML renders one share as the legacy API's <SharedServer>.
func (e *Emulator) sharedServerXML(s *server, sh *share) *xnode {
	m := e.meta(sh)
	n := el("SharedServer", "id", m.id, "username", sh.acct.username, "email", sh.acct.email, "userID", sh.acct.id,
		"accessToken", sh.token, "name", s.name, "invitedAt", m.invitedAt.Unix(), "acceptedAt", m.invitedAt.Unix(),
		"allowSync", m.allowSync, "allowCameraUpload", m.allowCameraUpload, "allowChannels", m.allowChannels,
		"allowTuners", m.allowTuners, "allowSubtitleAdmin", m.allowSubAd, "owned", false,
		"allLibraries", sh.sections == nil, "filterAll", "", "filterMovies", m.filterMovies,
		"filterMusic", m.filterMusic, "filterPhotos", "", "filterTelevision", m.filterTelevision)
	for _, c := range s.cfg.Sections {
		n.add(el("Section", "id", e.sectionID(s, c.Key), "key", c.Key, "title", c.Title, "type", c.Type,
			"shared", sh.shared(c.Key)))
	}
	return n
}

// sharedServers serves GET /api/servers/{machineId}/shared_servers: the server's shares, each
// with the access token that user must present to the PMS.
func (e *Emulator) sharedServers(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	s, _, ok := e.ownedServer(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	var kids []*xnode
	for _, sh := range s.sharesInOrder() {
		kids = append(kids, e.sharedServerXML(s, sh))
	}
	e.mu.Unlock()
	replyNode(w, r, http.StatusOK, myPlexContainer(s.machineID, kids))
}

// shareRequest is the JSON body of the legacy share calls.
type shareRequest struct {
	ServerID     string `json:"server_id"`
	SharedServer struct {
		LibrarySectionIDs flexInts        `json:"library_section_ids"`
		InvitedEmail      string          `json:"invited_email"`
		InvitedID         json.RawMessage `json:"invited_id"`
	} `json:"shared_server"`
	SharingSettings map[string]any `json:"sharing_settings"`
}

// flexInts is a list of ids sent as JSON numbers or as numeric strings; clients do both.
type flexInts []int

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexInts) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]int, 0, len(raw))
	for _, r := range raw {
		n, err := strconv.Atoi(strings.Trim(string(r), `"`))
		if err != nil {
			return err
		}
		out = append(out, n)
	}
	*f = out
	return nil
}

func readJSON(r *http.Request, v any) error {
	return json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(v)
}

// sectionKeys maps plex.tv section ids to PMS keys; an empty list shares every section.
func (e *Emulator) sectionKeys(s *server, ids []int) ([]string, bool) {
	if len(ids) == 0 {
		return nil, true
	}
	keys := []string{}
	for _, id := range ids {
		k := e.sectionKey(s, id)
		if k == "" {
			return nil, false
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, true
}

// invitee finds the invited account by id, username or email. The caller holds e.mu.
func (e *Emulator) invitee(rawID json.RawMessage, email string) *account {
	if len(rawID) > 0 && string(rawID) != "null" {
		id, err := strconv.Atoi(strings.Trim(string(rawID), `"`))
		if err != nil {
			return nil
		}
		return e.byID[id]
	}
	return e.findAccount(email)
}

// applySettings copies sharing settings ("0"/"1"/bools, filter strings) onto m.
func applySettings(m *shareMeta, get func(string) (string, bool)) {
	for name, dst := range map[string]*bool{"allowSync": &m.allowSync, "allowCameraUpload": &m.allowCameraUpload,
		"allowChannels": &m.allowChannels, "allowTuners": &m.allowTuners, "allowSubtitleAdmin": &m.allowSubAd} {
		if v, ok := get(name); ok {
			if b, err := parseBool(name, v); err == nil {
				*dst = b
			}
		}
	}
	for name, dst := range map[string]*string{"filterMovies": &m.filterMovies, "filterTelevision": &m.filterTelevision,
		"filterMusic": &m.filterMusic} {
		if v, ok := get(name); ok {
			*dst = v
		}
	}
}

func settingsGetter(m map[string]any) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		if !ok || v == nil {
			return "", false
		}
		switch v := v.(type) {
		case string:
			return v, true
		case bool:
			return strconv.FormatBool(v), true
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		}
		return "", false
	}
}

// inviteFriend serves POST /api/servers/{machineId}/shared_servers: share the server's sections
// with an account (by invited_email, a username or e-mail, or invited_id). The invitation is
// accepted at once: the emulator has no one to click "accept".
func (e *Emulator) inviteFriend(w http.ResponseWriter, r *http.Request) {
	var body shareRequest
	if err := readJSON(r, &body); err != nil {
		writeLegacyResponse(w, r, http.StatusBadRequest, `body must be JSON {"server_id":…,"shared_server":{"library_section_ids":[…],"invited_email":…}}`)
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	s, owner, ok := e.ownedServer(w, r, now)
	if !ok {
		return
	}
	a := e.invitee(body.SharedServer.InvitedID, body.SharedServer.InvitedEmail)
	keys, known := e.sectionKeys(s, body.SharedServer.LibrarySectionIDs)
	switch {
	case a == nil:
		writeLegacyResponse(w, r, http.StatusBadRequest, "The invited user does not exist")
		return
	case a == owner:
		writeLegacyResponse(w, r, http.StatusBadRequest, "You cannot share a server with yourself")
		return
	case s.shares[a.id] != nil:
		writeLegacyResponse(w, r, http.StatusBadRequest, "You're already sharing this server with "+a.username+". Please edit your existing share.")
		return
	case !known:
		writeLegacyResponse(w, r, http.StatusBadRequest, "library_section_ids names a section this server does not have")
		return
	}
	sh := e.addShare(s, owner, a, keys, now)
	applySettings(e.meta(sh), settingsGetter(body.SharingSettings))
	replyNode(w, r, http.StatusOK, myPlexContainer(s.machineID, []*xnode{e.sharedServerXML(s, sh)}))
}

// addShare shares s's sections keys (nil: all) with a and makes a a friend of the owner (unless a
// is a member of the owner's Home). The caller holds e.mu.
func (e *Emulator) addShare(s *server, owner, a *account, keys []string, now time.Time) *share {
	managed := a.home && a.restricted && owner.home
	e.share(s, a, keys, managed)
	sh := s.shares[a.id]
	e.meta(sh).invitedAt = now
	if !managed {
		e.befriend(owner, a)
	}
	return sh
}

// sharedServer serves GET, PUT and DELETE /api/servers/{machineId}/shared_servers/{id}: read,
// change the sections of, or remove one share. Every change applies to the PMS at once.
func (e *Emulator) sharedServer(w http.ResponseWriter, r *http.Request) {
	var body shareRequest
	if r.Method == http.MethodPut {
		if err := readJSON(r, &body); err != nil {
			writeLegacyResponse(w, r, http.StatusBadRequest, `body must be JSON {"server_id":…,"shared_server":{"library_section_ids":[…]}}`)
			return
		}
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	s, _, ok := e.ownedServer(w, r, now)
	if !ok {
		return
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	sh := e.shareByID(s, id)
	if err != nil || sh == nil {
		writeLegacyResponse(w, r, http.StatusNotFound, "Shared server not found")
		return
	}
	switch r.Method {
	case http.MethodDelete:
		e.unshare(s, sh)
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPut:
		keys, known := e.sectionKeys(s, body.SharedServer.LibrarySectionIDs)
		if !known {
			writeLegacyResponse(w, r, http.StatusBadRequest, "library_section_ids names a section this server does not have")
			return
		}
		sh.sections = keys
		applySettings(e.meta(sh), settingsGetter(body.SharingSettings))
	}
	replyNode(w, r, http.StatusOK, myPlexContainer(s.machineID, []*xnode{e.sharedServerXML(s, sh)}))
}

// sharedServerJSON is a share in the v2 API (/api/v2/friends sharedServers[], POST
// /api/v2/shared_servers). Only its existence is documented; the fields are the emulator's
// choice, named like the v2 request's.
type sharedServerJSON struct {
	ID                int           `json:"id"`
	OwnerID           int           `json:"ownerId"`
	InvitedID         int           `json:"invitedId"`
	ServerID          int           `json:"serverId"`
	MachineIdentifier string        `json:"machineIdentifier"`
	Name              string        `json:"name"`
	AllLibraries      bool          `json:"allLibraries"`
	NumLibraries      int           `json:"numLibraries"`
	AccessToken       *string       `json:"accessToken"`
	InvitedAt         string        `json:"invitedAt"`
	AcceptedAt        string        `json:"acceptedAt"`
	Libraries         []libraryJSON `json:"libraries"`
}

type libraryJSON struct {
	ID    int    `json:"id"`
	Key   string `json:"key"`
	Title string `json:"title"`
	Type  string `json:"type"`
}

// sharedServerV2 renders a share for viewer: the access token only to the invited account.
func (e *Emulator) sharedServerV2(s *server, sh *share, viewer *account) sharedServerJSON {
	m := e.meta(sh)
	out := sharedServerJSON{ID: m.id, OwnerID: s.owner.id, InvitedID: sh.acct.id, ServerID: e.serverDeviceID(s),
		MachineIdentifier: s.machineID, Name: s.name, AllLibraries: sh.sections == nil,
		NumLibraries: e.sharedCount(s, sh), InvitedAt: isoTime(m.invitedAt), AcceptedAt: isoTime(m.invitedAt),
		Libraries: []libraryJSON{}}
	if viewer == sh.acct {
		tok := sh.token
		out.AccessToken = &tok
	}
	for _, c := range s.cfg.Sections {
		if sh.shared(c.Key) {
			out.Libraries = append(out.Libraries, libraryJSON{ID: e.sectionID(s, c.Key), Key: c.Key, Title: c.Title, Type: c.Type})
		}
	}
	return out
}

func sharedServerV2XML(v sharedServerJSON) *xnode {
	n := el("sharedServer", "id", v.ID, "ownerId", v.OwnerID, "invitedId", v.InvitedID, "serverId", v.ServerID,
		"machineIdentifier", v.MachineIdentifier, "name", v.Name, "allLibraries", v.AllLibraries,
		"numLibraries", v.NumLibraries, "accessToken", v.AccessToken, "invitedAt", v.InvitedAt, "acceptedAt", v.AcceptedAt)
	libs := el("libraries")
	for _, l := range v.Libraries {
		libs.add(el("library", "id", l.ID, "key", l.Key, "title", l.Title, "type", l.Type))
	}
	return n.add(libs)
}

// friendJSON is an entry of GET /api/v2/friends.
type friendJSON struct {
	Email         string             `json:"email"`
	FriendlyName  string             `json:"friendlyName"`
	Home          bool               `json:"home"`
	ID            int                `json:"id"`
	Restricted    bool               `json:"restricted"`
	SharedServers []sharedServerJSON `json:"sharedServers"`
	SharedSources []any              `json:"sharedSources"`
	Status        string             `json:"status"`
	Thumb         string             `json:"thumb"`
	Title         string             `json:"title"`
	Username      string             `json:"username"`
	UUID          string             `json:"uuid"`
}

// friendsV2 serves GET /api/v2/friends: the caller's friends, each with the servers shared
// between them (either way). JSON is a bare array; XML (the emulator's choice: only JSON is
// seen) is <friends><friend …><sharedServers><sharedServer …><libraries>….
func (e *Emulator) friendsV2(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	out := []friendJSON{}
	for fid := range e.tv.friends[id.acct.id] {
		f := e.byID[fid]
		fj := friendJSON{Email: f.email, FriendlyName: f.friendlyName, Home: f.home && id.acct.home, ID: f.id,
			Restricted: f.restricted, SharedServers: []sharedServerJSON{}, SharedSources: []any{},
			Status: "accepted", Thumb: f.thumb(), Title: f.title(), Username: f.username, UUID: f.uuid}
		for _, s := range e.servers {
			switch {
			case s.owner == id.acct && s.shares[f.id] != nil:
				fj.SharedServers = append(fj.SharedServers, e.sharedServerV2(s, s.shares[f.id], id.acct))
			case s.owner == f && s.shares[id.acct.id] != nil:
				fj.SharedServers = append(fj.SharedServers, e.sharedServerV2(s, s.shares[id.acct.id], id.acct))
			}
		}
		out = append(out, fj)
	}
	e.mu.Unlock()
	slices.SortFunc(out, func(a, b friendJSON) int { return cmp.Compare(a.ID, b.ID) })
	reply(w, r, http.StatusOK, out, func() *xnode {
		root := el("friends", "size", len(out))
		for _, f := range out {
			n := el("friend", "id", f.ID, "uuid", f.UUID, "title", f.Title, "username", f.Username, "email", f.Email,
				"friendlyName", f.FriendlyName, "thumb", f.Thumb, "home", f.Home, "restricted", f.Restricted,
				"status", f.Status)
			ss := el("sharedServers")
			for _, v := range f.SharedServers {
				ss.add(sharedServerV2XML(v))
			}
			root.add(n.add(ss, el("sharedSources")))
		}
		return root
	})
}

// CodeAlreadyShared is plex.tv's code (observed, with field "base" and no message) for sharing
// a server that is already shared with the account.
const CodeAlreadyShared = 1999

// shareV2 serves POST /api/v2/shared_servers: JSON {"machineIdentifier", "librarySectionIds":
// […], "settings":{…}, "invitedId" or "invitedEmail"} → 201 the share; 422 with code 1999 when
// the server is already shared with that account.
func (e *Emulator) shareV2(w http.ResponseWriter, r *http.Request) {
	var body struct {
		MachineIdentifier string          `json:"machineIdentifier"`
		LibrarySectionIDs flexInts        `json:"librarySectionIds"`
		Settings          map[string]any  `json:"settings"`
		InvitedID         json.RawMessage `json:"invitedId"`
		InvitedEmail      string          `json:"invitedEmail"`
	}
	if err := readJSON(r, &body); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, `body must be JSON {"machineIdentifier":…,"librarySectionIds":[…],"invitedId":…}`)
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	s := e.serverByMachineID(body.MachineIdentifier)
	if s == nil || s.owner != id.acct {
		writeError(w, r, http.StatusNotFound, 1002, "The requested resource or endpoint could not be found")
		return
	}
	a := e.invitee(body.InvitedID, body.InvitedEmail)
	keys, known := e.sectionKeys(s, body.LibrarySectionIDs)
	switch {
	case a == nil || a == id.acct:
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "invitedId or invitedEmail must name another account")
		return
	case !known:
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "librarySectionIds names a section this server does not have")
		return
	case s.shares[a.id] != nil:
		reply(w, r, http.StatusUnprocessableEntity,
			map[string]any{"errors": []map[string]any{{"code": CodeAlreadyShared, "field": "base", "status": 400}}},
			func() *xnode {
				return el("errors").add(el("error", "code", CodeAlreadyShared, "field", "base", "status", 400))
			})
		return
	}
	sh := e.addShare(s, id.acct, a, keys, now)
	applySettings(e.meta(sh), settingsGetter(body.Settings))
	v := e.sharedServerV2(s, sh, id.acct)
	reply(w, r, http.StatusCreated, v, func() *xnode { return sharedServerV2XML(v) })
}

// sharings serves PUT and DELETE /api/v2/sharings/{userId}: change the settings (query allowSync,
// allowCameraUpload, allowChannels, filterMovies, filterTelevision, filterMusic) of every share
// the caller made to that user, or remove the friend and those shares.
func (e *Emulator) sharings(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	uid, err := strconv.Atoi(r.PathValue("userId"))
	f := e.byID[uid]
	if err != nil || f == nil || (!e.tv.friends[id.acct.id][uid] && !e.sharesWith(id.acct, f)) {
		writeError(w, r, http.StatusNotFound, 1002, "The requested resource or endpoint could not be found")
		return
	}
	e.changeFriend(id.acct, f, r)
	w.WriteHeader(http.StatusNoContent)
}

// changeFriend applies a PUT (settings from the query) or DELETE (remove the friend and every
// share owner made to it) to friend f. The caller holds e.mu.
func (e *Emulator) changeFriend(owner, f *account, r *http.Request) {
	q := r.URL.Query()
	for _, s := range e.servers {
		sh := s.shares[f.id]
		if s.owner != owner || sh == nil {
			continue
		}
		if r.Method == http.MethodDelete {
			e.unshare(s, sh)
			continue
		}
		applySettings(e.meta(sh), func(k string) (string, bool) { return q.Get(k), q.Has(k) })
	}
	if r.Method == http.MethodDelete {
		delete(e.tv.friends[owner.id], f.id)
		delete(e.tv.friends[f.id], owner.id)
	}
}

func (e *Emulator) sharesWith(owner, f *account) bool {
	for _, s := range e.servers {
		if s.owner == owner && s.shares[f.id] != nil {
			return true
		}
	}
	return false
}

// legacyFriend serves PUT and DELETE /api/friends/{id}: 410, as plex.tv answers since 2024,
// unless Options.LegacyFriendsAPI, which makes them behave like /api/v2/sharings/{id}.
func (e *Emulator) legacyFriend(w http.ResponseWriter, r *http.Request) {
	if !e.opts.LegacyFriendsAPI {
		writeLegacyResponse(w, r, http.StatusGone, "This endpoint was deprecated and removed")
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	uid, err := strconv.Atoi(r.PathValue("id"))
	f := e.byID[uid]
	if err != nil || f == nil || !e.tv.friends[id.acct.id][uid] {
		writeLegacyResponse(w, r, http.StatusNotFound, "Friend not found")
		return
	}
	e.changeFriend(id.acct, f, r)
	w.WriteHeader(http.StatusOK)
}
