package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/internal/spec"
)

func (r *run) checkServerListed() *Finding {
	servers, err := r.in.PlexTV.WithTokenSource(r.accountToken()).Resources.Servers(r.ctx)
	if err != nil {
		return fail("could not list the account's servers (GET /api/v2/resources): "+r.scrub(err.Error()),
			"check that plex.tv is reachable; the account token itself passed the previous checks", map[string]any{"status": plexkit.StatusOf(err)})
	}
	account := r.accountName()
	names := ServerNames(servers)
	sel := strings.TrimSpace(r.in.Server)
	if sel == "" {
		switch len(servers) {
		case 0:
			return fail(fmt.Sprintf("%s has no servers: it owns none and none is shared with it, so every server refuses its tokens (401)", account),
				"ask a server's owner to share it with this account, or sign in with an account that has access", map[string]any{"servers": names})
		case 1:
			r.server = &servers[0]
			return r.listed()
		default:
			return fail(fmt.Sprintf("%s has %d servers (%s): name the one the call went to", account, len(servers), strings.Join(names, ", ")),
				"name it: `plexkit doctor --server NAME` with one of "+strings.Join(names, ", "), map[string]any{"servers": names})
		}
	}
	switch m := MatchServers(servers, sel); len(m) {
	case 1:
		r.server = &m[0]
		if IsURL(sel) {
			// The URL the person uses is the connection to diagnose, not the others.
			r.serverURL = strings.TrimRight(sel, "/")
		}
		return r.listed()
	case 0:
	default:
		ids := make([]string, len(m))
		for i, s := range m {
			ids[i] = s.ClientIdentifier
		}
		return fail(fmt.Sprintf("%d of the account's servers are named %q", len(m), sel),
			"name it by machine identifier: one of "+strings.Join(ids, ", "), map[string]any{"machineIdentifiers": ids})
	}
	if !IsURL(sel) {
		return fail(fmt.Sprintf("%s has no server named %q: that server is neither owned by this account nor shared with it, so it refuses the account's tokens (401)", account, sel),
			fmt.Sprintf("ask the owner of %s to share it with %s (a friend share or a Plex Home), or use an account that has access; this account's servers: %s", sel, account, orNone(names)),
			map[string]any{"servers": names})
	}
	// A URL that is none of the listed connections: ask the server there who it is.
	r.serverURL = strings.TrimRight(sel, "/")
	p := r.probe(r.serverURL, "")
	r.identity = &p
	if p.err != nil {
		return warn(fmt.Sprintf("%s is not a connection plex.tv lists for any of the account's servers, and nothing answered there to say which server it is", r.serverURL),
			"see the connections check below", nil)
	}
	for i := range servers {
		if servers[i].ClientIdentifier == p.machineID {
			r.server = &servers[i]
			f := r.listed()
			f.Cause += fmt.Sprintf("; %s is not one of the connections plex.tv lists for it", r.serverURL)
			return f
		}
	}
	return fail(fmt.Sprintf("the server at %s (machine identifier %s) is not among %s's servers: it is neither owned by this account nor shared with it, so it refuses the account's tokens (401)", r.serverURL, p.machineID, account),
		fmt.Sprintf("ask the server's owner to share it with %s, or use an account that has access; this account's servers: %s", account, orNone(names)),
		map[string]any{"machineIdentifier": p.machineID, "servers": names})
}

// listed describes the server found in the account's resources.
func (r *run) listed() *Finding {
	s := r.server
	detail := map[string]any{"name": s.Name, "machineIdentifier": s.ClientIdentifier, "owned": s.Owned, "home": s.Home}
	how := "owned by this account"
	if !s.Owned {
		how = "shared with this account"
		if s.SourceTitle != "" {
			how += " by " + s.SourceTitle
			detail["sourceTitle"] = s.SourceTitle
		}
		if s.Home {
			how += " (a Plex Home)"
		}
	}
	return pass(fmt.Sprintf("%s (machine identifier %s) is listed, %s", s.Name, s.ClientIdentifier, how), detail)
}

