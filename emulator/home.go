package emulator

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CodeHomePinRequired is plex.tv's code (observed) for a Home switch without the target's PIN,
// or with a wrong one. The HTTP status was not recorded; the emulator answers 403.
const CodeHomePinRequired = 1041

// homeUserJSON is a member of the Home in GET /api/v2/home/users.
type homeUserJSON struct {
	ID                 int     `json:"id"`
	UUID               string  `json:"uuid"`
	Title              string  `json:"title"`
	Username           *string `json:"username"`
	Email              *string `json:"email"`
	FriendlyName       string  `json:"friendlyName"`
	Thumb              string  `json:"thumb"`
	HasPassword        bool    `json:"hasPassword"`
	Restricted         bool    `json:"restricted"`
	UpdatedAt          int64   `json:"updatedAt"`
	RestrictionProfile *string `json:"restrictionProfile"`
	Admin              bool    `json:"admin"`
	Guest              bool    `json:"guest"`
	Protected          bool    `json:"protected"`
}

// homeJSON is GET /api/v2/home/users.
type homeJSON struct {
	ID            int            `json:"id"`
	Name          string         `json:"name"`
	GuestUserID   int            `json:"guestUserID"`
	GuestUserUUID string         `json:"guestUserUUID"`
	GuestEnabled  bool           `json:"guestEnabled"`
	Subscription  bool           `json:"subscription"`
	Users         []homeUserJSON `json:"users"`
}

// home lists the caller's Home: the one seeded Home when the caller belongs to it, else a Home
// of one. The caller holds e.mu.
func (e *Emulator) home(a *account) homeJSON {
	members := []*account{a}
	admin := a
	if a.home {
		members = e.homeMembers()
		admin = members[0]
	}
	h := homeJSON{ID: 500000 + admin.id%100000, Name: admin.title() + "'s Home", GuestUserID: 0, GuestUserUUID: "",
		Subscription: admin.plexPass(), Users: []homeUserJSON{}}
	for _, m := range members {
		u := homeUserJSON{ID: m.id, UUID: m.uuid, Title: m.title(), FriendlyName: m.friendlyName, Thumb: m.thumb(),
			HasPassword: m.password != "" && !m.restricted, Restricted: m.restricted, UpdatedAt: m.joinedAt.Unix(),
			Admin: m.homeAdmin || m == admin, Protected: e.tv.homePins[m.id] != ""}
		if !m.restricted {
			name, email := m.username, m.email
			u.Username, u.Email = &name, &email
		} else {
			profile := "little_kid"
			u.RestrictionProfile = &profile
		}
		h.Users = append(h.Users, u)
	}
	return h
}

// homeUsersV2 serves GET /api/v2/home/users.
func (e *Emulator) homeUsersV2(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	var h homeJSON
	if ok {
		h = e.home(id.acct)
	}
	e.mu.Unlock()
	if !ok {
		return
	}
	reply(w, r, http.StatusOK, h, func() *xnode {
		users := el("users")
		for _, u := range h.Users {
			users.add(homeUserXML("user", u))
		}
		return el("home", "id", h.ID, "name", h.Name, "guestUserID", h.GuestUserID, "guestUserUUID", h.GuestUserUUID,
			"guestEnabled", h.GuestEnabled, "subscription", h.Subscription).add(users)
	})
}

func homeUserXML(name string, u homeUserJSON) *xnode {
	return el(name, "id", u.ID, "uuid", u.UUID, "title", u.Title, "username", strOr(u.Username),
		"email", strOr(u.Email), "friendlyName", u.FriendlyName, "thumb", u.Thumb, "hasPassword", u.HasPassword,
		"restricted", u.Restricted, "updatedAt", u.UpdatedAt, "restrictionProfile", strOr(u.RestrictionProfile),
		"admin", u.Admin, "guest", u.Guest, "protected", u.Protected)
}

// homeUsersLegacy serves GET /api/home/users: the same members as a myPlex container of <User>.
// The real root and attributes are unconfirmed; this is the emulator's choice.
func (e *Emulator) homeUsersLegacy(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	var h homeJSON
	if ok {
		h = e.home(id.acct)
	}
	e.mu.Unlock()
	if !ok {
		return
	}
	var kids []*xnode
	for _, u := range h.Users {
		kids = append(kids, homeUserXML("User", u))
	}
	replyNode(w, r, http.StatusOK, myPlexContainer("", kids))
}

