package emulator

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// plexIssuer is the iss of every Plex JWT and the aud a device JWT must name.
const plexIssuer = "plex.tv"

const (
	// PlexJWTLifetime is how long a Plex JWT is valid (Plex documents 7 days).
	PlexJWTLifetime = 7 * 24 * time.Hour
	// NonceLifetime is how long a nonce from GET /api/v2/auth/nonce is valid.
	NonceLifetime = 5 * time.Minute
	// MaxIATSkew is how far in the future (by the emulator clock) a device JWT's iat may be.
	MaxIATSkew = 60 * time.Second
	// MaxDeviceJWTLifetime is the longest exp − iat accepted in a device JWT. Plex's docs give
	// no limit; plex.tv was seen accepting a day, so that is the emulator's limit.
	MaxDeviceJWTLifetime = 24 * time.Hour
	// maxJWTBytes bounds a device JWT or Plex JWT the emulator will look at.
	maxJWTBytes = 16 << 10
	// minRSABits is the smallest RSA device key accepted.
	minRSABits = 2048
)

// signingKey is one of plex.tv's Ed25519 signing keys.
type signingKey struct {
	public jose.JSONWebKey // kid = RFC 7638 thumbprint, alg EdDSA, use sig
	signer jose.Signer
}

func newSigningKey() *signingKey {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic("emulator: ed25519 key generation failed: " + err.Error()) // crypto/rand does not fail
	}
	jwk := jose.JSONWebKey{Key: pub, Algorithm: string(jose.EdDSA), Use: "sig"}
	jwk.KeyID = thumbprint(&jwk)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: priv, KeyID: jwk.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic("emulator: signer for a fresh Ed25519 key: " + err.Error()) // cannot happen for a valid key
	}
	return &signingKey{public: jwk, signer: signer}
}