func (r *run) accountName() string {
	if r.accepted != nil && r.accepted.Username != "" {
		return "account " + r.accepted.Username
	}
	return "the account"
}

func (r *run) checkServerToken() *Finding {
	s := r.server
	if s == nil {
		return nil
	}
	r.useToken, r.useSource = r.in.Token, "the account's "+r.kind.String()
	switch {
	case s.AccessToken == "":
		return warn(fmt.Sprintf("plex.tv lists no accessToken for %s, so the account's %s is the only token to present", s.Name, r.kind),
			"if the server refuses it, re-fetch /api/v2/resources later: plex.tv hands out server tokens for servers the account may use", nil)
	case s.AccessToken == r.in.Token:
		return pass(fmt.Sprintf("plex.tv lists the account's own %s as %s's accessToken: present it", r.kind, s.Name), map[string]any{"serverToken": "account token"})
	default:
		r.useToken, r.useSource = s.AccessToken, s.Name+"'s accessToken"
		return pass(fmt.Sprintf("present %s's own accessToken from /api/v2/resources (a token for this server, not the account's %s); plexkit does, and re-fetches it on a 401", s.Name, r.kind),
			map[string]any{"serverToken": "resources accessToken"})
	}
}

// probe is what one connection answered to GET /identity.
type probe struct {
	uri       string
	machineID string
	latency   time.Duration
	err       error
}

// probeAll probes uris at once. Once one answers as the right server, the others get
// ProbeGrace more; those still trying then are given up and say so.
func (r *run) probeAll(uris []string, want string) []probe {
	results := make([]probe, len(uris))
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	type done struct {
		i int
		p probe
	}
	ch := make(chan done, len(uris))
	pending := 0
	for i, u := range uris {
		if r.identity != nil && r.identity.uri == u && want == "" {
			results[i] = *r.identity
			continue
		}
		pending++
		go func() { ch <- done{i, r.probeCtx(ctx, u, want)} }()
	}
	finished := make([]bool, len(uris))
	var grace <-chan time.Time
	var winner string
	for pending > 0 {
		select {
		case d := <-ch:
			pending--
			results[d.i], finished[d.i] = d.p, true
			if d.p.err == nil && grace == nil {
				winner = d.p.uri
				t := time.NewTimer(ProbeGrace)
				defer t.Stop()
				grace = t.C
			}
			continue
		case <-grace:
		}
		break
	}
	if pending == 0 {
		return results
	}
	cancel()
	for i, u := range uris {
		if !finished[i] && results[i].uri == "" {
			results[i] = probe{uri: u, err: fmt.Errorf("%w: %s answered first", errGivenUp, winner)}
		}
	}
	return results
}

// errGivenUp marks a probe that was still trying when another connection had answered.
var errGivenUp = errors.New("not waited for")

// probe asks uri who it is, within the probe timeout. want, when set, is the machine identifier
// the answer must carry.
func (r *run) probe(uri, want string) probe { return r.probeCtx(r.ctx, uri, want) }

// probeCtx is probe under ctx.
func (r *run) probeCtx(parent context.Context, uri, want string) probe {
	ctx, cancel := context.WithTimeout(parent, r.in.ProbeTimeout)
	defer cancel()
	start := time.Now()
	id, err := r.identify(ctx, uri)
	p := probe{uri: uri, machineID: id, latency: time.Since(start), err: err}
	if err == nil && want != "" && id != want {
		p.err = fmt.Errorf("answers as another server (machine identifier %s, want %s)", id, want)
	}
	return p
}

// describe says in words why a probe failed.
func (p probe) describe(timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(p.err, errGivenUp):
		return p.err.Error()
	case errors.Is(p.err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens there)"
	case errors.Is(p.err, context.DeadlineExceeded), errors.As(p.err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", timeout)
	}
	var dnsErr *net.DNSError
	if errors.As(p.err, &dnsErr) {
		return "host name not found (" + dnsErr.Name + ")"
	}
	return plexkit.Redact(p.err.Error())
}

