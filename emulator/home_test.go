package emulator_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

func TestHome(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	carol := userInfo(t, e, "carol")
	t.Run("list", func(t *testing.T) {
		t.Parallel()
		j := obj(t, wantJSON(t, get(t, e, "/api/v2/home/users", "alice", ""), 200))
		wantKeys(t, j, map[string]string{"id": "number", "name": "string", "guestUserID": "number", "guestUserUUID": "string",
			"guestEnabled": "bool", "subscription": "bool", "users": "array"})
		users := arr(t, j["users"])
		if len(users) != 2 {
			t.Fatalf("home users %v", users)
		}
		for _, u := range users {
			wantKeys(t, obj(t, u), map[string]string{"id": "number", "uuid": "string", "title": "string",
				"username": "string|null", "email": "string|null", "thumb": "string", "hasPassword": "bool",
				"restricted": "bool", "restrictionProfile": "string|null", "admin": "bool", "guest": "bool", "protected": "bool"})
		}
		c := obj(t, users[1])
		if c["uuid"] != carol.UUID || c["protected"] != true || c["restricted"] != true || c["username"] != nil || c["admin"] != false {
			t.Errorf("carol in the home %v", c)
		}
		x := wantRoot(t, wantXML(t, get(t, e, "/api/v2/home/users", "alice", "-"), 200), "home")
		wantAttrs(t, x, "id", "name", "guestUserID", "guestUserUUID")
		wantBools(t, x, "guestEnabled", "subscription")
		for _, u := range x.kid(t, "users").kids("user") {
			wantAttrs(t, u, "id", "uuid", "title", "username", "email", "friendlyName", "thumb", "updatedAt", "restrictionProfile")
			wantBools(t, u, "hasPassword", "restricted", "admin", "guest", "protected")
		}
		legacy := wantRoot(t, wantXML(t, get(t, e, "/api/home/users", "alice", "application/json"), 200), "MediaContainer")
		if len(legacy.kids("User")) != 2 {
			t.Errorf("legacy home users: %d", len(legacy.kids("User")))
		}
		if n := len(obj(t, wantJSON(t, get(t, e, "/api/v2/home/users", "bob", ""), 200))["users"].([]any)); n != 1 {
			t.Errorf("bob (no Home) sees %d members", n)
		}
	})
	t.Run("switch", func(t *testing.T) {
		t.Parallel()
		path := "/api/v2/home/users/" + carol.UUID + "/switch"
		res := do(t, e, req{method: "POST", url: path, cid: "tv", token: e.LegacyToken("alice")})
		wantError(t, res, 403, emulator.CodeHomePinRequired, "A valid PIN is required")
		res = do(t, e, req{method: "POST", url: path + "?pin=9999", cid: "tv", token: e.LegacyToken("alice")})
		wantError(t, res, 403, emulator.CodeHomePinRequired, "")
		u := obj(t, wantJSON(t, do(t, e, req{method: "POST", url: path + "?pin=" + emulator.CarolHomePin, cid: "tv", token: e.LegacyToken("alice")}), 201))
		x := wantXML(t, do(t, e, req{method: "POST", url: path + "?pin=" + emulator.CarolHomePin, cid: "tv2", token: e.LegacyToken("alice"), accept: "-"}), 201)
		checkUserXML(t, x, carol, x.Attrs["authToken"])
		tok, _ := u["authToken"].(string)
		if u["uuid"] != carol.UUID || tok == "" || tok == e.LegacyToken("carol") {
			t.Fatalf("switch answer %v", u)
		}
		me := wantXML(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "tv", token: tok, accept: "-"}), 200)
		if me.Attrs["username"] != "carol" || me.Attrs["restricted"] != "1" {
			t.Errorf("switched token is %v", me.Attrs)
		}
		// The PMS treats the switched token as carol: a managed (shared) user, refused on
		// admin-only operations, seeing her shared sections.
		nas := serverURL(t, e, emulator.ServerAliceNAS)
		if status, keys := sectionKeys(t, e, nas, tok); status != 200 || !slices.Equal(keys, []string{"1", "2"}) {
			t.Errorf("carol's switched token on alice-nas: %d %v", status, keys)
		}
		if res := do(t, e, req{method: "GET", url: nas + "/status/sessions", token: tok}); res.status != 401 {
			t.Errorf("carol on an admin-only operation: %d", res.status)
		}
		// From carol back to alice, who has no PIN; the legacy path answers authenticationToken.
		aliceID := strconv.Itoa(userInfo(t, e, "alice").ID)
		back := wantRoot(t, wantXML(t, do(t, e, req{method: "POST", url: "/api/home/users/" + aliceID + "/switch", cid: "tv", token: tok, accept: "-"}), 201), "user")
		if back.Attrs["username"] != "alice" || back.Attrs["authenticationToken"] == "" || back.Attrs["authenticationToken"] != back.Attrs["authToken"] {
			t.Errorf("legacy switch %v", back.Attrs)
		}
		if res := do(t, e, req{method: "POST", url: path, cid: "tv", token: e.LegacyToken("bob"), form: url.Values{"pin": {emulator.CarolHomePin}}}); res.status != http.StatusNotFound {
			t.Errorf("bob switching into alice's Home: %d", res.status)
		}
	})
}

