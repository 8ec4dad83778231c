package emulator

import (
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
)

// ping serves GET /api/v2/ping: XML <pong>true</pong>, JSON {"pong":true}, for a valid token.
func (e *Emulator) ping(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	_, ok := e.authenticate(w, r, now)
	e.mu.Unlock()
	if ok {
		reply(w, r, http.StatusOK, map[string]bool{"pong": true}, func() *xnode { return textEl("pong", "true") })
	}
}

// claimToken serves GET /api/claim/token.json: {"token":"claim-…"}, what a new PMS is claimed
// with (the emulator's servers are claimed already, so the token claims nothing).
func (e *Emulator) claimToken(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	_, ok := e.authenticate(w, r, now)
	e.mu.Unlock()
	if ok {
		tok := "claim-" + randomToken()
		reply(w, r, http.StatusOK, map[string]string{"token": tok}, func() *xnode { return el("claim", "token", tok) })
	}
}

// optOutKeys are the online media sources of GET /api/v2/user/{uuid}/settings/opt_outs.
var optOutKeys = []string{"tv.plex.provider.podcasts", "tv.plex.provider.news", "tv.plex.provider.webshows",
	"tv.plex.provider.music", "tv.plex.provider.vod", "tv.plex.provider.epg"}

// optOuts serves GET and POST /api/v2/user/{uuid}/settings/opt_outs: each online media source
// with opt_in (the default), opt_out or opt_out_managed (not for music); POST ?key=&value=
// changes one. XML <optOuts><optOut key value/>… (the root's name is the emulator's choice),
// JSON an array of {key, value}.
func (e *Emulator) optOuts(w http.ResponseWriter, r *http.Request) {
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
	if r.PathValue("uuid") != id.acct.uuid {
		writeError(w, r, http.StatusForbidden, CodeUnauthorized, "User could not be authenticated: these are another account's settings")
		return
	}
	if e.tv.settings[id.acct.id] == nil {
		e.tv.settings[id.acct.id] = map[string]string{}
	}
	settings := e.tv.settings[id.acct.id]
	if r.Method == http.MethodPost {
		key, value := r.Form.Get("key"), r.Form.Get("value")
		valid := slices.Contains([]string{"opt_in", "opt_out", "opt_out_managed"}, value) &&
			!(key == "tv.plex.provider.music" && value == "opt_out_managed")
		if !slices.Contains(optOutKeys, key) || !valid {
			writeError(w, r, http.StatusBadRequest, CodeBadRequest,
				"key must be an online media source and value opt_in, opt_out or opt_out_managed (not for music)")
			return
		}
		settings[key] = value
	}
	type optOut struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}
	out := make([]optOut, 0, len(optOutKeys))
	root := el("optOuts")
	for _, k := range optOutKeys {
		v := settings[k]
		if v == "" {
			v = "opt_in"
		}
		out = append(out, optOut{k, v})
		root.add(el("optOut", "key", k, "value", v))
	}
	reply(w, r, http.StatusOK, out, func() *xnode { return root })
}

// geoip serves GET /api/v2/geoip?ip_address=…: the emulator places every address in the same
// spot (the pins' location). XML <location …/> (booleans "1"/"0"), JSON the same keys.
func (e *Emulator) geoip(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	_, ok := e.authenticate(w, r, now)
	e.mu.Unlock()
	if !ok {
		return
	}
	l := emulatorLocation
	reply(w, r, http.StatusOK, l, func() *xnode {
		return el("location", "code", l.Code, "continent_code", l.ContinentCode, "country", l.Country, "city", l.City,
			"european_union_member", l.EuropeanUnionMember, "in_privacy_restricted_country", l.InPrivacyRestrictedCountry,
			"postal_code", l.PostalCode, "subdivisions", l.Subdivisions, "coordinates", l.Coordinates, "time_zone", l.TimeZone)
	})
}

// publicIP serves GET /:/ip: the caller's address as text/plain, as plex.tv answers.
func publicIP(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, host+"\n")
}

