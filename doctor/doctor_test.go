package doctor_test

import (
	"context"
	"errors"
	"github.com/plexkit/plexkit/internal/testutil"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// Each test below builds one of the situations the doctor must explain, with the real clients
// and the emulator's controls, and checks that the right check fails for the right reason.

func TestHealthy(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas"}, serverTokens(t, c, tok)...)
	if !rep.OK {
		t.Fatalf("alice's sessions on her own server are refused:\n%s", text(rep))
	}
	for _, check := range []string{
		doctor.CheckTokenKind, doctor.CheckTokenDecodes, doctor.CheckTokenSignature, doctor.CheckTokenExpiry,
		doctor.CheckTokenThumbprint, doctor.CheckPlexTVAccepts, doctor.CheckDeviceRegistered, doctor.CheckServerListed,
		doctor.CheckServerToken, doctor.CheckConnections, doctor.CheckServerAcceptsTokens, doctor.CheckRole, doctor.CheckCall,
	} {
		expect(t, rep, check, doctor.Pass)
	}
	expect(t, rep, doctor.CheckRole, doctor.Pass, "admin")
	// The emulator lists dead connections besides the live one: the doctor tells them apart.
	f := expect(t, rep, doctor.CheckConnections, doctor.Pass, server(t, e, "alice-nas").URL, "not answering")
	if f.Detail["answered"] != 2 {
		t.Errorf("answered = %v, want 2 (the live local and remote connections)", f.Detail["answered"])
	}
	// Checks run in the documented order.
	var order []string
	for _, f := range rep.Findings {
		order = append(order, f.Check)
	}
	want := []string{doctor.CheckTokenKind, doctor.CheckTokenDecodes, doctor.CheckTokenSignature, doctor.CheckTokenExpiry,
		doctor.CheckTokenThumbprint, doctor.CheckPlexTVAccepts, doctor.CheckDeviceRegistered, doctor.CheckServerListed,
		doctor.CheckServerToken, doctor.CheckConnections, doctor.CheckServerAcceptsTokens, doctor.CheckRole, doctor.CheckCall}
	if len(order) != len(want) {
		t.Fatalf("checks = %q, want %q", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("checks = %q, want %q", order, want)
		}
	}
}

// Case 1: a device JWT whose scope asks for roles.
func TestCaseScopeAsksForRole(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	login(t, e, c, dev.Device, "bob")
	ctx := context.Background()

	// bob's program asks for admin in the scope, as people do; plex.tv ignores the words.
	nonce, err := c.Auth.Nonce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := e.Now()
	djwt := dev.sign(t, dev.Key.KID(), map[string]any{
		"nonce": nonce, "scope": "username,admin,shared_user", "aud": "plex.tv",
		"iss": dev.ClientIdentifier, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	})
	tok, err := c.Auth.Exchange(ctx, djwt)
	if err != nil {
		t.Fatalf("plex.tv refused the device JWT with role words in its scope (it is lenient there): %v", err)
	}

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Pasted: true, DeviceJWT: djwt, Server: "alice-nas"})
	f := expect(t, rep, doctor.CheckDeviceJWTScopes, doctor.Warn, "admin", "shared_user", "role", "no scope can change it")
	if roles, _ := f.Detail["roles"].([]string); len(roles) != 2 {
		t.Errorf("roles = %v, want admin and shared_user", f.Detail["roles"])
	}
	// The token plex.tv issued is fine; the refusal is the role, which the scope did not change.
	expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Pass, "bob")
	expect(t, rep, doctor.CheckRole, doctor.Fail, "admin", "shared user", "no scope")
	expect(t, rep, doctor.CheckDeviceJWTKeyID, doctor.Pass)
	expect(t, rep, doctor.CheckDeviceJWTSignature, doctor.Pass)
	if got := rep.FirstFailure(); got == nil || got.Check != doctor.CheckRole {
		t.Errorf("first failure = %+v, want the role: the scope changed nothing", got)
	}

	t.Run("other words", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			scope string
			words []string
		}{
			{"username,joinedat", []string{"joinedat", `"joinedAt", not "joinedat"`}},
			{"username,friends", []string{"friends", "ignores"}},
		} {
			djwt := dev.sign(t, dev.Key.KID(), map[string]any{
				"scope": tc.scope, "aud": "plex.tv", "iss": dev.ClientIdentifier,
				"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
			})
			rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, DeviceJWT: djwt})
			expect(t, rep, doctor.CheckDeviceJWTScopes, doctor.Warn, tc.words...)
			// Without a nonce the device JWT does for a PIN poll, not for a refresh.
			expect(t, rep, doctor.CheckDeviceJWTClaims, doctor.Warn, "no nonce")
		}
	})
}