func (r *run) checkConnections() *Finding {
	var uris []string
	var labels map[string]string
	want := ""
	if r.server != nil {
		want = r.server.ClientIdentifier
		labels = map[string]string{}
		for _, c := range r.server.Connections {
			uris = append(uris, strings.TrimRight(c.URI, "/"))
			labels[strings.TrimRight(c.URI, "/")] = c.Kind()
		}
	}
	if r.serverURL != "" {
		uris = []string{r.serverURL}
	}
	if len(uris) == 0 {
		return fail(fmt.Sprintf("plex.tv lists no connections for %s: the server has not published an address (it may be offline or signed out of plex.tv)", r.server.Name),
			"start the server and make sure it is signed in to plex.tv (Settings → General), or name its URL: --server http://HOST:32400", nil)
	}
	results := r.probeAll(uris, want)
	var ok, bad []string
	var best *probe
	for i := range results {
		p := &results[i]
		label := p.uri
		if l := labels[p.uri]; l != "" {
			label += " (" + l + ")"
		}
		if p.err != nil {
			if r.serverURL != "" {
				label = ""
			} else {
				label += ": "
			}
			bad = append(bad, label+p.describe(r.in.ProbeTimeout))
			continue
		}
		ok = append(ok, fmt.Sprintf("%s in %s", label, p.latency.Round(time.Millisecond)))
		if best == nil || p.latency < best.latency {
			best = p
		}
	}
	detail := map[string]any{"answered": len(ok), "tried": len(uris)}
	if best == nil {
		if r.serverURL != "" {
			return fail(fmt.Sprintf("nothing answers at %s: %s — the URL is wrong (host, port or scheme) or the server is not running", r.serverURL, strings.Join(bad, "; ")),
				"check the URL: a Plex Media Server listens on port 32400 unless set otherwise; `plexkit servers` lists the connections plex.tv knows for each server", detail)
		}
		return fail(fmt.Sprintf("none of %s's %d connections answers: %s — the server is offline or not reachable from here", r.server.Name, len(uris), strings.Join(bad, "; ")),
			"start the server, or check the network: local addresses only work on the server's network, remote ones need Remote Access, relays need the server signed in to plex.tv", detail)
	}
	r.live = best.uri
	if r.server == nil {
		detail["machineIdentifier"] = best.machineID
	}
	cause := "answering: " + strings.Join(ok, ", ")
	if len(bad) > 0 {
		cause += "; not answering: " + strings.Join(bad, "; ")
	}
	return pass(cause, detail)
}

func (r *run) checkServerAcceptsTokens() *Finding {
	s := r.server
	if s == nil || r.live == "" {
		return nil
	}
	listed := r.listedLive()
	switch {
	case !listed && !r.in.Pasted:
		return skip("not checked: " + r.unlistedWhy())
	case listed && !s.Owned:
		return r.checkSharedServerToken()
	}
	// GET / is open to every role (the spec's default "shared user or admin"), so a refusal
	// there is about the token, not about the role.
	const path = "/"
	acct := r.call(r.live, r.in.Token, "GET", path)
	detail := map[string]any{"accountTokenStatus": acct.status}
	if acct.redirect() {
		return redirected(s.Name, "GET", path, acct, detail)
	}
	if acct.err == nil {
		return pass(fmt.Sprintf("%s accepts the account's %s (GET / answered %d)", s.Name, r.kind, acct.status), detail)
	}
	if r.useToken == r.in.Token || r.useToken == "" || !listed {
		// At an address plex.tv does not list, only the token the person passed is sent.
		return r.refusedAccountToken(acct, detail)
	}
	own := r.call(r.live, r.useToken, "GET", path)
	detail["serverTokenStatus"] = own.status
	switch {
	case errors.Is(acct.err, plexkit.ErrUnauthorized) && own.err == nil:
		st := Warn
		if r.in.Pasted {
			st = Fail
		}
		return &Finding{Status: st, Detail: detail,
			Cause: fmt.Sprintf("%s refuses the account's %s (401) but accepts its own accessToken from /api/v2/resources: some servers accept only their own access tokens, although Plex documents that the JWT works everywhere", s.Name, r.kind),
			Fix:   "present the server's accessToken (X-Plex-Token) from GET /api/v2/resources, which you call with the account's Plex JWT; on a 401 from the server, re-fetch the resources once and retry once — plexkit's pms.Connect with pms.WithRefetch does both"}
	case own.err != nil:
		return fail(fmt.Sprintf("%s refuses both the account's %s (%s) and its own accessToken (%s): the share was removed, or the server is signed out of plex.tv and cannot check tokens", s.Name, r.kind, acct.short(), own.short()),
			"re-fetch the resources (the server token may have changed: `plexkit servers`); if it stays refused, ask the owner whether the server is signed in to plex.tv and still shared with you", detail)
	default:
		return r.refusedAccountToken(acct, detail)
	}
}