// privacy serves GET and PUT /api/v2/user/privacy: optOutPlayback and optOutLibraryStats
// ("0"/"1"); PUT sets them from the form and answers 204. The XML root's name is the emulator's
// choice (clients read only its attributes).
func (e *Emulator) privacy(w http.ResponseWriter, r *http.Request) {
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
	if e.tv.settings[id.acct.id] == nil {
		e.tv.settings[id.acct.id] = map[string]string{}
	}
	settings := e.tv.settings[id.acct.id]
	if r.Method == http.MethodPut {
		for _, k := range []string{"optOutPlayback", "optOutLibraryStats"} {
			if !r.Form.Has(k) {
				continue
			}
			b, err := parseBool(k, r.Form.Get(k))
			if err != nil {
				writeError(w, r, http.StatusBadRequest, CodeBadRequest, err.Error())
				return
			}
			settings["privacy."+k] = strconv.FormatBool(b)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	playback, stats := settings["privacy.optOutPlayback"] == "true", settings["privacy.optOutLibraryStats"] == "true"
	reply(w, r, http.StatusOK, map[string]bool{"optOutPlayback": playback, "optOutLibraryStats": stats}, func() *xnode {
		return el("privacy", "optOutLibraryStats", stats, "optOutPlayback", playback)
	})
}

// invites serves GET /api/invites/requested and /api/invites/requests: always empty, since the
// emulator's invitations are accepted at once.
func (e *Emulator) invites(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	_, ok := e.authenticate(w, r, now)
	e.mu.Unlock()
	if ok {
		replyNode(w, r, http.StatusOK, myPlexContainer("", nil))
	}
}

// serversXML serves GET /pms/servers.xml and /servers.xml: the servers the account can reach,
// each with the access token it must present (Tautulli reads machineIdentifier, createdAt,
// updatedAt and version).
func (e *Emulator) serversXML(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
		return
	}
	var kids []*xnode
	for _, s := range e.servers {
		tok := s.ownerToken
		if s.owner != id.acct {
			sh := s.shares[id.acct.id]
			if sh == nil {
				continue
			}
			tok = sh.token
		}
		n := e.serverElement(s, now)
		n.attrs = append([]xattr{{"accessToken", tok}}, n.attrs...)
		n.set("owned", s.owner == id.acct)
		kids = append(kids, n)
	}
	e.mu.Unlock()
	replyNode(w, r, http.StatusOK, myPlexContainer("", kids))
}

// viewStateSync serves GET and PUT /api/v2/user/view_state_sync: whether the account shares its
// watch state with Plex's online services; PUT ?consent=true|false. JSON {consent, updatedAt,
// deletionRequestedAt} (only JSON is seen; the XML <viewStateSync …/> is the emulator's choice).
func (e *Emulator) viewStateSync(w http.ResponseWriter, r *http.Request) {
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
	if e.tv.settings[id.acct.id] == nil {
		e.tv.settings[id.acct.id] = map[string]string{}
	}
	settings := e.tv.settings[id.acct.id]
	if r.Method == http.MethodPut {
		consent, err := parseBool("consent", r.Form.Get("consent"))
		if err != nil || !r.Form.Has("consent") {
			writeError(w, r, http.StatusBadRequest, CodeBadRequest, "consent must be true or false")
			return
		}
		settings["viewStateSync.consent"] = strconv.FormatBool(consent)
		settings["viewStateSync.updatedAt"] = strconv.FormatInt(now.Unix(), 10)
	}
	consent := settings["viewStateSync.consent"] == "true"
	var updatedAt any
	if v, err := strconv.ParseInt(settings["viewStateSync.updatedAt"], 10, 64); err == nil {
		updatedAt = v
	}
	reply(w, r, http.StatusOK, map[string]any{"consent": consent, "updatedAt": updatedAt, "deletionRequestedAt": nil},
		func() *xnode { return el("viewStateSync", "consent", consent, "updatedAt", updatedAt) })
}