// Case 2: a device JWT whose kid is the client identifier.
func TestCaseKidIsClientIdentifier(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	ctx := context.Background()

	nonce, err := c.Auth.Nonce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	now := e.Now()
	djwt := dev.sign(t, dev.ClientIdentifier, map[string]any{
		"nonce": nonce, "scope": "username", "aud": "plex.tv",
		"iss": dev.ClientIdentifier, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	})
	// The situation is real: plex.tv refuses this device JWT.
	if _, err := c.Auth.Exchange(ctx, djwt); !errors.Is(err, plexkit.ErrUnprocessable) {
		t.Fatalf("exchange of a device JWT with kid = client identifier: %v, want 422", err)
	}

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, DeviceJWT: djwt, Server: "alice-nas"})
	f := expect(t, rep, doctor.CheckDeviceJWTKeyID, doctor.Fail, "kid is your client identifier", "RFC 7638 thumbprint", "422")
	if f.Detail["kid"] != dev.ClientIdentifier {
		t.Errorf("detail kid = %v, want the client identifier", f.Detail["kid"])
	}
	if got := rep.FirstFailure(); got == nil || got.Check != doctor.CheckDeviceJWTKeyID {
		t.Errorf("first failure = %+v, want the kid", got)
	}
	// The scopes are fine: the kid alone is the problem.
	expect(t, rep, doctor.CheckDeviceJWTScopes, doctor.Pass)
}

// Case 3: a PIN nobody approved.
func TestCasePinNeverApproved(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	jwk := dev.Key.PublicJWK()
	pin, err := c.Pins.Create(context.Background(), plextv.PinOptions{Strong: true, JWK: &jwk})
	if err != nil {
		t.Fatal(err)
	}

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, PinID: pin.ID})
	f := expect(t, rep, doctor.CheckPin, doctor.Fail, "not been approved", pin.Code)
	if rep.FirstFailure().Check != doctor.CheckPin {
		t.Errorf("first failure = %q, want the PIN", rep.FirstFailure().Check)
	}
	if f.Detail["pinID"] != pin.ID {
		t.Errorf("detail = %v", f.Detail)
	}
	// Without an approved PIN there is no token, and the server checks cannot run.
	expect(t, rep, doctor.CheckTokenKind, doctor.Fail, "no token")
	expect(t, rep, doctor.CheckDeviceRegistered, doctor.Fail, "not registered yet", "not been approved")
	expect(t, rep, doctor.CheckServerListed, doctor.Skip)

	t.Run("once approved it passes", func(t *testing.T) {
		if err := e.ClaimPin(pin.Code, "alice"); err != nil {
			t.Fatal(err)
		}
		rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, PinID: pin.ID})
		expect(t, rep, doctor.CheckPin, doctor.Pass, "approved")
	})
}

// Case 4: a friend calling an admin-only operation. Plex does not document whether a server
// answers 401 or 403 there; the diagnosis is the same.
func TestCaseFriendCallsAdminOperation(t *testing.T) {
	t.Parallel()
	for _, status := range []int{401, 403} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			e := startEmulatorWith(t, emulator.Options{SharedAdminStatus: status})
			dev, c, tok := signedIn(t, e, "bob")

			rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas"}, serverTokens(t, c, tok)...)
			expect(t, rep, doctor.CheckServerListed, doctor.Pass, "shared with this account by alice")
			role := expect(t, rep, doctor.CheckRole, doctor.Fail, "/status/sessions", "admin", "shared user", "no scope")
			if role.Detail["needs"] != "admin" || role.Detail["has"] != "shared user" {
				t.Errorf("role detail = %v", role.Detail)
			}
			call := expect(t, rep, doctor.CheckCall, doctor.Fail, strconv.Itoa(status), "as the role predicts", "no scope")
			if call.Detail["status"] != status {
				t.Errorf("call detail = %v", call.Detail)
			}
			if got := rep.FirstFailure(); got.Check != doctor.CheckRole {
				t.Errorf("first failure = %q, want the role", got.Check)
			}

			rep = diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", Path: "/status/sessions/history/all"})
			if !rep.OK {
				t.Errorf("bob's own history is refused:\n%s", text(rep))
			}
			expect(t, rep, doctor.CheckRole, doctor.Pass, "shared user")
		})
	}
}

