package emulator

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSigninLimiterBounded: client identifiers are the caller's to invent, so the limiter
// forgets clients past its bound, never an account's failures.
func TestSigninLimiterBounded(t *testing.T) {
	l := newSigninLimiter()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	acct := &account{id: 7}
	for range maxFailuresPerAccount {
		l.fail(limiterKeys(acct, "first"), now)
	}
	for i := range maxLimiterClients + 500 {
		l.fail(limiterKeys(nil, "c"+strconv.Itoa(i)), now)
	}
	if len(l.fails) > maxLimiterClients+1 {
		t.Fatalf("limiter holds %d keys, bound %d", len(l.fails), maxLimiterClients)
	}
	if _, locked := l.lockedOut([]string{"acct:7"}, now); !locked {
		t.Fatal("evicting clients forgot an account's failures")
	}
	if wait, locked := l.lockedOut([]string{"acct:7"}, now.Add(signinWindow)); locked {
		t.Fatalf("still locked after the window: %v", wait)
	}
}

// FuzzSignIn feeds arbitrary credentials to both sign-in endpoints: no panic, no 5xx, only
// plex.tv's answers, and a refusal never echoes the password.
func FuzzSignIn(f *testing.F) {
	f.Add("alice", AlicePassword, "", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ=")
	f.Add("dave", DavePassword, DaveVerificationCode, "Basic ZGF2ZTpkYXZlLXBhc3N3b3JkNDI0MjQy")
	f.Add("bob@example.com", "x", "1", "Basic !!!")
	f.Add("", "", "", "Bearer x")
	f.Fuzz(func(t *testing.T, login, password, code, authorization string) {
		e := New(Options{FreezeClock: true})
		if password != AlicePassword && password != DavePassword {
			password = "Secret§" + password // a password no message can contain by chance
		}
		form := "login=" + urlEscape(login) + "&password=" + urlEscape(password) + "&verificationCode=" + urlEscape(code)
		for _, path := range []string{"/api/v2/users/signin", "/users/sign_in.json", "/users/sign_in.xml"} {
			r := httptest.NewRequest("POST", path, strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-Plex-Client-Identifier", "fuzz")
			r.Header.Set("Authorization", authorization)
			w := httptest.NewRecorder()
			e.Handler().ServeHTTP(w, r)
			if !slices.Contains([]int{http.StatusCreated, http.StatusBadRequest, http.StatusUnauthorized}, w.Code) {
				t.Fatalf("%s: status %d: %s", path, w.Code, w.Body)
			}
			if w.Code != http.StatusCreated && strings.HasPrefix(password, "Secret§") && strings.Contains(w.Body.String(), password) {
				t.Fatalf("%s: the refusal echoes the password: %s", path, w.Body)
			}
		}
	})
}

// FuzzShareRequest feeds arbitrary bodies to the share calls: no panic, no 5xx.
func FuzzShareRequest(f *testing.F) {
	f.Add([]byte(`{"server_id":"x","shared_server":{"library_section_ids":[100001],"invited_email":"dave"}}`))
	f.Add([]byte(`{"machineIdentifier":"x","librarySectionIds":[1],"invitedId":"21384604","settings":{"allowSync":true}}`))
	f.Add([]byte(`{"shared_server":{"invited_id":"abc"},"sharing_settings":{"allowSync":[1]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := New(Options{FreezeClock: true})
		mid := e.servers[0].machineID
		for _, c := range []struct{ method, path string }{
			{"POST", "/api/servers/" + mid + "/shared_servers"},
			{"PUT", "/api/servers/" + mid + "/shared_servers/3000001"},
			{"POST", "/api/v2/shared_servers"},
		} {
			r := httptest.NewRequest(c.method, c.path, strings.NewReader(string(body)))
			r.Header.Set("X-Plex-Client-Identifier", "fuzz")
			r.Header.Set("X-Plex-Token", e.LegacyToken("alice"))
			w := httptest.NewRecorder()
			e.Handler().ServeHTTP(w, r)
			if w.Code >= 500 {
				t.Fatalf("%s %s: %d %s", c.method, c.path, w.Code, w.Body)
			}
		}
	})
}

func urlEscape(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "=", "%3D", "+", "%2B")
	return r.Replace(s)
}