// switchHome switches the caller to the Home member named by match (uuid in v2, numeric id in
// the legacy path): it checks the member's PIN (form or query pin) and mints the member's token
// for this client. The caller holds e.mu; on failure it has answered.
func (e *Emulator) switchHome(w http.ResponseWriter, r *http.Request, now time.Time, match func(*account) bool) (*account, string, bool) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return nil, "", false
	}
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return nil, "", false
	}
	var target *account
	for _, m := range e.home(id.acct).Users {
		if a := e.byID[m.ID]; a != nil && match(a) {
			target = a
		}
	}
	if target == nil {
		writeError(w, r, http.StatusNotFound, 1002, "The requested resource or endpoint could not be found: no such member of your Home")
		return nil, "", false
	}
	if want := e.tv.homePins[target.id]; want != "" && subtle.ConstantTimeCompare([]byte(r.Form.Get("pin")), []byte(want)) != 1 {
		writeError(w, r, http.StatusForbidden, CodeHomePinRequired, "A valid PIN is required to perform this action")
		return nil, "", false
	}
	return target, e.issueDeviceToken(target, cid, r, now), true
}

// switchV2 serves POST /api/v2/home/users/{uuid}/switch?pin=NNNN: 201 with the member's user
// object, whose authToken is that member's token; a PMS then treats it as that member (a managed
// user: a shared user with restrictions).
func (e *Emulator) switchV2(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "form body cannot be parsed")
		return
	}
	uuid := r.PathValue("uuid")
	now := e.Now()
	e.mu.Lock()
	a, tok, ok := e.switchHome(w, r, now, func(a *account) bool { return a.uuid == uuid })
	var u userJSON
	if ok {
		u = e.userObject(a, tok, now)
	}
	e.mu.Unlock()
	if ok {
		reply(w, r, http.StatusCreated, u, func() *xnode { return userXML(u) })
	}
}

// switchLegacy serves POST /api/home/users/{id}/switch?pin=NNNN: XML <user> whose
// authenticationToken (python-plexapi's source) and authToken are the member's token.
func (e *Emulator) switchLegacy(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeLegacyResponse(w, r, http.StatusBadRequest, "form body cannot be parsed")
		return
	}
	uid, _ := strconv.Atoi(r.PathValue("id"))
	now := e.Now()
	e.mu.Lock()
	a, tok, ok := e.switchHome(w, r, now, func(a *account) bool { return a.id == uid })
	var u userJSON
	if ok {
		u = e.userObject(a, tok, now)
	}
	e.mu.Unlock()
	if ok {
		n := userXML(u)
		n.set("authenticationToken", tok)
		replyNode(w, r, http.StatusCreated, n)
	}
}

// validHomePin reports whether pin is a Home PIN: four digits.
func validHomePin(pin string) bool {
	if len(pin) != 4 {
		return false
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// setOwnPin serves PUT /api/home/users/{id}?pin=NEW&currentPin=OLD: an account sets (or, with an
// empty pin, removes) its own Home PIN. Once a PIN is set, currentPin must name it: 401
// otherwise, as python-plexapi's live test expects.
func (e *Emulator) setOwnPin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeLegacyResponse(w, r, http.StatusBadRequest, "form body cannot be parsed")
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	if r.PathValue("id") != strconv.Itoa(id.acct.id) {
		writeLegacyResponse(w, r, http.StatusForbidden, "An account can set only its own PIN; a managed user's is set with /api/v2/home/users/restricted/{id}")
		return
	}
	pin := r.Form.Get("pin")
	if cur := e.tv.homePins[id.acct.id]; cur != "" && subtle.ConstantTimeCompare([]byte(r.Form.Get("currentPin")), []byte(cur)) != 1 {
		writeLegacyResponse(w, r, http.StatusUnauthorized, "currentPin is missing or wrong")
		return
	}
	if pin != "" && !validHomePin(pin) {
		writeLegacyResponse(w, r, http.StatusBadRequest, "pin must be four digits")
		return
	}
	e.setHomePin(id.acct, pin)
	w.WriteHeader(http.StatusOK)
}

// setManagedPin serves PUT and POST /api/v2/home/users/restricted/{id}?pin=NNNN (or
// ?removePin=1): the Home admin sets or removes a managed user's PIN.
func (e *Emulator) setManagedPin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "form body cannot be parsed")
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return
	}
	uid, _ := strconv.Atoi(r.PathValue("id"))
	target := e.byID[uid]
	switch {
	case !id.acct.homeAdmin:
		writeError(w, r, http.StatusForbidden, CodeUnauthorized, "only the Home admin sets a managed user's PIN")
		return
	case target == nil || !target.home || !target.restricted:
		writeError(w, r, http.StatusNotFound, 1002, "The requested resource or endpoint could not be found: no such managed user in your Home")
		return
	}
	pin := r.Form.Get("pin")
	remove, err := parseBool("removePin", r.Form.Get("removePin"))
	switch {
	case err != nil:
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	case remove:
		pin = ""
	case !validHomePin(pin):
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "pin must be four digits (or removePin=1)")
		return
	}
	e.setHomePin(target, pin)
	w.WriteHeader(http.StatusNoContent)
}

