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