// Where tokens may go. The account's token is the account: whoever receives it can act as the
// account everywhere. It goes to plex.tv, and to the connections plex.tv lists for a server the
// account owns; a server the account does not own (a friend's) gets only its own access token,
// which plex.tv lists for it; and an address plex.tv does not list gets no token at all unless
// the person passed one (--token) — its /identity proves nothing, since a machine identifier is
// public and any host can answer with it.

// listedLive reports whether the connection being diagnosed is one plex.tv lists for the server.
func (r *run) listedLive() bool {
	if r.server == nil || r.live == "" {
		return false
	}
	key, ok := urlKey(r.live)
	return ok && hasConnection(*r.server, key)
}

// unlistedWhy explains why no token is sent to the connection being diagnosed.
func (r *run) unlistedWhy() string {
	return fmt.Sprintf("%s is not a connection plex.tv lists for a server of this account, so no token is sent there: any host can answer /identity with a server's machine identifier, which is public. Use a connection `plexkit servers` lists, or pass the token to send there with --token", r.live)
}

// callToken returns the token the call may be made with, and where it comes from; or, when no
// token may go to the connection, why.
func (r *run) callToken() (tok, source, why string) {
	s := r.server
	switch {
	case !r.listedLive() && r.in.Pasted:
		return r.in.Token, "the token you passed", ""
	case !r.listedLive():
		return "", "", r.unlistedWhy()
	case r.useToken != "" && r.useToken != r.in.Token:
		return r.useToken, r.useSource, ""
	case s.Owned:
		return r.in.Token, "the account's " + r.kind.String(), ""
	}
	return "", "", fmt.Sprintf("plex.tv lists no access token of its own for %s, and the account's %s is not sent to a server the account does not own: its owner could use it as this account", s.Name, r.kind)
}

// checkSharedServerToken checks a server the account does not own with its own access token
// alone: the account's token does not go there.
func (r *run) checkSharedServerToken() *Finding {
	s := r.server
	if s.AccessToken == "" || s.AccessToken == r.in.Token {
		return skip(fmt.Sprintf("not checked: plex.tv lists no access token of its own for %s, and the account's %s is not sent to a server the account does not own: its owner could use it as this account", s.Name, r.kind))
	}
	own := r.call(r.live, s.AccessToken, "GET", "/")
	detail := map[string]any{"serverTokenStatus": own.status}
	switch {
	case own.redirect():
		return redirected(s.Name, "GET", "/", own, detail)
	case own.err == nil:
		return pass(fmt.Sprintf("%s accepts its own accessToken from /api/v2/resources (GET / answered %d): present it — plexkit does. The account's %s was not tried: it is not sent to a server the account does not own, whose owner could use it as this account", s.Name, own.status, r.kind), detail)
	case errors.Is(own.err, plexkit.ErrTokenExpired):
		return fail(fmt.Sprintf("%s answers 498 to its own accessToken: the token has expired", s.Name),
			"re-fetch /api/v2/resources for a current accessToken (`plexkit servers`)", detail)
	}
	return fail(fmt.Sprintf("%s refuses its own accessToken from /api/v2/resources (%s): the share was removed, or the server is signed out of plex.tv and cannot check tokens", s.Name, own.short()),
		"re-fetch the resources (the server token may have changed: `plexkit servers`); if it stays refused, ask the owner whether the server is signed in to plex.tv and still shared with you", detail)
}