// homeUserPost serves POST /api/v2/home/users/{uuid}/switch and POST
// /api/v2/home/users/restricted/{id}, two patterns that one route must hold because "restricted"
// and "switch" could each be the other's variable segment.
func (e *Emulator) homeUserPost(w http.ResponseWriter, r *http.Request) {
	switch uuid, action := r.PathValue("uuid"), r.PathValue("action"); {
	case uuid == "restricted":
		r.SetPathValue("id", action)
		e.setManagedPin(w, r)
	case action == "switch":
		e.switchV2(w, r)
	default:
		e.notFound(w, r)
	}
}

// setHomePin sets a's Home PIN; "" removes it. The caller holds e.mu.
func (e *Emulator) setHomePin(a *account, pin string) {
	if pin == "" {
		delete(e.tv.homePins, a.id)
		return
	}
	e.tv.homePins[a.id] = pin
}

// homeAdmin authenticates r as the Home admin, or answers 401 or 403. The caller holds e.mu.
func (e *Emulator) homeAdmin(w http.ResponseWriter, r *http.Request, now time.Time) (*account, bool) {
	id, ok := e.authenticate(w, r, now)
	if !ok {
		return nil, false
	}
	if !id.acct.homeAdmin {
		writeLegacyResponse(w, r, http.StatusForbidden, "Only the Home admin manages the Home")
		return nil, false
	}
	return id.acct, true
}

// managedUsername makes a unique username for a new managed user from its title (plex.tv's
// managed users have none; the emulator needs one as a key).
func (e *Emulator) managedUsername(title string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(title) {
		if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		}
	}
	base := "managed-" + b.String()
	name := base
	for i := 2; e.byName[name] != nil; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// homeUsersPost serves POST /api/home/users?title=NAME, which creates a managed user in the
// caller's Home, and POST /api/home/users?invitedEmail=USER, which brings an existing account
// in (accepted at once). 201 with the member as the XML root <User id title …>, whose id
// python-plexapi reads.
func (e *Emulator) homeUsersPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		writeLegacyResponse(w, r, http.StatusBadRequest, "form body cannot be parsed")
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	admin, ok := e.homeAdmin(w, r, now)
	if !ok {
		return
	}
	title, invited := strings.TrimSpace(r.Form.Get("title")), strings.TrimSpace(r.Form.Get("invitedEmail"))
	var a *account
	switch {
	case title != "" && len(title) <= 64:
		id := 21384601
		for e.byID[id] != nil {
			id++
		}
		a = e.addAccount(&account{id: id, username: e.managedUsername(title), friendlyName: title, kind: "managed",
			home: true, restricted: true, joinedAt: now})
	case invited != "":
		a = e.findAccount(invited)
		switch {
		case a == nil:
			writeLegacyResponse(w, r, http.StatusNotFound, "No account with that username or e-mail")
			return
		case a.home:
			writeLegacyResponse(w, r, http.StatusBadRequest, a.username+" is already in a Home")
			return
		}
		a.home = true
	default:
		writeLegacyResponse(w, r, http.StatusBadRequest, "title (a new managed user, at most 64 characters) or invitedEmail (an existing account) is required")
		return
	}
	for _, u := range e.home(admin).Users {
		if u.ID == a.id {
			replyNode(w, r, http.StatusCreated, homeUserXML("User", u))
		}
	}
}

// removeHomeUser serves DELETE /api/home/users/{id}: the member leaves the Home; a managed
// user also loses its PIN and the shares it had as a managed user.
func (e *Emulator) removeHomeUser(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	admin, ok := e.homeAdmin(w, r, now)
	if !ok {
		return
	}
	uid, _ := strconv.Atoi(r.PathValue("id"))
	a := e.byID[uid]
	if a == nil || !a.home || a == admin {
		writeLegacyResponse(w, r, http.StatusNotFound, "No such member of your Home")
		return
	}
	a.home = false
	if a.restricted {
		delete(e.tv.homePins, a.id)
		for _, s := range e.servers {
			if sh := s.shares[a.id]; sh != nil && sh.managed {
				e.unshare(s, sh)
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}
