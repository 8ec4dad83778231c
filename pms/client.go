package pms

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
)

// maxBody bounds one streamed answer. The largest are pages of library items, about 1 KiB an item
// in JSON; a page of the largest size (MaxPageSize) stays far below. Answers kept whole have
// tighter bounds (see bounds).
const maxBody = 64 << 20

// Client talks to one Plex Media Server. Create it with NewClient (a known URL) or Connect (a
// server's plex.tv resource, whose connections are raced). It is safe for concurrent use. As in
// go-github, the endpoints are grouped by area in services: c.Server, c.Sessions, c.History,
// c.Library, c.Search, c.Security, c.Metadata, c.Watch, c.Playlists, c.Collections,
// c.PlayQueues, c.Prefs, c.Butler, c.Activities, c.Statistics; Do reaches any other endpoint.
type Client struct {
	// Server reads the server's identity and capabilities.
	Server *ServerService
	// Sessions lists what is playing now (admin only).
	Sessions *SessionsService
	// History lists what has been played.
	History *HistoryService
	// Library lists sections and their items, and reads items.
	Library *LibraryService
	// Search searches the libraries.
	Search *SearchService
	// Security mints transient tokens.
	Security *SecurityService
	// Metadata reads and edits items, and builds URLs of their images and files.
	Metadata *MetadataService
	// Watch changes the account's watch state: watched, progress, rating.
	Watch *WatchService
	// Playlists manages playlists.
	Playlists *PlaylistsService
	// Collections manages collections.
	Collections *CollectionsService
	// PlayQueues manages play queues.
	PlayQueues *PlayQueuesService
	// Prefs reads and sets the server's settings (admin).
	Prefs *PrefsService
	// Butler lists, starts and stops the server's scheduled tasks (admin).
	Butler *ButlerService
	// Activities lists and cancels what the server is busy with.
	Activities *ActivitiesService
	// Statistics reads the dashboard's numbers: bandwidth, resources, media (admin).
	Statistics *StatisticsService
	// Players lists the players the server can control and sends them commands.
	Players *PlayersService

	common service

	transient transientCache // for URLs handed to other programs

	info    plexkit.ClientInfo
	accept  string
	retry   http.RoundTripper // plexkit.RetryTransport over the configured transport
	base    http.RoundTripper // the configured transport, for single tries (Connect's probes, Raw)
	timeout time.Duration
	plain   *http.Client     // retrying, never a token
	src     auth.TokenSource // the configured token source (WithToken, WithTokenSource, ref.AccessToken); may be nil

	refetch        func(ctx context.Context) (ServerRef, error)
	refetchLock    chan struct{}
	raceGrace      time.Duration
	connectTimeout time.Duration
	preferred      string // WithPreferredConnection

	// route is where requests go and with what token. A refetch replaces it as a whole, so a
	// request never pairs a new address with an old token.
	route atomic.Pointer[route]
}

// route is a server address with the token source for it and the HTTP client that sends it.
type route struct {
	base      *url.URL         // path ends with "/"
	src       auth.TokenSource // nil when there is no token
	authed    *http.Client     // sends src's token; nil when src is
	machineID string           // "" when not known (NewClient)
	gen       uint64           // incremented by each refetch
}

// service is what every service type is: a handle on the client.
type service struct{ client *Client }

// NewClient returns a client for the server at baseURL, e.g. "http://192.168.1.10:32400" or
// "https://example.com/plex" (a path prefix, as behind a reverse proxy, is kept).
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	c := newClient(cfg)
	c.route.Store(&route{base: base, src: cfg.src, authed: c.tokenClient(cfg.src)})
	return c, nil
}

