package emulator_test

import (
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// plexSectionIDs returns the plex.tv section id of each PMS section key of the server.
func plexSectionIDs(t testing.TB, e *emulator.Emulator, mid string) map[string]int {
	t.Helper()
	root := wantRoot(t, wantXML(t, get(t, e, "/api/servers/"+mid, "alice", "-"), 200), "MediaContainer")
	wantAttrs(t, root, "friendlyName", "identifier", "machineIdentifier", "size")
	srv := root.kid(t, "Server")
	wantAttrs(t, srv, "name", "address", "port", "version", "scheme", "host", "localAddresses", "machineIdentifier",
		"createdAt", "updatedAt")
	wantBools(t, srv, "owned", "synced")
	out := map[string]int{}
	for _, s := range srv.kids("Section") {
		wantAttrs(t, s, "id", "key", "type", "title")
		id, err := strconv.Atoi(s.Attrs["id"])
		if err != nil {
			t.Fatalf("Section id %q", s.Attrs["id"])
		}
		out[s.Attrs["key"]] = id
	}
	return out
}

// sharedServers lists GET /api/servers/{mid}/shared_servers by username.
func sharedServers(t testing.TB, e *emulator.Emulator, mid string) map[string]*node {
	t.Helper()
	root := wantRoot(t, wantXML(t, get(t, e, "/api/servers/"+mid+"/shared_servers", "alice", "application/json"), 200), "MediaContainer")
	out := map[string]*node{}
	for _, s := range root.kids("SharedServer") {
		wantAttrs(t, s, "id", "username", "email", "userID", "accessToken", "name", "invitedAt", "acceptedAt",
			"filterAll", "filterMovies", "filterMusic", "filterPhotos", "filterTelevision")
		wantBools(t, s, "allowSync", "allowCameraUpload", "allowChannels", "allowTuners", "allowSubtitleAdmin", "owned", "allLibraries")
		for _, sec := range s.kids("Section") {
			wantAttrs(t, sec, "id", "key", "title", "type")
			wantBools(t, sec, "shared")
		}
		out[s.Attrs["username"]] = s
	}
	return out
}

func TestSharing(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	mid := serverMachineID(t, e, emulator.ServerAliceNAS)
	ids := plexSectionIDs(t, e, mid)
	alice := e.LegacyToken("alice")

	shares := sharedServers(t, e, mid)
	bob := shares["bob"]
	if bob == nil || shares["carol"] == nil || len(shares) != 2 {
		t.Fatalf("shared_servers: %v", shares)
	}
	bobToken := bob.Attrs["accessToken"]
	if bobToken != accessTokens(t, e, "bob")[emulator.ServerAliceNAS] {
		t.Error("SharedServer accessToken differs from bob's resources accessToken")
	}
	if _, keys := sectionKeys(t, e, nas, bobToken); !slices.Equal(keys, []string{"1"}) {
		t.Fatalf("bob sees %v, want [1]", keys)
	}

	t.Run("users", func(t *testing.T) {
		root := wantRoot(t, wantXML(t, get(t, e, "/api/users/", "alice", "application/json"), 200), "MediaContainer")
		if root.Attrs["friendlyName"] != "myPlex" || root.Attrs["identifier"] != "com.plexapp.plugins.myplex" {
			t.Errorf("container %v", root.Attrs)
		}
		byTitle := map[string]*node{}
		for _, u := range root.kids("User") {
			wantAttrs(t, u, "id", "title", "username", "email", "recommendationsPlaylistId", "thumb", "filterAll",
				"filterMovies", "filterMusic", "filterPhotos", "filterTelevision")
			wantBools(t, u, "protected", "home", "allowSync", "allowCameraUpload", "allowChannels", "allowSubtitleAdmin", "restricted")
			for _, s := range u.kids("Server") {
				wantAttrs(t, s, "id", "serverId", "machineIdentifier", "name", "lastSeenAt", "numLibraries")
				wantBools(t, s, "allLibraries", "owned", "pending")
			}
			byTitle[u.Attrs["title"]] = u
		}
		b, c := byTitle["Bob"], byTitle["Carol"]
		if b == nil || c == nil || b.Attrs["id"] != strconv.Itoa(userInfo(t, e, "bob").ID) || b.Attrs["username"] != "bob" {
			t.Fatalf("users: %v", byTitle)
		}
		if c.Attrs["home"] != "1" || c.Attrs["restricted"] != "1" || c.Attrs["username"] != "" || c.Attrs["protected"] != "1" {
			t.Errorf("carol (managed) %v", c.Attrs)
		}
		if s := b.kid(t, "Server"); s.Attrs["machineIdentifier"] != mid || s.Attrs["numLibraries"] != "1" || s.Attrs["id"] != bob.Attrs["id"] {
			t.Errorf("bob's server %v", s.Attrs)
		}
	})
	t.Run("v2 friends", func(t *testing.T) {
		for _, who := range []string{"alice", "bob"} {
			list := arr(t, wantJSON(t, get(t, e, "/api/v2/friends", who, "application/json"), 200))
			if len(list) != 1 {
				t.Fatalf("%s has %d friends", who, len(list))
			}
			f := obj(t, list[0])
			wantKeys(t, f, map[string]string{"email": "string", "friendlyName": "string", "home": "bool", "id": "number",
				"restricted": "bool", "sharedServers": "array", "sharedSources": "array", "status": "string",
				"thumb": "string", "title": "string", "username": "string", "uuid": "string"})
			ss := arr(t, f["sharedServers"])
			if len(ss) != 1 {
				t.Fatalf("%s's friend has %d shared servers", who, len(ss))
			}
			s := obj(t, ss[0])
			libs := arr(t, s["libraries"])
			if s["machineIdentifier"] != mid || len(libs) != 1 || obj(t, libs[0])["key"] != "1" {
				t.Errorf("%s's friend's share %v", who, s)
			}
			if tok, _ := s["accessToken"].(string); (who == "bob") != (tok == bobToken) {
				t.Errorf("%s sees accessToken %q", who, tok)
			}
		}
		x := wantRoot(t, wantXML(t, get(t, e, "/api/v2/friends", "alice", "-"), 200), "friends")
		x.kid(t, "friend").kid(t, "sharedServers").kid(t, "sharedServer").kid(t, "libraries").kid(t, "library")
	})
	t.Run("update and remove a share", func(t *testing.T) {
		// Ids as numbers and as strings: clients send both.
		body := map[string]any{"server_id": mid, "shared_server": map[string]any{"library_section_ids": []any{ids["1"], strconv.Itoa(ids["2"])}}}
		res := do(t, e, req{method: "PUT", url: "/api/servers/" + mid + "/shared_servers/" + bob.Attrs["id"], cid: "c", token: alice, json: body})
		got := wantXML(t, res, 200).kid(t, "SharedServer")
		if got.Attrs["allLibraries"] != "0" || len(got.kids("Section")) != 2 {
			t.Errorf("updated share %v", got.Attrs)
		}
		if _, keys := sectionKeys(t, e, nas, bobToken); !slices.Equal(keys, []string{"1", "2"}) {
			t.Errorf("after the update bob sees %v, want [1 2]", keys)
		}
		one := wantXML(t, get(t, e, "/api/servers/"+mid+"/shared_servers/"+bob.Attrs["id"], "alice", "-"), 200).kid(t, "SharedServer")
		for _, s := range one.kids("Section") {
			if s.Attrs["shared"] != "1" {
				t.Errorf("section %v not shared", s.Attrs)
			}
		}
		if res := do(t, e, req{method: "DELETE", url: "/api/servers/" + mid + "/shared_servers/" + bob.Attrs["id"], cid: "c", token: alice}); res.status != 200 {
			t.Fatalf("delete share: %d %s", res.status, res.body)
		}
		if status, _ := sectionKeys(t, e, nas, bobToken); status != 401 {
			t.Errorf("bob's share token after removal: %d, want 401", status)
		}
		if len(accessTokens(t, e, "bob")) != 0 {
			t.Error("bob still lists alice-nas")
		}
	})
	t.Run("invite", func(t *testing.T) {
		body := map[string]any{"server_id": mid, "shared_server": map[string]any{"library_section_ids": []int{ids["2"]}, "invited_email": "dave@example.com"},
			"sharing_settings": map[string]any{"allowSync": "1", "filterMovies": "contentRating=G"}}
		res := do(t, e, req{method: "POST", url: "/api/servers/" + mid + "/shared_servers", cid: "c", token: alice, json: body})
		s := wantXML(t, res, 200).kid(t, "SharedServer")
		if s.Attrs["username"] != "dave" || s.Attrs["filterMovies"] != "contentRating=G" || s.Attrs["allowSync"] != "1" {
			t.Errorf("invite: %v", s.Attrs)
		}
		tok := accessTokens(t, e, "dave")[emulator.ServerAliceNAS]
		if _, keys := sectionKeys(t, e, nas, tok); !slices.Equal(keys, []string{"2"}) {
			t.Errorf("dave sees %v, want [2]", keys)
		}
		again := do(t, e, req{method: "POST", url: "/api/servers/" + mid + "/shared_servers", cid: "c", token: alice, json: body, accept: "-"})
		r := wantRoot(t, wantXML(t, again, 400), "Response")
		if r.Attrs["code"] != "400" {
			t.Errorf("already shared: %v", r.Attrs)
		}
		v2 := do(t, e, req{method: "POST", url: "/api/v2/shared_servers", cid: "c", token: alice, accept: "-",
			json: map[string]any{"machineIdentifier": mid, "librarySectionIds": []int{ids["1"]}, "invitedId": userInfo(t, e, "dave").ID}})
		er := wantRoot(t, wantXML(t, v2, 422), "errors").kid(t, "error")
		if er.Attrs["code"] != "1999" || er.Attrs["field"] != "base" {
			t.Errorf("v2 already shared: %v", er.Attrs)
		}
		if res := do(t, e, req{method: "GET", url: "/api/servers/" + mid + "/shared_servers", cid: "c", token: e.LegacyToken("bob"), accept: "-"}); res.status != 403 {
			t.Errorf("bob reading alice's shares: %d", res.status)
		}
	})
	t.Run("v2 share and remove friend", func(t *testing.T) {
		v2 := do(t, e, req{method: "POST", url: "/api/v2/shared_servers", cid: "c", token: alice,
			json: map[string]any{"machineIdentifier": mid, "librarySectionIds": []int{ids["1"]}, "invitedEmail": "bob", "settings": map[string]any{"allowSync": true}}})
		s := obj(t, wantJSON(t, v2, http.StatusCreated))
		if s["invitedId"] != float64(userInfo(t, e, "bob").ID) || len(arr(t, s["libraries"])) != 1 {
			t.Errorf("v2 share %v", s)
		}
		tok := accessTokens(t, e, "bob")[emulator.ServerAliceNAS]
		if _, keys := sectionKeys(t, e, nas, tok); !slices.Equal(keys, []string{"1"}) {
			t.Errorf("bob sees %v", keys)
		}
		legacyDelete := do(t, e, req{method: "DELETE", url: "/api/friends/" + strconv.Itoa(userInfo(t, e, "bob").ID), cid: "c", token: alice})
		if r := wantRoot(t, wantXML(t, legacyDelete, 410), "Response"); r.Attrs["status"] != "This endpoint was deprecated and removed" {
			t.Errorf("410 body %v", r.Attrs)
		}
		if res := do(t, e, req{method: "DELETE", url: "/api/v2/sharings/" + strconv.Itoa(userInfo(t, e, "bob").ID), cid: "c", token: alice}); res.status != 204 {
			t.Fatalf("remove friend: %d %s", res.status, res.body)
		}
		if status, _ := sectionKeys(t, e, nas, tok); status != 401 {
			t.Errorf("bob after removal: %d", status)
		}
		if len(arr(t, wantJSON(t, get(t, e, "/api/v2/friends", "bob", ""), 200))) != 0 {
			t.Error("bob still has alice as a friend")
		}
	})
	t.Run("LegacyFriendsAPI", func(t *testing.T) {
		e := start(t, emulator.Options{LegacyFriendsAPI: true})
		tok := accessTokens(t, e, "bob")[emulator.ServerAliceNAS]
		res := do(t, e, req{method: "DELETE", url: "/api/friends/" + strconv.Itoa(userInfo(t, e, "bob").ID), cid: "c", token: e.LegacyToken("alice")})
		if res.status != 200 {
			t.Fatalf("legacy remove friend: %d %s", res.status, res.body)
		}
		if status, _ := sectionKeys(t, e, serverURL(t, e, emulator.ServerAliceNAS), tok); status != 401 {
			t.Errorf("bob after removal: %d", status)
		}
	})
}
