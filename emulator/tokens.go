package emulator

import (
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// device is a client identifier with a registered JWK: an entry of the account's Authorized
// Devices.
type device struct {
	clientID string
	key      jose.JSONWebKey // public; key.KeyID is the kid the device chose
	thumb    string          // RFC 7638 thumbprint of key
	acct     *account
	// registration names this registration of the device; the jti of every Plex JWT issued to
	// it starts with it, so JWTs from before a revocation never work for a later registration.
	registration string
	// legacyToken is the token the device registered its JWK with (POST /api/v2/auth/jwk); Plex
	// invalidates it when the first Plex JWT is issued to the device.
	legacyToken string
	issued      bool // a Plex JWT has been issued
}

// nonce is one issued by GET /api/v2/auth/nonce.
type nonce struct {
	clientID string
	expires  time.Time
	used     bool
}

// register makes key the registered JWK of clientID for acct. The caller has checked that the
// thumbprint is not taken by another client. Re-registering the same key keeps the device (and
// the JWTs issued to it); a different key is a new registration.
func (e *Emulator) register(clientID string, key jose.JSONWebKey, thumb string, acct *account, legacyTok string) *device {
	if d := e.devices[clientID]; d != nil && d.thumb == thumb && d.key.KeyID == key.KeyID && d.acct == acct {
		if legacyTok != "" && !d.issued {
			d.legacyToken = legacyTok
		}
		return d
	}
	if old := e.devices[clientID]; old != nil {
		delete(e.thumbprints, old.thumb)
	}
	d := &device{clientID: clientID, key: key, thumb: thumb, acct: acct, registration: randomToken(), legacyToken: legacyTok}
	e.devices[clientID] = d
	e.thumbprints[thumb] = clientID
	delete(e.revoked, clientID)
	return d
}

// thumbprintTaken reports whether a JWK with this thumbprint is registered to another client.
func (e *Emulator) thumbprintTaken(thumb, clientID string) bool {
	owner, ok := e.thumbprints[thumb]
	return ok && owner != clientID
}

// issuePlexJWT signs a Plex JWT for d with the current key. scopes release account claims into
// the user object; unknown words are ignored, as plex.tv does. The first JWT issued to a device
// that registered with a legacy token invalidates that token, as Plex documents.
func (e *Emulator) issuePlexJWT(d *device, nonceValue string, scopes []string, now time.Time) (string, error) {
	a := d.acct
	user := map[string]any{"id": a.id, "uuid": a.uuid}
	for _, s := range scopes {
		switch s {
		case "username":
			user["username"] = a.username
		case "email":
			user["email"] = a.email
		case "friendly_name":
			user["friendly_name"] = a.friendlyName
		case "restricted":
			user["restricted"] = a.restricted
		case "anonymous":
			user["anonymous"] = false
		case "joinedAt":
			user["joinedAt"] = a.joinedAt.Unix()
		}
	}
	claims := map[string]any{
		"iss":        plexIssuer,
		"aud":        []string{plexIssuer, d.clientID},
		"iat":        now.Unix(),
		"exp":        now.Add(PlexJWTLifetime).Unix(),
		"thumbprint": d.key.KeyID,
		"user":       user,
		"jti":        d.registration + "." + randomToken(),
	}
	if nonceValue != "" {
		claims["nonce"] = nonceValue
	}
	tok, err := jwt.Signed(e.keys[0].signer).Claims(claims).Serialize()
	if err != nil {
		return "", err
	}
	if !d.issued {
		d.issued = true
		if d.legacyToken != "" {
			e.invalidateLegacy(d.legacyToken)
			d.legacyToken = ""
		}
	}
	return tok, nil
}

// invalidateLegacy makes a legacy token stop working.
func (e *Emulator) invalidateLegacy(tok string) {
	if l := e.legacy[tok]; l != nil && l.acct.legacy == tok {
		l.acct.legacy = ""
	}
	delete(e.legacy, tok)
}

// tokenCheck is the outcome of resolving an X-Plex-Token.
type tokenCheck int

const (
	tokenOK      tokenCheck = iota
	tokenInvalid            // unknown, malformed, badly signed or invalidated
	tokenRevoked            // a Plex JWT of a device removed from Authorized Devices
	tokenExpired            // a Plex JWT past its exp
)

// identity is the account behind a valid token.
type identity struct {
	acct     *account
	jwt      bool   // a Plex JWT rather than a legacy token
	clientID string // the device a Plex JWT was issued to
}

// plexJWTClaims are the claims the emulator reads back from a Plex JWT.
type plexJWTClaims struct {
	Thumbprint string `json:"thumbprint"`
	User       struct {
		ID int `json:"id"`
	} `json:"user"`
}

// looksLikeJWT tells a compact JWS from a legacy token, which never contains a dot.
func looksLikeJWT(tok string) bool { return strings.Count(tok, ".") == 2 }

// checkToken resolves an account token: a Plex JWT, a legacy token, or the access token of a
// server the account owns. The caller holds e.mu.
func (e *Emulator) checkToken(tok string, now time.Time) (identity, tokenCheck) {
	if tok == "" {
		return identity{}, tokenInvalid
	}
	if looksLikeJWT(tok) {
		return e.checkPlexJWT(tok, now)
	}
	if l := e.legacy[tok]; l != nil {
		return identity{acct: l.acct, clientID: l.clientID}, tokenOK
	}
	// plex.tv accepts an owned server's access token as the owner's account token
	// (python-plexapi's PlexServer.myPlexAccount() reuses the server's token at plex.tv).
	if st := e.serverTokens[tok]; st != nil && st.acct == st.srv.owner {
		return identity{acct: st.acct}, tokenOK
	}
	return identity{}, tokenInvalid
}

// checkPlexJWT verifies a Plex JWT against the current and previous signing keys, then checks
// it still belongs to a registered device and has not expired. The caller holds e.mu.
func (e *Emulator) checkPlexJWT(raw string, now time.Time) (identity, tokenCheck) {
	if len(raw) > maxJWTBytes {
		return identity{}, tokenInvalid
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil || len(tok.Headers) != 1 {
		return identity{}, tokenInvalid
	}
	i := slices.IndexFunc(e.keys, func(k *signingKey) bool { return k.public.KeyID == tok.Headers[0].KeyID })
	if i < 0 {
		return identity{}, tokenInvalid
	}
	var std jwt.Claims
	var extra plexJWTClaims
	if err := tok.Claims(e.keys[i].public.Key, &std, &extra); err != nil {
		return identity{}, tokenInvalid
	}
	if std.Issuer != plexIssuer || !slices.Contains(std.Audience, plexIssuer) || std.Expiry == nil || std.IssuedAt == nil {
		return identity{}, tokenInvalid
	}
	acct := e.byID[extra.User.ID]
	if acct == nil {
		return identity{}, tokenInvalid
	}
	var clientID string
	for _, a := range std.Audience {
		if a != plexIssuer {
			clientID = a
		}
	}
	d := e.devices[clientID]
	if d == nil || d.acct != acct || d.key.KeyID != extra.Thumbprint || !strings.HasPrefix(std.ID, d.registration+".") {
		return identity{}, tokenRevoked
	}
	if !now.Before(std.Expiry.Time()) {
		return identity{}, tokenExpired
	}
	return identity{acct: acct, jwt: true, clientID: clientID}, tokenOK
}
