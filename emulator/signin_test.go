package emulator_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

func signin(t testing.TB, e *emulator.Emulator, cid, login, password, code, accept string) resp {
	t.Helper()
	f := url.Values{"login": {login}, "password": {password}, "rememberMe": {"True"}}
	if code != "" {
		f.Set("verificationCode", code)
	}
	return do(t, e, req{method: "POST", url: "/api/v2/users/signin", cid: cid, form: f, accept: accept})
}

func basic(login, password string) http.Header {
	r, _ := http.NewRequest("GET", "http://x", nil)
	r.SetBasicAuth(login, password)
	return http.Header{"Authorization": r.Header["Authorization"]}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	t.Run("v2 by username and by email", func(t *testing.T) {
		t.Parallel()
		u := wantXML(t, signin(t, e, "s1", "alice", emulator.AlicePassword, "", "-"), http.StatusCreated)
		tok := u.Attrs["authToken"]
		checkUserXML(t, u, userInfo(t, e, "alice"), tok)
		if tok == e.LegacyToken("alice") || len(tok) != 20 {
			t.Errorf("sign-in token %q: want a new 20-character device token", tok)
		}
		me := wantXML(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: "s1", token: tok, accept: "-"}), 200)
		if me.Attrs["username"] != "alice" {
			t.Errorf("token from sign-in is %v", me.Attrs["username"])
		}
		j := obj(t, wantJSON(t, signin(t, e, "s2", "BOB@example.com", emulator.BobPassword, "", ""), http.StatusCreated))
		wantKeys(t, j, map[string]string{"authToken": "string", "username": "string", "pastSubscriptions": "array", "trials": "array"})
		if j["username"] != "bob" {
			t.Errorf("signed in as %v", j["username"])
		}
	})
	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		wantError(t, signin(t, e, "s3", "alice", "wrong", "", ""), 401, emulator.CodeUnauthorized, "User could not be authenticated")
		wantError(t, signin(t, e, "s3", "nobody", "x", "", ""), 401, emulator.CodeUnauthorized, "User could not be authenticated")
		x := wantXML(t, signin(t, e, "s3", "alice", "wrong", "", "-"), 401)
		if x.kid(t, "error").Attrs["code"] != "1001" {
			t.Errorf("XML error %v", x.kid(t, "error").Attrs)
		}
		wantError(t, signin(t, e, "", "alice", emulator.AlicePassword, "", ""), 400, emulator.CodeClientIdentifierMissing, "")
		// A managed user has no password: neither an empty one nor any other signs her in, on
		// any of the sign-in paths, and she is told apart from nobody in no way.
		if u := userInfo(t, e, "carol"); u.Kind != "managed" || u.Password != "" {
			t.Fatalf("carol: %+v", u)
		}
		for _, pw := range []string{"", "carol-password", "x"} {
			wantError(t, signin(t, e, "s3", "carol", pw, "", ""), 401, emulator.CodeUnauthorized, "User could not be authenticated")
			wantError(t, signin(t, e, "s3", "carol@example.com", pw, "", ""), 401, emulator.CodeUnauthorized, "User could not be authenticated")
			if res := do(t, e, req{method: "POST", url: "/users/sign_in.json", cid: "s3", header: basic("carol", pw)}); res.status != 401 {
				t.Errorf("legacy sign-in as carol with %q: %d %s", pw, res.status, res.body)
			}
		}
	})
	t.Run("two-factor", func(t *testing.T) {
		t.Parallel()
		res := signin(t, e, "s4", "dave", emulator.DavePassword, "", "-")
		wantXML(t, res, 401)
		if !strings.Contains(string(res.body), "verification code") || !strings.Contains(string(res.body), `code="1029"`) {
			t.Errorf("2FA error %s", res.body) // python-plexapi raises TwoFactorRequired on this text
		}
		wantError(t, signin(t, e, "s4", "dave", emulator.DavePassword, "000000", ""), 401, emulator.CodeVerificationCode, "verification code")
		if u := userInfo(t, e, "dave"); u.VerificationCode != emulator.DaveVerificationCode || userInfo(t, e, "carol").HomePin != emulator.CarolHomePin {
			t.Errorf("Users() does not tell dave's code or carol's PIN: %+v", u)
		}
		j := obj(t, wantJSON(t, signin(t, e, "s4", "dave", emulator.DavePassword, emulator.DaveVerificationCode, ""), http.StatusCreated))
		if j["username"] != "dave" || j["twoFactorEnabled"] != true {
			t.Errorf("dave %v", j)
		}
	})
	t.Run("legacy sign_in.json and .xml", func(t *testing.T) {
		t.Parallel()
		j := obj(t, obj(t, wantJSON(t, do(t, e, req{method: "POST", url: "/users/sign_in.json", cid: "s5",
			header: basic("alice", emulator.AlicePassword)}), http.StatusCreated))["user"])
		if j["authToken"] == "" || j["authToken"] != j["authentication_token"] || j["username"] != "alice" {
			t.Errorf("sign_in.json %v", j)
		}
		x := wantRoot(t, wantXML(t, do(t, e, req{method: "POST", url: "/users/sign_in.xml", cid: "s5", accept: "-",
			header: basic("dave", emulator.DavePassword+emulator.DaveVerificationCode)}), http.StatusCreated), "user")
		if x.Attrs["authenticationToken"] == "" || x.Attrs["username"] != "dave" {
			t.Errorf("sign_in.xml %v", x.Attrs)
		}
		form := url.Values{"user[login]": {"bob@example.com"}, "user[password]": {emulator.BobPassword}}
		if res := do(t, e, req{method: "POST", url: "/users/sign_in.json", cid: "s5", form: form}); res.status != http.StatusCreated {
			t.Errorf("form sign-in %d %s", res.status, res.body)
		}
		res := do(t, e, req{method: "POST", url: "/users/sign_in.json", cid: "s5", header: basic("bob", "nope")})
		if m := obj(t, wantJSON(t, res, 401)); m["error"] == nil {
			t.Errorf("legacy error %v", m)
		}
	})
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	tok := obj(t, wantJSON(t, signin(t, e, "tablet", "bob", emulator.BobPassword, "", ""), http.StatusCreated))["authToken"].(string)
	account := e.LegacyToken("bob")
	for _, c := range []struct{ name, cid, tok string }{
		{"device token", "tablet", tok},
		{"account token", "x", account},
		{"Plex JWT", "", ""},
	} {
		if c.tok == "" {
			d := newDevice(t)
			c.cid, c.tok = d.cid, linkViaPin(t, e, d, "bob")
		}
		if res := do(t, e, req{method: "DELETE", url: "/api/v2/users/signout", cid: c.cid, token: c.tok}); res.status != http.StatusNoContent {
			t.Fatalf("%s: sign-out %d %s", c.name, res.status, res.body)
		}
		wantError(t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: c.cid, token: c.tok}), 401, emulator.CodeUnauthorized, "")
	}
	if fresh := e.LegacyToken("bob"); fresh == account || fresh == "" {
		t.Error("the account token was not replaced after sign-out")
	}
}

