package emulator_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// This file walks python-plexapi's plex.tv parsers (plexapi/myplex.py, as quoted in
// plex-beyond-spec.md part A), and a few of its PMS parsers (media.py's Marker and
// SearchResult, video.py's Clip as Extra), over the emulator's real answers. python-plexapi cannot run here,
// so each check is one thing a parser reads: an attribute it passes to utils.cast(bool, …)
// (which raises ValueError on anything but 1/0/true/false; Plex writes "1"/"0"), to
// utils.cast(int, …), to utils.toDatetime (unix seconds, or a strptime layout), or an element it
// calls .attrib on (an AttributeError when it is missing).

// pyQuery sends what MyPlexAccount.query sends: requests' default Accept: */*, the X-Plex
// headers and the token; form is the body of a POST (requests' data=). Like python-plexapi, it
// accepts 200, 201 and 204, and parses the body as XML unless Content-Type says JSON, which
// here is a failure: python-plexapi would then call .attrib on a dict.
func pyQuery(t testing.TB, e *emulator.Emulator, method, path, token string, form url.Values) *node {
	t.Helper()
	res := do(t, e, req{method: method, url: path, cid: "python-plexapi", token: token, accept: "*/*", form: form})
	if res.status != 200 && res.status != 201 && res.status != 204 {
		t.Fatalf("%s %s: %d (python-plexapi raises): %s", method, path, res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); strings.Contains(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q: python-plexapi returns a dict and then calls .attrib on it", method, path, ct)
	}
	return parseXML(t, res.body)
}

// pyInts checks attributes python-plexapi passes to utils.cast(int, …).
func pyInts(t testing.TB, n *node, names ...string) {
	t.Helper()
	for _, a := range names {
		v, ok := n.Attrs[a]
		if _, err := strconv.Atoi(v); !ok || err != nil {
			t.Errorf("<%s %s=%q>: python-plexapi casts it to int", n.Name, a, v)
		}
	}
}

// pyUnixTimes checks attributes python-plexapi passes to utils.toDatetime without a format:
// int(value), then a timestamp.
func pyUnixTimes(t testing.TB, n *node, names ...string) {
	t.Helper()
	for _, a := range names {
		v, ok := n.Attrs[a]
		if s, err := strconv.ParseInt(v, 10, 64); !ok || err != nil || s <= 0 {
			t.Errorf("<%s %s=%q>: python-plexapi reads unix seconds", n.Name, a, v)
		}
	}
}

// pyStrptime checks an attribute python-plexapi parses with datetime.strptime(value, format);
// layout is the same format in Go's notation.
func pyStrptime(t testing.TB, n *node, name, layout string) {
	t.Helper()
	v, ok := n.Attrs[name]
	if _, err := time.Parse(layout, v); !ok || err != nil {
		t.Errorf("<%s %s=%q>: python-plexapi parses it as %s", n.Name, name, v, layout)
	}
}

// bfs is utils.iterXMLBFS(root, tag)'s first match (root included), or nil.
func bfs(root *node, tag string) *node {
	queue := []*node{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n.Name == tag {
			return n
		}
		queue = append(queue, n.Kids...)
	}
	return nil
}

// listAttrs is PlexObject.listAttrs(data, attr, rtag=rtag, etag=etag): attr of the children of
// data (or of the first rtag under it) named etag.
func listAttrs(data *node, attr, rtag, etag string) []string {
	if rtag != "" {
		if data = bfs(data, rtag); data == nil {
			return nil
		}
	}
	var out []string
	for _, k := range data.kids(etag) {
		if v, ok := k.Attrs[attr]; ok {
			out = append(out, v)
		}
	}
	return out
}

// pyAccount is MyPlexAccount._loadData over a <user> (reference A.2, B.9): what it reads, and
// the token it keeps.
func pyAccount(t testing.TB, u *node) (token string) {
	t.Helper()
	wantRoot(t, u, "user")
	wantBools(t, u, "backupCodesCreated", "confirmed", "emailOnlyAuth", "experimentalFeatures", "guest", "hasPassword",
		"home", "homeAdmin", "mailingListActive", "protected", "restricted", "twoFactorEnabled")
	pyInts(t, u, "homeSize", "id", "maxHomeSize")
	pyUnixTimes(t, u, "joinedAt", "rememberExpiresAt")
	wantAttrs(t, u, "adsConsent", "adsConsentReminderAt", "adsConsentSetAt", "anonymous", "country", "email",
		"friendlyName", "locale", "mailingListStatus", "subscriptionDescription", "thumb", "title", "username", "uuid")
	// [utils.cast(int, x) for x in data.attrib.get('scrobbleTypes').split(',')]: None has no split.
	st, ok := u.Attrs["scrobbleTypes"]
	if !ok {
		t.Error("<user> lacks scrobbleTypes: python-plexapi calls .split(',') on it")
	}
	for _, x := range strings.Split(st, ",") {
		if _, err := strconv.Atoi(x); st != "" && err != nil {
			t.Errorf("scrobbleTypes %q: %q is not an int", st, x)
		}
	}
	// data.find('subscription') and data.find('profile') look at direct children only.
	sub := u.kid(t, "subscription")
	wantBools(t, sub, "active")
	wantAttrs(t, sub, "paymentService", "plan", "status")
	if sub.Attrs["subscribedAt"] != "" { // `or None` skips an empty one
		pyStrptime(t, sub, "subscribedAt", "2006-01-02 15:04:05 MST")
	}
	p := u.kid(t, "profile")
	wantBools(t, p, "autoSelectAudio")
	pyInts(t, p, "autoSelectSubtitle", "defaultSubtitleAccessibility")
	wantAttrs(t, p, "defaultAudioLanguage", "defaultSubtitleLanguage")
	// subscriptionFeatures, entitlements and roles: listAttrs with an rtag found breadth-first.
	if bfs(sub, "features") == nil || bfs(u, "entitlements") == nil || bfs(u, "roles") == nil {
		t.Error("<user> lacks <subscription><features>, <entitlements> or <roles>")
	}
	if sub.Attrs["active"] == "1" {
		if f := listAttrs(sub, "id", "features", "feature"); !slices.Contains(f, "sync") || !slices.Contains(f, "premium_music_metadata") {
			t.Errorf("Plex Pass features %v: python-plexapi's live tests expect sync and premium_music_metadata", f)
		}
		if r := listAttrs(u, "id", "roles", "role"); !slices.Contains(r, "plexpass") {
			t.Errorf("Plex Pass roles %v", r)
		}
	}
	if u.Attrs["authToken"] == "" {
		t.Error("<user authToken> is empty: python-plexapi keeps it as the account's token")
	}
	return u.Attrs["authToken"]
}

func TestPythonPlexAPIParsers(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverMachineID(t, e, emulator.ServerAliceNAS)
	alice := e.LegacyToken("alice")

	t.Run("MyPlexAccount(token=…) reads GET /api/v2/user (A.2)", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"alice", "bob", "carol", "dave"} {
			tok := e.LegacyToken(name)
			u := pyQuery(t, e, "GET", "/api/v2/user", tok, nil)
			if got := pyAccount(t, u); got != tok || u.Attrs["username"] != name {
				t.Errorf("%s: MyPlexAccount keeps token %q of %q", name, got, u.Attrs["username"])
			}
		}
		if _, ok := pyQuery(t, e, "GET", "/api/v2/user", alice, nil).Attrs["pin"]; ok {
			t.Error("alice has no Home PIN: python-plexapi's live test expects account.pin to be None")
		}
	})

	t.Run("MyPlexAccount(username, password, code) reads the sign-in answer (A.3)", func(t *testing.T) {
		t.Parallel()
		form := func(user, code string) url.Values {
			f := url.Values{"login": {user}, "password": {userInfo(t, e, user).Password}, "rememberMe": {"True"}}
			if code != "" {
				f.Set("verificationCode", code)
			}
			return f
		}
		tok := pyAccount(t, pyQuery(t, e, "POST", "/api/v2/users/signin", "", form("bob", "")))
		if u := pyQuery(t, e, "GET", "/api/v2/user", tok, nil); u.Attrs["username"] != "bob" {
			t.Errorf("the signed-in token is %v at plex.tv", u.Attrs["username"])
		}
		// Without the code python-plexapi raises TwoFactorRequired: a 401 whose text holds
		// "verification code".
		res := do(t, e, req{method: "POST", url: "/api/v2/users/signin", cid: "python-plexapi", accept: "*/*", form: form("dave", "")})
		if res.status != 401 || !strings.Contains(string(res.body), "verification code") {
			t.Errorf("dave without his code: %d %s", res.status, res.body)
		}
		pyAccount(t, pyQuery(t, e, "POST", "/api/v2/users/signin", "", form("dave", userInfo(t, e, "dave").VerificationCode)))
	})

	t.Run("users() and user() read GET /api/users/ (A.5)", func(t *testing.T) {
		t.Parallel()
		users := pyQuery(t, e, "GET", "/api/users/", alice, nil).kids("User")
		byName := map[string]*node{}
		for _, u := range users {
			wantBools(t, u, "allowCameraUpload", "allowChannels", "allowSync", "home", "protected")
			pyInts(t, u, "id")
			wantAttrs(t, u, "email", "filterAll", "filterMovies", "filterMusic", "filterPhotos", "filterTelevision",
				"recommendationsPlaylistId", "restricted", "thumb", "title", "username")
			for _, s := range u.kids("Server") { // MyPlexServerShare
				pyInts(t, s, "id", "serverId", "numLibraries")
				pyUnixTimes(t, s, "lastSeenAt")
				wantBools(t, s, "allLibraries", "owned", "pending")
				wantAttrs(t, s, "machineIdentifier", "name")
			}
			// user(name) matches the title, or username/email/id when all three are set (home
			// users have neither username nor email).
			byName[strings.ToLower(u.Attrs["title"])] = u
			if u.Attrs["username"] != "" && u.Attrs["email"] != "" {
				byName[u.Attrs["username"]] = u
			}
		}
		bob, carol := byName["bob"], byName["carol"]
		if bob == nil || carol == nil || bob.Attrs["id"] != itoa(userInfo(t, e, "bob").ID) || carol.Attrs["id"] != itoa(userInfo(t, e, "carol").ID) {
			t.Fatalf("user('bob') and user('carol') among %d users: %v", len(users), byName)
		}

		// MyPlexUser.get_token: the shared_servers child whose userID is the user's id.
		var token string
		for _, s := range pyQuery(t, e, "GET", "/api/servers/"+nas+"/shared_servers", alice, nil).Kids {
			if v, _ := strconv.Atoi(s.Attrs["userID"]); v == userInfo(t, e, "bob").ID {
				token = s.Attrs["accessToken"]
			}
		}
		if want := accessTokens(t, e, "bob")[emulator.ServerAliceNAS]; token == "" || token != want {
			t.Errorf("get_token(alice-nas) for bob = %q, want his resource accessToken %q", token, want)
		}

		// MyPlexServerShare.sections(): Section under the first SharedServer.
		share := bob.kid(t, "Server")
		ss := bfs(pyQuery(t, e, "GET", "/api/servers/"+nas+"/shared_servers/"+share.Attrs["id"], alice, nil), "SharedServer")
		if ss == nil {
			t.Fatal("no <SharedServer> in the share's answer")
		}
		var shared []string
		for _, sec := range ss.kids("Section") {
			pyInts(t, sec, "id", "key")
			wantBools(t, sec, "shared")
			if sec.Attrs["shared"] == "1" {
				shared = append(shared, sec.Attrs["title"])
			}
		}
		if !slices.Equal(shared, []string{"Movies", "Music"}) {
			t.Errorf("bob's shared sections %v, want [Movies Music] (README's seeded users)", shared)
		}

		// _getSectionIds: the Section children of data[0] of GET /api/servers/{machineId}.
		srv := pyQuery(t, e, "GET", "/api/servers/"+nas, alice, nil)
		if len(srv.Kids) == 0 || len(srv.Kids[0].kids("Section")) == 0 {
			t.Fatalf("/api/servers/%s: no Section under data[0]", nas)
		}
		for _, sec := range srv.Kids[0].kids("Section") {
			pyInts(t, sec, "id", "key")
		}
	})

	t.Run("resources() reads GET /api/v2/resources (A.9)", func(t *testing.T) {
		t.Parallel()
		for _, name := range []string{"alice", "bob"} {
			data := pyQuery(t, e, "GET", "/api/v2/resources?includeHttps=1&includeRelay=1", e.LegacyToken(name), nil)
			if len(data.Kids) == 0 {
				t.Fatalf("%s has no resources", name)
			}
			for _, r := range data.Kids { // every child is a MyPlexResource
				wantBools(t, r, "dnsRebindingProtection", "home", "httpsRequired", "natLoopbackSupported", "owned",
					"presence", "publicAddressMatches", "relay", "synced")
				pyStrptime(t, r, "createdAt", "2006-01-02T15:04:05Z")
				pyStrptime(t, r, "lastSeenAt", "2006-01-02T15:04:05Z")
				if _, ok := r.Attrs["ownerId"]; ok { // cast(int, get('ownerId', 0))
					pyInts(t, r, "ownerId")
				}
				if !strings.Contains(r.Attrs["provides"], "server") || r.Attrs["accessToken"] == "" {
					t.Errorf("%s's %s: provides %q, accessToken set %v", name, r.Attrs["name"], r.Attrs["provides"], r.Attrs["accessToken"] != "")
				}
				// findItems(data, ResourceConnection, rtag='connections'), then
				// preferred_connections: a resource the account does not own is tried only on
				// its non-local connections.
				conns := bfs(r, "connections")
				if conns == nil {
					t.Fatalf("%s's %s has no <connections>", name, r.Attrs["name"])
				}
				tried := 0
				for _, c := range conns.kids("connection") {
					wantBools(t, c, "IPv6", "local", "relay")
					pyInts(t, c, "port")
					wantAttrs(t, c, "address", "protocol", "uri")
					if r.Attrs["owned"] == "1" || c.Attrs["local"] == "0" {
						tried++
					}
				}
				if tried == 0 {
					t.Errorf("%s's %s: no connection python-plexapi would try", name, r.Attrs["name"])
				}
			}
		}
	})

	t.Run("devices() reads GET /devices.xml (A.7)", func(t *testing.T) {
		t.Parallel()
		data := pyQuery(t, e, "GET", "/devices.xml", alice, nil)
		if len(data.Kids) == 0 {
			t.Fatal("no devices")
		}
		for _, d := range data.Kids { // every child is a MyPlexDevice
			wantRoot(t, d, "Device")
			pyUnixTimes(t, d, "createdAt", "lastSeenAt")
			// device(name) lower-cases name; sync() tests 'sync-target' in provides.
			wantAttrs(t, d, "name", "provides", "clientIdentifier", "id", "token", "product", "productVersion",
				"platform", "platformVersion", "device", "model", "vendor", "version", "publicAddress",
				"screenResolution", "screenDensity")
			if d.Attrs["provides"] == "server" && len(listAttrs(d, "uri", "", "Connection")) == 0 {
				t.Errorf("server device %s has no Connection uri", d.Attrs["name"])
			}
		}
	})

	t.Run("webhooks() and setWebhooks() (A.8)", func(t *testing.T) {
		t.Parallel()
		hooks := pyQuery(t, e, "GET", "/api/v2/user/webhooks", alice, nil)
		if got := listAttrs(hooks, "url", "", "webhook"); len(got) != 0 {
			t.Errorf("alice starts with webhooks %v", got)
		}
		urls := []string{"https://hooks.example/a", "https://hooks.example/b"}
		set := pyQuery(t, e, "POST", "/api/v2/user/webhooks", alice, url.Values{"urls[]": urls})
		if got := listAttrs(set, "url", "", "webhook"); !slices.Equal(got, urls) {
			t.Errorf("setWebhooks answered %v, want %v", got, urls)
		}
		if got := listAttrs(pyQuery(t, e, "GET", "/api/v2/user/webhooks", alice, nil), "url", "", "webhook"); !slices.Equal(got, urls) {
			t.Errorf("webhooks() after setWebhooks = %v", got)
		}
		cleared := pyQuery(t, e, "POST", "/api/v2/user/webhooks", alice, url.Values{"urls": {""}})
		if got := listAttrs(cleared, "url", "", "webhook"); len(got) != 0 {
			t.Errorf("setWebhooks([]) left %v", got)
		}
		// Without Plex Pass python-plexapi's live test expects BadRequest: not 2xx, 401 or 404.
		res := do(t, e, req{method: "GET", url: "/api/v2/user/webhooks", cid: "python-plexapi", token: e.LegacyToken("bob"), accept: "*/*"})
		if res.status < 400 || res.status == 401 || res.status == 404 {
			t.Errorf("bob's webhooks: %d, want an error python-plexapi maps to BadRequest", res.status)
		}
	})

	t.Run("switchHomeUser and createHomeUser (A.6)", func(t *testing.T) {
		t.Parallel()
		carol := userInfo(t, e, "carol")
		sw := pyQuery(t, e, "POST", "/api/home/users/"+itoa(carol.ID)+"/switch?pin="+carol.HomePin, alice, nil)
		tok := sw.Attrs["authenticationToken"]
		if tok == "" {
			t.Fatalf("switch answer's root has no authenticationToken: %v", sw.Attrs)
		}
		if u := pyQuery(t, e, "GET", "/api/v2/user", tok, nil); pyAccount(t, u) != tok || u.Attrs["username"] != "carol" {
			t.Errorf("MyPlexAccount(token=switched) is %q", u.Attrs["username"])
		}
		res := do(t, e, req{method: "POST", url: "/api/home/users/" + itoa(carol.ID) + "/switch?pin=0000", cid: "python-plexapi", token: alice, accept: "*/*"})
		if res.status < 400 {
			t.Errorf("switch with a wrong PIN: %d", res.status)
		}
		// createHomeUser reads the new user's id from the root (findall(".")).
		created := pyQuery(t, e, "POST", "/api/home/users?title=Kid", alice, nil)
		pyInts(t, created, "id")
	})

	t.Run("pendingInvites() (A.5, and the v2 lists newer releases read)", func(t *testing.T) {
		t.Parallel()
		// findItems(elem, cls=MyPlexInvite): Invite children, none here since the emulator's
		// invitations are accepted at once.
		for _, path := range []string{"/api/invites/requested", "/api/invites/requests",
			"/api/v2/shared_servers/invites/owned/pending", "/api/v2/shared_servers/invites/received/pending"} {
			if n := len(pyQuery(t, e, "GET", path, e.LegacyToken("bob"), nil).Kids); n != 0 {
				t.Errorf("%s: %d invites", path, n)
			}
		}
		// Invitation tools read the v2 list as JSON: a bare array.
		j := wantJSON(t, get(t, e, "/api/v2/shared_servers/invites/received/pending", "bob", "application/json"), 200)
		if a := arr(t, j); len(a) != 0 {
			t.Errorf("received invites %v", a)
		}
	})

	t.Run("MyPlexPinLogin reads the pin's root attributes (A.10)", func(t *testing.T) {
		t.Parallel()
		// _getCode: POST /api/v2/pins (strong for OAuth), then id and code of the root;
		// _checkLogin: GET /api/v2/pins/{id}, then authToken of the root once approved.
		created := wantRoot(t, pyQuery(t, e, "POST", "/api/v2/pins?strong=true", "", nil), "pin")
		pyInts(t, created, "id")
		if created.Attrs["code"] == "" || created.Attrs["authToken"] != "" {
			t.Fatalf("new pin %v", created.Attrs)
		}
		if err := e.ClaimPin(created.Attrs["code"], "bob"); err != nil {
			t.Fatal(err)
		}
		tok := pyQuery(t, e, "GET", "/api/v2/pins/"+created.Attrs["id"], "", nil).Attrs["authToken"]
		if u := pyQuery(t, e, "GET", "/api/v2/user", tok, nil); tok == "" || u.Attrs["username"] != "bob" {
			t.Errorf("the approved pin's token %q is %q's", tok, u.Attrs["username"])
		}
	})

	t.Run("Marker, Extra and SearchResult read from the PMS (B.1, B.2, B.3)", func(t *testing.T) {
		t.Parallel()
		base := serverInfo(t, e, emulator.ServerAliceNAS).URL
		tok := accessTokens(t, e, "alice")[emulator.ServerAliceNAS]
		pms := func(method, path string) *node { return pyQuery(t, e, method, base+path, tok, nil) }
		movie := pms("GET", "/library/sections/1/all?X-Plex-Container-Start=3&X-Plex-Container-Size=1").kid(t, "Video")
		key := movie.Attrs["key"]

		// The detail reload (base.py _buildDetailsKey) with includeMarkers and includeExtras:
		// media.py Marker casts id, startTimeOffset and endTimeOffset to int and final to bool,
		// and reads version off its <Attributes> child (data.find('Attributes').attrib: an
		// AttributeError without it).
		v := pms("GET", key+"?checkFiles=0&includeChapters=1&includeExtras=1&includeMarkers=1&includeRelated=0").kid(t, "Video")
		if v.Attrs["primaryExtraKey"] == "" {
			t.Error("a movie without primaryExtraKey")
		}
		checkMarkers := func(v *node, types ...string) {
			t.Helper()
			ms := v.kids("Marker")
			if len(ms) != len(types) {
				t.Fatalf("<%s type=%s> has %d Marker children, want %v", v.Name, v.Attrs["type"], len(ms), types)
			}
			for i, m := range ms {
				pyInts(t, m, "id", "startTimeOffset", "endTimeOffset")
				if _, ok := m.Attrs["final"]; ok {
					wantBools(t, m, "final")
				}
				if m.Attrs["type"] != types[i] || m.kid(t, "Attributes").Attrs["version"] == "" {
					t.Errorf("Marker %v, want type %s and an <Attributes version>", m.Attrs, types[i])
				}
			}
		}
		checkMarkers(v, "credits")
		// video.py Movie.extras(): findItems(data, Extra, rtag='Extras'); Clip._loadData casts
		// duration, extraType and index to int, addedAt to a timestamp, and reads Media.
		extras := bfs(v, "Extras")
		if extras == nil {
			t.Fatal("no <Extras> with includeExtras=1")
		}
		pyInts(t, extras, "size")
		for _, x := range append(extras.kids("Video"), pms("GET", key+"/extras").kids("Video")...) {
			pyInts(t, x, "duration", "extraType", "index", "ratingKey")
			pyUnixTimes(t, x, "addedAt")
			if x.Attrs["type"] != "clip" || x.Attrs["subtype"] != "trailer" || "/library/metadata/"+x.Attrs["ratingKey"] != v.Attrs["primaryExtraKey"] {
				t.Errorf("extra %v", x.Attrs)
			}
			if p := x.kid(t, "Media").kid(t, "Part"); p.Attrs["file"] == "" || p.Attrs["key"] == "" {
				t.Errorf("the extra's Part %v", p.Attrs)
			}
		}
		ep := pms("GET", "/library/sections/2/all?type=4&X-Plex-Container-Start=0&X-Plex-Container-Size=1").kid(t, "Video")
		checkMarkers(pms("GET", ep.Attrs["key"]+"?includeMarkers=1").kid(t, "Video"), "intro", "credits")

		// mixins.py matches(): GET {key}/matches?manual=1…, then findItems: SearchResult
		// elements, score cast to int; fixMatch() PUTs {key}/match?guid=&name= of one.
		results := pms("GET", key+"/matches?manual=1&title=Sita&year=2008&language=en-US&agent=tv.plex.agents.movie").kids("SearchResult")
		if len(results) == 0 {
			t.Fatal("no SearchResult")
		}
		for _, r := range results {
			pyInts(t, r, "score")
			wantAttrs(t, r, "guid", "name", "year", "lifespanEnded")
		}
		// An empty body: python-plexapi's query returns None for it.
		match := url.Values{"guid": {results[0].Attrs["guid"]}, "name": {results[0].Attrs["name"]}}
		if res := do(t, e, req{method: "PUT", url: base + key + "/match?" + match.Encode(), cid: "python-plexapi", token: tok, accept: "*/*"}); res.status != 200 {
			t.Fatalf("fixMatch: %d %s", res.status, res.body)
		}
		if got := pms("GET", key).kid(t, "Video"); got.Attrs["guid"] != results[0].Attrs["guid"] || got.Attrs["title"] != "Sita" {
			t.Errorf("after fixMatch: %v", got.Attrs)
		}
	})

	t.Run("ping() (A.4)", func(t *testing.T) {
		t.Parallel()
		// utils.cast(bool, pong.text)
		if p := pyQuery(t, e, "GET", "/api/v2/ping", alice, nil); p.Text != "true" && p.Text != "1" {
			t.Errorf("<pong>%s</pong>", p.Text)
		}
	})
}

