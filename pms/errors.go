package pms

import (
	"errors"
	"fmt"
)

// ErrWrongServer is matched (errors.Is) by a connection whose /identity names another server
// than the one asked for: the address now belongs to another server, or a proxy routes it
// elsewhere. The client never sends a token to such a connection.
var ErrWrongServer = errors.New("another server answers at this address")

// OptionError is an option or argument of NewClient or Connect that was refused.
type OptionError struct {
	Option string // e.g. "WithPageSize" or "baseURL"
	Reason string
}

// Error implements error.
func (e *OptionError) Error() string { return "pms: " + e.Option + ": " + e.Reason }

// ArgumentError is an argument of a call that was refused before anything was sent.
type ArgumentError struct {
	Arg    string // e.g. "sectionKey"
	Reason string
}

// Error implements error.
func (e *ArgumentError) Error() string { return "pms: " + e.Arg + ": " + e.Reason }

// TerminatedError is the server's answer to a player's timeline report after the owner
// terminated its session (Sessions.Terminate): the player must stop playing.
type TerminatedError struct {
	Code int    // terminationCode, 2006 on the servers seen
	Text string // terminationText, e.g. "Admin terminated playback with reason: Go away"
}

// Error implements error.
func (e *TerminatedError) Error() string {
	return fmt.Sprintf("pms: playback terminated (%d): %s", e.Code, e.Text)
}

// ResponseError is a successful (2xx) answer that could not be used: a body that is not a
// MediaContainer in JSON or XML, a malformed field, a body over the size limit, or paging the
// server did not honour. URL has no token (tokens travel in a header, never in the URL).
type ResponseError struct {
	Method string
	URL    string
	Reason string
	Err    error // the decoding error, when there is one
}

// Error implements error.
func (e *ResponseError) Error() string {
	msg := fmt.Sprintf("pms: %s %s: %s", e.Method, e.URL, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the decoding error.
func (e *ResponseError) Unwrap() error { return e.Err }

// WrongServerError is a connection that answered /identity as another server.
type WrongServerError struct {
	Want, Got string // machine identifiers
}

// Error implements error.
func (e *WrongServerError) Error() string {
	if e.Got == "" {
		return "the server did not say which server it is (no machineIdentifier in /identity)"
	}
	return fmt.Sprintf("it is server %s, not %s", e.Got, e.Want)
}

// Is makes a WrongServerError match ErrWrongServer.
func (e *WrongServerError) Is(target error) bool { return target == ErrWrongServer }