// thumbprint returns the RFC 7638 SHA-256 thumbprint of a public key, base64url.
func thumbprint(k *jose.JSONWebKey) string {
	sum, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "" // only for key types this package never accepts
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// jwkError is a JWK that plex.tv refuses (422); the message names the field at fault.
type jwkError struct{ msg string }

func (e *jwkError) Error() string { return "invalid jwk: " + e.msg }

// jwkFields are the members of a JWK this package checks itself, to name what is wrong before
// go-jose parses the key.
type jwkFields struct {
	Kty string          `json:"kty"`
	Crv string          `json:"crv"`
	X   string          `json:"x"`
	N   string          `json:"n"`
	E   string          `json:"e"`
	Kid string          `json:"kid"`
	Alg string          `json:"alg"`
	Use string          `json:"use"`
	D   json.RawMessage `json:"d"`
}

// parseJWK parses a device's public JWK: OKP/Ed25519 (alg EdDSA) or RSA (alg RS256, at least
// 2048 bits), with a kid. It returns the key and its RFC 7638 thumbprint.
func parseJWK(raw []byte) (jose.JSONWebKey, string, error) {
	var f jwkFields
	if len(raw) == 0 || string(raw) == "null" {
		return jose.JSONWebKey{}, "", &jwkError{"jwk is missing"}
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return jose.JSONWebKey{}, "", &jwkError{"jwk is not a JSON object"}
	}
	if len(f.D) > 0 {
		return jose.JSONWebKey{}, "", &jwkError{"jwk holds a private key (member d): send only the public key"}
	}
	wantAlg := ""
	switch f.Kty {
	case "":
		return jose.JSONWebKey{}, "", &jwkError{"kty is missing (want OKP for Ed25519, or RSA)"}
	case "OKP":
		if f.Crv != "Ed25519" {
			return jose.JSONWebKey{}, "", &jwkError{fmt.Sprintf("crv %s is not supported: an OKP key must be Ed25519", quote(f.Crv))}
		}
		if f.X == "" {
			return jose.JSONWebKey{}, "", &jwkError{"x (the Ed25519 public key) is missing"}
		}
		wantAlg = string(jose.EdDSA)
	case "RSA":
		if f.N == "" || f.E == "" {
			return jose.JSONWebKey{}, "", &jwkError{"n and e (the RSA public key) are required"}
		}
		wantAlg = string(jose.RS256)
	default:
		return jose.JSONWebKey{}, "", &jwkError{fmt.Sprintf("kty %s is not supported: use OKP (Ed25519) or RSA", quote(f.Kty))}
	}
	if f.Kid == "" {
		return jose.JSONWebKey{}, "", &jwkError{"kid is missing"}
	}
	if f.Alg != "" && f.Alg != wantAlg {
		return jose.JSONWebKey{}, "", &jwkError{fmt.Sprintf("alg %s does not fit a %s key: want %s", quote(f.Alg), f.Kty, wantAlg)}
	}
	if f.Use != "" && f.Use != "sig" {
		return jose.JSONWebKey{}, "", &jwkError{fmt.Sprintf("use %s: a device key is for signatures (sig)", quote(f.Use))}
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(raw); err != nil {
		if f.Kty == "OKP" {
			return jose.JSONWebKey{}, "", &jwkError{"x is not a valid Ed25519 public key (32 bytes, base64url without padding)"}
		}
		return jose.JSONWebKey{}, "", &jwkError{"n/e are not a valid RSA public key (base64url without padding)"}
	}
	switch pub := k.Key.(type) {
	case ed25519.PublicKey:
	case *rsa.PublicKey:
		if pub.N.BitLen() < minRSABits {
			return jose.JSONWebKey{}, "", &jwkError{fmt.Sprintf("RSA key has %d bits; at least %d are required", pub.N.BitLen(), minRSABits)}
		}
	default:
		return jose.JSONWebKey{}, "", &jwkError{"not a public Ed25519 or RSA key"}
	}
	tp := thumbprint(&k)
	if tp == "" {
		return jose.JSONWebKey{}, "", &jwkError{"thumbprint cannot be computed"}
	}
	return k, tp, nil
}

// jwtError is a device JWT that plex.tv refuses (422). The message names the check that failed
// and never holds the token itself.
type jwtError struct{ msg string }

func (e *jwtError) Error() string { return "invalid device JWT: " + e.msg }

// parseAlgs is every JWS algorithm go-jose knows: the device JWT is parsed with all of them so
// that a wrong alg is refused with a message naming it, by the check below, rather than by a
// parse error. Only the alg that fits the registered key is ever used to verify.
var parseAlgs = []jose.SignatureAlgorithm{
	jose.EdDSA, jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.HS256, jose.HS384, jose.HS512,
}

// deviceExtra are the claims of a device JWT beyond the registered ones.
type deviceExtra struct {
	Nonce string    `json:"nonce"`
	Scope scopeList `json:"scope"`
}

// deviceClaims is a verified device JWT's payload.
type deviceClaims struct {
	jwt.Claims
	deviceExtra
}

// scopeList is the scope claim: Plex documents a comma-separated string; a JSON array of words
// is tolerated too.
type scopeList []string

// UnmarshalJSON implements json.Unmarshaler.
func (s *scopeList) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = strings.FieldsFunc(str, func(r rune) bool { return r == ',' || r == ' ' })
		return nil
	}
	var words []string
	if err := json.Unmarshal(b, &words); err != nil {
		return errors.New("scope is neither a string nor a list of strings")
	}
	*s = words
	return nil
}

// deviceJWTHeader parses a compact device JWT far enough to read its header. The token is not
// verified.
func deviceJWTHeader(raw string) (*jwt.JSONWebToken, jose.Header, error) {
	switch {
	case raw == "":
		return nil, jose.Header{}, &jwtError{"the device JWT is missing"}
	case len(raw) > maxJWTBytes:
		return nil, jose.Header{}, &jwtError{fmt.Sprintf("the device JWT is longer than %d bytes", maxJWTBytes)}
	}
	tok, err := jwt.ParseSigned(raw, parseAlgs)
	if err != nil {
		return nil, jose.Header{}, &jwtError{"not a compact JWS (header.payload.signature, base64url, with a known alg): " + joseReason(err)}
	}
	if len(tok.Headers) != 1 {
		return nil, jose.Header{}, &jwtError{"a device JWT carries exactly one signature"}
	}
	return tok, tok.Headers[0], nil
}