// refusedAccountToken explains a refusal of the account token where no other token helps.
func (r *run) refusedAccountToken(acct result, detail map[string]any) *Finding {
	s := r.server
	if errors.Is(acct.err, plexkit.ErrTokenExpired) {
		return fail(fmt.Sprintf("%s answers 498: the token has expired", s.Name), fixRefresh, detail)
	}
	return fail(fmt.Sprintf("%s refuses the account's %s (%s) on GET /, which every role may call: the server does not take this token for this account — the share was removed, or the server is signed out of plex.tv and cannot check tokens", s.Name, r.kind, acct.short()),
		"re-fetch /api/v2/resources and present the accessToken it lists; if the server still refuses, ask its owner whether it is signed in to plex.tv and shared with you", detail)
}

// redirected explains a redirect the doctor did not follow.
func redirected(name, method, path string, res result, detail map[string]any) *Finding {
	return fail(fmt.Sprintf("%s answered %s to %s %s: a redirect, which is not followed, since the token must not go to another address", name, res.short(), method, path),
		"call the server at the address it redirects to (check a reverse proxy's configuration, or http against https)", detail)
}

// role is an account's role on a server, in the words of the PMS API documentation.
type role string

const (
	roleAdmin  role = "admin"
	roleShared role = "shared user"
	roleNone   role = "none"
)

func (r *run) accountRole() role {
	switch {
	case r.server == nil:
		return roleNone
	case r.server.Owned:
		return roleAdmin
	}
	return roleShared
}

func (r *run) operation() (spec.Operation, bool) {
	p := r.path
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	return spec.LookupServed(r.method, p)
}

func (r *run) checkRole() *Finding {
	if r.server == nil {
		return skip("not checked: which server " + r.serverURL + " is could not be told, so neither is the account's role on it")
	}
	op, ok := r.operation()
	have := r.accountRole()
	detail := map[string]any{"has": string(have)}
	if !ok {
		return warn(fmt.Sprintf("%s %s is not an operation of the official PMS API (OpenAPI 1.2.2), so the role it needs is unknown; this account is %s on the server", r.method, r.path, article(have)),
			"check the method and path; every documented operation needs admin (the owner) or shared user (any account the server is shared with)", detail)
	}
	need := needRole(op.Role)
	detail["needs"], detail["operationId"], detail["template"] = string(need), op.OperationID, op.Path
	name := r.server.Name
	switch {
	case op.Role == spec.RoleNone:
		return pass(fmt.Sprintf("%s %s needs no token", op.Method, op.Path), detail)
	case op.Role == spec.RoleShared:
		return pass(fmt.Sprintf("%s %s is open to shared users and the admin; this account is %s on %s", op.Method, op.Path, article(have), name), detail)
	case have == roleAdmin:
		return pass(fmt.Sprintf("%s %s needs the admin role, and this account owns %s (admin)", op.Method, op.Path, name), detail)
	default:
		return fail(r.roleCause(op), r.roleFix(), detail)
	}
}

// roleCause explains that an operation needs the admin role and the account does not have it.
func (r *run) roleCause(op spec.Operation) string {
	s := r.server
	owner := "its owner"
	if s.SourceTitle != "" {
		owner = "its owner, " + s.SourceTitle
	}
	who := "the owner shared the server with it"
	if s.Home {
		who = "a member of the owner's Plex Home"
	}
	return fmt.Sprintf("%s %s (%s) needs the admin role: only the account that owns the server — %s — may call it. On %s this account is a shared user (%s). The role comes from whose token it is; no scope, refresh or other token of this account can change it",
		op.Method, op.Path, op.OperationID, owner, s.Name, who)
}

