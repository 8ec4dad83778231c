package emulator

import (
	"crypto/subtle"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sessionCookie is the name of the pages' session cookie.
const sessionCookie = "plexkit_emulator_session"

const (
	// sessionLifetime is how long a page session lasts (emulator clock).
	sessionLifetime = 12 * time.Hour
	// maxSessions bounds the sessions kept, so a crawler cannot grow them without limit.
	maxSessions = 10000
)

// webSession is a browser session on the pages: anonymous until sign-in. csrf is the token
// every form POST must carry.
type webSession struct {
	id      string
	csrf    string
	acct    *account
	created time.Time
}

// pageData is what the page template renders.
type pageData struct {
	Title   string
	CSRF    string
	User    string // signed-in username, "" when anonymous
	Error   string
	View    string // "signin", "code", "approve", "linked", "message"
	Next    string // where sign-in returns to
	Code    string
	Client  string
	Product string
	Message string
}

// pageRoutes installs the pages a person uses in a browser.
func (e *Emulator) pageRoutes() {
	// Cross-origin protection backs up the CSRF tokens: a browser's cross-site POST is refused
	// before the form is even read.
	cop := http.NewCrossOriginProtection()
	e.mux.HandleFunc("GET /{$}", e.indexPage)
	e.mux.HandleFunc("GET /link", e.linkPage)
	e.mux.Handle("POST /link", cop.Handler(http.HandlerFunc(e.linkSubmit)))
	e.mux.HandleFunc("GET /auth", e.authPage)
	e.mux.Handle("POST /auth", cop.Handler(http.HandlerFunc(e.authSubmit)))
	e.mux.Handle("POST /signin", cop.Handler(http.HandlerFunc(e.signinSubmit)))
}

// session returns the request's session, creating one (and setting the cookie) when create is
// true and there is none.
func (e *Emulator) session(w http.ResponseWriter, r *http.Request, create bool) *webSession {
	now := e.Now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, err := r.Cookie(sessionCookie); err == nil {
		if s := e.sessions[c.Value]; s != nil && now.Sub(s.created) < sessionLifetime {
			return s
		}
	}
	if !create {
		return nil
	}
	return e.newSession(w, nil, now)
}

// newSession starts a session for acct (nil: anonymous) and sets its cookie. The caller holds
// e.mu.
func (e *Emulator) newSession(w http.ResponseWriter, acct *account, now time.Time) *webSession {
	for id, s := range e.sessions {
		if now.Sub(s.created) >= sessionLifetime || len(e.sessions) >= maxSessions {
			delete(e.sessions, id)
		}
	}
	s := &webSession{id: randomString(32, tokenAlphabet), csrf: randomString(32, tokenAlphabet), acct: acct, created: now}
	e.sessions[s.id] = s
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return s
}

// checkCSRF answers 403 and returns nil unless the POST belongs to a session and carries its
// CSRF token.
func (e *Emulator) checkCSRF(w http.ResponseWriter, r *http.Request) *webSession {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "form body cannot be parsed", http.StatusBadRequest)
		return nil
	}
	s := e.session(w, r, false)
	if s == nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(s.csrf)) != 1 {
		e.render(w, http.StatusForbidden, pageData{Title: "Forbidden", View: "message",
			Error: "This form has expired or did not come from this site. Reload the page and try again."})
		return nil
	}
	return s
}

func (e *Emulator) render(w http.ResponseWriter, status int, d pageData) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, d) // a failed write means the browser went away
}

// signedIn returns the session's account, under e.mu.
func (e *Emulator) signedIn(s *webSession) *account {
	e.mu.Lock()
	defer e.mu.Unlock()
	return s.acct
}

func (e *Emulator) indexPage(w http.ResponseWriter, _ *http.Request) {
	e.render(w, http.StatusOK, pageData{Title: "plexkit emulator", View: "message",
		Message: "This is the plexkit emulator of plex.tv. Link a device at /link (4-character code) or approve an app at /auth."})
}

