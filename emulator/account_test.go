package emulator_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// userBody is the subset of the user object the tests read.
type userBody struct {
	ID           int    `json:"id"`
	UUID         string `json:"uuid"`
	Username     string `json:"username"`
	Email        string `json:"email"`
	AuthToken    string `json:"authToken"`
	JoinedAt     int64  `json:"joinedAt"`
	Subscription struct {
		Active bool `json:"active"`
	} `json:"subscription"`
}

func TestUser(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	jwtTok := linkViaPin(t, e, d, "bob")
	for _, tt := range []struct {
		name     string
		token    string
		cid      string
		username string
	}{
		{"legacy token", e.LegacyToken("alice"), "x", "alice"},
		{"Plex JWT", jwtTok, d.cid, "bob"},
		{"token as query parameter", "", "x", "dave"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := req{method: "GET", url: "/api/v2/user", cid: tt.cid, token: tt.token}
			if tt.token == "" {
				r.url += "?X-Plex-Token=" + e.LegacyToken("dave")
			}
			u := decode[userBody](t, do(t, e, r), http.StatusOK)
			want := userInfo(t, e, tt.username)
			if u.ID != want.ID || u.UUID != want.UUID || u.Username != want.Username || u.Email != want.Email || u.JoinedAt == 0 {
				t.Errorf("user %+v, want %+v", u, want)
			}
			if len(u.UUID) != 16 {
				t.Errorf("uuid %q is not 16 hex characters", u.UUID)
			}
			if u.Subscription.Active != (tt.username == "alice") {
				t.Errorf("subscription active %v for %s", u.Subscription.Active, tt.username)
			}
		})
	}
	t.Run("XML without Accept", func(t *testing.T) {
		t.Parallel()
		res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: "x", token: e.LegacyToken("carol"), accept: "-"})
		var u struct {
			XMLName    xml.Name `xml:"user"`
			Username   string   `xml:"username,attr"`
			Restricted string   `xml:"restricted,attr"`
			Home       string   `xml:"home,attr"`
		}
		if res.status != http.StatusOK || xml.Unmarshal(res.body, &u) != nil {
			t.Fatalf("%d %s", res.status, res.body)
		}
		if u.Username != "carol" || u.Restricted != "1" || u.Home != "1" {
			t.Errorf("XML user %+v", u)
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", token: e.LegacyToken("alice")}), 400,
			emulator.CodeClientIdentifierMissing, "X-Plex-Client-Identifier is missing")
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "x"}), 401, emulator.CodeUnauthorized, "User could not be authenticated")
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "x", token: "eyJ.eyJ.sig"}), 401, emulator.CodeUnauthorized, "User could not be authenticated")
		res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: "x", token: "bogus", accept: "-"})
		var x struct {
			Error struct {
				Code   int `xml:"code,attr"`
				Status int `xml:"status,attr"`
			} `xml:"error"`
		}
		if res.status != 401 || xml.Unmarshal(res.body, &x) != nil || x.Error.Code != emulator.CodeUnauthorized || x.Error.Status != 401 {
			t.Errorf("XML error: %d %s", res.status, res.body)
		}
	})
}

func TestExpiredPlexJWT(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		opts      emulator.Options
		pmsStatus int
	}{
		{"default", emulator.Options{}, emulator.StatusTokenExpired},
		{"401 on PMS", emulator.Options{ExpiredJWTStatusOnPMS: 401}, http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, tt.opts)
			d := newDevice(t)
			tok := linkViaPin(t, e, d, "alice")
			e.Advance(emulator.PlexJWTLifetime - time.Minute)
			if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}); res.status != http.StatusOK {
				t.Fatalf("a minute before exp: %d", res.status)
			}
			e.Advance(time.Minute)
			wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: tok}), emulator.StatusTokenExpired,
				emulator.CodeTokenExpired, "Token expired")
			nas := serverURL(t, e, emulator.ServerAliceNAS)
			if res := do(t, e, req{method: "GET", url: nas + "/library/sections", token: tok}); res.status != tt.pmsStatus {
				t.Errorf("PMS: %d, want %d", res.status, tt.pmsStatus)
			}
			// A Plex JWT can be refreshed after it expired.
			fresh := refresh(t, e, d)
			if res := do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: fresh}); res.status != http.StatusOK {
				t.Errorf("refreshed after expiry: %d", res.status)
			}
		})
	}
}

