package doctor

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/plextv"
)

// tokenKind is what an account token looks like.
type tokenKind int

const (
	kindNone tokenKind = iota
	kindJWT
	kindLegacy
)

func (k tokenKind) String() string {
	switch k {
	case kindJWT:
		return "Plex JWT"
	case kindLegacy:
		return "legacy token"
	}
	return "no token"
}

// legacyShape is what a legacy token looks like: plex.tv issues 20 characters of letters, digits,
// - and _; the bounds leave room for older or other issuers without calling any text a token.
var legacyShape = regexp.MustCompile(`^[A-Za-z0-9_-]{12,64}$`)

// The fixes that several checks give.
const (
	fixLogin   = "log in: `plexkit login` registers this device's key with the account (approve the PIN in a browser) and stores a Plex JWT"
	fixRefresh = "refresh it: a Plex JWT may be refreshed at any time, even after it expired — a nonce (GET /api/v2/auth/nonce), a device JWT signed by the registered device key, POST /api/v2/auth/token; `plexkit token --refresh` does it"
)

func (r *run) checkTokenKind() *Finding {
	tok := r.in.Token
	switch {
	case tok == "":
		return fail("no token: this installation holds no Plex JWT and none was given",
			fixLogin+"; or pass the token the refused call used with --token", nil)
	case strings.Count(tok, ".") == 2:
		r.kind = kindJWT
		return pass("a Plex JWT (the 7-day token plex.tv issues in exchange for a device JWT)",
			map[string]any{"kind": "jwt"})
	case !legacyShape.MatchString(tok):
		return fail(fmt.Sprintf("not a Plex token (%d characters): neither a Plex JWT (three base64url parts joined by dots) nor a legacy token (about 20 letters, digits, - and _)", len(tok)),
			"pass the exact value your program sent in X-Plex-Token (`--token -` reads it from stdin, without quotes or a trailing newline)", map[string]any{"kind": "unknown"})
	default:
		r.kind = kindLegacy
		return warn(fmt.Sprintf("a legacy token (%d characters, not a JWT): it carries no expiry and no device binding, and Plex expires it once its device has refreshed its first Plex JWT", len(tok)),
			"move to the JWT flow: `plexkit login --legacy-token` registers a device key with it and gets the first Plex JWT; keep the key, not the legacy token",
			map[string]any{"kind": "legacy"})
	}
}

func (r *run) checkTokenDecodes() *Finding {
	if r.kind != kindJWT {
		return nil
	}
	d, err := plextv.DecodeUnverified(r.in.Token)
	if err != nil {
		return fail("the token looks like a JWT but does not decode: "+r.scrub(err.Error()),
			"pass the whole token, exactly as plex.tv issued it (three base64url parts separated by dots)", nil)
	}
	r.decoded = d
	v := viewOf(d)
	detail := map[string]any{"alg": v.Alg, "kid": v.KeyID, "iss": v.Issuer, "aud": v.Audience}
	if v.Username != "" {
		detail["username"] = v.Username
	}
	if v.UserID != 0 {
		detail["userID"] = v.UserID
	}
	who := "an account"
	if v.Username != "" {
		who = "account " + v.Username
	} else if v.UserID != 0 {
		who = fmt.Sprintf("account id %d", v.UserID)
	}
	return pass(fmt.Sprintf("issued by %s for %s (header alg %s, kid %s)", orUnknown(v.Issuer), who, orUnknown(v.Alg), orUnknown(v.KeyID)), detail)
}

func (r *run) checkTokenSignature() *Finding {
	_, err := r.in.PlexTV.Verifier().Verify(r.ctx, r.in.Token, plextv.Expect{})
	v := viewOf(r.decoded)
	switch {
	case err == nil, errors.Is(err, plextv.ErrTokenExpired):
		// An expired token has a good signature; its expiry is the next check's finding.
		return pass(fmt.Sprintf("signed by plex.tv: key %s is in plex.tv's key set (GET /api/v2/auth/keys)", orUnknown(v.KeyID)), nil)
	case errors.Is(err, plextv.ErrNotYetValid):
		return warn(fmt.Sprintf("signed by plex.tv (key %s), but issued in the future by this machine's clock: %s", orUnknown(v.KeyID), r.scrub(err.Error())),
			"set this machine's clock right (NTP); Plex asks clients to keep an accurate clock", nil)
	case errors.Is(err, plextv.ErrUnknownKey):
		return fail(fmt.Sprintf("signed with key %s, which plex.tv does not publish (GET /api/v2/auth/keys): this token was not issued by the plex.tv this client talks to (%s)", orUnknown(v.KeyID), r.in.PlexTV.BaseURL()),
			"use a token issued by this plex.tv; a token from another service (or from the emulator, or the real plex.tv) is refused everywhere here", nil)
	case errors.Is(err, plextv.ErrBadSignature):
		return fail("the signature does not match plex.tv's key: the token was altered or forged",
			"use the token exactly as plex.tv issued it; to get a new one, refresh with the device key ("+"`plexkit token --refresh`)", nil)
	case errors.Is(err, plextv.ErrBadAlgorithm):
		return fail(fmt.Sprintf("signed with algorithm %s, which plex.tv does not use for Plex JWTs (EdDSA)", orUnknown(v.Alg)),
			"use a token issued by plex.tv", nil)
	case errors.Is(err, plextv.ErrWrongIssuer), errors.Is(err, plextv.ErrWrongAudience), errors.Is(err, plextv.ErrMalformed):
		return fail("not a Plex JWT as plex.tv issues them: "+r.scrub(err.Error()),
			"use a token issued by plex.tv (POST /api/v2/auth/token or an approved PIN)", nil)
	default:
		return warn("could not fetch plex.tv's keys to check the signature: "+r.scrub(err.Error()),
			"check that plex.tv is reachable", nil)
	}
}

