package emulator

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// signinWindow is how long a failed sign-in counts against an account and a client.
	signinWindow = 15 * time.Minute
	// maxFailuresPerAccount is how many failed sign-ins one account takes in signinWindow before
	// it is locked out (correct passwords included, or guessing would go on).
	maxFailuresPerAccount = 10
	// maxFailuresPerClient is the same for one client identifier, whichever accounts it tries.
	maxFailuresPerClient = 20
	// maxLimiterClients bounds the client identifiers the limiter remembers; client
	// identifiers are the caller's to invent, accounts are not, so only clients are evicted.
	maxLimiterClients = 10000
)

// Sign-in error codes: 1029 and 1031 are plex.tv's (observed).
const (
	CodeVerificationCode = 1029 // 401: the account has two-factor authentication; send verificationCode
	CodeSignInLockedOut  = 1031 // 429 (or 401): repeated sign-in failures
)

const (
	msgVerificationCode = "Please enter the verification code"
	msgLockedOut        = "User could not be authenticated. This IP appears to be having trouble signing in to an account (detected repeated failures)"
)

// signinLimiter counts failed password sign-ins per account and per client identifier on the
// emulator clock.
type signinLimiter struct {
	fails map[string][]time.Time // "acct:<id>" or "cid:<client identifier>" → failure times
}

func newSigninLimiter() signinLimiter { return signinLimiter{fails: map[string][]time.Time{}} }

func limiterKeys(a *account, cid string) []string {
	keys := []string{"cid:" + cid}
	if a != nil {
		keys = append(keys, "acct:"+strconv.Itoa(a.id))
	}
	return keys
}

func limitOf(key string) int {
	if strings.HasPrefix(key, "acct:") {
		return maxFailuresPerAccount
	}
	return maxFailuresPerClient
}

// recent drops failures older than the window and returns those left.
func (l *signinLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= signinWindow {
		i++
	}
	if i == len(ts) {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts[i:]
	return ts[i:]
}

// lockedOut returns how long until the first locked key is free again.
func (l *signinLimiter) lockedOut(keys []string, now time.Time) (time.Duration, bool) {
	var wait time.Duration
	for _, k := range keys {
		ts := l.recent(k, now)
		if len(ts) >= limitOf(k) {
			wait = max(wait, signinWindow-now.Sub(ts[len(ts)-limitOf(k)]))
		}
	}
	return wait, wait > 0
}

func (l *signinLimiter) fail(keys []string, now time.Time) {
	for _, k := range keys {
		if _, ok := l.fails[k]; !ok && strings.HasPrefix(k, "cid:") && len(l.fails) >= maxLimiterClients {
			l.evictClients(now)
		}
		ts := append(l.recent(k, now), now)
		if n := limitOf(k); len(ts) > n {
			ts = ts[len(ts)-n:] // only the last limit failures decide a lockout
		}
		l.fails[k] = ts
	}
}

// evictClients forgets clients whose failures expired, then, if still full, any clients.
func (l *signinLimiter) evictClients(now time.Time) {
	for k := range l.fails {
		if strings.HasPrefix(k, "cid:") {
			l.recent(k, now)
		}
	}
	for k := range l.fails {
		if len(l.fails) < maxLimiterClients {
			return
		}
		if strings.HasPrefix(k, "cid:") {
			delete(l.fails, k)
		}
	}
}

// signinOutcome is the result of checking credentials.
type signinOutcome int

const (
	signinOK signinOutcome = iota
	signinWrong
	signinNeedCode
	signinBadCode
	signinLocked
)

// checkSignin checks login, password and the two-factor code against the accounts and the
// limiter, counting failures. The caller holds e.mu.
func (e *Emulator) checkSignin(login, password, code, cid string, now time.Time) (*account, signinOutcome, time.Duration) {
	a := e.findAccount(login)
	keys := limiterKeys(a, cid)
	if wait, locked := e.tv.signin.lockedOut(keys, now); locked {
		return nil, signinLocked, wait
	}
	// A managed user has no password (a.password is empty): nothing signs in as one.
	if a == nil || a.password == "" || subtle.ConstantTimeCompare([]byte(password), []byte(a.password)) != 1 {
		e.tv.signin.fail(keys, now)
		return nil, signinWrong, 0
	}
	if want := e.tv.twoFactor[a.id]; want != "" {
		if code == "" {
			return nil, signinNeedCode, 0
		}
		if subtle.ConstantTimeCompare([]byte(code), []byte(want)) != 1 {
			e.tv.signin.fail(keys, now)
			return nil, signinBadCode, 0
		}
	}
	delete(e.tv.signin.fails, "acct:"+strconv.Itoa(a.id))
	return a, signinOK, 0
}

// issueDeviceToken mints a legacy token for a on client cid, as a PIN without a JWK does: it
// works until the device is removed. The caller holds e.mu.
func (e *Emulator) issueDeviceToken(a *account, cid string, r *http.Request, now time.Time) string {
	tok := randomToken()
	e.legacy[tok] = &legacyToken{acct: a, clientID: cid}
	e.touchDevice(a, cid, r, now, tok)
	return tok
}

// signin serves POST /api/v2/users/signin: form fields login (username or email), password,
// rememberMe and, for an account with two-factor authentication, verificationCode. 201 with the
// user object and a new legacy token for this client.
func (e *Emulator) signin(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeClientIDMissing(w, r)
		return
	}
	if !readForm(w, r, writeBadRequest) {
		return
	}
	if _, err := parseBool("rememberMe", r.Form.Get("rememberMe")); err != nil {
		writeError(w, r, http.StatusBadRequest, CodeBadRequest, err.Error())
		return
	}
	now := e.Now()
	e.mu.Lock()
	a, res, wait := e.checkSignin(r.Form.Get("login"), r.Form.Get("password"), r.Form.Get("verificationCode"), cid, now)
	var u userJSON
	if res == signinOK {
		u = e.userObject(a, e.issueDeviceToken(a, cid, r, now), now)
		u.PastSubscriptions, u.Trials = &[]subscriptionJSON{}, &[]any{}
	}
	e.mu.Unlock()
	switch res {
	case signinOK:
		reply(w, r, http.StatusCreated, u, func() *xnode { return userXML(u) })
	case signinLocked:
		e.writeLockedOut(w, wait, func(status int, msg string) { writeError(w, r, status, CodeSignInLockedOut, msg) })
	case signinNeedCode:
		writeError(w, r, http.StatusUnauthorized, CodeVerificationCode, msgVerificationCode)
	case signinBadCode:
		writeError(w, r, http.StatusUnauthorized, CodeVerificationCode, msgVerificationCode+": the code given is not valid")
	default:
		writeError(w, r, http.StatusUnauthorized, CodeUnauthorized, "User could not be authenticated")
	}
}