// linkPage serves GET /link (also /link?pin=CODE, like plex.tv/link/?pin=CODE): sign in, then
// type the 4-character code.
func (e *Emulator) linkPage(w http.ResponseWriter, r *http.Request) {
	s := e.session(w, r, true)
	code := r.URL.Query().Get("pin")
	if a := e.signedIn(s); a != nil {
		e.render(w, http.StatusOK, pageData{Title: "Link a device", View: "code", CSRF: s.csrf, User: a.username, Code: code})
		return
	}
	next := "/link"
	if code != "" {
		next += "?pin=" + url.QueryEscape(code)
	}
	e.render(w, http.StatusOK, pageData{Title: "Sign in", View: "signin", CSRF: s.csrf, Next: next})
}

// linkSubmit serves POST /link: approve the pin with the typed code.
func (e *Emulator) linkSubmit(w http.ResponseWriter, r *http.Request) {
	s := e.checkCSRF(w, r)
	if s == nil {
		return
	}
	a := e.signedIn(s)
	if a == nil {
		http.Redirect(w, r, "/link", http.StatusSeeOther)
		return
	}
	code := strings.TrimSpace(r.PostForm.Get("code"))
	if err := e.approve(code, "", a); err != "" {
		e.render(w, http.StatusNotFound, pageData{Title: "Link a device", View: "code", CSRF: s.csrf, User: a.username, Code: code, Error: err})
		return
	}
	e.render(w, http.StatusOK, pageData{Title: "Device linked", View: "linked", User: a.username})
}

// authPage serves GET /auth, where a person approves a strong pin. Like app.plex.tv, the
// client identifier and code come in the URL fragment (/auth#?clientID=…&code=…&context%5Bdevice%5D%5Bproduct%5D=…),
// which the server never sees: a short inline script copies them into the form. The query
// string works too, for use without JavaScript.
func (e *Emulator) authPage(w http.ResponseWriter, r *http.Request) {
	s := e.session(w, r, true)
	q := r.URL.Query()
	d := pageData{CSRF: s.csrf, Code: q.Get("code"), Client: q.Get("clientID"), Product: q.Get("context[device][product]")}
	if a := e.signedIn(s); a != nil {
		d.Title, d.View, d.User = "Approve app", "approve", a.username
		e.render(w, http.StatusOK, d)
		return
	}
	d.Title, d.View, d.Next = "Sign in", "signin", "/auth"
	if r.URL.RawQuery != "" {
		d.Next += "?" + r.URL.RawQuery
	}
	e.render(w, http.StatusOK, d)
}

// authSubmit serves POST /auth: approve the strong pin.
func (e *Emulator) authSubmit(w http.ResponseWriter, r *http.Request) {
	s := e.checkCSRF(w, r)
	if s == nil {
		return
	}
	a := e.signedIn(s)
	if a == nil {
		http.Redirect(w, r, "/auth", http.StatusSeeOther)
		return
	}
	f := r.PostForm
	code, client := strings.TrimSpace(f.Get("code")), strings.TrimSpace(f.Get("clientID"))
	if err := e.approve(code, client, a); err != "" {
		e.render(w, http.StatusNotFound, pageData{Title: "Approve app", View: "approve", CSRF: s.csrf, User: a.username,
			Code: code, Client: client, Product: f.Get("product"), Error: err})
		return
	}
	e.render(w, http.StatusOK, pageData{Title: "Device linked", View: "linked", User: a.username})
}

