package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const (
	// StrongPinLifetime is how long a strong (25-character) pin lives.
	StrongPinLifetime = 30 * time.Minute
	// PinLifetime is how long a 4-character pin lives.
	PinLifetime = 15 * time.Minute
	// maxPinPollsPerSecond is how often one pin may be polled: clients poll about once a
	// second, so more than twice a second is a client bug, and plex.tv answers 429.
	maxPinPollsPerSecond = 2
	// maxBody bounds every request body plex.tv reads.
	maxBody = 64 << 10
)

const (
	strongCodeAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	shortCodeAlphabet  = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789" // no look-alikes (0/O, 1/I)
)

// pin is a PIN created by POST /api/v2/pins.
type pin struct {
	id        int
	code      string
	strong    bool
	clientID  string
	product   string
	key       *jose.JSONWebKey // the JWK the pin was created with, if any
	thumb     string
	created   time.Time
	expires   time.Time
	claimedBy *account
	authToken string // the legacy token handed out for a pin without a JWK
	polls     []time.Time
}

// pinJSON is plex.tv's pin object (create and poll).
type pinJSON struct {
	ID               int     `json:"id"`
	Code             string  `json:"code"`
	Product          string  `json:"product"`
	Trusted          bool    `json:"trusted"`
	QR               string  `json:"qr"`
	ClientIdentifier string  `json:"clientIdentifier"`
	Location         geoJSON `json:"location"`
	ExpiresIn        int     `json:"expiresIn"`
	CreatedAt        string  `json:"createdAt"`
	ExpiresAt        string  `json:"expiresAt"`
	AuthToken        *string `json:"authToken"`
	NewRegistration  *bool   `json:"newRegistration"`
}

// geoJSON is the GeoIP of the caller; the emulator places every caller in the same spot.
type geoJSON struct {
	Code                       string `json:"code"`
	EuropeanUnionMember        bool   `json:"european_union_member"`
	ContinentCode              string `json:"continent_code"`
	Country                    string `json:"country"`
	City                       string `json:"city"`
	TimeZone                   string `json:"time_zone"`
	PostalCode                 string `json:"postal_code"`
	InPrivacyRestrictedCountry bool   `json:"in_privacy_restricted_country"`
	InPrivacyRestrictedRegion  bool   `json:"in_privacy_restricted_region"`
	Subdivisions               string `json:"subdivisions"`
	Coordinates                string `json:"coordinates"`
}

var emulatorLocation = geoJSON{
	Code: "US", ContinentCode: "NA", Country: "United States", City: "Localhost",
	TimeZone: "America/New_York", PostalCode: "00000", Subdivisions: "Loopback",
	Coordinates: "40.71, -74.01",
}

func (p *pin) json(now time.Time, authToken string) pinJSON {
	out := pinJSON{
		ID: p.id, Code: p.code, Product: p.product, QR: "https://plex.tv/api/v2/pins/qr/" + p.code,
		ClientIdentifier: p.clientID, Location: emulatorLocation,
		ExpiresIn: max(0, int(p.expires.Sub(now).Seconds())),
		CreatedAt: isoTime(p.created), ExpiresAt: isoTime(p.expires),
	}
	if authToken != "" {
		registered := false
		out.AuthToken, out.NewRegistration = &authToken, &registered
	}
	return out
}

// xml is the pin in XML: root <pin> with the fields as attributes (python-plexapi and Tautulli
// read id, code and authToken) and the GeoIP as a <location> child. How plex.tv encodes the
// location in XML is not known; this is the emulator's choice.
func (p pinJSON) xml() *xnode {
	l := p.Location
	var newReg any
	if p.NewRegistration != nil {
		newReg = *p.NewRegistration
	}
	return el("pin", "id", p.ID, "code", p.Code, "product", p.Product, "trusted", p.Trusted, "qr", p.QR,
		"clientIdentifier", p.ClientIdentifier, "expiresIn", p.ExpiresIn, "createdAt", p.CreatedAt,
		"expiresAt", p.ExpiresAt, "authToken", p.AuthToken, "newRegistration", newReg,
	).add(el("location", "code", l.Code, "european_union_member", l.EuropeanUnionMember,
		"continent_code", l.ContinentCode, "country", l.Country, "city", l.City, "time_zone", l.TimeZone,
		"postal_code", l.PostalCode, "in_privacy_restricted_country", l.InPrivacyRestrictedCountry,
		"in_privacy_restricted_region", l.InPrivacyRestrictedRegion, "subdivisions", l.Subdivisions,
		"coordinates", l.Coordinates))
}

