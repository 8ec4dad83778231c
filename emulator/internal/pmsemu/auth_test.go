package pmsemu

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/internal/spec"
)

const unauthorizedBody = `<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>`

func TestTokenChecks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := []struct {
		name       string
		r          req
		wantStatus int
		wantBody   string // exact, when set
	}{
		{"identity without token", req{path: "/identity"}, 200, ""},
		{"identity ignores a bad token", req{path: "/identity", token: "garbage"}, 200, ""},
		{"HEAD is routed like GET", req{method: "HEAD", path: "/status/sessions", token: friendToken}, 401, ""},
		{"no token", req{path: "/library/sections/all"}, 401, unauthorizedBody},
		{"unknown token", req{path: "/library/sections/all", token: "garbage"}, 401, unauthorizedBody},
		{"account without access", req{path: "/library/sections/all", token: strangerToken}, 401, unauthorizedBody},
		{"expired JWT", req{path: "/library/sections/all", token: expiredToken}, 498,
			`<html><head><title>Token Expired</title></head><body><h1>498 Token Expired</h1></body></html>`},
		{"owner", req{path: "/library/sections/all", token: ownerToken}, 200, ""},
		{"friend", req{path: "/library/sections/all", token: friendToken}, 200, ""},
		{"token as query parameter", req{path: "/library/sections/all?X-Plex-Token=" + friendToken}, 200, ""},
		{"header wins over query", req{path: "/library/sections/all?X-Plex-Token=" + friendToken, token: "garbage"}, 401, unauthorizedBody},
		{"unknown route without token is 401 first", req{path: "/no/such/endpoint"}, 401, unauthorizedBody},
		{"unknown route with token", req{path: "/no/such/endpoint", token: ownerToken}, 404,
			`<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>`},
		{"admin-only with friend", req{path: "/status/sessions", token: friendToken}, 401, unauthorizedBody},
		{"admin-only with expired JWT", req{path: "/status/sessions", token: expiredToken}, 498, ""},
		{"admin-only with owner", req{path: "/status/sessions", token: ownerToken}, 200, ""},
		{"spec operation without data, owner", req{path: "/livetv/dvrs", token: ownerToken}, 200,
			`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<MediaContainer size="0"/>` + "\n"},
		{"spec operation without data, friend", req{path: "/media/subscriptions", token: friendToken, json: true}, 200,
			`{"MediaContainer":{"size":0}}`},
		{"error bodies are HTML even when JSON is asked for", req{path: "/status/sessions", token: friendToken, json: true}, 401, unauthorizedBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := f.do(t, tt.r)
			if resp.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %q", resp.status, tt.wantStatus, resp.body)
			}
			if tt.wantBody != "" && resp.body != tt.wantBody {
				t.Errorf("body = %q, want %q", resp.body, tt.wantBody)
			}
			if resp.status >= 400 && resp.header.Get("Content-Type") != "text/html" {
				t.Errorf("Content-Type = %q, want text/html", resp.header.Get("Content-Type"))
			}
		})
	}
}

// TestRoleMatrix sends every operation of the spec, as the spec's role table has it, with the
// tokens of each kind of caller: a shared user is refused on all 96 admin-only operations
// whether or not the emulator has data for them, and never on the others.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	f401 := newFixture(t, nil)
	f403 := newFixture(t, func(c *Config) { c.SharedAdminStatus = http.StatusForbidden })
	ops := spec.Operations()
	var admin int
	for _, op := range ops {
		if op.Role == spec.RoleAdmin {
			admin++
		}
	}
	if admin != 96 {
		t.Fatalf("spec has %d admin-only operations, want 96", admin)
	}
	for _, op := range ops {
		path := instantiate(op.Path)
		t.Run(op.OperationID, func(t *testing.T) {
			t.Parallel()
			for _, tt := range []struct {
				f           *fixture
				token       string
				wantRefusal int // 0: must not be refused
			}{
				{f401, friendToken, refusedWith(op.Role == spec.RoleAdmin, 401)},
				{f401, managedToken, refusedWith(op.Role == spec.RoleAdmin, 401)},
				{f403, friendToken, refusedWith(op.Role == spec.RoleAdmin, 403)},
				{f401, ownerToken, 0},
				{f401, "", refusedWith(op.Role != spec.RoleNone, 401)},
			} {
				resp := tt.f.do(t, req{method: op.Method, path: path, token: tt.token, stream: op.Tag == "Events"})
				refused := resp.status == 401 || resp.status == 403
				switch {
				case tt.wantRefusal != 0 && resp.status != tt.wantRefusal:
					t.Errorf("%s %s with %q: status %d, want %d", op.Method, path, tt.token, resp.status, tt.wantRefusal)
				case tt.wantRefusal == 0 && refused && !sharedRefusalByDesign(op, tt.token):
					t.Errorf("%s %s with %q: refused with %d", op.Method, path, tt.token, resp.status)
				}
			}
		})
	}
}

