package emulator

import (
	"net/http"
	"strings"
)

// routes installs the plex.tv side: the v2 API, the pages and the control API.
func (e *Emulator) routes() {
	m := e.mux
	m.HandleFunc("POST /api/v2/pins", e.createPin)
	m.HandleFunc("GET /api/v2/pins/{id}", e.pollPin)
	m.HandleFunc("PUT /api/v2/pins/link", e.linkPin)
	m.HandleFunc("PUT /api/v2/pins/link.json", e.linkPin)
	m.HandleFunc("POST /api/v2/auth/jwk", e.registerJWK)
	m.HandleFunc("GET /api/v2/auth/nonce", e.issueNonce)
	m.HandleFunc("POST /api/v2/auth/token", e.exchangeToken)
	m.HandleFunc("GET /api/v2/auth/keys", e.jwks)
	m.HandleFunc("GET /api/v2/user", e.user)
	m.HandleFunc("GET /api/v2/resources", e.resources)
	e.accountRoutes()
	e.pageRoutes()
	e.controlRoutes()
	m.HandleFunc("/", e.notFound)
}

// notFound answers every path no route serves: plex.tv's error envelope under /api/, a plain
// 404 elsewhere.
func (e *Emulator) notFound(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, r, http.StatusNotFound, CodeBadRequest, "No such endpoint: "+r.Method+" "+r.URL.Path)
		return
	}
	http.NotFound(w, r)
}

// requireClientID answers 400 (code 1000) to a v2 request without X-Plex-Client-Identifier,
// as plex.tv does, before h runs.
func requireClientID(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if clientID(r) == "" {
			writeClientIDMissing(w, r)
			return
		}
		h(w, r)
	}
}

// accountRoutes installs the plex.tv account API beyond authentication: the account, sign-in,
// friends and sharing, Home, devices, webhooks and small endpoints. Each route's format is
// fixed here: v2 paths negotiate (XML unless Accept asks for JSON), legacy paths answer XML,
// and a .json or .xml suffix decides.
func (e *Emulator) accountRoutes() {
	m := e.mux
	v2 := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, requireClientID(h)) }
	legacy := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, e.withFormat(legacyXML, h)) }
	asJSON := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, e.withFormat(suffixJSON, h)) }
	asXML := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, e.withFormat(suffixXML, h)) }

	v2("POST /api/v2/users/signin", e.signin)
	v2("DELETE /api/v2/users/signout", e.signout)
	asJSON("POST /users/sign_in.json", e.legacySignin)
	asXML("POST /users/sign_in.xml", e.legacySignin)
	legacy("GET /users/account", e.legacyAccount)
	asJSON("GET /users/account.json", e.legacyAccount)
	asXML("GET /users/account.xml", e.legacyAccount)

	v2("GET /api/v2/ping", e.ping)
	asJSON("GET /api/claim/token.json", e.claimToken)
	v2("GET /api/v2/user/{uuid}/settings/opt_outs", e.optOuts)
	v2("POST /api/v2/user/{uuid}/settings/opt_outs", e.optOuts)
	v2("GET /api/v2/user/webhooks", e.webhooks)
	v2("POST /api/v2/user/webhooks", e.webhooks)
	v2("DELETE /api/v2/user/webhooks", e.webhooks)
	legacy("GET /api/resources", e.legacyResources)
	v2("GET /api/v2/geoip", e.geoip)
	v2("GET /api/v2/user/privacy", e.privacy)
	v2("PUT /api/v2/user/privacy", e.privacy)
	v2("GET /api/v2/user/view_state_sync", e.viewStateSync)
	v2("PUT /api/v2/user/view_state_sync", e.viewStateSync)
	m.HandleFunc("GET /:/ip", publicIP)
	legacy("GET /api/invites/requested", e.invites)
	legacy("GET /api/invites/requests", e.invites)
	asXML("GET /pms/servers.xml", e.serversXML)
	asXML("GET /servers.xml", e.serversXML)
	legacy("GET /pms/friends/all", e.usersXML)

	legacy("GET /api/users", e.usersXML)
	legacy("GET /api/users/", e.usersXML)
	v2("GET /api/v2/friends", e.friendsV2)
	legacy("GET /api/servers/{machineId}", e.serverXML)
	legacy("GET /api/servers/{machineId}/shared_servers", e.sharedServers)
	legacy("POST /api/servers/{machineId}/shared_servers", e.inviteFriend)
	legacy("GET /api/servers/{machineId}/shared_servers/{id}", e.sharedServer)
	legacy("PUT /api/servers/{machineId}/shared_servers/{id}", e.sharedServer)
	legacy("DELETE /api/servers/{machineId}/shared_servers/{id}", e.sharedServer)
	v2("POST /api/v2/shared_servers", e.shareV2)
	v2("PUT /api/v2/sharings/{userId}", e.sharings)
	v2("DELETE /api/v2/sharings/{userId}", e.sharings)
	legacy("PUT /api/friends/{id}", e.legacyFriend)
	legacy("DELETE /api/friends/{id}", e.legacyFriend)

	v2("GET /api/v2/home/users", e.homeUsersV2)
	v2("POST /api/v2/home/users/{uuid}/{action}", e.homeUserPost)
	legacy("GET /api/home/users", e.homeUsersLegacy)
	legacy("POST /api/home/users/{id}/switch", e.switchLegacy)
	legacy("PUT /api/home/users/{id}", e.setOwnPin)
	legacy("POST /api/home/users", e.homeUsersPost)
	legacy("DELETE /api/home/users/{id}", e.removeHomeUser)
	v2("PUT /api/v2/home/users/restricted/{id}", e.setManagedPin)

	asXML("GET /devices.xml", e.devicesXML)
	asXML("PUT /devices/{file}", e.renameDevice)
	asXML("DELETE /devices/{file}", e.deleteDevice)
}