// Case 5: an expired Plex JWT.
func TestCaseExpiredJWT(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	e.Advance(8 * 24 * time.Hour)

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas"})
	expect(t, rep, doctor.CheckTokenSignature, doctor.Pass)
	f := expect(t, rep, doctor.CheckTokenExpiry, doctor.Fail, "expired", "498", "24 hours ago")
	if f.Detail["expiresAt"] == nil {
		t.Errorf("detail = %v", f.Detail)
	}
	expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Fail, "498")
	// The device can refresh: the fix works.
	expect(t, rep, doctor.CheckDeviceRegistered, doctor.Pass, "exchanged")
	expect(t, rep, doctor.CheckServerListed, doctor.Skip)
}

// Case 6: a server that accepts only its own access token.
func TestCaseServerRejectsAccountJWT(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	if server(t, e, "alice-vault").AcceptsAccountJWT {
		t.Fatal("the emulator's alice-vault accepts the account JWT; the test needs one that does not")
	}

	for _, tc := range []struct {
		name   string
		pasted bool
		status doctor.Status
		ok     bool
	}{
		{"a program that sends the account JWT", true, doctor.Fail, false},
		{"plexkit, which sends the server token", false, doctor.Warn, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Pasted: tc.pasted, Server: "alice-vault"}, serverTokens(t, c, tok)...)
			f := expect(t, rep, doctor.CheckServerAcceptsTokens, tc.status, "refuses the account's Plex JWT", "own accessToken", "/api/v2/resources")
			if f.Detail["accountTokenStatus"] != 401 || f.Detail["serverTokenStatus"] != 200 {
				t.Errorf("detail = %v", f.Detail)
			}
			expect(t, rep, doctor.CheckServerToken, doctor.Pass, "accessToken")
			expect(t, rep, doctor.CheckCall, doctor.Pass, "alice-vault's accessToken")
			if rep.OK != tc.ok {
				t.Errorf("OK = %v, want %v", rep.OK, tc.ok)
			}
		})
	}
}

// Case 7: a legacy token used after the device's first JWT refresh.
func TestCaseLegacyTokenAfterRefresh(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	legacy := e.LegacyToken("alice")
	if _, err := plextv.LoginWithLegacyToken(context.Background(), c, dev.Device, legacy, nil); err != nil {
		t.Fatal(err)
	}

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: legacy, Pasted: true, Server: "alice-nas"})
	expect(t, rep, doctor.CheckTokenKind, doctor.Warn, "legacy token")
	expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Fail, "legacy token", "first Plex JWT")
	expect(t, rep, doctor.CheckDeviceRegistered, doctor.Pass)
	if rep.Find(doctor.CheckTokenDecodes) != nil {
		t.Error("a legacy token got a decode finding; it is opaque")
	}
}

// Case 8: a device removed from Authorized Devices.
func TestCaseRevokedDevice(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	e.RevokeDevice(dev.ClientIdentifier)

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas"})
	expect(t, rep, doctor.CheckTokenSignature, doctor.Pass)
	expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Fail, "Authorized Devices")
	f := expect(t, rep, doctor.CheckDeviceRegistered, doctor.Fail, "removed from the account's Authorized Devices", dev.ClientIdentifier)
	if f.Fix == "" || !strings.Contains(f.Fix, "plexkit login") {
		t.Errorf("fix = %q, want a new login", f.Fix)
	}
}

// Case 9: an account with no access to the server.
func TestCaseNoAccess(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "dave")
	nas := server(t, e, "alice-nas")

	for _, tc := range []struct{ name, server string }{
		{"by name", "alice-nas"},
		{"by URL", nas.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: tc.server})
			expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Pass, "dave")
			expect(t, rep, doctor.CheckServerListed, doctor.Fail, "neither owned by this account nor shared with it")
			if got := rep.FirstFailure(); got.Check != doctor.CheckServerListed {
				t.Errorf("first failure = %q", got.Check)
			}
		})
	}
	t.Run("by URL, the server says who it is", func(t *testing.T) {
		t.Parallel()
		rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: nas.URL})
		expect(t, rep, doctor.CheckServerListed, doctor.Fail, nas.MachineIdentifier)
	})
	t.Run("without a server named", func(t *testing.T) {
		t.Parallel()
		rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok})
		expect(t, rep, doctor.CheckServerListed, doctor.Fail, "has no servers")
	})
}