func TestHomePins(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	alice, carol := userInfo(t, e, "alice"), userInfo(t, e, "carol")
	own := "/api/home/users/" + strconv.Itoa(alice.ID)
	put := func(path, token string) int {
		return do(t, e, req{method: "PUT", url: path, cid: "c", token: token, accept: "-"}).status
	}
	if s := put(own+"?pin=4321", e.LegacyToken("alice")); s != 200 {
		t.Fatalf("set own PIN: %d", s)
	}
	if u := wantXML(t, get(t, e, "/api/v2/user", "alice", "-"), 200); u.Attrs["protected"] != "1" || u.Attrs["pin"] == "" {
		t.Errorf("after setting a PIN: %v", u.Attrs)
	}
	for _, q := range []string{"?pin=1111", "?pin=1111&currentPin=0000"} {
		if s := put(own+q, e.LegacyToken("alice")); s != 401 {
			t.Errorf("changing the PIN with %s: %d, want 401", q, s)
		}
	}
	if s := put(own+"?pin=&currentPin=4321", e.LegacyToken("alice")); s != 200 {
		t.Errorf("removing the PIN: %d", s)
	}
	if s := put(own+"?pin=12", e.LegacyToken("alice")); s != 400 {
		t.Errorf("a 2-digit PIN: %d", s)
	}
	if s := put(own+"?pin=1111", e.LegacyToken("bob")); s != 403 {
		t.Errorf("bob setting alice's PIN: %d", s)
	}

	managed := "/api/v2/home/users/restricted/" + strconv.Itoa(carol.ID)
	if s := put(managed+"?pin=5678", e.LegacyToken("alice")); s != 204 {
		t.Fatalf("set carol's PIN: %d", s)
	}
	sw := "/api/v2/home/users/" + carol.UUID + "/switch"
	wantError(t, do(t, e, req{method: "POST", url: sw + "?pin=" + emulator.CarolHomePin, cid: "c", token: e.LegacyToken("alice")}), 403, emulator.CodeHomePinRequired, "")
	if res := do(t, e, req{method: "POST", url: sw + "?pin=5678", cid: "c", token: e.LegacyToken("alice")}); res.status != 201 {
		t.Errorf("switch with the new PIN: %d", res.status)
	}
	if res := do(t, e, req{method: "POST", url: managed + "?removePin=1", cid: "c", token: e.LegacyToken("alice")}); res.status != 204 {
		t.Fatalf("remove carol's PIN (POST): %d", res.status)
	}
	if s := put(managed+"?removePin=1", e.LegacyToken("alice")); s != 204 {
		t.Fatalf("remove carol's PIN: %d", s)
	}
	if res := do(t, e, req{method: "POST", url: sw, cid: "c", token: e.LegacyToken("alice")}); res.status != 201 {
		t.Errorf("switch without a PIN once removed: %d", res.status)
	}
	if s := put(managed+"?pin=1111", e.LegacyToken("bob")); s != 403 {
		t.Errorf("bob setting carol's PIN: %d", s)
	}
}