func buildConfig(opts []Option) (config, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

func newClient(cfg config) *Client {
	base := plexkit.DefaultTransport()
	var timeout time.Duration
	if cfg.hc != nil {
		base, timeout = cfg.hc.Transport, cfg.hc.Timeout
		if base == nil {
			base = http.DefaultTransport
		}
	}
	base = plexkit.WithBodyTimeout(base)
	retry := &plexkit.RetryTransport{}
	if cfg.retry != nil {
		*retry = *cfg.retry
	}
	retry.Base = base
	accept := "application/json"
	if cfg.xml {
		accept = "application/xml"
	}
	c := &Client{
		info:           cfg.info,
		accept:         accept,
		retry:          retry,
		base:           base,
		timeout:        timeout,
		plain:          &http.Client{Transport: retry, Timeout: timeout},
		src:            cfg.src,
		refetch:        cfg.refetch,
		refetchLock:    make(chan struct{}, 1),
		raceGrace:      cfg.raceGrace,
		connectTimeout: cfg.connectTimeout,
		preferred:      cfg.preferred,
	}
	c.common.client = c
	c.Server = (*ServerService)(&c.common)
	c.Sessions = (*SessionsService)(&c.common)
	c.History = (*HistoryService)(&c.common)
	c.Library = (*LibraryService)(&c.common)
	c.Search = (*SearchService)(&c.common)
	c.Security = (*SecurityService)(&c.common)
	c.Metadata = (*MetadataService)(&c.common)
	c.Watch = (*WatchService)(&c.common)
	c.Playlists = (*PlaylistsService)(&c.common)
	c.Collections = (*CollectionsService)(&c.common)
	c.PlayQueues = (*PlayQueuesService)(&c.common)
	c.Prefs = (*PrefsService)(&c.common)
	c.Butler = (*ButlerService)(&c.common)
	c.Activities = (*ActivitiesService)(&c.common)
	c.Statistics = (*StatisticsService)(&c.common)
	c.Players = (*PlayersService)(&c.common)
	return c
}

// tokenClient returns the HTTP client that sends src's token: auth.Transport over the retrying
// transport, so each retry carries the token and a 498 is refreshed once. Nil src: no token.
func (c *Client) tokenClient(src auth.TokenSource) *http.Client {
	if src == nil {
		return nil
	}
	hc := auth.NewClient(src, c.retry)
	hc.Timeout = c.timeout
	return hc
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := plexkit.ParseBaseURL(raw)
	if err != nil {
		return nil, &OptionError{"baseURL", err.Error()}
	}
	// Request paths are resolved against the base, so it ends in a slash.
	u.Path += "/"
	return u, nil
}

// BaseURL returns the server address requests go to: the URL given to NewClient, or the
// connection Connect chose (and a refetch may have changed), without a trailing slash.
func (c *Client) BaseURL() string {
	return strings.TrimSuffix(c.route.Load().base.String(), "/")
}

// MachineIdentifier returns the identifier of the server this client was connected to, or ""
// for a client from NewClient whose server is not known.
func (c *Client) MachineIdentifier() string { return c.route.Load().machineID }

// urlFor returns the URL of path on the current route, for messages.
func (c *Client) urlFor(path string) string {
	u := *c.route.Load().base
	u.Path += path
	return plexkit.RedactURL(u.String())
}

// request is one call: what to send and how to decode the MediaContainer it returns.
type request struct {
	method  string
	path    string // relative to the base URL, unescaped, without a leading "/"
	query   url.Values
	header  http.Header
	noToken bool // GET /identity: sent without a token

	// Raw calls only (see Client.Raw): the path's escaped form when it differs from the
	// default, the query as given, and one try.
	rawPath  string // escaped, relative like path; "" when path escapes the usual way
	rawQuery string // when set, sent instead of query
	once     bool   // no retry, no refresh on 498, no redirect

	body        []byte // sent as the request body when not nil
	contentType string // of body

	bounds    bounds                  // what the answer may cost; the zero value: kept whole
	check     func(http.Header) error // when set, vets a successful answer's header before its body
	head      any                     // receives the container's own fields; may be nil
	childKeys []string                // JSON keys of the children
	child     childFunc               // receives the children; nil: none expected
	into      any                     // Do's out: the root element, or an io.Writer for the body
}

// do is the one request path of the typed calls: it builds the request on the current route,
// sends it (with the token, retries and a 498 refresh in the transports), on a 401 — or a 498
// for a token that cannot be refreshed — refetches the server once and repeats an idempotent
// request once, maps refusals to *plexkit.Error, and decodes the body. It returns the response
// header (for paging). errStop from r.child is returned as is.
func (c *Client) do(ctx context.Context, r *request) (http.Header, error) {
	rt := c.route.Load()
	resp, err := c.send(ctx, rt, r)
	if err != nil {
		return nil, err
	}
	if c.refetch != nil && !r.noToken && refetchable(resp.StatusCode, rt.src) {
		refused := plexkit.CheckResponse(resp)
		closeBody(resp, false)
		next, rerr := c.refetchRoute(ctx, rt)
		switch {
		case rerr != nil:
			return nil, fmt.Errorf("%w; fetching the server's access token again failed: %w", refused, rerr)
		case !plexkit.Idempotent(r.method):
			return nil, fmt.Errorf("%w (the server's access token has been fetched again; the %s was not repeated)", refused, r.method)
		}
		if resp, err = c.send(ctx, next, r); err != nil {
			return nil, err
		}
	}
	if err := plexkit.CheckResponse(resp); err != nil {
		closeBody(resp, false)
		return nil, err
	}
	if r.check != nil {
		if err := r.check(resp.Header); err != nil {
			closeBody(resp, false)
			return nil, err
		}
	}
	var f format
	switch {
	case r.into != nil:
		f, err = decodeInto(resp.Body, r.bounds, r.into)
	case r.head == nil && r.child == nil:
		// A write whose answer nobody reads: PMS often sends none, or an empty container.
	default:
		f, err = decodeWithin(resp.Body, r.bounds, r.head, r.childKeys, r.child)
	}
	closeBody(resp, err == nil)
	var re *ResponseError
	switch {
	case errors.Is(err, errStop):
		return resp.Header, errStop
	case errors.As(err, &re): // a child that the caller refused, with its own reason
		return nil, re
	case err != nil:
		what := "decoding the answer"
		if f != 0 {
			what = "decoding the " + f.String() + " answer"
		}
		return nil, &ResponseError{Method: r.method, URL: redactedURL(resp.Request), Reason: what, Err: err}
	}
	return resp.Header, nil
}

// refetchable reports whether an answer calls for a refetch of the server's reference: a 401,
// or a 498 (token expired) for a token src cannot refresh — the transport has refreshed one
// that can, and a fixed token only plex.tv can replace.
func refetchable(status int, src auth.TokenSource) bool {
	switch status {
	case http.StatusUnauthorized:
		return true
	case plexkit.StatusTokenExpired:
		return !refreshes(src)
	}
	return false
}

// refreshes reports whether auth.Transport can refresh src's token on a 498.
func refreshes(src auth.TokenSource) bool {
	switch src.(type) {
	case auth.StaleRefresher, auth.Refresher:
		return true
	}
	return false
}

// send builds r against rt and sends it with rt's token, or with none: the one place where a
// request to the server is made, for typed calls (do) and raw ones (Raw) alike.
func (c *Client) send(ctx context.Context, rt *route, r *request) (*http.Response, error) {
	u := *rt.base
	u.Path += r.path
	if r.rawPath != "" {
		u.RawPath = rt.base.EscapedPath() + r.rawPath
	}
	u.RawQuery = r.query.Encode()
	if r.rawQuery != "" {
		u.RawQuery = r.rawQuery
	}
	var body io.Reader
	if r.body != nil {
		// A *bytes.Reader lets the retry transport send the body again.
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("pms: building %s %s: %w", r.method, plexkit.RedactURL(u.String()), err)
	}
	c.info.SetHeaders(req.Header)
	req.Header.Set("Accept", c.accept)
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	resp, err := c.httpClient(rt, r).Do(req)
	if err != nil {
		return nil, fmt.Errorf("pms: %s %s: %w", r.method, plexkit.RedactURL(u.String()), unwrapURLError(err))
	}
	return resp, nil
}

// httpClient returns the client that sends r on rt: with rt's token unless r goes without one,
// retrying unless r is a single try.
func (c *Client) httpClient(rt *route, r *request) *http.Client {
	src := rt.src
	if r.noToken {
		src = nil
	}
	if r.once {
		// The base transport, without retries; the token source stripped of any Refresher, so
		// that auth.Transport does not answer a 498 by refreshing and trying again; no redirect.
		var t http.RoundTripper = c.base
		if src != nil {
			t = &auth.Transport{Source: auth.TokenSourceFunc(src.Token), Base: c.base}
		}
		return &http.Client{Transport: t, Timeout: c.timeout, CheckRedirect: noRedirect}
	}
	if src == nil {
		return c.plain
	}
	return rt.authed
}

// noRedirect is a CheckRedirect function that returns a redirect as the answer.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// refetchRoute replaces the route that was refused (401, or 498 for a fixed token) with one
// built from a fresh ServerRef. One refetch serves every request refused on the same route: a
// request that waited for another's refetch uses its result.
func (c *Client) refetchRoute(ctx context.Context, refused *route) (*route, error) {
	select {
	case c.refetchLock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.refetchLock }()
	cur := c.route.Load()
	if cur.gen != refused.gen {
		return cur, nil
	}
	ref, err := c.refetch(ctx)
	if err != nil {
		return nil, err
	}
	// The token is the reference's access token; a reference without one keeps the source the
	// client was configured with (an account's refreshing Plex JWT, say).
	src := c.src
	switch {
	case ref.AccessToken != "":
		if err := checkToken(ref.AccessToken); err != nil {
			return nil, fmt.Errorf("the refetched server %q has no usable access token: %w", ref.Name, err)
		}
		src = staticSource(ref.AccessToken)
	case src == nil:
		return nil, fmt.Errorf("the refetched server %q lists no access token, and the client has no token of its own", ref.Name)
	}
	if cur.machineID != "" && ref.MachineIdentifier != "" && !strings.EqualFold(cur.machineID, ref.MachineIdentifier) {
		return nil, fmt.Errorf("refetch returned another server: %w", &WrongServerError{Want: cur.machineID, Got: ref.MachineIdentifier})
	}
	next := &route{base: cur.base, machineID: cmp.Or(cur.machineID, ref.MachineIdentifier), gen: cur.gen + 1}
	if len(ref.Connections) > 0 && !listed(ref.Connections, cur.base) {
		if next.machineID == "" {
			return nil, errors.New("the refetched server reference moves the server to other connections but has no MachineIdentifier to check them with")
		}
		won, err := c.race(ctx, ServerRef{Name: ref.Name, MachineIdentifier: next.machineID, Connections: ref.Connections}, "")
		if err != nil {
			return nil, err
		}
		next.base = won.base
	}
	next.src, next.authed = src, c.tokenClient(src)
	c.route.Store(next)
	return next, nil
}

// closeBody closes a response body; when reuse is set it first reads a little of what is left
// so the connection can serve another request.
func closeBody(resp *http.Response, reuse bool) {
	if reuse {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	resp.Body.Close()
}

func redactedURL(req *http.Request) string {
	if req == nil || req.URL == nil {
		return ""
	}
	return plexkit.RedactURL(req.URL.String())
}

// unwrapURLError drops net/http's *url.Error wrapper, whose text repeats the method and URL
// that the caller's message already gives.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// errTooLarge is a body longer than maxBody.
var errTooLarge = fmt.Errorf("the body is larger than %d MiB", maxBody>>20)

// limitedBody reads at most left bytes and fails, rather than truncating, when there are more.
type limitedBody struct {
	r    io.Reader
	left int64
}

// Read implements io.Reader.
func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		var one [1]byte
		if n, err := l.r.Read(one[:]); n > 0 {
			return 0, errTooLarge
		} else if err != nil {
			return 0, err
		}
		return 0, nil
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// collect returns a childFunc that appends the children named one of names to dst.
func collect[T any](dst *[]T, names ...string) childFunc {
	return func(name string, decode elementDecoder) error {
		if !contains(names, name) {
			return nil
		}
		var v T
		if err := decode(&v); err != nil {
			return err
		}
		*dst = append(*dst, v)
		return nil
	}
}