// roleShort is roleCause in one sentence, for the call that confirms it.
func (r *run) roleShort(op spec.Operation) string {
	return fmt.Sprintf("%s %s needs the admin role (the server's owner) and this account is a shared user on %s; no scope can change that", op.Method, op.Path, r.server.Name)
}

func (r *run) roleFix() string {
	alt := ""
	if r.path == DefaultPath || strings.HasPrefix(r.path, DefaultPath+"?") {
		alt = " (GET /status/sessions/history/all shows your own plays)"
	}
	return "ask the owner to make this call, or call an operation open to shared users" + alt
}

func needRole(sr spec.Role) role {
	switch sr {
	case spec.RoleAdmin:
		return roleAdmin
	case spec.RoleShared:
		return roleShared
	}
	return roleNone
}

func article(r role) string {
	switch r {
	case roleAdmin:
		return "the admin (owner)"
	case roleShared:
		return "a shared user"
	}
	return "without any role (no access)"
}

func (r *run) checkCall() *Finding {
	if r.method != "GET" && r.method != "HEAD" {
		return skip(fmt.Sprintf("not made: the doctor only makes GET and HEAD calls, and %s %s would change the server; the role check above is the diagnosis", r.method, r.path))
	}
	tok, source, why := r.callToken()
	if why != "" {
		return skip("not made: " + why)
	}
	res := r.call(r.live, tok, r.method, r.path)
	detail := map[string]any{"status": res.status, "token": source, "url": r.live + pathOnly(r.path)}
	name := r.live
	if r.server != nil {
		name = r.server.Name
	}
	if res.err == nil {
		return pass(fmt.Sprintf("%s %s on %s answered %d with %s", r.method, r.path, name, res.status, source), detail)
	}
	op, known := r.operation()
	switch {
	case known && op.Role == spec.RoleAdmin && r.accountRole() == roleShared && (errors.Is(res.err, plexkit.ErrUnauthorized) || errors.Is(res.err, plexkit.ErrForbidden)):
		return fail(fmt.Sprintf("%s answered %s with %s, as the role predicts: %s", name, res.short(), source, r.roleShort(op)), r.roleFix(), detail)
	case errors.Is(res.err, plexkit.ErrTokenExpired):
		return fail(fmt.Sprintf("%s answered 498: the token has expired", name), fixRefresh, detail)
	case errors.Is(res.err, plexkit.ErrUnauthorized):
		return fail(fmt.Sprintf("%s answered 401 to %s %s with %s: the server does not accept this token for this account", name, r.method, r.path, source),
			"present the server's accessToken from /api/v2/resources (re-fetch it once after a 401), and check that the account still has access", detail)
	case errors.Is(res.err, plexkit.ErrForbidden):
		return fail(fmt.Sprintf("%s answered 403 to %s %s with %s: the server understood the token but forbids this operation to it (a managed user's restrictions, or a section not shared with this account)", name, r.method, r.path, source),
			"ask the owner to share what the call needs, or lift the restriction", detail)
	case errors.Is(res.err, plexkit.ErrNotFound):
		return fail(fmt.Sprintf("%s answered 404 to %s %s: no such path or item on this server", name, r.method, r.path),
			"check the path (and the section key or ratingKey in it): `plexkit libraries` lists the sections this account sees", detail)
	case res.redirect():
		return redirected(name, r.method, r.path, res, detail)
	default:
		return fail(fmt.Sprintf("%s %s on %s failed: %s", r.method, r.path, name, res.short()),
			"try again; if it persists, check the server's logs", detail)
	}
}

// pathOnly returns path without its query and fragment: a query may carry a token
// (?X-Plex-Token=…), and Detail holds facts, not secrets.
func pathOnly(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		return path[:i]
	}
	return path
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(slices.Clone(names), ", ")
}
