package emulator_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// get sends a GET to plex.tv with username's account token; accept "-" sends no Accept.
func get(t testing.TB, e *emulator.Emulator, path, username, accept string) resp {
	t.Helper()
	return do(t, e, req{method: "GET", url: path, cid: "contract-test", token: e.LegacyToken(username), accept: accept})
}

func wantXML(t testing.TB, res resp, status int) *node {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("Content-Type %q, want application/xml", ct)
	}
	return parseXML(t, res.body)
}

func wantJSON(t testing.TB, res resp, status int) any {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d, want %d: %s", res.status, status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want exactly application/json", ct)
	}
	return parseJSON(t, res.body)
}

// TestNegotiation checks the one rule for every plex.tv endpoint: v2 paths answer XML unless
// Accept asks for JSON; legacy paths answer XML whatever Accept says (JSON with
// Options.LegacyJSON); a .json or .xml suffix decides; errors follow the same rule.
func TestNegotiation(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	uuid := userInfo(t, e, "alice").UUID
	mid := serverMachineID(t, e, emulator.ServerAliceNAS)
	v2 := map[string]string{ // path → XML root
		"/api/v2/user":                                "user",
		"/api/v2/resources?includeHttps=1":            "resources",
		"/api/v2/ping":                                "pong",
		"/api/v2/friends":                             "friends",
		"/api/v2/home/users":                          "home",
		"/api/v2/user/webhooks":                       "webhooks",
		"/api/v2/user/" + uuid + "/settings/opt_outs": "optOuts",
		"/api/v2/geoip?ip_address=127.0.0.1":          "location",
		"/api/v2/user/privacy":                        "privacy",
	}
	for path, root := range v2 {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			wantRoot(t, wantXML(t, get(t, e, path, "alice", "-"), 200), root)
			wantJSON(t, get(t, e, path, "alice", "application/json"), 200)
			wantRoot(t, wantXML(t, get(t, e, path, "alice", "text/html,application/xml;q=0.9,*/*;q=0.8"), 200), root)
		})
	}
	legacy := map[string]string{
		"/api/users/":                             "MediaContainer",
		"/api/users":                              "MediaContainer",
		"/api/resources?includeHttps=1":           "MediaContainer",
		"/api/servers/" + mid:                     "MediaContainer",
		"/api/servers/" + mid + "/shared_servers": "MediaContainer",
		"/api/home/users":                         "MediaContainer",
		"/devices.xml":                            "MediaContainer",
		"/users/account":                          "user",
		"/users/account.xml":                      "user",
		"/api/invites/requested":                  "MediaContainer",
		"/api/invites/requests":                   "MediaContainer",
		"/pms/servers.xml":                        "MediaContainer",
		"/servers.xml?includeLite=1":              "MediaContainer",
		"/pms/friends/all":                        "MediaContainer",
	}
	for path, root := range legacy {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			wantRoot(t, wantXML(t, get(t, e, path, "alice", "-"), 200), root)
			wantRoot(t, wantXML(t, get(t, e, path, "alice", "application/json"), 200), root)
		})
	}
	for _, path := range []string{"/users/account.json", "/api/claim/token.json"} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			wantJSON(t, get(t, e, path, "alice", "-"), 200)
		})
	}
	t.Run("LegacyJSON", func(t *testing.T) {
		t.Parallel()
		lj := start(t, emulator.Options{LegacyJSON: true})
		for path, root := range legacy {
			if strings.HasSuffix(path, ".xml") || strings.Contains(path, ".xml?") {
				continue // a suffix decides
			}
			// Machine identifiers derive from server names, so the paths hold for lj too.
			j := obj(t, wantJSON(t, get(t, lj, path, "alice", "application/json"), 200))
			if len(j) != 1 || j[root] == nil {
				t.Errorf("%s in JSON: want {%q: …}, got %.200v", path, root, j)
			}
		}
		c := obj(t, obj(t, wantJSON(t, get(t, lj, "/api/users/", "alice", "application/json"), 200))["MediaContainer"])
		users := arr(t, c["User"])
		if len(users) == 0 || obj(t, users[0])["Server"] == nil {
			t.Errorf("JSON users: %v", c)
		}
		wantRoot(t, wantXML(t, get(t, lj, "/api/users/", "alice", "-"), 200), "MediaContainer")
		wantRoot(t, wantXML(t, get(t, lj, "/devices.xml", "alice", "application/json"), 200), "MediaContainer")
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{"/api/v2/user", "/api/v2/resources", "/api/v2/friends", "/api/v2/ping", "/api/v2/home/users", "/api/v2/user/webhooks"} {
			res := do(t, e, req{method: "GET", url: path, cid: "c", token: "bogus", accept: "-"})
			x := wantRoot(t, wantXML(t, res, 401), "errors")
			er := x.kid(t, "error")
			if er.Attrs["code"] != "1001" || er.Attrs["status"] != "401" || er.Attrs["message"] != "User could not be authenticated" {
				t.Errorf("%s XML error %v", path, er.Attrs)
			}
			wantError(t, do(t, e, req{method: "GET", url: path, cid: "c", token: "bogus"}), 401, emulator.CodeUnauthorized, "User could not be authenticated")
		}
		for path := range v2 {
			wantError(t, do(t, e, req{method: "GET", url: path, token: e.LegacyToken("alice")}), 400, emulator.CodeClientIdentifierMissing, "X-Plex-Client-Identifier is missing")
		}
		res := do(t, e, req{method: "GET", url: "/api/v2/nope", cid: "c", accept: "-"})
		wantRoot(t, wantXML(t, res, 404), "errors")
	})
	t.Run("pins", func(t *testing.T) {
		t.Parallel()
		res := do(t, e, req{method: "POST", url: "/api/v2/pins?strong=true", cid: "pin-xml", accept: "-",
			header: http.Header{"X-Plex-Product": {"Contract"}}})
		p := wantRoot(t, wantXML(t, res, 201), "pin")
		wantAttrs(t, p, "id", "code", "product", "trusted", "qr", "clientIdentifier", "expiresIn", "createdAt", "expiresAt")
		wantBools(t, p, "trusted")
		if _, ok := p.Attrs["authToken"]; ok {
			t.Errorf("unclaimed pin has authToken %q", p.Attrs["authToken"])
		}
		wantAttrs(t, p.kid(t, "location"), "code", "country", "city", "time_zone", "coordinates")
		if err := e.ClaimPin(p.Attrs["code"], "alice"); err != nil {
			t.Fatal(err)
		}
		polled := wantXML(t, do(t, e, req{method: "GET", url: "/api/v2/pins/" + p.Attrs["id"], cid: "pin-xml", accept: "-"}), 200)
		if tok := polled.Attrs["authToken"]; len(tok) != 20 || polled.Attrs["newRegistration"] != "0" {
			t.Errorf("claimed pin in XML: %v", polled.Attrs)
		}
		wantRoot(t, wantXML(t, do(t, e, req{method: "GET", url: "/api/v2/pins/1", cid: "pin-xml", accept: "-"}), 404), "errors")
	})
}