// writePin answers with the pin, in the format r asks for.
func writePin(w http.ResponseWriter, r *http.Request, status int, p pinJSON) {
	reply(w, r, status, p, p.xml)
}

// pinRequest is what POST /api/v2/pins was asked for.
type pinRequest struct {
	strong bool
	jwk    []byte // raw JWK JSON, nil when absent
}

// parsePinRequest reads strong and jwk from a JSON body, a form body or the query string;
// clients use all three, and some send ?strong=true with a JSON body.
func parsePinRequest(r *http.Request) (pinRequest, error) {
	var req pinRequest
	var err error
	if req.strong, err = parseBool("strong", r.URL.Query().Get("strong")); err != nil {
		return req, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		var body struct {
			JWK    json.RawMessage `json:"jwk"`
			Strong json.RawMessage `json:"strong"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return req, errors.New(`body is not valid JSON (want {"jwk":{…},"strong":true})`)
		}
		if len(body.Strong) > 0 {
			s, err := parseBool("strong", strings.Trim(string(body.Strong), `"`))
			if err != nil {
				return req, err
			}
			req.strong = req.strong || s
		}
		if len(body.JWK) > 0 && string(body.JWK) != "null" {
			req.jwk = body.JWK
		}
		return req, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		return req, errors.New("form body cannot be parsed")
	}
	s, err := parseBool("strong", r.PostForm.Get("strong"))
	if err != nil {
		return req, err
	}
	req.strong = req.strong || s
	if j := r.Form.Get("jwk"); j != "" {
		req.jwk = []byte(j)
	}
	return req, nil
}

func parseBool(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fmt.Errorf("%s must be true or false, not %s", name, quote(v))
}

// createPin serves POST /api/v2/pins.
func (e *Emulator) createPin(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return
	}
	req, err := parsePinRequest(r)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	p := &pin{strong: req.strong, clientID: cid, product: header(r, "X-Plex-Product")}
	if p.product == "" {
		p.product = "0" // what plex.tv echoes when no product was sent
	}
	if req.jwk != nil {
		key, thumb, err := parseJWK(req.jwk)
		if err != nil {
			writeError(w, r, http.StatusUnprocessableEntity, CodeInvalidJWK, err.Error())
			return
		}
		p.key, p.thumb = &key, thumb
	}
	now := e.Now()
	e.mu.Lock()
	if p.key != nil && e.thumbprintTaken(p.thumb, cid) {
		e.mu.Unlock()
		writeThumbprintTaken(w, r)
		return
	}
	e.sweepPins(now)
	p.id = e.nextPinID
	e.nextPinID++
	p.created = now
	if p.strong {
		p.expires = now.Add(StrongPinLifetime)
	} else {
		p.expires = now.Add(PinLifetime)
	}
	for {
		if p.strong {
			p.code = randomString(25, strongCodeAlphabet)
		} else {
			p.code = randomString(4, shortCodeAlphabet)
		}
		if _, dup := e.pinCodes[normalizeCode(p.code)]; !dup {
			break
		}
	}
	e.pins[p.id] = p
	e.pinCodes[normalizeCode(p.code)] = p.id
	body := p.json(now, "")
	e.mu.Unlock()
	writePin(w, r, http.StatusCreated, body)
}

// normalizeCode makes 4-character codes case-insensitive, as people type them.
func normalizeCode(code string) string { return strings.ToLower(strings.TrimSpace(code)) }

// sweepPins forgets expired pins. The caller holds e.mu.
func (e *Emulator) sweepPins(now time.Time) {
	for id, p := range e.pins {
		if !now.Before(p.expires) {
			delete(e.pins, id)
			delete(e.pinCodes, normalizeCode(p.code))
		}
	}
}

// pinByCode returns the live pin with this code, or nil. The caller holds e.mu.
func (e *Emulator) pinByCode(code string) *pin {
	p := e.pins[e.pinCodes[normalizeCode(code)]]
	if p == nil || !e.Now().Before(p.expires) {
		return nil
	}
	return p
}