func (r *run) checkTokenExpiry() *Finding {
	v := viewOf(r.decoded)
	now := r.now()
	detail := map[string]any{"issuedAt": v.IssuedAt, "expiresAt": v.Expiry}
	switch {
	case v.Expiry.IsZero():
		return fail("the token has no exp claim; every Plex JWT carries one", "use a token issued by plex.tv", detail)
	case !now.Before(v.Expiry):
		return fail(fmt.Sprintf("the Plex JWT expired at %s (%s): plex.tv and servers answer 498 (token expired) to it", v.Expiry.UTC().Format(time.RFC3339), ago(now, v.Expiry)),
			fixRefresh, detail)
	case v.Expiry.Sub(now) < auth.DefaultRefreshBefore:
		return warn(fmt.Sprintf("the Plex JWT expires at %s (%s): it is due for refresh", v.Expiry.UTC().Format(time.RFC3339), ago(now, v.Expiry)),
			fixRefresh, detail)
	default:
		return pass(fmt.Sprintf("valid until %s (%s)", v.Expiry.UTC().Format(time.RFC3339), ago(now, v.Expiry)), detail)
	}
}

func (r *run) checkTokenThumbprint() *Finding {
	v := viewOf(r.decoded)
	cid := r.clientID()
	detail := map[string]any{"thumbprint": v.Thumbprint, "clientIdentifier": cid}
	if r.in.Device == nil {
		return skip("this installation has no device key to compare the token's thumbprint with")
	}
	kid := r.in.Device.Key.KID()
	detail["deviceKid"] = kid
	switch {
	case v.Thumbprint == "":
		return warn("the token has no thumbprint claim, so it is bound to no device key: it cannot be refreshed by this device",
			"log in with this device (`plexkit login`) to get a token bound to its key", detail)
	case v.Thumbprint != kid:
		return warn(fmt.Sprintf("the token is bound to the device key %s, not to this device's key %s: another device got it, and only that device can refresh it", v.Thumbprint, kid),
			"let each installation log in with its own device key; this one: `plexkit login`", detail)
	case len(v.Audience) > 0 && !slices.Contains(v.Audience, cid):
		return warn(fmt.Sprintf("the token's thumbprint is this device's key, but its audience %v does not name this installation's client identifier %s", v.Audience, cid),
			"send the client identifier the device was registered with (X-Plex-Client-Identifier)", detail)
	default:
		return pass(fmt.Sprintf("bound to this device: the thumbprint is this device's key id %s, issued for client identifier %s", kid, cid), detail)
	}
}

func (r *run) checkPlexTVAccepts() *Finding {
	u, err := r.in.PlexTV.Users.Me(r.ctx, r.in.Token)
	if err == nil {
		r.accepted = u
		return pass(fmt.Sprintf("GET /api/v2/user answers for account %s (id %d)", u.Username, u.ID),
			map[string]any{"username": u.Username, "userID": u.ID, "uuid": u.UUID})
	}
	status := plexkit.StatusOf(err)
	detail := map[string]any{"status": status}
	refused := errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrUnprocessable)
	switch {
	case errors.Is(err, plexkit.ErrDeviceRevoked) || refused && r.ownDevice() && errors.Is(r.registration(), plexkit.ErrDeviceRevoked):
		return fail(fmt.Sprintf("plex.tv refuses the token (%d): the device it was issued to was removed from the account's Authorized Devices, which ends its key and every token it got (a refresh with the key is refused too: jwk missing)", status),
			"log in again: `plexkit login` registers the device key anew", detail)
	case errors.Is(err, plexkit.ErrTokenExpired):
		return fail("plex.tv answers 498: the Plex JWT has expired", fixRefresh, detail)
	case refused && r.kind == kindLegacy:
		cause := fmt.Sprintf("plex.tv refuses this legacy token (%d): Plex expires a device's legacy token once the device has refreshed its first Plex JWT — after that only the JWT works; a password reset or \"sign out of all devices\" also ends it", status)
		if r.in.Device != nil && r.registration() == nil {
			cause += fmt.Sprintf(". This installation's device key is registered (client identifier %s): it has moved to Plex JWTs", r.in.Device.ClientIdentifier)
		}
		return fail(cause, "use the Plex JWT this device got instead (`plexkit token` prints it and refreshes it with the device key); without a device key, log in: `plexkit login`", detail)
	case refused && r.ownDevice() && r.registration() == nil:
		return fail(fmt.Sprintf("plex.tv refuses this Plex JWT (%d) although this device is still registered: the token was revoked — the password was reset or the account signed out of all devices", status),
			fixRefresh, detail)
	case refused:
		return fail(fmt.Sprintf("plex.tv refuses this Plex JWT (%d): it was revoked — its device was removed from Authorized Devices, the password was reset, or the account signed out of all devices", status),
			"refresh with the device key (`plexkit token --refresh`); if plex.tv refuses that too, log in again: `plexkit login`", detail)
	default:
		if plexkit.StatusOf(err) == 0 {
			detail["unreachable"] = true
		}
		return fail("could not ask plex.tv about the token: "+r.scrub(err.Error()),
			"check that plex.tv ("+r.in.PlexTV.BaseURL()+") is reachable and try again", detail)
	}
}