func serverMachineID(t testing.TB, e *emulator.Emulator, name string) string {
	t.Helper()
	for _, s := range e.Servers() {
		if s.Name == name {
			return s.MachineIdentifier
		}
	}
	t.Fatalf("no server %s", name)
	return ""
}

// userAttrs are the attributes of python-plexapi's /api/v2/user fixture (reference A.2).
var userAttrs = []string{"id", "uuid", "username", "title", "email", "friendlyName", "locale", "confirmed",
	"emailOnlyAuth", "hasPassword", "protected", "restricted", "home", "guest", "homeAdmin", "mailingListActive",
	"experimentalFeatures", "twoFactorEnabled", "backupCodesCreated", "joinedAt", "rememberExpiresAt", "thumb",
	"authToken", "mailingListStatus", "scrobbleTypes", "country", "subscriptionDescription", "anonymous",
	"adsConsent", "adsConsentSetAt", "adsConsentReminderAt", "homeSize", "maxHomeSize"}

var userBools = []string{"confirmed", "emailOnlyAuth", "hasPassword", "protected", "restricted", "home", "guest",
	"homeAdmin", "mailingListActive", "experimentalFeatures", "twoFactorEnabled", "backupCodesCreated"}

// checkUserXML checks a <user> against reference A.2 and the seeded account.
func checkUserXML(t testing.TB, u *node, want emulator.UserInfo, token string) {
	t.Helper()
	wantRoot(t, u, "user")
	wantAttrs(t, u, userAttrs...)
	wantBools(t, u, userBools...)
	if u.Attrs["id"] != itoa(want.ID) || u.Attrs["uuid"] != want.UUID || u.Attrs["username"] != want.Username ||
		u.Attrs["email"] != want.Email || u.Attrs["authToken"] != token {
		t.Errorf("<user> %v, want %+v", u.Attrs, want)
	}
	if !regexp.MustCompile(`^https://plex.tv/users/` + want.UUID + `/avatar\?c=\d+$`).MatchString(u.Attrs["thumb"]) {
		t.Errorf("thumb %q", u.Attrs["thumb"])
	}
	sub := u.kid(t, "subscription")
	wantAttrs(t, sub, "active", "subscribedAt", "status", "paymentService", "plan")
	wantBools(t, sub, "active")
	sub.kid(t, "features")
	p := u.kid(t, "profile")
	wantAttrs(t, p, "autoSelectAudio", "defaultAudioLanguage", "defaultSubtitleLanguage", "autoSelectSubtitle",
		"defaultSubtitleAccessibility", "defaultSubtitleForced")
	wantBools(t, p, "autoSelectAudio")
	u.kid(t, "entitlements")
	u.kid(t, "roles")
	u.kid(t, "subscriptions")
	u.kid(t, "services")
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestAccountContract(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	t.Run("XML, owner with Plex Pass", func(t *testing.T) {
		t.Parallel()
		tok := e.LegacyToken("alice")
		u := wantXML(t, get(t, e, "/api/v2/user", "alice", "-"), 200)
		checkUserXML(t, u, userInfo(t, e, "alice"), tok)
		sub := u.kid(t, "subscription")
		if sub.Attrs["active"] != "1" || sub.Attrs["status"] != "Active" || sub.Attrs["plan"] != "lifetime" {
			t.Errorf("subscription %v", sub.Attrs)
		}
		if _, err := time.Parse("2006-01-02 15:04:05 MST", sub.Attrs["subscribedAt"]); err != nil {
			t.Errorf("subscribedAt %q is not %%Y-%%m-%%d %%H:%%M:%%S %%Z: %v", sub.Attrs["subscribedAt"], err)
		}
		feats := sub.ids(t, "features", "feature")
		for _, f := range []string{"sync", "premium_music_metadata", "webhooks"} {
			if !slices.Contains(feats, f) {
				t.Errorf("features %v lack %s", feats, f)
			}
		}
		ents := u.ids(t, "entitlements", "entitlement")
		for _, f := range []string{"ios", "roku", "android", "xbox_one", "xbox_360", "windows", "windows_phone"} {
			if !slices.Contains(ents, f) {
				t.Errorf("entitlements %v lack %s", ents, f)
			}
		}
		if r := u.ids(t, "roles", "role"); !slices.Equal(r, []string{"plexpass"}) {
			t.Errorf("roles %v", r)
		}
		if u.Attrs["homeAdmin"] != "1" || u.Attrs["home"] != "1" || u.Attrs["homeSize"] != "2" || u.Attrs["maxHomeSize"] != "15" {
			t.Errorf("home attributes %v", u.Attrs)
		}
		if _, ok := u.Attrs["pin"]; ok {
			t.Error("alice has no Home PIN, yet <user pin> is set")
		}
	})
	t.Run("XML, managed user with a PIN and two-factor user", func(t *testing.T) {
		t.Parallel()
		c := wantXML(t, get(t, e, "/api/v2/user", "carol", "-"), 200)
		checkUserXML(t, c, userInfo(t, e, "carol"), e.LegacyToken("carol"))
		if c.Attrs["restricted"] != "1" || c.Attrs["protected"] != "1" || c.Attrs["pin"] == "" || c.Attrs["homeAdmin"] != "0" {
			t.Errorf("carol %v", c.Attrs)
		}
		if s := c.kid(t, "subscription"); s.Attrs["active"] != "0" || s.Attrs["status"] != "Inactive" {
			t.Errorf("carol's subscription %v", s.Attrs)
		}
		d := wantXML(t, get(t, e, "/api/v2/user", "dave", "-"), 200)
		if d.Attrs["twoFactorEnabled"] != "1" || d.Attrs["home"] != "0" || d.Attrs["homeSize"] != "1" {
			t.Errorf("dave %v", d.Attrs)
		}
	})
	t.Run("JSON agrees with the Plex JWT", func(t *testing.T) {
		t.Parallel()
		dev := newDevice(t)
		jwtTok := linkViaPin(t, e, dev, "bob")
		claims := verifyPlexJWT(t, e, refreshAllScopes(t, e, dev))
		u := obj(t, wantJSON(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: dev.cid, token: jwtTok}), 200))
		wantKeys(t, u, map[string]string{
			"id": "number", "uuid": "string", "username": "string", "title": "string", "email": "string",
			"friendlyName": "string", "locale": "string|null", "confirmed": "bool", "joinedAt": "number",
			"emailOnlyAuth": "bool", "hasPassword": "bool", "protected": "bool", "thumb": "string",
			"authToken": "string", "mailingListStatus": "string", "mailingListActive": "bool",
			"scrobbleTypes": "string", "country": "string", "subscription": "object",
			"subscriptionDescription": "string|null", "restricted": "bool", "anonymous": "bool|null",
			"home": "bool", "guest": "bool", "homeSize": "number", "homeAdmin": "bool", "maxHomeSize": "number",
			"rememberExpiresAt": "number", "profile": "object", "entitlements": "array", "roles": "array",
			"services": "array", "subscriptions": "array", "adsConsent": "bool|null",
			"adsConsentSetAt": "number|null", "adsConsentReminderAt": "number|null",
			"experimentalFeatures": "bool", "twoFactorEnabled": "bool", "backupCodesCreated": "bool",
			"queueEmail": "string", "queueUid": "string", "certificateVersion": "number",
		})
		wantKeys(t, obj(t, u["subscription"]), map[string]string{"active": "bool", "subscribedAt": "string|null",
			"status": "string", "paymentService": "string|null", "plan": "string|null", "features": "array"})
		wantKeys(t, obj(t, u["profile"]), map[string]string{"autoSelectAudio": "bool", "defaultAudioLanguage": "string|null",
			"defaultSubtitleLanguage": "string|null", "autoSelectSubtitle": "number",
			"defaultSubtitleAccessibility": "number", "defaultSubtitleForced": "number"})
		for _, s := range arr(t, u["services"]) {
			wantKeys(t, obj(t, s), map[string]string{"identifier": "string", "endpoint": "string", "status": "string"})
		}
		uc := claims.User
		if u["id"] != uc["id"] || u["uuid"] != uc["uuid"] || u["username"] != uc["username"] || u["email"] != uc["email"] ||
			u["friendlyName"] != uc["friendly_name"] || u["restricted"] != uc["restricted"] || u["joinedAt"] != uc["joinedAt"] ||
			u["anonymous"] != uc["anonymous"] {
			t.Errorf("user %v disagrees with the JWT's user claim %v", u, uc)
		}
	})
	t.Run("legacy /users/account", func(t *testing.T) {
		t.Parallel()
		tok := e.LegacyToken("alice")
		x := wantRoot(t, wantXML(t, get(t, e, "/users/account", "alice", "-"), 200), "user")
		wantAttrs(t, x, "email", "id", "uuid", "mailing_list_status", "thumb", "username", "title", "cloudSyncDevice",
			"locale", "authenticationToken", "authToken", "scrobbleTypes", "restricted", "home", "guest", "queueEmail",
			"queueUid", "hasPassword", "homeSize", "maxHomeSize", "secure", "certificateVersion")
		if x.Attrs["authenticationToken"] != tok || x.Attrs["hasPassword"] != "true" {
			t.Errorf("legacy <user> %v", x.Attrs)
		}
		sub := x.kid(t, "subscription")
		if sub.Attrs["active"] != "1" || len(sub.kids("feature")) == 0 {
			t.Errorf("legacy subscription %v with %d features", sub.Attrs, len(sub.kids("feature")))
		}
		if x.kid(t, "entitlements").Attrs["all"] != "1" || len(x.kid(t, "roles").kids("role")) != 1 {
			t.Error("legacy entitlements or roles")
		}
		wantAttrs(t, x.kid(t, "profile_settings"), "default_audio_language", "auto_select_subtitle")
		x.kid(t, "services")
		if x.kid(t, "username").Text != "alice" || x.kid(t, "authentication-token").Text != tok ||
			x.kid(t, "joined-at").Attrs["type"] != "datetime" {
			t.Error("legacy text elements")
		}
		j := obj(t, obj(t, wantJSON(t, get(t, e, "/users/account.json", "alice", "-"), 200))["user"])
		wantKeys(t, j, map[string]string{"id": "number", "uuid": "string", "email": "string", "joined_at": "string",
			"username": "string", "title": "string", "thumb": "string", "hasPassword": "bool", "authToken": "string",
			"authentication_token": "string", "subscription": "object", "roles": "object", "entitlements": "array"})
		wantKeys(t, obj(t, j["roles"]), map[string]string{"roles": "array"})
		wantKeys(t, obj(t, j["subscription"]), map[string]string{"active": "bool", "status": "string", "plan": "string|null", "features": "array"})
		if res := do(t, e, req{method: "GET", url: "/users/account.json", token: "bogus"}); res.status != 401 || obj(t, parseJSON(t, res.body))["error"] == nil {
			t.Errorf("legacy error: %d %s", res.status, res.body)
		}
	})
}