// pollPin serves GET /api/v2/pins/{id}: the pin, and once it is claimed, its token. A pin
// created with a JWK hands out a Plex JWT in exchange for a device JWT signed by that key (the
// nonce is not required here: python-plexapi sends one, other clients do not); a pin without a
// JWK hands out a legacy token.
func (e *Emulator) pollPin(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return
	}
	id, err := strconv.Atoi(r.PathValue("id"))
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.pins[id]
	if err != nil || p == nil || !now.Before(p.expires) || p.clientID != cid {
		writeError(w, r, http.StatusNotFound, CodePinNotFound, msgPinNotFound)
		return
	}
	recent := p.polls[:0]
	for _, t := range p.polls {
		if now.Sub(t) < time.Second {
			recent = append(recent, t)
		}
	}
	p.polls = recent
	if len(p.polls) >= maxPinPollsPerSecond {
		writeRateLimited(w, r, time.Second-now.Sub(p.polls[0]), "poll a pin at most twice a second")
		return
	}
	p.polls = append(p.polls, now)
	switch {
	case p.claimedBy == nil:
		writePin(w, r, http.StatusOK, p.json(now, ""))
	case p.key == nil:
		if p.authToken == "" {
			p.authToken = e.issueDeviceToken(p.claimedBy, cid, r, now)
		}
		writePin(w, r, http.StatusOK, p.json(now, p.authToken))
	default:
		e.exchangePin(w, r, p, cid, now)
	}
}

// exchangePin registers a claimed pin's JWK for the client and answers with a fresh Plex JWT,
// given a device JWT signed by that key. The caller holds e.mu.
func (e *Emulator) exchangePin(w http.ResponseWriter, r *http.Request, p *pin, cid string, now time.Time) {
	raw := r.URL.Query().Get("deviceJWT")
	if raw == "" {
		writeError(w, r, http.StatusUnprocessableEntity, CodeInvalidDeviceJWT,
			"invalid device JWT: the pin was created with a jwk, so polling it needs a deviceJWT signed by that key")
		return
	}
	claims, err := verifyDeviceJWT(raw, *p.key, cid, now)
	if err != nil {
		writeError(w, r, http.StatusUnprocessableEntity, CodeInvalidDeviceJWT, err.Error())
		return
	}
	if e.thumbprintTaken(p.thumb, cid) {
		writeThumbprintTaken(w, r)
		return
	}
	if e.deviceTaken(cid, p.claimedBy) {
		writeDeviceTaken(w, r)
		return
	}
	d := e.register(cid, *p.key, p.thumb, p.claimedBy, "")
	e.touchDevice(p.claimedBy, cid, r, now, "")
	tok, err := e.issuePlexJWT(d, claims.Nonce, claims.Scope, now)
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, CodeBadRequest, "emulator: cannot sign the Plex JWT")
		return
	}
	writePin(w, r, http.StatusOK, p.json(now, tok))
}

// linkPin serves PUT /api/v2/pins/link: the account behind X-Plex-Token approves the pin with
// form value code.
func (e *Emulator) linkPin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
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
	code := r.Form.Get("code")
	if code == "" {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, "code is required")
		return
	}
	p := e.pinByCode(code)
	if p == nil {
		writeError(w, r, http.StatusNotFound, CodePinNotFound, msgPinNotFound)
		return
	}
	p.claimedBy = id.acct
	w.WriteHeader(http.StatusNoContent)
}

func writeClientIDMissing(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusBadRequest, CodeClientIdentifierMissing, "X-Plex-Client-Identifier is missing")
}

func writeThumbprintTaken(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusUnprocessableEntity, CodeThumbprintTaken,
		"Thumbprint already taken: this JWK is registered to another device (client identifier)")
}

// authenticate resolves the request's X-Plex-Token to an account, or answers 401 (invalid or
// revoked) or 498 (expired Plex JWT) and returns false. The caller holds e.mu.
func (e *Emulator) authenticate(w http.ResponseWriter, r *http.Request, now time.Time) (identity, bool) {
	id, res := e.checkToken(plexToken(r), now)
	switch res {
	case tokenOK:
		e.seen(id, now)
		return id, true
	case tokenExpired:
		writeError(w, r, StatusTokenExpired, CodeTokenExpired,
			"Token expired: the Plex JWT is past its exp; refresh it (nonce, device JWT, POST /api/v2/auth/token)")
	case tokenRevoked:
		writeError(w, r, http.StatusUnauthorized, CodeUnauthorized,
			"User could not be authenticated: the device this token was issued to was removed from Authorized Devices")
	default:
		writeError(w, r, http.StatusUnauthorized, CodeUnauthorized, "User could not be authenticated")
	}
	return identity{}, false
}