// writeLockedOut answers a locked-out sign-in with Options.SignInLockoutStatus.
func (e *Emulator) writeLockedOut(w http.ResponseWriter, wait time.Duration, write func(status int, msg string)) {
	status := e.opts.SignInLockoutStatus
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", retryAfterSeconds(wait))
	}
	write(status, msgLockedOut)
}

// legacySignin serves POST /users/sign_in.json and .xml: HTTP Basic login:password (two-factor
// code appended to the password) or form fields user[login], user[password]. 201 with the
// legacy account object; errors are the legacy {"error":…} or <errors><error>…</error></errors>.
func (e *Emulator) legacySignin(w http.ResponseWriter, r *http.Request) {
	cid := clientID(r)
	if cid == "" {
		writeLegacyError(w, r, http.StatusBadRequest, "X-Plex-Client-Identifier is missing")
		return
	}
	login, password, ok := basicAuth(r)
	if !ok {
		if !readForm(w, r, writeLegacyError) {
			return
		}
		login, password = r.Form.Get("user[login]"), r.Form.Get("user[password]")
	}
	now := e.Now()
	e.mu.Lock()
	code := ""
	if a := e.findAccount(login); a != nil && e.tv.twoFactor[a.id] != "" && len(password) > len(a.password) {
		password, code = password[:len(a.password)], password[len(a.password):]
	}
	a, res, wait := e.checkSignin(login, password, code, cid, now)
	var u userJSON
	if res == signinOK {
		u = e.userObject(a, e.issueDeviceToken(a, cid, r, now), now)
	}
	e.mu.Unlock()
	switch res {
	case signinOK:
		e.writeLegacyAccount(w, r, http.StatusCreated, u)
	case signinLocked:
		e.writeLockedOut(w, wait, func(status int, msg string) { writeLegacyError(w, r, status, msg) })
	case signinNeedCode, signinBadCode:
		writeLegacyError(w, r, http.StatusUnauthorized, msgVerificationCode+" (append it to the password)")
	default:
		writeLegacyError(w, r, http.StatusUnauthorized, "Invalid email, username, or password.")
	}
}

// basicAuth reads HTTP Basic credentials; the login may itself contain no colon, the password may.
func basicAuth(r *http.Request) (login, password string, ok bool) {
	h := r.Header.Get("Authorization")
	const prefix = "Basic "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len(prefix):]))
	if err != nil {
		return "", "", false
	}
	login, password, ok = strings.Cut(string(raw), ":")
	return login, password, ok
}

// writeLegacyError writes the single-message error of plex.tv's legacy endpoints.
func writeLegacyError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	reply(w, r, status, map[string]string{"error": msg}, func() *xnode { return el("errors").add(textEl("error", msg)) })
}

