package doctor

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/plextv"
)

// Limits plex.tv is known to hold device JWTs to, or that careful clients keep.
const (
	deviceJWTAudience = "plex.tv"
	// usualLifetime is what python-plexapi and plexkit sign for; plex.tv has been seen to accept
	// a day, but a long-lived device JWT is a replayable credential.
	usualLifetime = 5 * time.Minute
	longLifetime  = time.Hour
)

// roleWords are the scope words people try in the hope of a role on a server.
var roleWords = []string{"admin", "shared_user", "shared user", "shareduser", "owner", "server_admin"}

// rolesVsScopes is the explanation every role-shaped misunderstanding gets.
const rolesVsScopes = "scopes only choose which account claims plex.tv writes into the Plex JWT (username, email, friendly_name, restricted, anonymous, joinedAt) and grant no permission. " +
	"\"admin\" and \"shared user\" are roles on a server: admin is the account that owns the server, shared user an account it is shared with. " +
	"A server decides the role by whose token it is; no scope can change it"

func (r *run) checkDeviceJWT() *Finding {
	if r.in.DeviceJWT == "" {
		return nil
	}
	d, err := plextv.DecodeUnverified(r.in.DeviceJWT)
	if err != nil {
		return fail("the device JWT does not decode: "+r.scrub(err.Error()),
			"pass the compact JWS exactly as your program sent it (three base64url parts separated by dots)", nil)
	}
	r.deviceJWT = d
	v := viewOf(d)
	return pass(fmt.Sprintf("a JWS with header alg %s, kid %s, typ %s", orUnknown(v.Alg), orUnknown(v.KeyID), orUnknown(v.Type)),
		map[string]any{"alg": v.Alg, "kid": v.KeyID, "typ": v.Type, "iss": v.Issuer})
}

func (r *run) checkDeviceJWTKeyID() *Finding {
	v := viewOf(r.deviceJWT)
	cid := r.clientID()
	detail := map[string]any{"kid": v.KeyID, "iss": v.Issuer, "clientIdentifier": cid}
	const what = "the header kid must be the key id of the JWK this device registered with plex.tv — plexkit uses the RFC 7638 thumbprint of that JWK"
	switch {
	case v.KeyID == "":
		return fail("the device JWT has no kid in its header: plex.tv cannot tell which registered key to verify it with, and answers 422",
			what, detail)
	case v.KeyID == v.Issuer || v.KeyID == cid:
		return fail("the kid is your client identifier; it must be the key id — the RFC 7638 thumbprint of the JWK you registered. plex.tv looks the key up by kid and answers 422 (signature verification failed)",
			"put the registered JWK's kid in the header (plexkit's devicekey.Key.KID), and keep the client identifier in iss and X-Plex-Client-Identifier", detail)
	case v.Alg != "" && v.Alg != "EdDSA" && v.Alg != "RS256":
		return fail(fmt.Sprintf("the header alg is %s; plex.tv takes EdDSA (Ed25519 keys) or RS256 (RSA keys)", v.Alg),
			"sign with the registered Ed25519 key and alg EdDSA", detail)
	}
	if dev := r.in.Device; dev != nil && (v.Issuer == dev.ClientIdentifier || v.Issuer == "") {
		detail["deviceKid"] = dev.Key.KID()
		if v.KeyID != dev.Key.KID() {
			return fail(fmt.Sprintf("the kid %s is not this device's key id %s: plex.tv verifies with the key registered under the kid, and answers 422 when it is unknown or another key", v.KeyID, dev.Key.KID()),
				what, detail)
		}
		return pass(fmt.Sprintf("kid %s is this device's key id (the RFC 7638 thumbprint of its JWK)", v.KeyID), detail)
	}
	return pass(fmt.Sprintf("kid %s names a key, not the client identifier; plex.tv will look it up among the keys registered for %s", v.KeyID, orUnknown(v.Issuer)), detail)
}

func (r *run) checkDeviceJWTSignature() *Finding {
	dev := r.in.Device
	v := viewOf(r.deviceJWT)
	if dev == nil || (v.Issuer != "" && v.Issuer != dev.ClientIdentifier) {
		// Another installation's device JWT: only plex.tv knows its key.
		return nil
	}
	if err := dev.Key.VerifySignature(r.in.DeviceJWT); err != nil {
		return fail(fmt.Sprintf("the signature does not verify with this device's key %s: it was signed by another key (or altered), so plex.tv answers 422 (signature verification failed)", dev.Key.KID()),
			"sign with the key whose JWK was registered (plexkit: devicekey.Key.SignDeviceJWT)", map[string]any{"deviceKid": dev.Key.KID()})
	}
	return pass(fmt.Sprintf("signed by this device's key %s", dev.Key.KID()), map[string]any{"deviceKid": dev.Key.KID()})
}