// TestHomeMembers follows python-plexapi's createHomeUser: create a managed user, share a
// server with it, switch to it; then remove it.
func TestHomeMembers(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	alice := e.LegacyToken("alice")
	created := wantRoot(t, wantXML(t, do(t, e, req{method: "POST", url: "/api/home/users?title=Kid%20One", cid: "c", token: alice, accept: "-"}), 201), "User")
	if created.Attrs["title"] != "Kid One" || created.Attrs["id"] == "" || created.Attrs["restricted"] != "1" {
		t.Fatalf("created %v", created.Attrs)
	}
	if n := len(obj(t, wantJSON(t, get(t, e, "/api/v2/home/users", "alice", ""), 200))["users"].([]any)); n != 3 {
		t.Errorf("home has %d members after the creation", n)
	}
	mid := serverMachineID(t, e, emulator.ServerAliceNAS)
	ids := plexSectionIDs(t, e, mid)
	kidID, _ := strconv.Atoi(created.Attrs["id"])
	body := map[string]any{"server_id": mid, "shared_server": map[string]any{"library_section_ids": []int{ids["2"]}, "invited_id": kidID}}
	if res := do(t, e, req{method: "POST", url: "/api/servers/" + mid + "/shared_servers", cid: "c", token: alice, json: body}); res.status != 200 {
		t.Fatalf("share with the managed user: %d %s", res.status, res.body)
	}
	sw := wantXML(t, do(t, e, req{method: "POST", url: "/api/home/users/" + created.Attrs["id"] + "/switch", cid: "c", token: alice, accept: "-"}), 201)
	tok := sw.Attrs["authenticationToken"]
	if status, keys := sectionKeys(t, e, serverURL(t, e, emulator.ServerAliceNAS), tok); status != 200 || !slices.Equal(keys, []string{"2"}) {
		t.Errorf("the new managed user on alice-nas: %d %v", status, keys)
	}
	if res := do(t, e, req{method: "POST", url: "/api/home/users?invitedEmail=bob@example.com", cid: "c", token: alice, accept: "-"}); res.status != 201 {
		t.Errorf("invite bob into the Home: %d %s", res.status, res.body)
	}
	if res := do(t, e, req{method: "POST", url: "/api/home/users?title=x", cid: "c", token: e.LegacyToken("bob"), accept: "-"}); res.status != 403 {
		t.Errorf("bob (not the admin) creating a member: %d", res.status)
	}
	if res := do(t, e, req{method: "DELETE", url: "/api/home/users/" + created.Attrs["id"], cid: "c", token: alice}); res.status != 200 {
		t.Fatalf("remove: %d %s", res.status, res.body)
	}
	if status, _ := sectionKeys(t, e, serverURL(t, e, emulator.ServerAliceNAS), tok); status != 401 {
		t.Errorf("the removed managed user on alice-nas: %d", status)
	}
	if res := do(t, e, req{method: "POST", url: "/api/home/users/" + created.Attrs["id"] + "/switch", cid: "c", token: alice}); res.status != 404 {
		t.Errorf("switch to a removed member: %d", res.status)
	}
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	alice := e.LegacyToken("alice")
	set := url.Values{"urls[]": {"https://hooks.example/a", "http://127.0.0.1:9/b"}}
	res := do(t, e, req{method: "POST", url: "/api/v2/user/webhooks", cid: "c", token: alice, form: set, accept: "-"})
	x := wantRoot(t, wantXML(t, res, 201), "webhooks")
	var got []string
	for _, w := range x.kids("webhook") {
		got = append(got, w.Attrs["url"])
	}
	if !slices.Equal(got, set["urls[]"]) || !slices.Equal(e.Webhooks("alice"), got) {
		t.Fatalf("webhooks %v, Webhooks() %v", got, e.Webhooks("alice"))
	}
	list := arr(t, wantJSON(t, get(t, e, "/api/v2/user/webhooks", "alice", ""), 200))
	if len(list) != 2 || obj(t, list[0])["url"] != "https://hooks.example/a" {
		t.Errorf("JSON %v", list)
	}
	res = do(t, e, req{method: "DELETE", url: "/api/v2/user/webhooks?url=" + url.QueryEscape("https://hooks.example/a"), cid: "c", token: alice})
	if l := arr(t, wantJSON(t, res, 200)); len(l) != 1 || !slices.Equal(e.Webhooks("alice"), []string{"http://127.0.0.1:9/b"}) {
		t.Errorf("after delete %v", l)
	}
	// urls= with no value clears; a query string works as well as a form (@ctrl/plex has no body).
	if l := arr(t, wantJSON(t, do(t, e, req{method: "POST", url: "/api/v2/user/webhooks?urls=", cid: "c", token: alice}), 201)); len(l) != 0 || len(e.Webhooks("alice")) != 0 {
		t.Errorf("after clearing %v", l)
	}
	wantError(t, do(t, e, req{method: "POST", url: "/api/v2/user/webhooks", cid: "c", token: alice, form: url.Values{"urls[]": {"ftp://x"}}}), 400, emulator.CodeBadRequest, "absolute http")
	wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user/webhooks", cid: "c", token: e.LegacyToken("bob")}), 403, emulator.CodePlexPassRequired, "Plex Pass")
	if e.Webhooks("nobody") != nil {
		t.Error("Webhooks of an unknown user")
	}
}