// ownDevice reports whether the token is a Plex JWT bound to this installation's device key.
func (r *run) ownDevice() bool {
	return r.in.Device != nil && r.decoded != nil && viewOf(r.decoded).Thumbprint == r.in.Device.Key.KID()
}

// registration asks plex.tv, once, whether it still knows the device's key: it refreshes with
// it (a nonce and an exchange) and throws the new token away.
func (r *run) registration() error {
	if !r.regDone {
		r.regDone = true
		_, r.regErr = plextv.NewJWTSource(r.in.PlexTV, r.in.Device, nil).Token(r.ctx)
	}
	return r.regErr
}

func (r *run) checkDeviceRegistered() *Finding {
	dev := r.in.Device
	if dev == nil {
		return skip("this installation has no device key (no `plexkit login` yet), so there is no registration to check")
	}
	cid, kid := dev.ClientIdentifier, dev.Key.KID()
	detail := map[string]any{"clientIdentifier": cid, "kid": kid}
	if r.accepted != nil && r.ownDevice() {
		return pass(fmt.Sprintf("plex.tv accepts a token bound to this device's key %s (client identifier %s), so the key is registered", kid, cid), detail)
	}
	if r.accepted != nil {
		// The account token works on plex.tv, so the diagnosis does not depend on the device's
		// registration, and asking costs a nonce and an exchange — which on Plex also ends a
		// legacy token the device registered its key with.
		return skip(fmt.Sprintf("not checked: plex.tv accepts the account token, which is not bound to this device's key %s, so the diagnosis does not depend on the device; checking would take a refresh with the key (a nonce and an exchange), which counts against plex.tv's rate limit and ends a legacy token the device registered with", kid))
	}
	err := r.registration()
	if err == nil {
		return pass(fmt.Sprintf("plex.tv exchanged a device JWT signed by this device's key %s for a Plex JWT: the key is registered to client identifier %s", kid, cid), detail)
	}
	detail["status"] = plexkit.StatusOf(err)
	switch {
	case errors.Is(err, plexkit.ErrDeviceRevoked) && r.pinPending:
		return fail(fmt.Sprintf("plex.tv has no key for client identifier %s (jwk missing, code 1097): the device is not registered yet, because the PIN that carries its key has not been approved", cid),
			"approve the PIN (see above); plex.tv registers the key when a person approves it", detail)
	case errors.Is(err, plexkit.ErrDeviceRevoked) && r.ownDevice():
		return fail(fmt.Sprintf("plex.tv no longer knows this device's key (jwk missing, code 1097): the device (client identifier %s) was removed from the account's Authorized Devices, though plex.tv once issued it the token above", cid),
			"log in again: `plexkit login` registers the key anew", detail)
	case errors.Is(err, plexkit.ErrDeviceRevoked):
		return fail(fmt.Sprintf("plex.tv has no key for client identifier %s (jwk missing, code 1097): the device was never registered (no approved PIN, no registration with a legacy token) or it was removed from the account's Authorized Devices", cid),
			"log in: `plexkit login` registers the key", detail)
	case errors.Is(err, plexkit.ErrUnprocessable) || errors.Is(err, plexkit.ErrUnauthorized):
		return fail(fmt.Sprintf("plex.tv refuses device JWTs signed by this device's key %s (%d): the key registered for client identifier %s is another one, or none was ever registered", kid, plexkit.StatusOf(err), cid),
			"log in (`plexkit login`) so that plex.tv registers this key for this client identifier; keep the identifier and the key together", detail)
	case errors.Is(err, plexkit.ErrRateLimited):
		return warn("plex.tv rate-limited the check (429); it could not tell whether the key is registered", "try again in a minute", detail)
	default:
		return warn("could not ask plex.tv whether the key is registered: "+r.scrub(err.Error()),
			"check that plex.tv is reachable and that this client sends the device's client identifier", detail)
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// accountToken is the account token as a token source for plex.tv calls.
func (r *run) accountToken() auth.TokenSource {
	k := auth.KindPlexJWT
	if r.kind == kindLegacy {
		k = auth.KindLegacy
	}
	return auth.StaticTokenSource(&auth.Token{Value: r.in.Token, Kind: k, ClientIdentifier: r.clientID()})
}