// TestPythonPlexAPIBrowseParsers walks python-plexapi's PMS parsers of section browsing,
// managed hubs and stream selection (plexapi/library.py FirstCharacter, ManagedHub and
// LibrarySection.managedHubs/resetManagedHubs; plexapi/media.py MediaPart.setSelected…Stream
// and MediaPartStream) over the emulator's answers, sending what those methods send.
func TestPythonPlexAPIBrowseParsers(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	alice := accessTokens(t, e, "alice")[emulator.ServerAliceNAS]
	bob := accessTokens(t, e, "bob")[emulator.ServerAliceNAS]
	write := func(method, path, token string) int {
		return do(t, e, req{method: method, url: nas + path, cid: "python-plexapi", token: token, accept: "*/*"}).status
	}

	t.Run("firstCharacter() and the sorts", func(t *testing.T) {
		t.Parallel()
		// fetchItems(key, cls=FirstCharacter): key, size and title of each Directory.
		total := 0
		for _, d := range pyQuery(t, e, "GET", nas+"/library/sections/1/firstCharacter", alice, nil).kids("Directory") {
			wantAttrs(t, d, "key", "title")
			pyInts(t, d, "size")
			n, _ := strconv.Atoi(d.Attrs["size"])
			total += n
		}
		if total == 0 {
			t.Error("no first characters")
		}
		for _, d := range pyQuery(t, e, "GET", nas+"/library/sections/1/sorts", alice, nil).kids("Directory") {
			wantAttrs(t, d, "key", "title", "defaultDirection", "descKey")
		}
	})

	t.Run("managedHubs(), ManagedHub.updateVisibility, move, remove, resetManagedHubs", func(t *testing.T) {
		t.Parallel()
		// Each <Hub>: cast(bool) of deletable and the three promotedTo…, and the strings.
		read := func() []*node {
			hubs := pyQuery(t, e, "GET", nas+"/hubs/sections/2/manage", alice, nil).kids("Hub")
			for _, h := range hubs {
				wantBools(t, h, "deletable", "promotedToOwnHome", "promotedToRecommended", "promotedToSharedHome")
				wantAttrs(t, h, "homeVisibility", "identifier", "recommendationsVisibility", "title")
			}
			return hubs
		}
		hubs := read()
		if len(hubs) < 2 {
			t.Fatalf("%d managed hubs", len(hubs))
		}
		first, second := hubs[0].Attrs["identifier"], hubs[1].Attrs["identifier"]
		// updateVisibility sends all three, then reloads by identifier.
		if s := write("PUT", "/hubs/sections/2/manage/"+first+"?promotedToRecommended=1&promotedToOwnHome=0&promotedToSharedHome=0", alice); s != 200 {
			t.Fatalf("updateVisibility: %d", s)
		}
		if h := read()[0]; h.Attrs["identifier"] != first || h.Attrs["homeVisibility"] != "none" || h.Attrs["promotedToOwnHome"] != "0" {
			t.Errorf("after updateVisibility: %v", h.Attrs)
		}
		// move(after=hub): PUT …/manage/{identifier}/move?after=…
		if s := write("PUT", "/hubs/sections/2/manage/"+first+"/move?after="+second, alice); s != 200 {
			t.Fatalf("move: %d", s)
		}
		if got := listAttrs(pyQuery(t, e, "GET", nas+"/hubs/sections/2/manage", alice, nil), "identifier", "", "Hub"); len(got) < 2 || got[1] != first {
			t.Errorf("after move: %v", got)
		}
		// remove() of a built-in hub: python-plexapi checks deletable first; the server refuses too.
		if s := write("DELETE", "/hubs/sections/2/manage/"+first, alice); s != 400 {
			t.Errorf("removing a built-in hub: %d", s)
		}
		if s := write("GET", "/hubs/sections/2/manage", bob); s != 401 {
			t.Errorf("bob's managedHubs(): %d, want the friend's refusal", s)
		}
		if s := write("DELETE", "/hubs/sections/2/manage", alice); s != 200 {
			t.Fatalf("resetManagedHubs: %d", s)
		}
		if got := listAttrs(pyQuery(t, e, "GET", nas+"/hubs/sections/2/manage", alice, nil), "identifier", "", "Hub"); got[0] != first {
			t.Errorf("after reset: %v", got)
		}
	})

	t.Run("setSelectedSubtitleStream and resetSelectedSubtitleStream", func(t *testing.T) {
		t.Parallel()
		key := listAttrs(pyQuery(t, e, "GET", nas+"/library/sections/1/all?X-Plex-Container-Start=3&X-Plex-Container-Size=1", alice, nil), "ratingKey", "", "Video")[0]
		part := func(token string) *node {
			return bfs(pyQuery(t, e, "GET", nas+"/library/metadata/"+key, token, nil), "Part")
		}
		// MediaPartStream: cast(int) of id, streamType and index; cast(bool) of selected.
		var sub string
		for _, s := range part(alice).kids("Stream") {
			pyInts(t, s, "id", "streamType", "index")
			if v, ok := s.Attrs["selected"]; ok && v != "1" && v != "0" {
				t.Errorf("<Stream selected=%q>", v)
			}
			if s.Attrs["streamType"] == "3" {
				sub = s.Attrs["id"]
			}
		}
		selected := func(token string) string {
			for _, s := range part(token).kids("Stream") {
				if s.Attrs["streamType"] == "3" && s.Attrs["selected"] == "1" {
					return s.Attrs["id"]
				}
			}
			return ""
		}
		pid := part(alice).Attrs["id"]
		if s := write("PUT", "/library/parts/"+pid+"?allParts=1&subtitleStreamID="+sub, bob); s != 200 {
			t.Fatalf("bob's setSelectedSubtitleStream: %d", s)
		}
		if selected(bob) != sub || selected(alice) != "" {
			t.Errorf("bob chose %s: bob sees %q, alice %q", sub, selected(bob), selected(alice))
		}
		if s := write("PUT", "/library/parts/"+pid+"?subtitleStreamID=0&allParts=1", bob); s != 200 || selected(bob) != "" {
			t.Errorf("resetSelectedSubtitleStream: %d, selected %q", s, selected(bob))
		}
	})

	// mixins.py PosterMixin/ArtMixin and media.py BaseResource, as python-plexapi's own
	// _test_mixins_image walks them: posters() and arts() are fetchItems of <Photo key
	// ratingKey selected thumb provider/>; Poster.select() PUTs its list's path without the
	// final "s" with url=quote_plus(ratingKey); uploadPoster(filepath=) POSTs the bytes, and the
	// upload is then listed as upload://posters/{sha1 of the bytes}.
	t.Run("posters(), setPoster, uploadPoster, arts(), setArt", func(t *testing.T) {
		t.Parallel()
		movie := pyQuery(t, e, "GET", nas+"/library/sections/1/all?X-Plex-Container-Start=8&X-Plex-Container-Size=1", alice, nil).kid(t, "Video")
		rk := movie.Attrs["ratingKey"]
		photos := func(list, token string) []*node {
			t.Helper()
			ps := pyQuery(t, e, "GET", nas+"/library/metadata/"+rk+"/"+list, token, nil).kids("Photo")
			for _, p := range ps {
				wantBools(t, p, "selected")
				if len(p.Attrs["key"]) < 10 || len(p.Attrs["ratingKey"]) < 10 || len(p.Attrs["thumb"]) < 10 {
					t.Errorf("<Photo %v>: key, ratingKey and thumb are 10 characters or more", p.Attrs)
				}
				if !strings.HasPrefix(p.Attrs["ratingKey"], "upload://") && p.Attrs["provider"] == "" {
					t.Errorf("<Photo %v>: an agent's image names its provider", p.Attrs)
				}
			}
			return ps
		}
		for _, list := range []string{"posters", "arts"} {
			ps := photos(list, bob) // a friend lists them
			if len(ps) < 2 || ps[0].Attrs["selected"] != "1" {
				t.Fatalf("%s: %d Photo, the first selected=%q", list, len(ps), ps[0].Attrs["selected"])
			}
			sel := "/library/metadata/" + rk + "/" + strings.TrimSuffix(list, "s") + "?url=" + url.QueryEscape(ps[1].Attrs["ratingKey"])
			if s := write("PUT", sel, bob); s != 401 { // python-plexapi raises Unauthorized
				t.Errorf("bob's select: %d, want 401", s)
			}
			if s := write("PUT", sel, alice); s != 200 {
				t.Fatalf("select: %d", s)
			}
			if ps := photos(list, alice); ps[0].Attrs["selected"] != "0" || ps[1].Attrs["selected"] != "1" {
				t.Errorf("%s after selecting the second: %v, %v", list, ps[0].Attrs, ps[1].Attrs)
			}
		}
		img := []byte("\xff\xd8\xff\xe0 a stub image for python-plexapi")
		r, err := http.NewRequest("POST", nas+"/library/metadata/"+rk+"/posters", bytes.NewReader(img))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("X-Plex-Token", alice)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		sum := sha1.Sum(img)
		want := "upload://posters/" + hex.EncodeToString(sum[:])
		ps := photos("posters", alice)
		if res.StatusCode != 200 || !slices.ContainsFunc(ps, func(p *node) bool { return p.Attrs["ratingKey"] == want && p.Attrs["selected"] == "1" }) {
			t.Errorf("uploadPoster(filepath=): %d; no selected <Photo ratingKey=%q>", res.StatusCode, want)
		}
		// posterUrl: the item's thumb is a /library/metadata/ path naming "thumb".
		if th := pyQuery(t, e, "GET", nas+"/library/metadata/"+rk, alice, nil).kid(t, "Video").Attrs["thumb"]; !strings.HasPrefix(th, "/library/metadata/"+rk+"/thumb/") {
			t.Errorf("thumb %q after the upload", th)
		}
	})
}

