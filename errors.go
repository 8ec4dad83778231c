package plexkit

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors, matched with errors.Is against the *Error that clients return.
var (
	// ErrBadRequest is HTTP 400.
	ErrBadRequest = errors.New("bad request")
	// ErrUnauthorized is HTTP 401: the token is unknown, revoked or has no access.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden is HTTP 403.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound is HTTP 404 (for plex.tv pins also "code not found or expired").
	ErrNotFound = errors.New("not found")
	// ErrUnprocessable is HTTP 422: plex.tv refused a device JWT or JWK (bad signature, unknown
	// kid, thumbprint already taken, …).
	ErrUnprocessable = errors.New("unprocessable")
	// ErrRateLimited is HTTP 429; Error.RetryAfter says how long to wait when the server said.
	ErrRateLimited = errors.New("rate limited")
	// ErrTokenExpired is Plex's HTTP 498: the Plex JWT has expired and must be refreshed.
	ErrTokenExpired = errors.New("token expired")
	// ErrServer is any HTTP 5xx.
	ErrServer = errors.New("server error")
	// ErrDeviceRevoked is plex.tv error code 1097: the device's key is no longer registered
	// (it was removed from Authorized Devices). Log in again.
	ErrDeviceRevoked = errors.New("device key no longer registered")
)

// Plex.tv error codes plexkit gives meaning to.
const (
	CodeClientIDMissing = 1000 // X-Plex-Client-Identifier is missing
	CodeInvalidToken    = 1001 // user could not be authenticated
	CodePinNotFound     = 1020 // code not found or expired
	CodeJWKMissing      = 1097 // the device's JWK is gone: device removed
)

// StatusTokenExpired is Plex's non-standard HTTP status for an expired token.
const StatusTokenExpired = 498

// Error is a refused or failed call to plex.tv or a Plex Media Server. Its text never contains
// a token: URL and Message are redacted.
type Error struct {
	StatusCode int           // HTTP status
	Code       int           // plex.tv error code, 0 when there is none
	Message    string        // the server's message (redacted), or the status text
	Method     string        // request method
	URL        string        // request URL, token parameters removed
	RetryAfter time.Duration // from Retry-After on 429/503, 0 when absent
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	}
	fmt.Fprintf(&b, "%d %s", e.StatusCode, statusText(e.StatusCode))
	if e.Code != 0 || (e.Message != "" && e.Message != statusText(e.StatusCode)) {
		b.WriteString(" (")
		if e.Code != 0 {
			fmt.Fprintf(&b, "code %d", e.Code)
			if e.Message != "" {
				b.WriteString(": ")
			}
		}
		b.WriteString(e.Message)
		b.WriteString(")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether the error matches one of the sentinel errors of this package.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrDeviceRevoked:
		return e.Code == CodeJWKMissing
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return statusSentinel(e.StatusCode) == target && target != nil
}

func statusSentinel(status int) error {
	switch status {
	case http.StatusBadRequest:
		return ErrBadRequest
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusUnprocessableEntity:
		return ErrUnprocessable
	case http.StatusTooManyRequests:
		return ErrRateLimited
	case StatusTokenExpired:
		return ErrTokenExpired
	}
	return nil
}

func statusText(code int) string {
	if code == StatusTokenExpired {
		return "Token Expired"
	}
	if t := http.StatusText(code); t != "" {
		return t
	}
	return "Status " + strconv.Itoa(code)
}

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 1 << 20

// CheckResponse returns nil for a 2xx response and otherwise an *Error built from the status,
// the Retry-After header and the body: plex.tv's JSON envelope
// {"errors":[{"code":N,"message":"…","status":S}]}, its XML form, {"error":"…"}, or a PMS HTML
// page. It reads at most 1 MiB of the body and does not close it.
func CheckResponse(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	e := &Error{StatusCode: resp.StatusCode}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.URL = RedactURL(resp.Request.URL.String())
	}
	e.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	e.Code, e.Message = parseErrorBody(body)
	if e.Message == "" {
		e.Message = statusText(resp.StatusCode)
	}
	e.Message = Redact(e.Message)
	return e
}

var htmlTitle = regexp.MustCompile(`(?is)<title>\s*(.*?)\s*</title>`)

func parseErrorBody(body []byte) (code int, msg string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return 0, ""
	}
	switch body[0] {
	case '{':
		var env struct {
			Errors []struct {
				Code    int    `json:"code"`
				Message string `json:"message"`
			} `json:"errors"`
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &env) == nil {
			if len(env.Errors) > 0 {
				return env.Errors[0].Code, env.Errors[0].Message
			}
			return 0, env.Error
		}
	case '<':
		if m := htmlTitle.FindSubmatch(body); m != nil {
			return 0, string(m[1])
		}
		var env struct {
			Errors []struct {
				Code    int    `xml:"code,attr"`
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"error"`
		}
		if xml.Unmarshal(body, &env) == nil && len(env.Errors) > 0 {
			m := env.Errors[0].Message
			if m == "" {
				m = strings.TrimSpace(env.Errors[0].Text)
			}
			return env.Errors[0].Code, m
		}
	}
	return 0, ""
}

// ParseRetryAfter reads a Retry-After header value, in seconds or as an HTTP date relative to
// now. It returns 0 when the value is absent or malformed.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// StatusOf returns the HTTP status of a refused call (an *Error anywhere in err's chain), or 0
// when err is not one.
func StatusOf(err error) int {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.StatusCode
	}
	return 0
}