// Case 10: a server that does not answer, or a wrong URL.
func TestCaseUnreachable(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	url := testutil.ClosedURL(t)

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: url})
	expect(t, rep, doctor.CheckServerListed, doctor.Warn, url)
	f := expect(t, rep, doctor.CheckConnections, doctor.Fail, "nothing answers", "connection refused", "URL is wrong")
	if f.Detail["answered"] != 0 {
		t.Errorf("detail = %v", f.Detail)
	}
	expect(t, rep, doctor.CheckCall, doctor.Skip, "connections")
	if rep.OK {
		t.Error("OK with an unreachable server")
	}
}

// Two servers and no choice: the doctor names them.
func TestServerChoiceNamed(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok})
	expect(t, rep, doctor.CheckServerListed, doctor.Fail, "alice-nas", "alice-vault")
}

// A call the doctor will not make: it judges it by role alone.
func TestUnsafeMethodNotCalled(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "bob")

	e.ResetStats()
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", Method: "delete", Path: "/library/sections/1"})
	expect(t, rep, doctor.CheckRole, doctor.Fail, "DELETE /library/sections/{sectionId}", "admin")
	expect(t, rep, doctor.CheckCall, doctor.Skip, "only makes GET and HEAD")
	for k, n := range e.Stats() {
		if strings.Contains(k, "DELETE") && n > 0 {
			t.Errorf("the doctor sent %s (%d)", k, n)
		}
	}
}

func TestNoClient(t *testing.T) {
	t.Parallel()
	rep := doctor.Run(context.Background(), doctor.Input{})
	if rep.OK || rep.FirstFailure() == nil {
		t.Fatalf("Run without a client = %+v", rep)
	}
}

// What the doctor says of device JWTs that a hand-written client got wrong.
func TestDeviceJWTChecks(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	other := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	now := e.Now()
	claims := func(change func(map[string]any)) map[string]any {
		m := map[string]any{"nonce": "n", "scope": "username", "aud": "plex.tv", "iss": dev.ClientIdentifier,
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		if change != nil {
			change(m)
		}
		return m
	}
	for _, tc := range []struct {
		name   string
		djwt   string
		check  string
		status doctor.Status
		words  []string
	}{
		{"a good one", dev.sign(t, dev.Key.KID(), claims(nil)), doctor.CheckDeviceJWTClaims, doctor.Pass, []string{"aud plex.tv"}},
		{"not a JWT", "not-a-jwt", doctor.CheckDeviceJWT, doctor.Fail, []string{"does not decode"}},
		{"expired", dev.sign(t, dev.Key.KID(), claims(func(m map[string]any) {
			m["iat"], m["exp"] = now.Add(-time.Hour).Unix(), now.Add(-50*time.Minute).Unix()
		})), doctor.CheckDeviceJWTClaims, doctor.Fail, []string{"expired", "50 minutes ago"}},
		{"wrong audience", dev.sign(t, dev.Key.KID(), claims(func(m map[string]any) { m["aud"] = "plex.com" })),
			doctor.CheckDeviceJWTClaims, doctor.Fail, []string{`aud must be "plex.tv"`}},
		{"no issuer", dev.sign(t, dev.Key.KID(), claims(func(m map[string]any) { delete(m, "iss") })),
			doctor.CheckDeviceJWTClaims, doctor.Fail, []string{"iss must be the client identifier"}},
		{"a clock ahead", dev.sign(t, dev.Key.KID(), claims(func(m map[string]any) {
			m["iat"], m["exp"] = now.Add(time.Hour).Unix(), now.Add(65*time.Minute).Unix()
		})), doctor.CheckDeviceJWTClaims, doctor.Fail, []string{"clock is ahead"}},
		{"a day-long life", dev.sign(t, dev.Key.KID(), claims(func(m map[string]any) { m["exp"] = now.Add(24 * time.Hour).Unix() })),
			doctor.CheckDeviceJWTClaims, doctor.Warn, []string{"lives 24h0m0s"}},
		{"no kid", dev.sign(t, "", claims(nil)), doctor.CheckDeviceJWTKeyID, doctor.Fail, []string{"no kid"}},
		{"another key's kid", dev.sign(t, other.Key.KID(), claims(nil)), doctor.CheckDeviceJWTKeyID, doctor.Fail, []string{other.Key.KID(), "not this device's key id"}},
		{"signed by another key", other.sign(t, dev.Key.KID(), claims(nil)), doctor.CheckDeviceJWTSignature, doctor.Fail, []string{"does not verify", "422"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, DeviceJWT: tc.djwt})
			expect(t, rep, tc.check, tc.status, tc.words...)
		})
	}
}

