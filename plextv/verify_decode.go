package plextv

import (
	"math"
	"strconv"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Decoded is a JWT read without any check of its signature or claims: for showing a token to a
// person (plexkit jwt decode) and for diagnosis. Nothing in it can be trusted.
type Decoded struct {
	Algorithm string
	KeyID     string
	Type      string         // typ, "" when absent
	Header    map[string]any // the protected header's parameters
	Claims    Claims
}

// decodeAlgs are the algorithms DecodeUnverified reads: every JWS signature algorithm go-jose
// knows, so that a person can see what a token claims even when plexkit would refuse it.
var decodeAlgs = []jose.SignatureAlgorithm{
	jose.EdDSA, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.HS256, jose.HS384, jose.HS512,
}

// DecodeUnverified decodes token's header and claims with go-jose without verifying anything.
// It reads Plex JWTs and device JWTs alike. A token that is not a compact JWS, whose parts do
// not decode, or whose alg is none gives a *VerifyError (ErrMalformed or ErrBadAlgorithm).
func DecodeUnverified(token string) (*Decoded, error) {
	tok, kid, err := parse(token, decodeAlgs)
	if err != nil {
		return nil, err
	}
	c, err := claimsOf(tok, kid)
	if err != nil {
		return nil, err
	}
	h := tok.Headers[0]
	d := &Decoded{Algorithm: h.Algorithm, KeyID: kid, Header: map[string]any{"alg": h.Algorithm}, Claims: *c}
	if kid != "" {
		d.Header["kid"] = kid
	}
	if h.Nonce != "" {
		d.Header["nonce"] = h.Nonce
	}
	if h.JSONWebKey != nil {
		d.Header["jwk"] = h.JSONWebKey
	}
	for k, v := range h.ExtraHeaders {
		d.Header[string(k)] = v
	}
	if typ, ok := h.ExtraHeaders[jose.HeaderType].(string); ok {
		d.Type = typ
	}
	return d, nil
}

// claimsOf decodes the payload of tok (already verified, or deliberately not) with go-jose, once,
// and reads the claims from that. Registered claims of the wrong type (an exp that is a string,
// an iss that is a number) are ErrMalformed; the user claim is read leniently, so that plex.tv
// adding or changing a field in it cannot make a good token fail (Raw keeps everything).
func claimsOf(tok *jwt.JSONWebToken, kid string) (*Claims, error) {
	var raw map[string]any
	if err := tok.UnsafeClaimsWithoutVerification(&raw); err != nil || raw == nil {
		return nil, verr("format", ErrMalformed, "the payload is not a JSON object")
	}
	c := &Claims{Raw: raw, KeyID: kid}
	var ok bool
	if c.Issuer, ok = optString(raw, "iss"); !ok {
		return nil, typeErr("iss", "a string")
	}
	switch aud := raw["aud"].(type) {
	case nil:
	case string:
		c.Audience = []string{aud}
	case []any:
		c.Audience = make([]string, len(aud))
		for i, a := range aud {
			if c.Audience[i], ok = a.(string); !ok {
				return nil, typeErr("aud", "a string or an array of strings")
			}
		}
	default:
		return nil, typeErr("aud", "a string or an array of strings")
	}
	for _, t := range [...]struct {
		name string
		dst  *time.Time
	}{{"iat", &c.IssuedAt}, {"exp", &c.Expiry}, {"nbf", &c.NotBefore}} {
		if *t.dst, ok = numericDate(raw[t.name]); !ok {
			return nil, typeErr(t.name, "a number of seconds (NumericDate)")
		}
	}
	c.Thumbprint, _ = optString(raw, "thumbprint")
	c.Nonce, _ = optString(raw, "nonce")
	c.Scope, _ = optString(raw, "scope")
	if u, isObj := raw["user"].(map[string]any); isObj {
		c.User = userOf(u)
	}
	return c, nil
}

func typeErr(claim, want string) error {
	return verr("format", ErrMalformed, "claim %s has the wrong type: want %s", claim, want)
}

// optString returns the string claim name; ok is false when it is present but not a string.
func optString(m map[string]any, name string) (string, bool) {
	switch v := m[name].(type) {
	case nil:
		return "", true
	case string:
		return v, true
	default:
		return "", false
	}
}

// numericDate reads an RFC 7519 NumericDate; absent is the zero time, anything but a finite
// number is not ok.
func numericDate(v any) (time.Time, bool) {
	switch n := v.(type) {
	case nil:
		return time.Time{}, true
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) > maxSeconds {
			return time.Time{}, false
		}
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)), true
	default:
		return time.Time{}, false
	}
}

// maxSeconds keeps NumericDates within what time.Time represents exactly (year 9999).
const maxSeconds = 253402300799

// userOf reads the user claim, keeping what has the documented type and dropping the rest.
func userOf(m map[string]any) UserClaims {
	var u UserClaims
	u.ID = integer(m["id"])
	u.JoinedAt = integer(m["joinedAt"])
	u.UUID, _ = m["uuid"].(string)
	u.Username, _ = m["username"].(string)
	u.Email, _ = m["email"].(string)
	u.FriendlyName, _ = m["friendly_name"].(string)
	if b, ok := m["restricted"].(bool); ok {
		u.Restricted = &b
	}
	if b, ok := m["anonymous"].(bool); ok {
		u.Anonymous = &b
	}
	return u
}

// integer reads a JSON number, or a string holding an integer, as an int64; anything else is 0.
func integer(v any) int64 {
	switch n := v.(type) {
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<63 {
			return int64(n)
		}
	case string:
		if i, err := strconv.ParseInt(n, 10, 64); err == nil {
			return i
		}
	}
	return 0
}