func refusedWith(refused bool, status int) int {
	if refused {
		return status
	}
	return 0
}

// sharedRefusalByDesign lists the operations the spec allows shared users on but whose
// description restricts to the admin: GET /security/resources and PUT /:/prefs (whose 403 the
// spec lists) answer 403 to a shared user, and POST and PUT /library/metadata/{ids}/{element}
// ("generally only the admin can perform this action"; posters.go) the admin refusal of
// Config.SharedAdminStatus. It also lists the one answer of 403 that is no
// refusal: POST /status/sessions/terminate without a sessionId, which the spec answers with 403
// ("sessionId is empty").
func sharedRefusalByDesign(op spec.Operation, token string) bool {
	return (op.OperationID == "securityGetResources" || op.OperationID == "preferencesPutSlash" ||
		op.OperationID == "libraryMetadataPostElement" || op.OperationID == "libraryMetadataPutElement") && token != ownerToken ||
		op.OperationID == "statusPostTerminate"
}

func TestTransientTokens(t *testing.T) {
	t.Parallel()
	mint := func(t *testing.T, f *fixture, method, token string) string {
		t.Helper()
		resp := f.do(t, req{method: method, path: "/security/token?type=delegation&scope=all", token: token, json: true})
		if resp.status != 200 {
			t.Fatalf("minting: status %d, body %q", resp.status, resp.body)
		}
		var body struct {
			MediaContainer struct {
				Size  *int
				Token string
			}
		}
		if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
			t.Fatal(err)
		}
		if body.MediaContainer.Size == nil || *body.MediaContainer.Size != 0 || !strings.HasPrefix(body.MediaContainer.Token, "transient-") {
			t.Fatalf("mint answer %s", resp.body)
		}
		return body.MediaContainer.Token
	}

	t.Run("carries the friend's level", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		tok := mint(t, f, "POST", friendToken)
		if s := f.do(t, req{path: "/library/sections/all", token: tok}).status; s != 200 {
			t.Errorf("shared operation with friend's transient token: %d", s)
		}
		if s := f.do(t, req{path: "/status/sessions", token: tok}).status; s != 401 {
			t.Errorf("admin operation with friend's transient token: %d, want 401", s)
		}
		if got := sectionKeys(t, f, tok); !slices.Equal(got, friend.Sections) {
			t.Errorf("friend's transient token sees sections %v, want %v", got, friend.Sections)
		}
	})
	t.Run("carries the admin's level", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		tok := mint(t, f, "POST", ownerToken)
		if s := f.do(t, req{path: "/status/sessions", token: tok}).status; s != 200 {
			t.Errorf("admin operation with owner's transient token: %d", s)
		}
		again := mint(t, f, "POST", tok)
		if again == tok {
			t.Error("a transient token minted from a transient token is the same token")
		}
		if s := f.do(t, req{path: "/status/sessions", token: again}).status; s != 200 {
			t.Errorf("admin operation with a token minted from a transient token: %d", s)
		}
	})
	t.Run("any verb", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		for _, m := range []string{"GET", "PUT", "DELETE", "PATCH"} {
			tok := mint(t, f, m, friendToken)
			if s := f.do(t, req{path: "/library/sections/all", token: tok}).status; s != 200 {
				t.Errorf("token minted with %s: status %d", m, s)
			}
		}
	})
	t.Run("unique", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		if a, b := mint(t, f, "POST", friendToken), mint(t, f, "POST", friendToken); a == b {
			t.Errorf("two mints returned %q", a)
		}
	})
	t.Run("expire after 48 hours", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		tok := mint(t, f, "POST", ownerToken)
		f.clock.Advance(48*time.Hour - time.Second)
		if s := f.do(t, req{path: "/status/sessions", token: tok}).status; s != 200 {
			t.Errorf("just before 48 h: %d", s)
		}
		f.clock.Advance(time.Second)
		if s := f.do(t, req{path: "/status/sessions", token: tok}).status; s != 401 {
			t.Errorf("at 48 h: %d, want 401", s)
		}
	})
	t.Run("die on restart", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		tok := mint(t, f, "POST", ownerToken)
		f.srv.Restart()
		if s := f.do(t, req{path: "/status/sessions", token: tok}).status; s != 401 {
			t.Errorf("after restart: %d, want 401", s)
		}
		if s := f.do(t, req{path: "/status/sessions", token: ownerToken}).status; s != 200 {
			t.Errorf("owner's own token after restart: %d", s)
		}
		if s := f.do(t, req{path: "/status/sessions", token: mint(t, f, "POST", ownerToken)}).status; s != 200 {
			t.Errorf("token minted after restart: %d", s)
		}
	})
	t.Run("not valid on another server", func(t *testing.T) {
		t.Parallel()
		f, other := newFixture(t, nil), newFixture(t, nil)
		tok := mint(t, f, "POST", ownerToken)
		if s := other.do(t, req{path: "/library/sections/all", token: tok}).status; s != 401 {
			t.Errorf("another server accepted the transient token: %d", s)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		for _, q := range []string{"", "?type=delegation", "?scope=all", "?type=other&scope=all", "?type=delegation&scope=some"} {
			resp := f.do(t, req{method: "POST", path: "/security/token" + q, token: ownerToken, json: true})
			if resp.status != 400 || resp.body != `<html><head><title>Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>` {
				t.Errorf("%q: %d %q, want 400 Bad Request HTML", q, resp.status, resp.body)
			}
		}
	})
	t.Run("needs a token", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		if s := f.do(t, req{method: "POST", path: "/security/token?type=delegation&scope=all"}).status; s != 401 {
			t.Errorf("minting without a token: %d, want 401", s)
		}
	})
	t.Run("concurrent mints and restarts", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, nil)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 10 {
					resp := f.do(t, req{method: "POST", path: "/security/token?type=delegation&scope=all", token: ownerToken})
					if resp.status != 200 {
						t.Errorf("mint: %d", resp.status)
					}
					f.srv.Restart()
				}
			})
		}
		wg.Wait()
	})
}