// legacyAccount serves GET /users/account, /users/account.xml and /users/account.json.
func (e *Emulator) legacyAccount(w http.ResponseWriter, r *http.Request) {
	now := e.Now()
	e.mu.Lock()
	id, res := e.checkToken(plexToken(r), now)
	var u userJSON
	if res == tokenOK {
		e.seen(id, now)
		u = e.userObject(id.acct, plexToken(r), now)
	}
	e.mu.Unlock()
	if res != tokenOK {
		writeLegacyError(w, r, http.StatusUnauthorized, "Invalid authentication token.")
		return
	}
	e.writeLegacyAccount(w, r, http.StatusOK, u)
}

// writeLegacyAccount answers the legacy account object: XML <user> with snake-case and
// camel-case attributes, the features directly under <subscription>, <entitlements all="1"/>,
// <profile_settings> and text elements (python-plexapi's old fixture), or JSON
// {"user":{…, "joined_at", "authentication_token", "roles":{"roles":[…]}}} (Overseerr's types).
func (e *Emulator) writeLegacyAccount(w http.ResponseWriter, r *http.Request, status int, u userJSON) {
	joined := time.Unix(u.JoinedAt, 0).UTC().Format("2006-01-02 15:04:05") + " UTC"
	hasPassword := "false"
	if u.HasPassword {
		hasPassword = "true" // the fixture has hasPassword="true" here, unlike every other boolean
	}
	j := map[string]any{"user": map[string]any{
		"id": u.ID, "uuid": u.UUID, "email": u.Email, "joined_at": joined, "username": u.Username,
		"title": u.Title, "thumb": u.Thumb, "hasPassword": u.HasPassword, "authToken": u.AuthToken,
		"authentication_token": u.AuthToken, "locale": u.Locale, "mailing_list_status": u.MailingListStatus,
		"scrobbleTypes": u.ScrobbleTypes, "restricted": u.Restricted, "home": u.Home, "guest": u.Guest,
		"homeSize": u.HomeSize, "maxHomeSize": u.MaxHomeSize, "queueEmail": u.QueueEmail, "queueUid": u.QueueUID,
		"certificateVersion": u.CertificateVersion, "secure": true,
		"subscription": map[string]any{"active": u.Subscription.Active, "status": u.Subscription.Status,
			"plan": u.Subscription.Plan, "features": u.Subscription.Features},
		"roles":        map[string]any{"roles": u.Roles},
		"entitlements": u.Entitlements,
	}}
	reply(w, r, status, j, func() *xnode {
		sub := el("subscription", "active", u.Subscription.Active, "status", u.Subscription.Status,
			"plan", strOr(u.Subscription.Plan))
		for _, f := range u.Subscription.Features {
			sub.add(el("feature", "id", f))
		}
		ents := el("entitlements", "all", len(u.Entitlements) > 0 && u.Entitlements[0] == "all")
		for _, id := range u.Entitlements {
			ents.add(el("entitlement", "id", id))
		}
		p := u.Profile
		return el("user", "email", u.Email, "id", u.ID, "uuid", u.UUID, "mailing_list_status", u.MailingListStatus,
			"thumb", u.Thumb, "username", u.Username, "title", u.Title, "cloudSyncDevice", "", "locale", u.Locale,
			"authenticationToken", u.AuthToken, "authToken", u.AuthToken, "scrobbleTypes", u.ScrobbleTypes,
			"restricted", u.Restricted, "home", u.Home, "guest", u.Guest, "queueEmail", u.QueueEmail,
			"queueUid", u.QueueUID, "hasPassword", hasPassword, "homeSize", u.HomeSize,
			"maxHomeSize", u.MaxHomeSize, "secure", true, "certificateVersion", u.CertificateVersion,
		).add(sub, list("roles", "role", u.Roles), ents,
			el("profile_settings", "default_audio_language", p.DefaultAudioLanguage, "auto_select_audio", p.AutoSelectAudio,
				"default_subtitle_language", p.DefaultSubtitleLanguage, "auto_select_subtitle", p.AutoSelectSubtitle),
			el("services"), textEl("username", u.Username), textEl("email", u.Email),
			textEl("joined-at", joined, "type", "datetime"), textEl("authentication-token", u.AuthToken))
	})
}

// signout serves DELETE /api/v2/users/signout: the token stops working. A legacy token is
// invalidated (the account's own is replaced, as LegacyToken then shows); a Plex JWT cannot be
// revoked alone, so its device leaves the account's Authorized Devices, as DELETE
// /devices/{id}.xml would.
func (e *Emulator) signout(w http.ResponseWriter, r *http.Request) {
	id, _, ok := e.lockCaller(w, r)
	if !ok {
		return
	}
	defer e.mu.Unlock()
	tok := plexToken(r)
	switch {
	case id.jwt:
		e.revokeClient(id.acct, id.clientID)
	case e.legacy[tok] != nil:
		e.invalidateLegacy(tok)
		if d := e.tv.records[recordKey{id.acct.id, id.clientID}]; d != nil && d.token == tok {
			d.token = ""
		}
	}
	w.WriteHeader(http.StatusNoContent)
}
