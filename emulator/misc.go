package emulator

import (
	"net/http"
	"slices"
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
	if e.tv.optOuts[id.acct.id] == nil {
		e.tv.optOuts[id.acct.id] = map[string]string{}
	}
	settings := e.tv.optOuts[id.acct.id]
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