// A server behind a proxy that redirects: the doctor says so and the token never follows.
func TestRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")

	var reached atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached.Add(1) }))
	t.Cleanup(elsewhere.Close)
	live, err := url.Parse(server(t, e, "alice-nas").URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(live)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/identity" {
			proxy.ServeHTTP(w, r)
			return
		}
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(front.Close)

	// The front is not a connection plex.tv lists, so only a token the person passes goes there.
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Pasted: true, Server: front.URL}, serverTokens(t, c, tok)...)
	expect(t, rep, doctor.CheckServerListed, doctor.Pass, "alice-nas", "not one of the connections")
	expect(t, rep, doctor.CheckConnections, doctor.Pass, front.URL)
	expect(t, rep, doctor.CheckServerAcceptsTokens, doctor.Fail, "302", "redirect", "not followed")
	expect(t, rep, doctor.CheckCall, doctor.Fail, "302", "redirect")
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests followed the redirect", n)
	}
}

// A person who pastes a URL with its token in the query (--endpoint
// '/status/sessions?X-Plex-Token=…') must not see the token again in the report, as text or as
// JSON: the call's Detail names the path without its query.
func TestTokenInEndpointQueryNotShown(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev, c, tok := signedIn(t, e, "alice")
	const other = "qQ7legacyTok3nValue9" // a legacy-looking token no pattern recognises by shape
	for _, path := range []string{
		"/status/sessions?X-Plex-Token=" + tok,
		"/status/sessions?X-Plex-Token=" + other + "&x=1",
		"/status/sessions?a=1&" + "X-Plex-Token=" + other + "#frag",
	} {
		rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", Path: path},
			append(serverTokens(t, c, tok), other)...)
		f := rep.Find(doctor.CheckCall)
		if f == nil {
			t.Fatalf("no call finding for %q:\n%s", path, text(rep))
		}
		url, _ := f.Detail["url"].(string)
		if !strings.HasSuffix(url, "/status/sessions") {
			t.Errorf("Detail url = %q, want the path without its query", url)
		}
	}
}

// A legacy token plex.tv accepts, with a device that registered its key with that token but has
// not refreshed yet: asking whether the device is registered would take an exchange, which on
// Plex ends the legacy token. The doctor must not ask: the token keeps working afterwards, and
// plex.tv saw neither a nonce nor an exchange.
func TestRegistrationNotAskedWhenTokenAccepted(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	legacy := e.LegacyToken("alice")
	if err := c.Auth.RegisterJWK(context.Background(), legacy, dev.Key.PublicJWK()); err != nil {
		t.Fatal(err)
	}
	e.ResetStats()

	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: legacy, Pasted: true, Server: "alice-nas"})
	expect(t, rep, doctor.CheckPlexTVAccepts, doctor.Pass)
	expect(t, rep, doctor.CheckDeviceRegistered, doctor.Skip, "not checked", "plex.tv accepts the account token")
	for _, ep := range []string{"GET /api/v2/auth/nonce", "POST /api/v2/auth/token"} {
		if n := e.Stats()[ep]; n != 0 {
			t.Errorf("the doctor sent %s %d times", ep, n)
		}
	}
	if _, err := c.Users.Me(context.Background(), legacy); err != nil {
		t.Errorf("the legacy token no longer works after the diagnosis: %v", err)
	}
}

// The match search is PUT in the specification but GET on servers: the doctor finds its role
// for the GET a person or client sends, and explains a friend's refusal as the admin role's.
func TestCaseFriendSearchesMatches(t *testing.T) {
	t.Parallel()
	e := startEmulatorWith(t, emulator.Options{})
	dev, c, tok := signedIn(t, e, "bob")
	rep := diagnose(t, doctor.Input{PlexTV: c, Device: dev.Device, Token: tok, Server: "alice-nas", Path: "/library/metadata/1/matches"}, serverTokens(t, c, tok)...)
	role := expect(t, rep, doctor.CheckRole, doctor.Fail, "GET /library/metadata/{ids}/matches", "admin", "shared user")
	if role.Detail["needs"] != "admin" {
		t.Errorf("role detail = %v", role.Detail)
	}
	expect(t, rep, doctor.CheckCall, doctor.Fail, "401", "as the role predicts")
}