func (r *run) checkDeviceJWTScopes() *Finding {
	v := viewOf(r.deviceJWT)
	var words []string
	for w := range strings.SplitSeq(v.Scope, ",") {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	detail := map[string]any{"scope": words}
	if len(words) == 0 {
		return pass("no scope: the Plex JWT will carry only the account's id and uuid", detail)
	}
	var roles, unknown []string
	for _, w := range words {
		if err := devicekey.ValidateScopes([]string{w}); err == nil {
			continue
		}
		if slices.Contains(roleWords, strings.ToLower(w)) {
			roles = append(roles, w)
		} else {
			unknown = append(unknown, w)
		}
	}
	// plex.tv ignores scope words it does not know, so they refuse nothing; but they show a
	// misunderstanding that does explain refusals, and plexkit will not send them.
	switch {
	case len(roles) > 0:
		detail["roles"] = roles
		return warn(fmt.Sprintf("the scope asks for %s, which are not scopes: %s. plex.tv ignores the unknown words and issues the same token", strings.Join(roles, ", "), rolesVsScopes),
			"drop them from scope; to act as admin on a server, use a token of the account that owns it (the server's accessToken from /api/v2/resources)", detail)
	case len(unknown) > 0:
		detail["unknown"] = unknown
		cause := fmt.Sprintf("the scope holds %s, which plex.tv does not define and ignores: no claim is released for it", strings.Join(unknown, ", "))
		for _, w := range unknown {
			for _, known := range devicekey.Scopes {
				if strings.EqualFold(w, known) {
					cause += fmt.Sprintf("; scopes are case-sensitive: %q, not %q", known, w)
				}
			}
		}
		return warn(cause, "use only "+strings.Join(devicekey.Scopes, ", "), detail)
	default:
		return pass("scope "+strings.Join(words, ",")+": claims to release into the Plex JWT (no permission; roles on servers come from whose token it is)", detail)
	}
}

func (r *run) checkDeviceJWTClaims() *Finding {
	v := viewOf(r.deviceJWT)
	now := r.now()
	cid := r.clientID()
	detail := map[string]any{"aud": v.Audience, "iss": v.Issuer, "issuedAt": v.IssuedAt, "expiresAt": v.Expiry}
	var problems, notes []string
	if !slices.Contains(v.Audience, deviceJWTAudience) {
		problems = append(problems, fmt.Sprintf("aud must be %q (it is %v)", deviceJWTAudience, v.Audience))
	}
	switch {
	case v.Issuer == "":
		problems = append(problems, "iss must be the client identifier (it is empty)")
	case r.in.Device != nil && v.Issuer != cid:
		notes = append(notes, fmt.Sprintf("iss %s is not this installation's client identifier %s: it must equal the X-Plex-Client-Identifier the request carries", v.Issuer, cid))
	}
	switch {
	case v.Expiry.IsZero():
		problems = append(problems, "exp is missing")
	case !now.Before(v.Expiry):
		problems = append(problems, fmt.Sprintf("it expired at %s (%s)", v.Expiry.UTC().Format(time.RFC3339), ago(now, v.Expiry)))
	}
	if v.IssuedAt.IsZero() {
		problems = append(problems, "iat is missing")
	} else if v.IssuedAt.After(now.Add(time.Minute)) {
		problems = append(problems, fmt.Sprintf("iat is %s: the signing device's clock is ahead; Plex asks for an accurate clock", ago(now, v.IssuedAt)))
	}
	if !v.IssuedAt.IsZero() && !v.Expiry.IsZero() {
		life := v.Expiry.Sub(v.IssuedAt)
		detail["lifetimeSeconds"] = int64(life / time.Second)
		if life > longLifetime {
			notes = append(notes, fmt.Sprintf("it lives %s (exp − iat): plex.tv has accepted that, but a device JWT is a credential; sign one per request with a short life (%s)", life, usualLifetime))
		}
	}
	if v.Nonce == "" {
		notes = append(notes, "it carries no nonce: fine for a PIN poll, but a refresh (POST /api/v2/auth/token) needs one from GET /api/v2/auth/nonce")
	}
	switch {
	case len(problems) > 0:
		return fail("plex.tv would refuse it: "+strings.Join(append(problems, notes...), "; "),
			"sign a new device JWT for each request: header kid and alg EdDSA; claims aud \"plex.tv\", iss the client identifier, iat now, exp a few minutes later, nonce for a refresh", detail)
	case len(notes) > 0:
		return warn(strings.Join(notes, "; "), "sign a new device JWT for each request with a short life, as plexkit does", detail)
	default:
		return pass(fmt.Sprintf("aud plex.tv, iss %s, valid until %s", v.Issuer, v.Expiry.UTC().Format(time.RFC3339)), detail)
	}
}
