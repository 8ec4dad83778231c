package emulator_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// devices lists username's /devices.xml by client identifier.
func devices(t testing.TB, e *emulator.Emulator, username string) map[string]*node {
	t.Helper()
	root := wantRoot(t, wantXML(t, get(t, e, "/devices.xml", username, "-"), 200), "MediaContainer")
	out := map[string]*node{}
	for _, d := range root.kids("Device") {
		wantAttrs(t, d, "name", "publicAddress", "product", "productVersion", "platform", "platformVersion", "device",
			"model", "vendor", "provides", "clientIdentifier", "version", "id", "token", "createdAt", "lastSeenAt",
			"screenResolution", "screenDensity")
		out[d.Attrs["clientIdentifier"]] = d
	}
	if root.Attrs["size"] != strconv.Itoa(len(out)) {
		t.Errorf("size %q for %d devices", root.Attrs["size"], len(out))
	}
	return out
}

func TestDevices(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	jwtDev := newDevice(t)
	jwtTok := linkViaPin(t, e, jwtDev, "alice")
	legacy := wantJSON(t, do(t, e, req{method: "POST", url: "/api/v2/users/signin", cid: "alice-tv",
		form:   url.Values{"login": {"alice"}, "password": {emulator.AlicePassword}},
		header: http.Header{"X-Plex-Product": {"Plex for TV"}, "X-Plex-Device-Name": {"Living room"}, "X-Plex-Platform": {"webOS"}}}), 201)
	legacyTok := obj(t, legacy)["authToken"].(string)

	list := devices(t, e, "alice")
	nas := list[serverMachineID(t, e, emulator.ServerAliceNAS)]
	conns := 0
	for _, r := range resources(t, e, e.LegacyToken("alice"), "?includeHttps=1&includeRelay=1") {
		if r.Name == emulator.ServerAliceNAS {
			conns = len(r.Connections)
		}
	}
	if nas == nil || nas.Attrs["provides"] != "server" || len(nas.kids("Connection")) != conns || nas.Attrs["token"] != accessTokens(t, e, "alice")[emulator.ServerAliceNAS] {
		t.Fatalf("alice-nas in devices.xml: %+v", nas)
	}
	tv := list["alice-tv"]
	if tv == nil || tv.Attrs["product"] != "Plex for TV" || tv.Attrs["name"] != "Living room" || tv.Attrs["platform"] != "webOS" || tv.Attrs["token"] != legacyTok {
		t.Fatalf("signed-in device: %+v", tv)
	}
	if list[jwtDev.cid] == nil {
		t.Fatal("the JWT device is not listed")
	}
	if len(devices(t, e, "bob")) != 0 {
		t.Error("bob sees devices he has none of")
	}

	t.Run("rename", func(t *testing.T) {
		res := do(t, e, req{method: "PUT", url: "/devices/" + tv.Attrs["id"] + ".xml?name=Bedroom", cid: "c", token: e.LegacyToken("alice")})
		if res.status != 200 || devices(t, e, "alice")["alice-tv"].Attrs["name"] != "Bedroom" {
			t.Errorf("rename: %d %s", res.status, res.body)
		}
	})
	t.Run("another account cannot remove it", func(t *testing.T) {
		res := do(t, e, req{method: "DELETE", url: "/devices/" + tv.Attrs["id"] + ".xml", cid: "c", token: e.LegacyToken("bob"), accept: "-"})
		if res.status != 404 {
			t.Errorf("bob deleting alice's device: %d", res.status)
		}
		res = do(t, e, req{method: "DELETE", url: "/devices/" + nas.Attrs["id"] + ".xml", cid: "c", token: e.LegacyToken("alice"), accept: "-"})
		if res.status != 422 {
			t.Errorf("deleting a server: %d", res.status)
		}
	})
	t.Run("delete revokes", func(t *testing.T) {
		for _, d := range []struct {
			id, cid, tok string
		}{{tv.Attrs["id"], "alice-tv", legacyTok}, {list[jwtDev.cid].Attrs["id"], jwtDev.cid, jwtTok}} {
			if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: d.tok}); res.status != 200 {
				t.Fatalf("before delete: %d", res.status)
			}
			if res := do(t, e, req{method: "DELETE", url: "/devices/" + d.id + ".xml", cid: "c", token: e.LegacyToken("alice"), accept: "-"}); res.status != 200 {
				t.Fatalf("delete: %d %s", res.status, res.body)
			}
			wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: d.tok}), 401, emulator.CodeUnauthorized, "")
			if devices(t, e, "alice")[d.cid] != nil {
				t.Errorf("%s still listed", d.cid)
			}
		}
		n := getNonce(t, e, jwtDev)
		wantError(t, exchange(t, e, jwtDev.cid, jwtDev.deviceJWT(t, e.Now(), n)), 401, emulator.CodeJWKMissing, "removed from Authorized Devices")
	})
}

// TestDeviceTakeover: a device belongs to one account. bob, with his own token and alice's
// client identifier, can neither register his key for it nor claim a PIN that carries it; alice's
// device, JWTs and refreshes keep working.
func TestDeviceTakeover(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	alice := newDevice(t)
	aliceJWT := linkViaPin(t, e, alice, "alice")
	stillAlice := func(t *testing.T) {
		t.Helper()
		u := decode[userBody](t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: alice.cid, token: aliceJWT}), 200)
		if u.Username != "alice" {
			t.Fatalf("alice's JWT now belongs to %s", u.Username)
		}
		if tok := verifyPlexJWT(t, e, refresh(t, e, alice)); tok.User["username"] != "alice" {
			t.Fatalf("alice's refresh gave %v", tok.User)
		}
	}

	bob := newDevice(t)
	bob.cid = alice.cid
	t.Run("JWK registration", func(t *testing.T) {
		res := do(t, e, req{method: "POST", url: "/api/v2/auth/jwk", cid: alice.cid, token: e.LegacyToken("bob"),
			json: map[string]any{"jwk": bob.jwkJSON(t)}})
		wantError(t, res, 422, emulator.CodeDeviceTaken, "belongs to another account")
		stillAlice(t)
	})
	t.Run("PIN", func(t *testing.T) {
		p := pinWithJWK(t, e, bob, true)
		if err := e.ClaimPin(p.Code, "bob"); err != nil {
			t.Fatal(err)
		}
		wantError(t, pollPin(t, e, alice.cid, p.ID, bob.deviceJWT(t, e.Now(), "")), 422, emulator.CodeDeviceTaken, "belongs to another account")
		stillAlice(t)
	})
	t.Run("the same account may re-register", func(t *testing.T) {
		again := newDevice(t)
		again.cid = alice.cid
		res := do(t, e, req{method: "POST", url: "/api/v2/auth/jwk", cid: alice.cid, token: e.LegacyToken("alice"),
			json: map[string]any{"jwk": again.jwkJSON(t)}})
		if res.status != http.StatusCreated {
			t.Fatalf("alice re-registering her device: %d %s", res.status, res.body)
		}
	})
}
