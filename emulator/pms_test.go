package emulator_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// accessTokens returns the access token /api/v2/resources lists for user, per server name.
func accessTokens(t testing.TB, e *emulator.Emulator, user string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range resources(t, e, e.LegacyToken(user), "") {
		out[r.Name] = r.AccessToken
	}
	return out
}

// sectionKeys lists the keys of GET /library/sections on a server.
func sectionKeys(t testing.TB, e *emulator.Emulator, serverURL, token string) (int, []string) {
	t.Helper()
	res := do(t, e, req{method: "GET", url: serverURL + "/library/sections", token: token})
	if res.status != http.StatusOK {
		return res.status, nil
	}
	body := decode[struct {
		MediaContainer struct {
			Directory []struct {
				Key string `json:"key"`
			} `json:"Directory"`
		} `json:"MediaContainer"`
	}](t, res, http.StatusOK)
	var keys []string
	for _, d := range body.MediaContainer.Directory {
		keys = append(keys, d.Key)
	}
	return res.status, keys
}

func TestPMSAuthorization(t *testing.T) {
	t.Parallel()
	for _, opts := range []struct {
		name   string
		opts   emulator.Options
		shared int // what a shared user gets on an admin-only operation
	}{
		{"default", emulator.Options{}, http.StatusUnauthorized},
		{"403 for shared admin", emulator.Options{SharedAdminStatus: 403}, http.StatusForbidden},
	} {
		t.Run(opts.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, opts.opts)
			nas, vault := serverURL(t, e, emulator.ServerAliceNAS), serverURL(t, e, emulator.ServerAliceVault)
			alice, bob, carol := accessTokens(t, e, "alice"), accessTokens(t, e, "bob"), accessTokens(t, e, "carol")
			jwtOf := map[string]string{}
			for _, u := range []string{"alice", "bob", "carol", "dave"} {
				jwtOf[u] = linkViaPin(t, e, newDevice(t), u)
			}
			for _, tt := range []struct {
				name     string
				server   string
				token    string
				sections int      // status of GET /library/sections
				keys     []string // its section keys when 200
				sessions int      // status of GET /status/sessions (admin only)
			}{
				{"alice JWT on nas", nas, jwtOf["alice"], 200, []string{"1", "2", "3", "4"}, 200},
				{"alice legacy on nas", nas, e.LegacyToken("alice"), 200, []string{"1", "2", "3", "4"}, 200},
				{"alice nas token on nas", nas, alice["alice-nas"], 200, []string{"1", "2", "3", "4"}, 200},
				{"alice JWT on vault", vault, jwtOf["alice"], 401, nil, 401},
				{"alice legacy on vault", vault, e.LegacyToken("alice"), 401, nil, 401},
				{"alice vault token on vault", vault, alice["alice-vault"], 200, []string{"1", "2"}, 200},
				{"alice nas token on vault", vault, alice["alice-nas"], 401, nil, 401},
				{"alice vault token on nas", nas, alice["alice-vault"], 401, nil, 401},
				{"bob share token on nas", nas, bob["alice-nas"], 200, []string{"1", "3"}, opts.shared},
				{"bob JWT on nas", nas, jwtOf["bob"], 200, []string{"1", "3"}, opts.shared},
				{"bob JWT on vault", vault, jwtOf["bob"], 401, nil, 401},
				{"bob share token on vault", vault, bob["alice-nas"], 401, nil, 401},
				{"carol share token on nas", nas, carol["alice-nas"], 200, []string{"1", "2", "3", "4"}, opts.shared},
				{"carol JWT on nas", nas, jwtOf["carol"], 200, []string{"1", "2", "3", "4"}, opts.shared},
				{"dave JWT on nas", nas, jwtOf["dave"], 401, nil, 401},
				{"dave legacy on nas", nas, e.LegacyToken("dave"), 401, nil, 401},
				{"no token", nas, "", 401, nil, 401},
				{"garbage", nas, "not-a-token", 401, nil, 401},
				{"forged JWT", nas, "eyJhbGciOiJFZERTQSJ9.e30.c2ln", 401, nil, 401},
			} {
				t.Run(tt.name, func(t *testing.T) {
					t.Parallel()
					status, keys := sectionKeys(t, e, tt.server, tt.token)
					if status != tt.sections || !slices.Equal(keys, tt.keys) {
						t.Errorf("GET /library/sections: %d %v, want %d %v", status, keys, tt.sections, tt.keys)
					}
					if res := do(t, e, req{method: "GET", url: tt.server + "/status/sessions", token: tt.token}); res.status != tt.sessions {
						t.Errorf("GET /status/sessions: %d, want %d", res.status, tt.sessions)
					}
				})
			}
		})
	}
}

func TestPMSSessionsSeed(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{LibrarySize: 1_000_000})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	res := do(t, e, req{method: "GET", url: nas + "/status/sessions", token: accessTokens(t, e, "alice")["alice-nas"]})
	body := decode[struct {
		MediaContainer struct {
			Size     int `json:"size"`
			Metadata []struct {
				User struct {
					Title string `json:"title"`
				} `json:"User"`
			} `json:"Metadata"`
		} `json:"MediaContainer"`
	}](t, res, http.StatusOK)
	var users []string
	for _, m := range body.MediaContainer.Metadata {
		users = append(users, m.User.Title)
	}
	if !slices.Equal(users, []string{"alice", "bob"}) {
		t.Errorf("sessions of %v, want alice and bob", users)
	}
	res = do(t, e, req{method: "GET", url: nas + "/library/sections/1/all?X-Plex-Container-Start=0&X-Plex-Container-Size=1",
		token: accessTokens(t, e, "alice")["alice-nas"]})
	if res.status != http.StatusOK || res.header.Get("X-Plex-Container-Total-Size") != "1000000" {
		t.Errorf("Movies: %d, total size %q", res.status, res.header.Get("X-Plex-Container-Total-Size"))
	}
}