// refreshAllScopes runs nonce → device JWT (every documented scope) → token for d.
func refreshAllScopes(t testing.TB, e *emulator.Emulator, d *testDevice) string {
	t.Helper()
	n := getNonce(t, e, d)
	c := d.claims(e.Now(), n)
	c["scope"] = "username,email,friendly_name,restricted,anonymous,joinedAt"
	got := decode[map[string]string](t, exchange(t, e, d.cid, sign(t, "EdDSA", d.priv, d.pub.KeyID, c)), http.StatusOK)
	return got["auth_token"]
}

func TestResourcesContract(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	x := wantRoot(t, wantXML(t, get(t, e, "/api/v2/resources?includeHttps=1&includeRelay=1", "bob", "-"), 200), "resources")
	rs := x.kids("resource")
	if len(rs) != 1 {
		t.Fatalf("bob has %d resources, want alice-nas", len(rs))
	}
	r := rs[0]
	wantAttrs(t, r, "name", "product", "productVersion", "platform", "platformVersion", "device", "clientIdentifier",
		"createdAt", "lastSeenAt", "provides", "ownerId", "sourceTitle", "publicAddress", "accessToken")
	wantBools(t, r, "owned", "home", "synced", "relay", "presence", "httpsRequired", "publicAddressMatches",
		"dnsRebindingProtection", "natLoopbackSupported")
	if _, err := time.Parse("2006-01-02T15:04:05Z", r.Attrs["createdAt"]); err != nil {
		t.Errorf("createdAt %q: %v", r.Attrs["createdAt"], err)
	}
	if r.Attrs["owned"] != "0" || r.Attrs["ownerId"] != itoa(userInfo(t, e, "alice").ID) || r.Attrs["accessToken"] == e.LegacyToken("bob") {
		t.Errorf("shared resource %v", r.Attrs)
	}
	conns := r.kid(t, "connections").kids("connection")
	js := resources(t, e, e.LegacyToken("bob"), "?includeHttps=1&includeRelay=1")
	if len(js) != 1 || len(conns) != len(js[0].Connections) || len(conns) < 4 {
		t.Fatalf("%d connections in XML, %v in JSON", len(conns), js)
	}
	for _, c := range conns {
		wantAttrs(t, c, "protocol", "address", "port", "uri")
		wantBools(t, c, "local", "relay", "IPv6")
	}

	owned := wantXML(t, get(t, e, "/api/v2/resources", "alice", "-"), 200).kids("resource")
	for _, r := range owned {
		if _, ok := r.Attrs["ownerId"]; ok || r.Attrs["owned"] != "1" {
			t.Errorf("owned resource %v: ownerId must be absent", r.Attrs)
		}
	}
	legacy := wantRoot(t, wantXML(t, get(t, e, "/api/resources?includeHttps=1", "alice", "application/json"), 200), "MediaContainer")
	devs := legacy.kids("Device")
	if len(devs) != 2 || legacy.Attrs["size"] != "2" {
		t.Fatalf("legacy resources: %d devices", len(devs))
	}
	for _, d := range devs {
		wantAttrs(t, d, "name", "product", "productVersion", "platform", "platformVersion", "device", "clientIdentifier",
			"createdAt", "lastSeenAt", "provides", "accessToken", "publicAddress", "ownerID", "sourceTitle")
		wantBools(t, d, "owned", "httpsRequired", "synced", "relay", "dnsRebindingProtection", "natLoopbackSupported",
			"publicAddressMatches", "presence", "home")
		if !regexp.MustCompile(`^\d{9,}$`).MatchString(d.Attrs["createdAt"]) {
			t.Errorf("legacy createdAt %q is not unix seconds", d.Attrs["createdAt"])
		}
		for _, c := range d.kids("Connection") {
			wantAttrs(t, c, "protocol", "address", "port", "uri")
			wantBools(t, c, "local")
		}
	}

	t.Run("owned server token is the owner's account token at plex.tv", func(t *testing.T) {
		tokens := accessTokens(t, e, "alice")
		for _, name := range []string{emulator.ServerAliceNAS, emulator.ServerAliceVault} {
			u := wantXML(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "srv", token: tokens[name], accept: "-"}), 200)
			if u.Attrs["username"] != "alice" || u.Attrs["authToken"] != tokens[name] {
				t.Errorf("%s's token at plex.tv: %v", name, u.Attrs)
			}
		}
		shared := accessTokens(t, e, "bob")[emulator.ServerAliceNAS]
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "srv", token: shared}), 401, emulator.CodeUnauthorized, "")
	})
}

