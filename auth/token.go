package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Kind says what sort of token a Token holds.
type Kind int

// The kinds of token plexkit handles.
const (
	// KindPlexJWT is a Plex JWT: issued by plex.tv for a device key, valid 7 days, refreshable.
	KindPlexJWT Kind = iota + 1
	// KindLegacy is a legacy (pre-2025) token: it has no expiry plexkit can know of and cannot
	// be refreshed, so it is used as it is.
	KindLegacy
)

// String returns a description of k for people.
func (k Kind) String() string {
	switch k {
	case KindPlexJWT:
		return "Plex JWT"
	case KindLegacy:
		return "legacy token"
	}
	return fmt.Sprintf("unknown kind %d", int(k))
}

// MarshalText encodes k as the word used in the token file: "plex_jwt" or "legacy".
func (k Kind) MarshalText() ([]byte, error) {
	switch k {
	case KindPlexJWT:
		return []byte("plex_jwt"), nil
	case KindLegacy:
		return []byte("legacy"), nil
	}
	return nil, fmt.Errorf("auth: cannot encode unknown token kind %d", int(k))
}

// UnmarshalText decodes the words MarshalText produces.
func (k *Kind) UnmarshalText(b []byte) error {
	switch string(b) {
	case "plex_jwt":
		*k = KindPlexJWT
	case "legacy":
		*k = KindLegacy
	default:
		// The text is not quoted back: a file with its fields mixed up could hold a token here.
		return errors.New(`auth: unknown token kind (want "plex_jwt" or "legacy")`)
	}
	return nil
}

// ExpirySkew is how long before its expiry a token stops being Valid. Clocks of this machine,
// plex.tv and a server differ a little, and a request takes time to arrive; a token a few
// seconds from expiry would be refused on arrival.
const ExpirySkew = 10 * time.Second

// Token is a token for plex.tv and Plex Media Servers.
//
// Its value is a secret: String, Format, LogValue and the JSON encoding of a Token all leave it
// out, so a Token may be printed or logged. The token file format is EncodeToken's.
type Token struct {
	// Value is what goes in the X-Plex-Token header.
	Value string `json:"-"`
	// Kind says whether Value is a Plex JWT or a legacy token.
	Kind Kind `json:"kind,omitzero"`
	// Expiry is when the token stops working; zero means it has no known expiry (legacy).
	Expiry time.Time `json:"expiresAt,omitzero"`
	// IssuedAt is when plex.tv issued the token, zero when unknown.
	IssuedAt time.Time `json:"issuedAt,omitzero"`
	// ClientIdentifier is the X-Plex-Client-Identifier of the device the token was issued to.
	ClientIdentifier string `json:"clientIdentifier,omitempty"`
	// ClockOffset is how far plex.tv's clock was ahead of this machine's when the token was
	// issued (negative: behind). Kept with the token so that the next run judges its expiry by
	// plex.tv's clock before it has heard from plex.tv; zero when unknown.
	ClockOffset time.Duration `json:"clockOffset,omitzero"`
}

// String describes t without its value, e.g. "Plex JWT (expires 2026-03-01T10:00:00Z)".
func (t *Token) String() string {
	switch {
	case t == nil:
		return "no token"
	case t.Value == "":
		return "empty " + t.Kind.String()
	case t.Expiry.IsZero():
		return t.Kind.String() + " (no expiry)"
	}
	return t.Kind.String() + " (expires " + t.Expiry.UTC().Format(time.RFC3339) + ")"
}

// Format prints t as String does, for every verb, so that a Token value (not only a pointer)
// passed to fmt never shows its Value.
func (t Token) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, fmt.FormatString(f, verb), t.String())
}

// LogValue makes log/slog record t as String does.
func (t *Token) LogValue() slog.Value {
	return slog.StringValue(t.String())
}

// Valid reports whether t is non-empty and, at now, at least ExpirySkew from its expiry. A token
// without expiry is valid as long as it is non-empty.
func (t *Token) Valid(now time.Time) bool {
	if t == nil || t.Value == "" {
		return false
	}
	return t.Expiry.IsZero() || now.Add(ExpirySkew).Before(t.Expiry)
}

// ExpiresWithin reports whether t expires within d of now (or has already expired). A token
// without expiry never does; a nil or empty token always does.
func (t *Token) ExpiresWithin(now time.Time, d time.Duration) bool {
	if t == nil || t.Value == "" {
		return true
	}
	return !t.Expiry.IsZero() && !now.Add(d).Before(t.Expiry)
}

// CheckValue reports whether v can be sent as a token header value. Plex tokens (JWTs, legacy tokens)
// are printable ASCII without spaces; anything else is a corrupt or mistaken value, and sending
// it would fail inside net/http, or worse, split a header.
func CheckValue(v string) error {
	if v == "" {
		return fmt.Errorf("the token is empty")
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("the token contains a byte that is not printable ASCII (at offset %d)", i)
		}
	}
	return nil
}

// KindOf tells a token's kind from its value: a Plex JWT is a compact JWS (three dot-separated
// parts, starting with the base64url of `{"`); anything else is a legacy or server access token.
// It decides nothing about validity.
func KindOf(value string) Kind {
	if strings.HasPrefix(value, "eyJ") && strings.Count(value, ".") == 2 {
		return KindPlexJWT
	}
	return KindLegacy
}