func TestSecurityResources(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	source := "?source=server://" + testMachineID
	resp := f.do(t, req{path: "/security/resources" + source, token: ownerToken, json: true})
	if resp.status != 200 {
		t.Fatalf("status %d %q", resp.status, resp.body)
	}
	var body struct {
		MediaContainer struct {
			Device struct {
				ClientIdentifier, AccessToken string
				Connection                    []struct {
					URI   string
					Local bool
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
		t.Fatal(err)
	}
	d := body.MediaContainer.Device
	if d.ClientIdentifier != testMachineID || len(d.Connection) != 1 || d.Connection[0].URI != f.http.URL || !d.Connection[0].Local {
		t.Errorf("device = %+v, want this server at %s", d, f.http.URL)
	}
	if s := f.do(t, req{path: "/status/sessions", token: d.AccessToken}).status; s != 200 {
		t.Errorf("the device's access token on an admin operation: %d", s)
	}
	for _, tt := range []struct {
		name, path, token string
		want              int
	}{
		{"shared user", "/security/resources" + source, friendToken, 403},
		{"other server", "/security/resources?source=server://ffff", ownerToken, 400},
		{"no source", "/security/resources", ownerToken, 400},
	} {
		if s := f.do(t, req{path: tt.path, token: tt.token}).status; s != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, s, tt.want)
		}
	}
}

func TestOnRequest(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	f := newFixture(t, func(c *Config) {
		c.OnRequest = func(p string) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, p)
		}
	})
	for _, r := range []req{
		{path: "/identity"},
		{path: "/library/sections/7/all", token: ownerToken},
		{path: "/library/sections", token: ownerToken},
		{method: "PUT", path: "/security/token?type=delegation&scope=all", token: ownerToken},
		{method: "DELETE", path: "/library/metadata/9", token: friendToken},
		{path: "/nowhere"},
	} {
		f.do(t, r)
	}
	want := []string{
		"GET /identity",
		"GET /library/sections/{sectionId}/all",
		"GET /library/sections",
		"PUT /security/token",
		"DELETE /library/metadata/{ids}",
		"GET " + UnknownRoute,
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Errorf("OnRequest saw\n%q\nwant\n%q", got, want)
	}
}

func TestErrorBody(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		want   string
	}{
		{401, unauthorizedBody},
		{403, `<html><head><title>Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>`},
		{400, `<html><head><title>Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>`},
		{500, `<html><head><title>Internal Server Error</title></head><body><h1>500 Internal Server Error</h1></body></html>`},
	} {
		if got := ErrorBody(tt.status); got != tt.want {
			t.Errorf("ErrorBody(%d) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

// sectionKeys lists the keys of the sections token can see.
func sectionKeys(t *testing.T, f *fixture, token string) []string {
	t.Helper()
	resp := f.do(t, req{path: "/library/sections/all", token: token, json: true})
	if resp.status != 200 {
		t.Fatalf("sections: %d", resp.status)
	}
	var body struct {
		MediaContainer struct {
			Size      int
			Directory []struct{ Key string }
		}
	}
	if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range body.MediaContainer.Directory {
		keys = append(keys, d.Key)
	}
	if body.MediaContainer.Size != len(keys) {
		t.Errorf("size %d for %d sections", body.MediaContainer.Size, len(keys))
	}
	return keys
}
