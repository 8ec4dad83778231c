package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// nonceSweepEvery is how many nonces are issued between sweeps of expired ones. Used nonces are
// kept until they expire, so a replay is refused as a replay rather than as an unknown nonce.
const nonceSweepEvery = 1024

// registerJWK serves POST /api/v2/auth/jwk: the account's legacy token registers {"jwk":{…}}
// for the request's client identifier. Plex documents this endpoint for legacy tokens only (the
// way existing apps move to JWTs), so a Plex JWT is refused with 401: a device that holds one
// was registered when it got it.
func (e *Emulator) registerJWK(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return
	}
	if looksLikeJWT(plexToken(r)) {
		writeError(w, r, http.StatusUnauthorized, CodeUnauthorized,
			"User could not be authenticated: POST /api/v2/auth/jwk takes the account's legacy token, not a Plex JWT (a device that holds a Plex JWT is registered already; to register a new key, approve a PIN that carries it)")
		return
	}
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	e.mu.Unlock()
	if !ok {
		return
	}
	var body struct {
		JWK json.RawMessage `json:"jwk"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&body); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, `body must be JSON {"jwk":{…}}`)
		return
	}
	key, thumb, err := parseJWK(body.JWK)
	if err != nil {
		writeError(w, r, http.StatusUnprocessableEntity, CodeInvalidJWK, err.Error())
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.thumbprintTaken(thumb, cid) {
		writeThumbprintTaken(w, r)
		return
	}
	if e.deviceTaken(cid, id.acct) {
		writeDeviceTaken(w, r)
		return
	}
	e.register(cid, key, thumb, id.acct, plexToken(r))
	e.touchDevice(id.acct, cid, r, now, "")
	w.WriteHeader(http.StatusCreated)
}

// issueNonce serves GET /api/v2/auth/nonce: a single-use UUID for this client, valid
// NonceLifetime, at most Options.NoncesPerMinute per client per minute.
func (e *Emulator) issueNonce(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		// One live probe got 422 here; every other endpoint answers 400/1000, and clients
		// must send the identifier anyway, so the emulator answers consistently.
		writeClientIDMissing(w, r)
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if limit := e.opts.NoncesPerMinute; limit > 0 {
		recent := e.nonceLog[cid][:0]
		for _, t := range e.nonceLog[cid] {
			if now.Sub(t) < time.Minute {
				recent = append(recent, t)
			}
		}
		e.nonceLog[cid] = recent
		if len(recent) >= limit {
			writeRateLimited(w, r, time.Minute-now.Sub(recent[0]), "nonce requests are limited per client identifier")
			return
		}
		e.nonceLog[cid] = append(recent, now)
	}
	if e.noncesIssued++; e.noncesIssued%nonceSweepEvery == 0 {
		for k, n := range e.nonces {
			if now.Sub(n.expires) > time.Hour {
				delete(e.nonces, k)
			}
		}
	}
	v := newUUID()
	e.nonces[v] = &nonce{clientID: cid, expires: now.Add(NonceLifetime)}
	// The XML form is the emulator's choice: no client asks plex.tv for a nonce without JSON.
	reply(w, r, http.StatusOK, map[string]string{"nonce": v}, func() *xnode { return el("nonce", "nonce", v) })
}

// exchangeToken serves POST /api/v2/auth/token: {"jwt":"<device JWT>"} → {"auth_token":"<Plex
// JWT>"}. Every failed check is a 422 naming the check; a client without a registered JWK
// (never registered, or removed from Authorized Devices) gets 401 with code 1097.
func (e *Emulator) exchangeToken(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return
	}
	raw, err := deviceJWTFromBody(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.devices[cid]
	if d == nil {
		msg := "jwk missing. no public key to verify jwt request: no JWK is registered for this client identifier"
		if e.revoked[cid] {
			msg = "jwk missing. no public key to verify jwt request: the device was removed from Authorized Devices"
		}
		writeError(w, r, http.StatusUnauthorized, CodeJWKMissing, msg)
		return
	}
	claims, err := verifyDeviceJWT(raw, d.key, cid, now)
	if err == nil {
		err = e.useNonce(claims.Nonce, cid, now)
	}
	if err != nil {
		writeError(w, r, http.StatusUnprocessableEntity, CodeInvalidDeviceJWT, err.Error())
		return
	}
	tok, err := e.issuePlexJWT(d, claims.Nonce, claims.Scope, now)
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, CodeBadRequest, "emulator: cannot sign the Plex JWT")
		return
	}
	// The XML form is the emulator's choice, as for the nonce.
	reply(w, r, http.StatusOK, map[string]string{"auth_token": tok}, func() *xnode { return el("token", "auth_token", tok) })
}

// deviceJWTFromBody reads {"jwt":"…"} (or a form field jwt).
func deviceJWTFromBody(r *http.Request) (string, error) {
	const want = `body must be JSON {"jwt":"<device JWT>"}`
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("jwt") == "" {
			return "", errors.New(want)
		}
		return r.PostForm.Get("jwt"), nil
	}
	var body struct {
		JWT string `json:"jwt"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&body); err != nil || body.JWT == "" {
		return "", errors.New(want)
	}
	return body.JWT, nil
}

// useNonce checks that v was issued to clientID, has not expired and was not used, and marks
// it used. The caller holds e.mu.
func (e *Emulator) useNonce(v, clientID string, now time.Time) error {
	n := e.nonces[v]
	switch {
	case v == "":
		return &jwtError{"nonce is missing: get one from GET /api/v2/auth/nonce"}
	case n == nil:
		return &jwtError{"nonce was not issued by plex.tv (or expired long ago)"}
	case n.clientID != clientID:
		return &jwtError{"nonce was issued to another client identifier"}
	case n.used:
		return &jwtError{"nonce was already used: a nonce is single-use (replayed device JWT?)"}
	case !now.Before(n.expires):
		return &jwtError{"nonce has expired: a nonce is valid for 5 minutes"}
	}
	n.used = true
	return nil
}

// jwks serves GET /api/v2/auth/keys: plex.tv's public signing keys, current first. A JWKS is a
// JSON document (RFC 7517; plex.tv's OIDC discovery names this URL as its jwks_uri), so it is
// JSON whatever Accept says.
func (e *Emulator) jwks(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	set := jose.JSONWebKeySet{}
	for _, k := range e.keys {
		set.Keys = append(set.Keys, k.public)
	}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}