// verifyDeviceJWT checks a device JWT against the key registered for clientID (kid is the
// registered key's id), at the emulator time now. It checks, in order: structure, header kid,
// alg, signature, aud, iss, iat and exp. The nonce is the caller's to check.
func verifyDeviceJWT(raw string, key jose.JSONWebKey, clientID string, now time.Time) (deviceClaims, error) {
	tok, h, err := deviceJWTHeader(raw)
	if err != nil {
		return deviceClaims{}, err
	}
	switch {
	case h.KeyID == "":
		return deviceClaims{}, &jwtError{"header kid is missing: it must be the kid of the registered JWK"}
	case h.KeyID != key.KeyID && h.KeyID == clientID:
		return deviceClaims{}, &jwtError{fmt.Sprintf("header kid is the client identifier, not a key id: use the kid of the registered JWK (%s)", quote(key.KeyID))}
	case h.KeyID != key.KeyID:
		return deviceClaims{}, &jwtError{fmt.Sprintf("header kid %s is not the key registered for this client identifier (kid %s)", quote(h.KeyID), quote(key.KeyID))}
	}
	want := jose.EdDSA
	if _, ok := key.Key.(*rsa.PublicKey); ok {
		want = jose.RS256
	}
	if jose.SignatureAlgorithm(h.Algorithm) != want {
		return deviceClaims{}, &jwtError{fmt.Sprintf("header alg %s is not allowed: the registered key signs with %s", quote(h.Algorithm), want)}
	}
	var c deviceClaims
	if err := tok.Claims(key.Key, &c.Claims, &c.deviceExtra); err != nil {
		if errors.Is(err, jose.ErrCryptoFailure) {
			return deviceClaims{}, &jwtError{"signature verification failed: not signed by the registered key"}
		}
		return deviceClaims{}, &jwtError{"the payload is not a valid JSON claims object: " + joseReason(err)}
	}
	switch {
	case !slices.Contains(c.Audience, plexIssuer):
		return deviceClaims{}, &jwtError{`aud must be "plex.tv"`}
	case c.Issuer != clientID:
		return deviceClaims{}, &jwtError{"iss must be the X-Plex-Client-Identifier of the request"}
	case c.IssuedAt == nil:
		return deviceClaims{}, &jwtError{"iat is missing"}
	case c.IssuedAt.Time().After(now.Add(MaxIATSkew)):
		return deviceClaims{}, &jwtError{fmt.Sprintf("iat is %s ahead of plex.tv's clock (at most %s allowed): check the device clock",
			c.IssuedAt.Time().Sub(now).Round(time.Second), MaxIATSkew)}
	case c.Expiry == nil:
		return deviceClaims{}, &jwtError{"exp is missing"}
	case !c.Expiry.Time().After(now):
		return deviceClaims{}, &jwtError{"exp is not in the future: the device JWT has expired"}
	case c.Expiry.Time().Sub(c.IssuedAt.Time()) > MaxDeviceJWTLifetime:
		return deviceClaims{}, &jwtError{fmt.Sprintf("exp is more than %s after iat", MaxDeviceJWTLifetime)}
	}
	return c, nil
}

// joseReason is go-jose's error text without its package prefix. go-jose's parse errors
// describe the defect (bad base64, bad JSON, unknown alg), never the input.
func joseReason(err error) string {
	return strings.TrimPrefix(err.Error(), "go-jose/go-jose: ")
}

// quote quotes a short value from a request for an error message, truncated so a message
// stays readable.
func quote(s string) string {
	const max = 80
	if len(s) > max {
		s = s[:max] + "…"
	}
	return fmt.Sprintf("%q", s)
}
