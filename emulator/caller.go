package emulator

import (
	"net/http"
	"time"
)

// errorWriter answers r with an error in the shape of r's API: writeBadRequest (v2),
// writeLegacyResponse (legacy <Response>) or writeLegacyError (legacy <errors>).
type errorWriter func(w http.ResponseWriter, r *http.Request, status int, msg string)

// writeBadRequest writes the v2 error envelope with plex.tv's code for a malformed request.
func writeBadRequest(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeError(w, r, status, CodeBadRequest, msg)
}

// readForm parses r's query and form body, the body capped at maxBody bytes; when it cannot,
// it answers 400 with fail and reports false.
func readForm(w http.ResponseWriter, r *http.Request, fail errorWriter) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		fail(w, r, http.StatusBadRequest, "form body cannot be parsed")
		return false
	}
	return true
}

// lockCaller authenticates r at the emulator's clock. When the token passes it returns with
// e.mu held, for the caller to unlock; otherwise it has answered (401) and e.mu is free.
func (e *Emulator) lockCaller(w http.ResponseWriter, r *http.Request) (identity, time.Time, bool) {
	now := e.Now()
	e.mu.Lock()
	id, ok := e.authenticate(w, r, now)
	if !ok {
		e.mu.Unlock()
	}
	return id, now, ok
}

// lockFormCaller reads r's form, as readForm, then authenticates r, as lockCaller: when both
// pass it returns with e.mu held, for the caller to unlock; otherwise it has answered.
func (e *Emulator) lockFormCaller(w http.ResponseWriter, r *http.Request, fail errorWriter) (identity, time.Time, bool) {
	if !readForm(w, r, fail) {
		return identity{}, time.Time{}, false
	}
	return e.lockCaller(w, r)
}

// caller authenticates r, as lockCaller, for a handler that needs no state beyond the caller's
// identity: e.mu is free when it returns.
func (e *Emulator) caller(w http.ResponseWriter, r *http.Request) (identity, bool) {
	id, _, ok := e.lockCaller(w, r)
	if ok {
		e.mu.Unlock()
	}
	return id, ok
}
