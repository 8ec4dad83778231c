package emulator

import (
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// plex.tv error codes in the {"errors":[{"code":…}]} envelope. Codes 1000, 1001, 1003, 1020
// and 1097 are Plex's own (observed); the others are the emulator's invention, because Plex's
// are undocumented. Clients must branch on the HTTP status, never on an invented code.
const (
	CodeClientIdentifierMissing = 1000 // 400: no X-Plex-Client-Identifier
	CodeUnauthorized            = 1001 // 401: missing, unknown or revoked X-Plex-Token
	CodeRateLimited             = 1003 // 429: too many requests (nonce, pin polling)
	CodePinNotFound             = 1020 // 404: pin code or id unknown or expired
	CodeJWKMissing              = 1097 // 401: no JWK registered for the client (device removed)
	CodeBadRequest              = 1090 // 400: malformed request body or parameter (invented)
	CodeInvalidJWK              = 1091 // 422: the JWK is not an acceptable public key (invented)
	CodeThumbprintTaken         = 1092 // 422: the JWK is registered to another device (invented)
	CodeInvalidDeviceJWT        = 1093 // 422: a device JWT check failed (invented)
	CodeTokenExpired            = 1098 // 498: the Plex JWT expired (invented)
	CodeInjectedFault           = 1099 // any status set with SetFault (invented)
)

// StatusTokenExpired is Plex's non-standard HTTP status for an expired Plex JWT.
const StatusTokenExpired = 498

// msgPinNotFound is Plex's exact message for an unknown or expired pin.
const msgPinNotFound = "Code not found or expired"

// apiError is one entry of plex.tv's error envelope.
type apiError struct {
	XMLName xml.Name `json:"-" xml:"error"`
	Code    int      `json:"code" xml:"code,attr"`
	Message string   `json:"message" xml:"message,attr"`
	Status  int      `json:"status" xml:"status,attr"`
}

// apiErrors is plex.tv's error envelope: {"errors":[…]} in JSON, <errors><error …/></errors>
// in XML.
type apiErrors struct {
	XMLName xml.Name   `json:"-" xml:"errors"`
	Errors  []apiError `json:"errors"`
}

// header returns an X-Plex-* value from the header, else from the query string: Plex accepts
// both.
func header(r *http.Request, name string) string {
	if v := r.Header.Get(name); v != "" {
		return v
	}
	return r.URL.Query().Get(name)
}

func clientID(r *http.Request) string {
	return strings.TrimSpace(header(r, "X-Plex-Client-Identifier"))
}

func plexToken(r *http.Request) string { return strings.TrimSpace(header(r, "X-Plex-Token")) }

// writeError writes plex.tv's error envelope with one error, as JSON or XML per Accept.
func writeError(w http.ResponseWriter, r *http.Request, status, code int, msg string) {
	body := apiErrors{Errors: []apiError{{Code: code, Message: msg, Status: status}}}
	if wantsJSON(r) {
		writeJSON(w, status, body)
		return
	}
	writeXML(w, status, body)
}

// writeRateLimited answers 429 with Retry-After (whole seconds, at least 1).
func writeRateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration, what string) {
	w.Header().Set("Retry-After", retryAfterSeconds(wait))
	writeError(w, r, http.StatusTooManyRequests, CodeRateLimited, "Too many requests: "+what)
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "emulator: cannot encode response", http.StatusInternalServerError)
		return
	}
	// Exactly application/json: some clients compare the header with ===.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n')) // a failed write means the client went away
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, "emulator: cannot encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(append(b, '\n'))
}

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomToken returns a legacy-style 20-character token.
func randomToken() string { return randomString(20, tokenAlphabet) }

// randomString returns n characters drawn uniformly from alphabet (at most 256 symbols).
func randomString(n int, alphabet string) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet) // rejection sampling keeps the draw uniform
	var buf [64]byte
	for len(out) < n {
		_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails; it crashes the program instead
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// newUUID returns a random (version 4) UUID in its text form.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}

// isoTime formats t as plex.tv does in pins and resources.
func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