// approve claims the pin with code for a; a non-empty clientID must be the pin's. It returns a
// message for the person, or "".
func (e *Emulator) approve(code, clientID string, a *account) string {
	if code == "" {
		return "Enter the code shown on your device."
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.pinByCode(code)
	if p == nil || (clientID != "" && p.clientID != clientID) {
		return "That code is not valid or has expired. Check the code on your device."
	}
	p.claimedBy = a
	return ""
}

// signinSubmit serves POST /signin: username (or email) and password. A successful sign-in
// starts a new session, so a session id planted before sign-in is worthless.
func (e *Emulator) signinSubmit(w http.ResponseWriter, r *http.Request) {
	s := e.checkCSRF(w, r)
	if s == nil {
		return
	}
	f := r.PostForm
	next := safeNext(f.Get("next"))
	now := e.Now()
	e.mu.Lock()
	// The API's limiter guards the page too, with the caller's address as its client.
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, res, _ := e.checkSignin(f.Get("username"), f.Get("password"), strings.TrimSpace(f.Get("verificationCode")), "web:"+host, now)
	if res == signinOK {
		delete(e.sessions, s.id)
		e.newSession(w, a, now)
	}
	e.mu.Unlock()
	if res != signinOK {
		status, msg := http.StatusUnauthorized, "Wrong username or password."
		switch res {
		case signinLocked:
			status, msg = http.StatusTooManyRequests, "Too many failed sign-ins. Try again later."
		case signinNeedCode, signinBadCode:
			msg = "Enter the verification code from your authenticator app."
		}
		e.render(w, status, pageData{Title: "Sign in", View: "signin", CSRF: s.csrf, Next: next, Error: msg})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps a sign-in redirect on this site's pages: only /link and /auth, with their
// query and fragment.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || (u.Path != "/link" && u.Path != "/auth") {
		return "/link"
	}
	return u.String()
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · plexkit emulator</title>
<style>
body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}
input[type=text],input[type=password]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem}
.error{color:#a00}.who{color:#666;font-size:.9rem}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{with .User}}<p class="who">Signed in as <strong id="signed-in-user">{{.}}</strong></p>{{end}}
{{with .Error}}<p class="error" id="error">{{.}}</p>{{end}}
{{if eq .View "signin"}}
<form method="post" action="/signin">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<input type="hidden" name="next" id="next" value="{{.Next}}">
<label for="username">Email or username</label>
<input type="text" id="username" name="username" autocomplete="username" required>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<label for="verificationCode">Verification code (accounts with two-factor authentication)</label>
<input type="text" id="verificationCode" name="verificationCode" autocomplete="one-time-code" inputmode="numeric">
<button type="submit" id="signin">Sign in</button>
</form>
{{else if eq .View "code"}}
<form method="post" action="/link">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="code">Enter the 4-character code shown on your device</label>
<input type="text" id="code" name="code" value="{{.Code}}" autocomplete="off" autocapitalize="characters" required>
<button type="submit" id="approve">Link</button>
</form>
{{else if eq .View "approve"}}
<form method="post" action="/auth">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<input type="hidden" name="clientID" id="clientID" value="{{.Client}}">
<input type="hidden" name="product" id="product-field" value="{{.Product}}">
<p><span id="product">{{if .Product}}{{.Product}}{{else}}An app{{end}}</span> wants to access your Plex account.</p>
<label for="code">Code</label>
<input type="text" id="code" name="code" value="{{.Code}}" autocomplete="off" required>
<button type="submit" id="approve">Approve</button>
</form>
{{else if eq .View "linked"}}
<p id="linked">Device linked. You can close this window and return to your app.</p>
{{else}}
<p>{{.Message}}</p>
{{end}}
<script>
// app.plex.tv passes clientID, code and context[device][product] in the fragment, which never
// reaches the server: copy them into the form, and keep them across sign-in.
(function () {
  var h = location.hash.replace(/^#\??/, "");
  if (!h) return;
  var p = new URLSearchParams(h);
  function set(id, v, text) {
    var el = document.getElementById(id);
    if (el && v) { if (text) { el.textContent = v; } else { el.value = v; } }
  }
  set("clientID", p.get("clientID"));
  set("code", p.get("code"));
  set("product-field", p.get("context[device][product]"));
  set("product", p.get("context[device][product]"), true);
  var next = document.getElementById("next");
  if (next && next.value.indexOf("/auth") === 0) { next.value = "/auth#" + h; }
})();
</script>
</body>
</html>
`))