// TestPythonPlexAPIClientParsers walks python-plexapi's remote control through the server
// (plexapi/server.py PlexServer.clients and client; plexapi/client.py PlexClient._loadData,
// sendCommand with proxyThroughServer, ClientTimeline._loadData) over a player the emulator
// plays.
func TestPythonPlexAPIClientParsers(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{FreezeClock: true})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	alice := accessTokens(t, e, "alice")[emulator.ServerAliceNAS]
	if err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Item: "1000000010", Player: "py-tv", State: "playing", Offset: time.Minute}); err != nil {
		t.Fatal(err)
	}

	// clients(): elem.attrib['host'] (a KeyError when absent), port (else a plex.tv lookup),
	// then PlexClient._loadData; client(name) matches title, which falls back to name.
	var machineID string
	for _, s := range pyQuery(t, e, "GET", nas+"/clients", alice, nil).kids("Server") {
		wantAttrs(t, s, "host", "name", "machineIdentifier", "product", "protocol", "protocolVersion", "deviceClass", "version")
		pyInts(t, s, "port")
		if s.Attrs["name"] == "py-tv" {
			machineID = s.Attrs["machineIdentifier"]
			if !slices.Contains(strings.Split(s.Attrs["protocolCapabilities"], ","), "playback") {
				t.Errorf("protocolCapabilities %q: sendCommand logs that playback may not work", s.Attrs["protocolCapabilities"])
			}
		}
	}
	if machineID == "" {
		t.Fatal("client('py-tv'): NotFound")
	}

	// sendCommand: server.query('/player/<command>?…&commandID=n', headers=
	// {'X-Plex-Target-Client-Identifier': …}); the answer must parse as XML (or be empty).
	send := func(command string, q url.Values, commandID int) *node {
		t.Helper()
		q.Set("commandID", strconv.Itoa(commandID))
		res := do(t, e, req{method: "GET", url: nas + "/player/" + command + "?" + q.Encode(), cid: "python-plexapi", token: alice,
			accept: "*/*", header: http.Header{"X-Plex-Target-Client-Identifier": {machineID}}})
		if res.status != 200 {
			t.Fatalf("sendCommand(%s): %d (python-plexapi raises): %s", command, res.status, res.body)
		}
		return parseXML(t, res.body)
	}
	send("playback/pause", url.Values{"type": {"video"}}, 1)
	send("playback/setParameters", url.Values{"volume": {"55"}, "type": {"video"}}, 2)

	// timelines(): ClientTimeline per child; cast(int) of time, duration, ratingKey, volume,
	// playQueue*, port, repeat; cast(bool) of shuffle; .timeline is the first not stopped.
	mc := send("timeline/poll", url.Values{"wait": {"0"}}, 3)
	var active *node
	for _, tl := range mc.kids("Timeline") {
		wantAttrs(t, tl, "type", "state")
		if tl.Attrs["state"] != "stopped" && active == nil {
			active = tl
		}
	}
	if active == nil {
		t.Fatalf("timeline: None (isPlayingMedia() is False) in %v", mc)
	}
	pyInts(t, active, "time", "duration", "ratingKey", "volume", "port", "repeat")
	wantBools(t, active, "shuffle")
	wantAttrs(t, active, "key", "machineIdentifier", "address", "protocol", "controllable")
	if a := active.Attrs; a["type"] != "video" || a["state"] != "paused" || a["time"] != "60000" || a["volume"] != "55" || a["key"] != "/library/metadata/1000000010" {
		t.Errorf("timeline %v", a)
	}
}
