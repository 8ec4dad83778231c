package emulator_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// browser is a cookie-keeping HTTP client that records redirects instead of following them,
// so the tests see every hop.
type browser struct {
	t      *testing.T
	e      *emulator.Emulator
	client *http.Client
}

func newBrowser(t *testing.T, e *emulator.Emulator) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, e: e, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status   int
	body     string
	location string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.do(http.NewRequest("GET", b.e.URL()+path, nil))
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	r, err := http.NewRequest("POST", b.e.URL()+path, strings.NewReader(form.Encode()))
	if r != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.do(r, err)
}

func (b *browser) do(r *http.Request, err error) page {
	b.t.Helper()
	if err != nil {
		b.t.Fatal(err)
	}
	res, err := b.client.Do(r)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return page{status: res.StatusCode, body: string(body), location: res.Header.Get("Location")}
}

func (b *browser) cookie() string {
	u, _ := url.Parse(b.e.URL())
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "plexkit_emulator_session" {
			return c.Value
		}
	}
	return ""
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no CSRF token in page (%d): %s", p.status, p.body)
	}
	return m[1]
}

func hasID(p page, id string) bool { return strings.Contains(p.body, `id="`+id+`"`) }

// signIn signs b in as alice from page path and returns the page it lands on.
func (b *browser) signIn(path, next string) page {
	b.t.Helper()
	p := b.get(path)
	for _, id := range []string{"username", "password", "signin"} {
		if !hasID(p, id) {
			b.t.Fatalf("sign-in page lacks #%s", id)
		}
	}
	if next == "" {
		next = path
	}
	res := b.post("/signin", url.Values{"csrf": {csrf(b.t, p)}, "username": {"alice"}, "password": {emulator.AlicePassword}, "next": {next}})
	if res.status != http.StatusSeeOther {
		b.t.Fatalf("sign-in: %d %s", res.status, res.body)
	}
	return b.get(res.location)
}

func TestLinkPage(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	p := decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: d.cid}), http.StatusCreated)

	b := newBrowser(t, e)
	first := b.get("/link")
	anonymous := b.cookie()
	form := b.signIn("/link", "")
	if anonymous == "" || b.cookie() == anonymous {
		t.Error("the session id did not change at sign-in")
	}
	if !hasID(form, "code") || !hasID(form, "approve") || !strings.Contains(form.body, "alice") {
		t.Fatalf("code form: %s", form.body)
	}
	if csrf(t, form) == csrf(t, first) {
		t.Error("the CSRF token did not change at sign-in")
	}
	res := b.post("/link", url.Values{"csrf": {csrf(t, form)}, "code": {"ZZZZ"}})
	if res.status != http.StatusNotFound || !hasID(res, "error") {
		t.Errorf("unknown code: %d %s", res.status, res.body)
	}
	res = b.post("/link", url.Values{"csrf": {csrf(t, form)}, "code": {strings.ToLower(p.Code)}})
	if res.status != http.StatusOK || !hasID(res, "linked") {
		t.Fatalf("link: %d %s", res.status, res.body)
	}
	got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, ""), http.StatusOK)
	if got.AuthToken == nil {
		t.Fatal("pin not claimed")
	}
	u := decode[userBody](t, do(t, e, req{method: "GET", url: "/api/v2/user", cid: d.cid, token: *got.AuthToken}), http.StatusOK)
	if u.Username != "alice" {
		t.Errorf("linked to %s", u.Username)
	}
}

func TestLinkPagePrefill(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	b := newBrowser(t, e)
	p := b.get("/link?pin=AB12")
	if !strings.Contains(p.body, `name="next" id="next" value="/link?pin=AB12"`) {
		t.Errorf("sign-in does not return to the pin: %s", p.body)
	}
	form := b.signIn("/link?pin=AB12", "")
	if !strings.Contains(form.body, `value="AB12"`) {
		t.Errorf("code not prefilled: %s", form.body)
	}
}

func TestAuthPage(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	p := pinWithJWK(t, e, d, true)
	fragment := "?clientID=" + url.QueryEscape(d.cid) + "&code=" + p.Code + "&context%5Bdevice%5D%5Bproduct%5D=plexkit"

	b := newBrowser(t, e)
	signin := b.get("/auth")
	if !strings.Contains(signin.body, "location.hash") || !hasID(signin, "next") {
		t.Fatalf("auth sign-in page does not carry the fragment over: %s", signin.body)
	}
	// The page's script sets next to /auth#<fragment>; do what it does.
	res := b.post("/signin", url.Values{"csrf": {csrf(t, signin)}, "username": {"alice@example.com"},
		"password": {emulator.AlicePassword}, "next": {"/auth#" + fragment}})
	if res.status != http.StatusSeeOther || res.location != "/auth#"+fragment {
		t.Fatalf("sign-in redirect %d %q, want /auth#%s", res.status, res.location, fragment)
	}
	approve := b.get("/auth")
	for _, id := range []string{"clientID", "code", "approve"} {
		if !hasID(approve, id) {
			t.Fatalf("approve page lacks #%s: %s", id, approve.body)
		}
	}
	res = b.post("/auth", url.Values{"csrf": {csrf(t, approve)}, "clientID": {"someone-else"}, "code": {p.Code}})
	if res.status != http.StatusNotFound || !hasID(res, "error") {
		t.Errorf("wrong client: %d", res.status)
	}
	res = b.post("/auth", url.Values{"csrf": {csrf(t, approve)}, "clientID": {d.cid}, "code": {p.Code}})
	if res.status != http.StatusOK || !hasID(res, "linked") {
		t.Fatalf("approve: %d %s", res.status, res.body)
	}
	got := decode[pinBody](t, pollPin(t, e, d.cid, p.ID, d.deviceJWT(t, e.Now(), "")), http.StatusOK)
	if got.AuthToken == nil || verifyPlexJWT(t, e, *got.AuthToken).User["id"] == nil {
		t.Fatal("strong pin not claimed")
	}
}