func TestSmallEndpoints(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	t.Run("ping", func(t *testing.T) {
		t.Parallel()
		p := wantRoot(t, wantXML(t, get(t, e, "/api/v2/ping", "bob", "-"), 200), "pong")
		if p.Text != "true" {
			t.Errorf("<pong>%s</pong>", p.Text)
		}
		if j := obj(t, wantJSON(t, get(t, e, "/api/v2/ping", "bob", ""), 200)); j["pong"] != true {
			t.Errorf("ping JSON %v", j)
		}
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/ping", cid: "c", token: "bogus"}), 401, emulator.CodeUnauthorized, "")
	})
	t.Run("claim token", func(t *testing.T) {
		t.Parallel()
		j := obj(t, wantJSON(t, get(t, e, "/api/claim/token.json", "alice", "-"), 200))
		if tok, _ := j["token"].(string); !strings.HasPrefix(tok, "claim-") || len(tok) < 20 {
			t.Errorf("claim token %v", j)
		}
	})
	t.Run("geoip, privacy, public IP", func(t *testing.T) {
		t.Parallel()
		l := wantXML(t, get(t, e, "/api/v2/geoip?ip_address=203.0.113.7", "bob", "-"), 200)
		wantAttrs(t, l, "code", "continent_code", "country", "city", "postal_code", "subdivisions", "coordinates", "time_zone")
		wantBools(t, l, "european_union_member", "in_privacy_restricted_country")
		p := wantXML(t, get(t, e, "/api/v2/user/privacy", "bob", "-"), 200)
		if p.Attrs["optOutPlayback"] != "0" || p.Attrs["optOutLibraryStats"] != "0" {
			t.Errorf("privacy %v", p.Attrs)
		}
		put := do(t, e, req{method: "PUT", url: "/api/v2/user/privacy", cid: "c", token: e.LegacyToken("bob"), form: url.Values{"optOutPlayback": {"1"}}})
		if put.status != 204 {
			t.Fatalf("PUT privacy %d %s", put.status, put.body)
		}
		if j := obj(t, wantJSON(t, get(t, e, "/api/v2/user/privacy", "bob", ""), 200)); j["optOutPlayback"] != true || j["optOutLibraryStats"] != false {
			t.Errorf("privacy after PUT %v", j)
		}
		v := obj(t, wantJSON(t, get(t, e, "/api/v2/user/view_state_sync", "bob", ""), 200))
		wantKeys(t, v, map[string]string{"consent": "bool", "updatedAt": "number|null", "deletionRequestedAt": "null"})
		if res := do(t, e, req{method: "PUT", url: "/api/v2/user/view_state_sync?consent=True", cid: "c", token: e.LegacyToken("bob")}); res.status != 200 ||
			obj(t, parseJSON(t, res.body))["consent"] != true {
			t.Errorf("view_state_sync PUT: %d %s", res.status, res.body)
		}
		ip := do(t, e, req{method: "GET", url: "/:/ip", accept: "-"})

		if ip.status != 200 || strings.TrimSpace(string(ip.body)) != "127.0.0.1" || ip.header.Get("Content-Type") != "text/plain" {
			t.Errorf("/:/ip %d %q %q", ip.status, ip.body, ip.header.Get("Content-Type"))
		}
	})
	t.Run("servers.xml", func(t *testing.T) {
		t.Parallel()
		root := wantXML(t, get(t, e, "/pms/servers.xml", "bob", "-"), 200)
		srv := root.kid(t, "Server")
		wantAttrs(t, srv, "accessToken", "name", "address", "port", "version", "scheme", "host", "localAddresses",
			"machineIdentifier", "createdAt", "updatedAt")
		wantBools(t, srv, "owned")
		if srv.Attrs["accessToken"] != accessTokens(t, e, "bob")[emulator.ServerAliceNAS] || srv.Attrs["owned"] != "0" {
			t.Errorf("bob's server %v", srv.Attrs)
		}
		if n := len(wantXML(t, get(t, e, "/servers.xml", "alice", "-"), 200).kids("Server")); n != 2 {
			t.Errorf("alice has %d servers", n)
		}
	})
	t.Run("opt-outs", func(t *testing.T) {
		t.Parallel()
		uuid := userInfo(t, e, "carol").UUID
		path := "/api/v2/user/" + uuid + "/settings/opt_outs"
		x := wantRoot(t, wantXML(t, get(t, e, path, "carol", "-"), 200), "optOuts")
		if len(x.kids("optOut")) < 2 {
			t.Fatalf("opt-outs %d", len(x.kids("optOut")))
		}
		for _, o := range x.kids("optOut") {
			if o.Attrs["key"] == "" || o.Attrs["value"] != "opt_in" {
				t.Errorf("optOut %v", o.Attrs)
			}
		}
		q := url.Values{"key": {"tv.plex.provider.vod"}, "value": {"opt_out_managed"}}
		post := do(t, e, req{method: "POST", url: path + "?" + q.Encode(), cid: "c", token: e.LegacyToken("carol")})
		found := false
		for _, o := range arr(t, wantJSON(t, post, 200)) {
			if m := obj(t, o); m["key"] == "tv.plex.provider.vod" {
				found = m["value"] == "opt_out_managed"
			}
		}
		if !found {
			t.Errorf("opt-out not changed: %s", post.body)
		}
		bad := url.Values{"key": {"tv.plex.provider.music"}, "value": {"opt_out_managed"}}
		wantError(t, do(t, e, req{method: "POST", url: path + "?" + bad.Encode(), cid: "c", token: e.LegacyToken("carol")}), 400, emulator.CodeBadRequest, "music")
		wantError(t, get(t, e, path, "alice", ""), 403, emulator.CodeUnauthorized, "another account")
	})
}