// resource is the subset of a resource the tests read.
type resource struct {
	Name             string       `json:"name"`
	Product          string       `json:"product"`
	ClientIdentifier string       `json:"clientIdentifier"`
	Provides         string       `json:"provides"`
	Owned            bool         `json:"owned"`
	Home             bool         `json:"home"`
	Presence         bool         `json:"presence"`
	OwnerID          *int         `json:"ownerId"`
	SourceTitle      *string      `json:"sourceTitle"`
	AccessToken      string       `json:"accessToken"`
	Connections      []connection `json:"connections"`
}

type connection struct {
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	URI      string `json:"uri"`
	Local    bool   `json:"local"`
	Relay    bool   `json:"relay"`
	IPv6     *bool  `json:"IPv6"`
}

func resources(t testing.TB, e *emulator.Emulator, token, query string) []resource {
	t.Helper()
	return decode[[]resource](t, do(t, e, req{method: "GET", url: "/api/v2/resources" + query, cid: "x", token: token}), http.StatusOK)
}

func TestResources(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	servers := map[string]emulator.ServerInfo{}
	for _, s := range e.Servers() {
		servers[s.Name] = s
	}
	for _, tt := range []struct {
		user   string
		want   []string
		owned  bool
		source string
		home   bool
	}{
		{user: "alice", want: []string{"alice-nas", "alice-vault"}, owned: true, home: true},
		{user: "bob", want: []string{"alice-nas"}, source: "alice"},
		{user: "carol", want: []string{"alice-nas"}, source: "alice", home: true},
		{user: "dave", want: nil},
	} {
		t.Run(tt.user, func(t *testing.T) {
			t.Parallel()
			rs := resources(t, e, e.LegacyToken(tt.user), "?includeHttps=1&includeRelay=1&includeIPv6=1")
			var names []string
			for _, r := range rs {
				names = append(names, r.Name)
				s := servers[r.Name]
				if r.ClientIdentifier != s.MachineIdentifier || len(r.ClientIdentifier) != 40 || r.Product != "Plex Media Server" || r.Provides != "server" || !r.Presence {
					t.Errorf("resource %+v", r)
				}
				if r.Owned != tt.owned || r.Home != tt.home || len(r.AccessToken) != 20 {
					t.Errorf("%s: owned %v home %v token length %d", r.Name, r.Owned, r.Home, len(r.AccessToken))
				}
				switch {
				case tt.owned && (r.OwnerID != nil || r.SourceTitle != nil):
					t.Errorf("%s: owned, but ownerId %v sourceTitle %v", r.Name, r.OwnerID, r.SourceTitle)
				case !tt.owned && (r.OwnerID == nil || *r.OwnerID != userInfo(t, e, "alice").ID || r.SourceTitle == nil || *r.SourceTitle != tt.source):
					t.Errorf("%s: shared, but ownerId %v sourceTitle %v", r.Name, r.OwnerID, r.SourceTitle)
				}
				if len(r.Connections) != 5 {
					t.Fatalf("%s: %d connections", r.Name, len(r.Connections))
				}
				live := slices.IndexFunc(r.Connections, func(c connection) bool { return c.URI == s.URL })
				if live < 0 || !r.Connections[live].Local || r.Connections[live].IPv6 == nil {
					t.Errorf("%s: live connection %s missing from %+v", r.Name, s.URL, r.Connections)
				}
				remote := slices.IndexFunc(r.Connections, func(c connection) bool { return c.URI == s.RemoteURL })
				if remote < 0 || r.Connections[remote].Local || s.RemoteURL == s.URL {
					t.Errorf("%s: live remote connection %s missing from %+v", r.Name, s.RemoteURL, r.Connections)
				}
				var relays int
				for _, c := range r.Connections {
					if c.Relay {
						relays++
					}
				}
				if relays != 1 {
					t.Errorf("%s: %d relay connections", r.Name, relays)
				}
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("servers %v, want %v", names, tt.want)
			}
		})
	}
	t.Run("include flags", func(t *testing.T) {
		t.Parallel()
		for _, tt := range []struct {
			query string
			n     int
		}{{"", 3}, {"?includeHttps=1", 4}, {"?includeRelay=1", 4}, {"?includeHttps=1&includeRelay=1", 5}} {
			rs := resources(t, e, e.LegacyToken("alice"), tt.query)
			if got := len(rs[0].Connections); got != tt.n {
				t.Errorf("%q: %d connections, want %d", tt.query, got, tt.n)
			}
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/resources", cid: "x"}), 401, emulator.CodeUnauthorized, "")
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/resources", token: e.LegacyToken("alice")}), 400, emulator.CodeClientIdentifierMissing, "")
	})
}

func TestDeadConnections(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	rs := resources(t, e, e.LegacyToken("alice"), "?includeHttps=1&includeRelay=1")
	live := serverURL(t, e, rs[0].Name)
	for _, c := range rs[0].Connections {
		if c.URI == live || c.Protocol == "http" && !c.Local {
			continue // the live local and remote connections
		}
		t.Run(c.URI, func(t *testing.T) {
			t.Parallel()
			conn, err := net.DialTimeout("tcp", net.JoinHostPort(c.Address, strconv.Itoa(c.Port)), time.Second)
			if err != nil {
				t.Fatalf("dead connection refuses TCP: %v", err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte("GET /identity HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, err := conn.Read(make([]byte, 1))
			var ne net.Error
			if n != 0 || err == nil || !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("dead connection answered: n=%d err=%v", n, err)
			}
		})
	}
	if res := do(t, e, req{method: "GET", url: live + "/identity"}); res.status != http.StatusOK ||
		!strings.Contains(string(res.body), rs[0].ClientIdentifier) {
		t.Errorf("live connection: %d %s", res.status, res.body)
	}
}

func TestState(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	var st emulator.State
	res := do(t, e, req{method: "GET", url: "/__emulator/state"})
	if err := json.Unmarshal(res.body, &st); err != nil || res.status != http.StatusOK {
		t.Fatalf("%d %s", res.status, res.body)
	}
	want := e.State()
	if st.URL != e.URL() || !slices.Equal(st.Servers, want.Servers) || !slices.Equal(st.Users, want.Users) {
		t.Errorf("state %+v, want %+v", st, want)
	}
	var kinds []string
	for _, u := range st.Users {
		kinds = append(kinds, u.Username+":"+u.Kind)
		if (u.Password == "") != (u.Kind == "managed") || !strings.HasSuffix(u.Email, "@example.com") {
			t.Errorf("user %+v", u)
		}
	}
	if !slices.Equal(kinds, []string{"alice:owner", "bob:friend", "carol:managed", "dave:none"}) {
		t.Errorf("users %v", kinds)
	}
	if len(st.Servers) != 2 || !st.Servers[0].AcceptsAccountJWT || st.Servers[1].AcceptsAccountJWT || st.Servers[0].Owner != "alice" {
		t.Errorf("servers %+v", st.Servers)
	}
	// Machine identifiers are stable from run to run.
	other := emulator.New(emulator.Options{})
	if other.Servers()[0].MachineIdentifier != st.Servers[0].MachineIdentifier || other.Servers()[0].URL != "" {
		t.Errorf("unstarted emulator: %+v", other.Servers()[0])
	}
}
