package devicekey

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plexkit/plexkit/internal/textdist"
)

// Audience is the aud of every device JWT: plex.tv is the only party that accepts them.
const Audience = "plex.tv"

// DefaultLifetime is how long a device JWT is valid (exp - iat): plex.tv's nonce lives 5 minutes,
// and python-plexapi uses the same.
const DefaultLifetime = 5 * time.Minute

// Scopes are the scope words plex.tv documents. Each releases one account claim into the Plex
// JWT; none grants a permission.
var Scopes = []string{"username", "email", "friendly_name", "restricted", "anonymous", "joinedAt"}

// ErrBadClaims is matched (errors.Is) by errors about DeviceClaims other than scopes.
var ErrBadClaims = errors.New("invalid device JWT claims")

// ScopeError says a scope word is not one plex.tv documents.
type ScopeError struct {
	Scope string
}

// Error implements error. A word that names a role (admin, shared_user, owner, …) gets the
// explanation of roles against scopes; any other word is taken for a typo and gets the list and,
// when one is close, a suggestion.
func (e *ScopeError) Error() string {
	if isRoleWord(e.Scope) {
		return fmt.Sprintf("devicekey: unknown scope %q: the scopes are %s, and they only choose which account claims "+
			"are written into the Plex JWT; they grant no permission. \"admin\" and \"shared user\" are roles on a server "+
			"(the owner, or a friend it is shared with), decided by whose token is sent: to act on a server, use the "+
			"server's accessToken from /api/v2/resources",
			e.Scope, strings.Join(Scopes, ", "))
	}
	msg := fmt.Sprintf("devicekey: unknown scope %q: the scopes are %s", e.Scope, strings.Join(Scopes, ", "))
	if s := closestScope(e.Scope); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// isRoleWord reports whether a scope word asks for a role or a permission rather than claims.
func isRoleWord(s string) bool {
	w := strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(s))
	for _, role := range []string{"admin", "administrator", "shareduser", "shared", "owner", "server", "friend", "managed", "home", "all", "write", "read"} {
		if w == role {
			return true
		}
	}
	return false
}

// closestScope returns the scope s most likely misspells (case, one or two edits), or "".
func closestScope(s string) string {
	best, bestD := "", 3
	for _, sc := range Scopes {
		if d := textdist.Levenshtein(strings.ToLower(s), strings.ToLower(sc)); d < bestD {
			best, bestD = sc, d
		}
	}
	return best
}

// ValidateScopes returns a *ScopeError for the first word that is not in Scopes (compared
// exactly: "joinedAt", not "joinedat").
func ValidateScopes(scopes []string) error {
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return &ScopeError{Scope: s}
		}
	}
	return nil
}

// DeviceClaims are the claims of a device JWT.
type DeviceClaims struct {
	// ClientIdentifier is the iss: the X-Plex-Client-Identifier the key was registered with.
	ClientIdentifier string
	// Nonce is the value from GET /api/v2/auth/nonce; it is omitted when empty (PIN polling).
	Nonce string
	// Scopes are the claims to release (see Scopes); omitted when empty.
	Scopes []string
	// IssuedAt is the iat; the zero time means now.
	IssuedAt time.Time
	// Lifetime is exp - iat; 0 means DefaultLifetime.
	Lifetime time.Duration
}

// deviceJWTClaims is the JSON payload, in the order python-plexapi writes it.
type deviceJWTClaims struct {
	Nonce    string `json:"nonce,omitempty"`
	Scope    string `json:"scope,omitempty"`
	Audience string `json:"aud"`
	Issuer   string `json:"iss"`
	IssuedAt int64  `json:"iat"`
	Expiry   int64  `json:"exp"`
}

// SignDeviceJWT returns the compact device JWT for c: protected header {"alg":"EdDSA","kid":…,
// "typ":"JWT"}, claims nonce, scope (comma-joined), aud "plex.tv", iss, iat, exp. Unknown scopes
// give a *ScopeError; a missing client identifier or a negative lifetime an error matching
// ErrBadClaims. The token is a credential for five minutes: do not log it.
func (k *Key) SignDeviceJWT(c DeviceClaims) (string, error) {
	if !k.usable() {
		return "", fmt.Errorf("devicekey: the key is empty (make keys with Generate, FromRaw or LoadDevice): %w", ErrInvalidKey)
	}
	if err := ValidateScopes(c.Scopes); err != nil {
		return "", err
	}
	if c.ClientIdentifier == "" {
		return "", fmt.Errorf("devicekey: the client identifier (iss) is empty: %w", ErrBadClaims)
	}
	if c.Lifetime < 0 {
		return "", fmt.Errorf("devicekey: lifetime %v is negative: %w", c.Lifetime, ErrBadClaims)
	}
	iat := c.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	life := c.Lifetime
	if life == 0 {
		life = DefaultLifetime
	}
	payload, err := json.Marshal(deviceJWTClaims{
		Nonce:    c.Nonce,
		Scope:    strings.Join(c.Scopes, ","),
		Audience: Audience,
		Issuer:   c.ClientIdentifier,
		IssuedAt: iat.Unix(),
		Expiry:   iat.Add(life).Unix(),
	})
	if err != nil {
		return "", fmt.Errorf("devicekey: marshal claims: %w", err)
	}
	jws, err := k.signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("devicekey: sign device JWT: %w", err)
	}
	return jws.CompactSerialize()
}
