package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// tokenFile is the token file format. Times are strings so that a malformed time is reported
// in our words: encoding/json's time errors quote the text, which could be a misplaced token.
type tokenFile struct {
	Kind             string `json:"kind"`
	Token            string `json:"token"`
	ExpiresAt        string `json:"expiresAt,omitempty"`
	IssuedAt         string `json:"issuedAt,omitempty"`
	ClientIdentifier string `json:"clientIdentifier,omitempty"`
	ClockOffset      string `json:"clockOffset,omitempty"` // a Go duration, e.g. "-3m12s"
}

// CorruptError says a stored token cannot be used: the file is not the token format, or is
// truncated, or lacks a field. It names the file, never its contents. Removing the file (or
// saving a new token over it) repairs it.
type CorruptError struct {
	// Path is the file, "" when the data did not come from a file.
	Path string
	// Reason says what is wrong, in words that never quote the data.
	Reason string
}

// Error implements error.
func (e *CorruptError) Error() string {
	if e.Path == "" {
		return "auth: stored token is corrupt: " + e.Reason
	}
	return fmt.Sprintf("auth: token file %s is corrupt: %s; remove it and log in again", e.Path, e.Reason)
}

// EncodeToken returns the token file form of t, which holds the token value:
//
//	{"kind":"plex_jwt","token":"…","expiresAt":"2026-03-01T10:00:00Z","issuedAt":"…","clientIdentifier":"…","clockOffset":"-3m12s"}
//
// Write it only where only its owner can read it (FileStore does). Times are RFC 3339 in UTC;
// zero times and an empty client identifier are left out.
func EncodeToken(t *Token) ([]byte, error) {
	if err := checkToken(t); err != nil {
		return nil, err
	}
	kind, _ := t.Kind.MarshalText()
	f := tokenFile{Kind: string(kind), Token: t.Value, ClientIdentifier: t.ClientIdentifier}
	if !t.Expiry.IsZero() {
		f.ExpiresAt = t.Expiry.UTC().Format(time.RFC3339Nano)
	}
	if !t.IssuedAt.IsZero() {
		f.IssuedAt = t.IssuedAt.UTC().Format(time.RFC3339Nano)
	}
	if t.ClockOffset != 0 {
		f.ClockOffset = t.ClockOffset.String()
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("auth: encode %s: %w", t, err)
	}
	return append(b, '\n'), nil
}

// checkToken refuses what could not be stored and read back or sent.
func checkToken(t *Token) error {
	if t == nil {
		return errors.New("auth: no token to store")
	}
	if err := CheckValue(t.Value); err != nil {
		return fmt.Errorf("auth: cannot use %s: %s", t, err)
	}
	if t.Kind != KindPlexJWT && t.Kind != KindLegacy {
		return fmt.Errorf("auth: cannot use a token of %s", t.Kind)
	}
	if t.Kind == KindPlexJWT && t.Expiry.IsZero() {
		return errors.New("auth: cannot use a Plex JWT without its expiry: it could never be refreshed in time")
	}
	return nil
}

// DecodeToken reads what EncodeToken wrote. Any problem is a *CorruptError whose reason never
// quotes the data.
func DecodeToken(data []byte) (*Token, error) {
	corrupt := func(format string, args ...any) error {
		return &CorruptError{Reason: fmt.Sprintf(format, args...)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, corrupt("it is empty")
	}
	var f tokenFile
	if err := json.Unmarshal(data, &f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, corrupt("it is not valid JSON (error at byte %d of %d)", syn.Offset, len(data))
		case errors.As(err, &typ) && typ.Field != "":
			return nil, corrupt("field %q is not a string", typ.Field)
		}
		return nil, corrupt("it is not a JSON object")
	}
	t := &Token{Value: f.Token, ClientIdentifier: f.ClientIdentifier}
	if f.Kind == "" {
		return nil, corrupt(`field "kind" is missing`)
	}
	if err := t.Kind.UnmarshalText([]byte(f.Kind)); err != nil {
		return nil, corrupt(`field "kind" is not "plex_jwt" or "legacy"`)
	}
	if f.Token == "" {
		return nil, corrupt(`field "token" is missing or empty`)
	}
	if err := CheckValue(f.Token); err != nil {
		return nil, corrupt(`field "token": %s`, err)
	}
	for _, tf := range []struct {
		name string
		text string
		dst  *time.Time
	}{{"expiresAt", f.ExpiresAt, &t.Expiry}, {"issuedAt", f.IssuedAt, &t.IssuedAt}} {
		if tf.text == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, tf.text)
		if err != nil {
			return nil, corrupt("field %q is not an RFC 3339 time", tf.name)
		}
		*tf.dst = v
	}
	if t.Kind == KindPlexJWT && t.Expiry.IsZero() {
		return nil, corrupt(`field "expiresAt" is missing for a Plex JWT`)
	}
	if f.ClockOffset != "" {
		d, err := time.ParseDuration(f.ClockOffset)
		if err != nil {
			return nil, corrupt(`field "clockOffset" is not a duration`)
		}
		t.ClockOffset = d
	}
	return t, nil
}
