package emulator

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pinInfo is one pin in GET /__emulator/pins.
type pinInfo struct {
	ID               int    `json:"id"`
	Code             string `json:"code"`
	ClientIdentifier string `json:"clientIdentifier"`
	Product          string `json:"product"`
	Strong           bool   `json:"strong"`
	Claimed          bool   `json:"claimed"`
	ExpiresAt        string `json:"expiresAt"`
}

// controlRoutes installs the control API (see the package documentation). Its state-changing
// requests are refused when a browser sends them from another site, so a web page cannot
// claim pins or inject faults on a developer's running emulator.
func (e *Emulator) controlRoutes() {
	cop := http.NewCrossOriginProtection()
	handle := func(pattern string, h http.HandlerFunc) { e.mux.Handle(pattern, cop.Handler(h)) }
	handle("GET /__emulator/pins", e.ctlPins)
	handle("POST /__emulator/pins/claim", e.ctlClaim)
	handle("GET /__emulator/clock", e.ctlClock)
	handle("POST /__emulator/clock", e.ctlClock)
	handle("GET /__emulator/stats", e.ctlStats)
	handle("DELETE /__emulator/stats", e.ctlStats)
	handle("POST /__emulator/devices/revoke", e.ctlRevoke)
	handle("POST /__emulator/keys/rotate", e.ctlRotate)
	handle("POST /__emulator/faults", e.ctlFaults)
	handle("GET /__emulator/state", e.ctlState)
	handle("GET /__emulator/playback", e.ctlPlayback)
	handle("POST /__emulator/playback", e.ctlPlayback)
	handle("POST /__emulator/notifications/drop", e.ctlDropNotifications)
	handle("POST /__emulator/servers/restart", e.ctlRestart)
	handle("POST /__emulator/servers/reachability", e.ctlReachability)
}

func ctlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// ctlForm parses the form and answers 400 if it cannot.
func ctlForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		ctlError(w, http.StatusBadRequest, "form body cannot be parsed")
		return false
	}
	return true
}

func (e *Emulator) ctlPins(w http.ResponseWriter, _ *http.Request) {
	now := e.Now()
	e.mu.Lock()
	out := []pinInfo{}
	for _, p := range e.pins {
		if now.Before(p.expires) {
			out = append(out, pinInfo{ID: p.id, Code: p.code, ClientIdentifier: p.clientID, Product: p.product,
				Strong: p.strong, Claimed: p.claimedBy != nil, ExpiresAt: isoTime(p.expires)})
		}
	}
	e.mu.Unlock()
	// Pin ids grow with creation, so this lists the oldest first.
	slices.SortFunc(out, func(a, b pinInfo) int { return cmp.Compare(a.ID, b.ID) })
	writeJSON(w, http.StatusOK, out)
}

func (e *Emulator) ctlClaim(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	code, user := r.Form.Get("code"), r.Form.Get("user")
	if code == "" || user == "" {
		ctlError(w, http.StatusBadRequest, "code and user are required")
		return
	}
	switch err := e.ClaimPin(code, user); {
	case errors.Is(err, ErrNoSuchAccount):
		ctlError(w, http.StatusBadRequest, err.Error()) // the request names no seeded user
		return
	case err != nil:
		ctlError(w, http.StatusNotFound, err.Error()) // ErrPinNotFound: no live pin has the code
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) ctlClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if !ctlForm(w, r) {
			return
		}
		d, err := time.ParseDuration(r.Form.Get("advance"))
		if err != nil {
			ctlError(w, http.StatusBadRequest, "advance must be a Go duration such as 90s or 7h")
			return
		}
		e.Advance(d)
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": e.Now().UTC().Format(time.RFC3339Nano)})
}

func (e *Emulator) ctlStats(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		e.ResetStats()
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusOK, e.Stats())
}

func (e *Emulator) ctlRevoke(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	cid := r.Form.Get("clientIdentifier")
	if cid == "" {
		ctlError(w, http.StatusBadRequest, "clientIdentifier is required")
		return
	}
	e.RevokeDevice(cid)
	w.WriteHeader(http.StatusNoContent)
}

func (e *Emulator) ctlRotate(w http.ResponseWriter, r *http.Request) {
	e.RotateKey()
	e.jwks(w, r)
}

// ctlFaults sets the fault of form value endpoint from latency, status, retryAfter, count and
// drop. With none of those, it clears that endpoint's fault; with no endpoint either, every
// fault.
func (e *Emulator) ctlFaults(w http.ResponseWriter, r *http.Request) {
	if !ctlForm(w, r) {
		return
	}
	f, err := parseFault(r.Form.Get("latency"), r.Form.Get("status"), r.Form.Get("retryAfter"), r.Form.Get("count"), r.Form.Get("drop"))
	if err != nil {
		ctlError(w, http.StatusBadRequest, err.Error())
		return
	}
	endpoint := strings.TrimSpace(r.Form.Get("endpoint"))
	switch {
	case endpoint == "" && f.isZero():
		e.ClearFaults()
	case endpoint == "":
		ctlError(w, http.StatusBadRequest, `endpoint is required, e.g. "GET /api/v2/auth/nonce" or "*"`)
		return
	default:
		e.SetFault(endpoint, f)
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseFault reads a Fault from control API form values. Durations are Go durations;
// retryAfter may also be whole seconds.
func parseFault(latency, status, retryAfter, count, drop string) (Fault, error) {
	var f Fault
	var err error
	if latency != "" {
		if f.Latency, err = time.ParseDuration(latency); err != nil || f.Latency < 0 {
			return Fault{}, fmt.Errorf("latency %s is not a non-negative Go duration", quote(latency))
		}
	}
	if status != "" {
		if f.Status, err = strconv.Atoi(status); err != nil || f.Status < 100 || f.Status > 999 {
			return Fault{}, fmt.Errorf("status %s is not an HTTP status", quote(status))
		}
	}
	if retryAfter != "" {
		if secs, err := strconv.Atoi(retryAfter); err == nil {
			f.RetryAfter = time.Duration(secs) * time.Second
		} else if f.RetryAfter, err = time.ParseDuration(retryAfter); err != nil {
			return Fault{}, fmt.Errorf("retryAfter %s is neither seconds nor a Go duration", quote(retryAfter))
		}
		if f.RetryAfter < 0 {
			return Fault{}, fmt.Errorf("retryAfter %s is negative", quote(retryAfter))
		}
	}
	if count != "" {
		if f.Count, err = strconv.Atoi(count); err != nil || f.Count < 0 {
			return Fault{}, fmt.Errorf("count %s is not a non-negative integer", quote(count))
		}
	}
	if f.Drop, err = parseBool("drop", drop); err != nil {
		return Fault{}, err
	}
	return f, nil
}

func (e *Emulator) ctlState(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, e.State())
}