// TestSignInBruteForce: a password-guessing loop is stopped after a few tries, by account and
// by client, on the emulator clock; the lockout lifts after Retry-After.
func TestSignInBruteForce(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{FreezeClock: true})
	var unauthorized, limited int
	var retry int
	for i := range 200 {
		res := signin(t, e, "guesser", "alice", "guess-"+strconv.Itoa(i), "", "")
		switch res.status {
		case 401:
			unauthorized++
		case 429:
			limited++
			wantError(t, res, 429, emulator.CodeSignInLockedOut, "detected repeated failures")
			r, err := strconv.Atoi(res.header.Get("Retry-After"))
			if err != nil || r < 1 || r > 900 {
				t.Fatalf("Retry-After %q", res.header.Get("Retry-After"))
			}
			retry = r
		default:
			t.Fatalf("guess %d: %d %s", i, res.status, res.body)
		}
	}
	if unauthorized > 10 || limited < 190 {
		t.Fatalf("200 guesses: %d checked, %d refused with 429; want at most 10 checked", unauthorized, limited)
	}
	// Locked: even the right password, from another client, is refused; so is the legacy path.
	wantError(t, signin(t, e, "alice-laptop", "alice", emulator.AlicePassword, "", ""), 429, emulator.CodeSignInLockedOut, "")
	if res := do(t, e, req{method: "POST", url: "/users/sign_in.json", cid: "alice-laptop", header: basic("alice", emulator.AlicePassword)}); res.status != 429 {
		t.Errorf("legacy sign-in while locked: %d", res.status)
	}
	// bob is not locked by alice's guesser… unless from the guessing client, after 20 failures.
	if res := signin(t, e, "bob-phone", "bob", emulator.BobPassword, "", ""); res.status != http.StatusCreated {
		t.Errorf("bob while alice is locked: %d", res.status)
	}
	e.Advance(time.Duration(retry) * time.Second)
	if res := signin(t, e, "alice-laptop", "alice", emulator.AlicePassword, "", ""); res.status != http.StatusCreated {
		t.Errorf("after Retry-After: %d %s", res.status, res.body)
	}

	t.Run("per client", func(t *testing.T) {
		for i := range 25 {
			signin(t, e, "sprayer", []string{"bob", "carol", "dave", "nobody"}[i%4], "x", "", "")
		}
		wantError(t, signin(t, e, "sprayer", "bob", emulator.BobPassword, "", ""), 429, emulator.CodeSignInLockedOut, "")
	})
	t.Run("401 switch", func(t *testing.T) {
		e := start(t, emulator.Options{SignInLockoutStatus: 401})
		for range 11 {
			signin(t, e, "g", "bob", "x", "", "")
		}
		res := signin(t, e, "g", "bob", emulator.BobPassword, "", "")
		wantError(t, res, 401, emulator.CodeSignInLockedOut, "detected repeated failures")
	})
	t.Run("web page", func(t *testing.T) {
		e := start(t, emulator.Options{FreezeClock: true})
		b := newBrowser(t, e)
		try := func(password string) int {
			p := b.get("/link")
			return b.post("/signin", url.Values{"csrf": {csrf(t, p)}, "username": {"bob"}, "password": {password}, "next": {"/link"}}).status
		}
		for range 10 {
			if s := try("wrong"); s != http.StatusUnauthorized {
				t.Fatalf("wrong password on the page: %d", s)
			}
		}
		if s := try(emulator.BobPassword); s != http.StatusTooManyRequests {
			t.Errorf("page sign-in after 10 failures: %d, want 429", s)
		}
	})
}
