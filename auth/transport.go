package auth

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/plexkit/plexkit"
)

// TokenHeader is the header that carries a Plex token. plexkit never puts a token in a query
// parameter: URLs end up in logs, proxies and browser history.
const TokenHeader = "X-Plex-Token"

// maxRedirects is http.Client's default limit, kept by CheckRedirect.
const maxRedirects = 10

// Transport is an http.RoundTripper that sends each request with the X-Plex-Token header set to
// the token of Source (replacing one the caller set), on a clone: the caller's request is never
// modified.
//
// A token belongs to the host it was meant for. When http.Client follows a redirect to another
// host — or from https to http — Transport sends that request without a token, and
// CheckRedirect (which NewClient installs) removes a token header or query parameter the caller
// had set; both look at the first request of the redirect chain.
//
// When a server answers 498 (token expired) to an idempotent request (GET, HEAD, OPTIONS, PUT,
// DELETE) whose body can be sent again, and Source implements StaleRefresher or Refresher,
// Transport refreshes the token once and retries the request once. Nothing else is retried:
// retries for 429, 5xx and network errors belong to plexkit.RetryTransport, which may be Base.
type Transport struct {
	// Source supplies the token.
	Source TokenSource
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

var _ http.RoundTripper = (*Transport)(nil)

// NewClient returns an http.Client that sends requests through a Transport with src and base,
// and drops the token on redirects to another host.
func NewClient(src TokenSource, base http.RoundTripper) *http.Client {
	t := &Transport{Source: src, Base: base}
	return &http.Client{Transport: t, CheckRedirect: t.CheckRedirect}
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	return http.DefaultTransport
}

// RoundTrip implements http.RoundTripper. The returned response's Request is req (not the
// clone carrying the token), and req.Body is closed on every path, as http.RoundTripper requires.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		closeBody(req)
		return nil, errors.New("auth: Transport has no token Source")
	}
	if !sameOrigin(origin(req).URL, req.URL) {
		return t.send(req, withoutToken(req))
	}
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, fmt.Errorf("auth: no token for the request: %w", err)
	}
	if err := CheckValue(tok.Value); err != nil {
		closeBody(req)
		return nil, fmt.Errorf("auth: cannot send %s: %s", tok, err)
	}
	resp, err := t.send(req, withToken(req, tok.Value))
	if err != nil || resp.StatusCode != plexkit.StatusTokenExpired || !replayable(req) {
		return resp, err
	}
	var fresh *Token
	switch src := t.Source.(type) {
	case StaleRefresher:
		drain(resp)
		fresh, err = src.RefreshStale(ctx, tok)
	case Refresher:
		drain(resp)
		fresh, err = src.Refresh(ctx)
	default:
		return resp, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: %w (HTTP 498) and refreshing it failed: %w", plexkit.ErrTokenExpired, err)
	}
	if err := CheckValue(fresh.Value); err != nil {
		return nil, fmt.Errorf("auth: cannot send the refreshed %s: %s", fresh, err)
	}
	retry := withToken(req, fresh.Value)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, fmt.Errorf("auth: resend the request body after refreshing the token: %w", err)
		}
	}
	return t.send(req, retry)
}

// send delegates out (a clone of req) to Base and makes the response's Request the caller's.
func (t *Transport) send(req, out *http.Request) (*http.Response, error) {
	resp, err := t.base().RoundTrip(out)
	if err != nil {
		if resp != nil {
			// A RoundTripper must not return both, but if one does, the body must still be freed.
			resp.Body.Close()
		}
		return nil, err
	}
	resp.Request = req
	return resp, nil
}

// CheckRedirect is an http.Client CheckRedirect function: it stops after 10 redirects, like
// the default, and removes X-Plex-Token (header or query parameter) from a redirect that leaves
// the host of the first request or goes from https to http. http.Client copies the first
// request's headers to each redirect; only Authorization and cookies are dropped by net/http.
func (t *Transport) CheckRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("auth: stopped after %d redirects", maxRedirects)
	}
	if len(via) > 0 && !sameOrigin(via[0].URL, req.URL) {
		req.Header.Del(TokenHeader)
		stripQueryToken(req.URL)
	}
	return nil
}

// origin returns the first request of the redirect chain req belongs to: http.Client links
// each redirect to the response that caused it, and send makes that response's Request the
// request the client passed in.
func origin(req *http.Request) *http.Request {
	o := req
	for i := 0; i < maxRedirects*2 && o.Response != nil && o.Response.Request != nil; i++ {
		o = o.Response.Request
	}
	return o
}

// sameOrigin reports whether a token meant for a may be sent to b: same host and port, and
// not downgraded from https to http.
func sameOrigin(a, b *url.URL) bool {
	if a == b {
		return true
	}
	if strings.EqualFold(a.Scheme, "https") && !strings.EqualFold(b.Scheme, "https") {
		return false
	}
	return hostPort(a) == hostPort(b)
}

func hostPort(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}

func withToken(req *http.Request, value string) *http.Request {
	r := req.Clone(req.Context())
	r.Header.Set(TokenHeader, value)
	return r
}

// withoutToken returns req, or a clone of it without any token when it carries one.
func withoutToken(req *http.Request) *http.Request {
	if req.Header.Get(TokenHeader) == "" && !hasQueryToken(req.URL) {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Del(TokenHeader)
	stripQueryToken(r.URL)
	return r
}

func hasQueryToken(u *url.URL) bool {
	if u.RawQuery == "" {
		return false
	}
	for k := range u.Query() {
		if strings.EqualFold(k, TokenHeader) {
			return true
		}
	}
	return false
}

func stripQueryToken(u *url.URL) {
	if !hasQueryToken(u) {
		return
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, TokenHeader) {
			delete(q, k)
		}
	}
	u.RawQuery = q.Encode()
}

// replayable reports whether req may be sent a second time: an idempotent method and a body
// that is absent or can be produced again.
func replayable(req *http.Request) bool {
	if !plexkit.Idempotent(req.Method) {
		return false
	}
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// drain reads a little of an unwanted response so its connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