func TestAuthPageQuery(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	d := newDevice(t)
	p := pinWithJWK(t, e, d, true)
	b := newBrowser(t, e)
	query := "/auth?clientID=" + url.QueryEscape(d.cid) + "&code=" + p.Code + "&context%5Bdevice%5D%5Bproduct%5D=My+App"
	approve := b.signIn(query, "")
	if !strings.Contains(approve.body, `value="`+p.Code+`"`) || !strings.Contains(approve.body, "My App") {
		t.Fatalf("query values not in the form: %s", approve.body)
	}
	res := b.post("/auth", url.Values{"csrf": {csrf(t, approve)}, "clientID": {d.cid}, "code": {p.Code}})
	if !hasID(res, "linked") {
		t.Fatalf("approve: %d", res.status)
	}
}

func TestPagesCSRF(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	code := decode[pinBody](t, do(t, e, req{method: "POST", url: "/api/v2/pins", cid: "c"}), http.StatusCreated).Code
	victim, attacker := newBrowser(t, e), newBrowser(t, e)
	victimForm := victim.signIn("/link", "")
	attackerToken := csrf(t, attacker.get("/link"))
	for _, tt := range []struct {
		name string
		b    *browser
		path string
		form url.Values
	}{
		{"link without token", victim, "/link", url.Values{"code": {code}}},
		{"link with another session's token", victim, "/link", url.Values{"code": {code}, "csrf": {attackerToken}}},
		{"auth without token", victim, "/auth", url.Values{"code": {code}}},
		{"sign-in without token", attacker, "/signin", url.Values{"username": {"alice"}, "password": {emulator.AlicePassword}}},
		{"sign-in without session", newBrowser(t, e), "/signin", url.Values{"csrf": {attackerToken}, "username": {"alice"}, "password": {emulator.AlicePassword}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if res := tt.b.post(tt.path, tt.form); res.status != http.StatusForbidden {
				t.Errorf("status %d, want 403", res.status)
			}
		})
	}
	if got := decode[[]struct {
		Claimed bool `json:"claimed"`
	}](t, do(t, e, req{method: "GET", url: "/__emulator/pins"}), http.StatusOK); got[0].Claimed {
		t.Error("a forged POST claimed the pin")
	}
	if res := victim.post("/link", url.Values{"code": {code}, "csrf": {csrf(t, victimForm)}}); !hasID(res, "linked") {
		t.Errorf("the real form failed: %d", res.status)
	}
}

func TestSignInFailures(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	for _, tt := range []struct {
		name, user, password string
	}{
		{"wrong password", "alice", "bob-password"},
		{"unknown user", "mallory", "x"},
		{"empty", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBrowser(t, e)
			p := b.get("/link")
			res := b.post("/signin", url.Values{"csrf": {csrf(t, p)}, "username": {tt.user}, "password": {tt.password}, "next": {"/link"}})
			if res.status != http.StatusUnauthorized || !strings.Contains(res.body, "Wrong username or password") || !hasID(res, "signin") {
				t.Errorf("%d %s", res.status, res.body)
			}
			if again := b.get("/link"); !hasID(again, "signin") {
				t.Error("signed in after a failed sign-in")
			}
		})
	}
	t.Run("open redirect", func(t *testing.T) {
		t.Parallel()
		for _, next := range []string{"https://evil.example/", "//evil.example/link", "/__emulator/state", "javascript:alert(1)"} {
			b := newBrowser(t, e)
			p := b.get("/link")
			res := b.post("/signin", url.Values{"csrf": {csrf(t, p)}, "username": {"bob"}, "password": {emulator.BobPassword}, "next": {next}})
			if res.status != http.StatusSeeOther || res.location != "/link" {
				t.Errorf("next %q: redirect to %q", next, res.location)
			}
		}
	})
}

func TestPageCookie(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	res, err := http.Get(e.URL() + "/link")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookies := res.Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode || cookies[0].Path != "/" {
		t.Errorf("cookies %+v", cookies)
	}
}
