package plextv

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/internal/bounded"
	"github.com/plexkit/plexkit/internal/wire"
)

// DefaultBaseURL is plex.tv's API host for pins, auth, the account and resources.
const DefaultBaseURL = "https://clients.plex.tv"

// limits bound a plex.tv answer (see package bounded): the largest (resources of a big account)
// is a few hundred KiB of a few thousand objects; an answer is decoded whole, so its objects are
// bounded as well as its bytes, and each element of a list (or the answer's one object) too.
var limits = bounded.Limits{
	Bytes:         16 << 20,
	Depth:         32,
	Values:        20_000,
	ElementDepth:  2,
	ElementBytes:  4 << 20,
	ElementValues: 10_000,
	Token:         1 << 20,
}

// Client talks to plex.tv. Create it with NewClient; it is safe for concurrent use. Its services
// group the endpoints by area, as in go-github: c.Pins, c.Auth, c.Users, c.Resources, c.Friends,
// c.Sharing, c.Home, c.Devices, c.Webhooks.
type Client struct {
	// Pins creates and polls PINs and builds the URLs where a person approves them.
	Pins *PinsService
	// Auth registers device keys, hands out nonces, exchanges device JWTs and serves plex.tv's keys.
	Auth *AuthService
	// Users reads the account a token belongs to, and signs in with a password (legacy).
	Users *UsersService
	// Resources lists the account's servers and devices with their connections and tokens.
	Resources *ResourcesService
	// Friends lists the accounts the account shares with, and the servers each one sees.
	Friends *FriendsService
	// Sharing lists, creates, changes and removes the shares of the account's servers.
	Sharing *SharingService
	// Home lists the users of the account's Plex Home and switches to one of them.
	Home *HomeService
	// Devices lists, renames and removes the account's authorized devices.
	Devices *DevicesService
	// Webhooks lists and changes the URLs plex.tv posts the account's events to.
	Webhooks *WebhooksService

	base     *url.URL
	info     plexkit.ClientInfo
	clock    func() time.Time
	learn    bool          // correct clock by plex.tv's Date headers (no WithClock given)
	offset   *atomic.Int64 // plex.tv's clock minus clock, in ns; shared by WithTokenSource copies
	verifier *Verifier

	// plain carries calls without a token through the retrying transport; once carries PIN polls,
	// which Login repeats and slows down itself; authed adds the token of the WithTokenSource
	// source (nil without one).
	plain, once, authed *http.Client
	src                 auth.TokenSource // of authed
	retry               *plexkit.RetryTransport
	timeout             time.Duration
}

// Option configures a Client in NewClient.
type Option func(*config) error

type config struct {
	baseURL     string
	info        *plexkit.ClientInfo
	hc          *http.Client
	src         auth.TokenSource
	verifier    *Verifier
	verifierOpt *VerifierOptions
	retry       *plexkit.RetryTransport
	clock       func() time.Time
}

// OptionError is a Client option that NewClient refused.
type OptionError struct {
	Option string // e.g. "WithBaseURL"
	Reason string
}

// Error implements error: "plextv: <option>: <reason>".
func (e *OptionError) Error() string { return "plextv: " + e.Option + ": " + e.Reason }

// WithBaseURL points the client at another plex.tv, such as the emulator. Every endpoint is
// served under this one URL; a path prefix is kept.
func WithBaseURL(rawURL string) Option {
	return func(c *config) error { c.baseURL = rawURL; return nil }
}

// WithClientInfo sets the X-Plex-* identification of this installation. It is required and its
// ClientIdentifier must not be empty.
func WithClientInfo(info plexkit.ClientInfo) Option {
	return func(c *config) error { c.info = &info; return nil }
}

// WithHTTPClient sets the HTTP client whose Transport, Timeout and redirect policy are used. The
// client's Transport is wrapped in a plexkit.RetryTransport; do not add another retry layer.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &OptionError{"WithHTTPClient", "the HTTP client is nil"}
		}
		c.hc = hc
		return nil
	}
}

// WithTokenSource sets where the calls that need an account token (every service but Pins and
// Auth) get it.
func WithTokenSource(src auth.TokenSource) Option {
	return func(c *config) error { c.src = src; return nil }
}

// WithVerifier sets the verifier of Plex JWTs. By default the client builds one that reads
// plex.tv's keys through this client (GET /api/v2/auth/keys) and caches them.
func WithVerifier(v *Verifier) Option {
	return func(c *config) error {
		if v == nil {
			return &OptionError{"WithVerifier", "the verifier is nil"}
		}
		c.verifier = v
		return nil
	}
}

// WithVerifierOptions tunes the default verifier (cache lifetime, leeway). Its Now defaults to
// the client's clock.
func WithVerifierOptions(opts VerifierOptions) Option {
	return func(c *config) error { c.verifierOpt = &opts; return nil }
}

// WithRetry sets the retry policy of idempotent calls (its Base is ignored: the client's
// transport is used). The default is plexkit.RetryTransport's.
func WithRetry(policy plexkit.RetryTransport) Option {
	return func(c *config) error { c.retry = &policy; return nil }
}

// WithClock sets plex.tv's clock: device JWTs are dated by it and tokens are checked against it.
// By default the client uses time.Now corrected by the Date header of plex.tv's answers, so that
// a machine whose clock is minutes off still signs device JWTs plex.tv accepts. Tests pass the
// emulator's clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return &OptionError{"WithClock", "the clock is nil"}
		}
		c.clock = now
		return nil
	}
}

// NewClient returns a plex.tv client. WithClientInfo is required.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{baseURL: DefaultBaseURL}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.info == nil {
		return nil, &OptionError{"WithClientInfo", "is required: plex.tv identifies every device by its client identifier"}
	}
	if strings.TrimSpace(cfg.info.ClientIdentifier) == "" {
		return nil, &OptionError{"WithClientInfo", "ClientIdentifier is empty"}
	}
	base, err := parseBaseURL(cfg.baseURL)
	if err != nil {
		return nil, err
	}
	hc := cfg.hc
	if hc == nil {
		hc = &http.Client{Transport: plexkit.DefaultTransport()}
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	inner = plexkit.WithBodyTimeout(inner)
	retry := &plexkit.RetryTransport{}
	if cfg.retry != nil {
		*retry = *cfg.retry
	}
	retry.Base = inner
	c := &Client{
		base:    base,
		info:    *cfg.info,
		clock:   cfg.clock,
		learn:   cfg.clock == nil,
		offset:  new(atomic.Int64),
		retry:   retry,
		timeout: hc.Timeout,
		plain:   &http.Client{Transport: retry, Timeout: hc.Timeout, CheckRedirect: hc.CheckRedirect},
		once:    &http.Client{Transport: inner, Timeout: hc.Timeout, CheckRedirect: hc.CheckRedirect},
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	c.authed, c.src = c.tokenClient(cfg.src), cfg.src
	c.verifier = cfg.verifier
	if c.verifier == nil {
		vo := VerifierOptions{}
		if cfg.verifierOpt != nil {
			vo = *cfg.verifierOpt
		}
		if vo.Now == nil {
			vo.Now = c.Now
		}
		c.verifier = NewVerifier(clientKeys{c}, vo)
	}
	c.initServices()
	return c, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := plexkit.ParseBaseURL(raw)
	if err != nil {
		return nil, &OptionError{"WithBaseURL", err.Error()}
	}
	return u, nil
}

func (c *Client) initServices() {
	c.Pins = &PinsService{c}
	c.Auth = &AuthService{c}
	c.Users = &UsersService{c}
	c.Resources = &ResourcesService{c}
	c.Friends = &FriendsService{c}
	c.Sharing = &SharingService{c}
	c.Home = &HomeService{c}
	c.Devices = &DevicesService{c}
	c.Webhooks = &WebhooksService{c}
}

// tokenClient returns an HTTP client that adds the token of src to every request (and, through
// auth.Transport, drops it on a redirect to another host and refreshes once on 498).
func (c *Client) tokenClient(src auth.TokenSource) *http.Client {
	if src == nil {
		return nil
	}
	hc := auth.NewClient(src, c.retry)
	hc.Timeout = c.timeout
	return hc
}

// WithTokenSource returns a copy of c whose account calls (every service but Pins and Auth) use
// the token of src. The copy shares c's transport, clock and verifier (and so its cache of
// plex.tv's keys).
func (c *Client) WithTokenSource(src auth.TokenSource) *Client {
	cp := *c
	cp.authed, cp.src = cp.tokenClient(src), src
	cp.initServices()
	return &cp
}

// BaseURL returns the plex.tv base URL the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// ClientInfo returns the identification the client sends.
func (c *Client) ClientInfo() plexkit.ClientInfo { return c.info }

// Verifier returns the verifier the client checks Plex JWTs with; it shares the client's cache
// of plex.tv's keys.
func (c *Client) Verifier() *Verifier { return c.verifier }

// Now returns plex.tv's time as the client knows it: the WithClock clock, or this machine's
// clock corrected by the Date headers plex.tv sent.
func (c *Client) Now() time.Time { return c.clock().Add(time.Duration(c.offset.Load())) }

// minClockSkew is the smallest difference between plex.tv's Date header and this machine's clock
// that is taken for skew rather than for the header's one-second resolution and network delay.
const minClockSkew = 2 * time.Second

// learnClock records how far plex.tv's clock (its Date header, which has whole seconds) is
// from this machine's clock at received.
func (c *Client) learnClock(resp *http.Response, received time.Time) {
	if !c.learn {
		return
	}
	date, err := http.ParseTime(resp.Header.Get("Date"))
	if err != nil {
		return
	}
	skew := date.Add(500 * time.Millisecond).Sub(received)
	if skew.Abs() < minClockSkew {
		skew = 0
	}
	c.offset.Store(int64(skew.Round(time.Second)))
}

// isRealPlex reports whether the client talks to plex.tv itself, whose approval pages live on
// other hosts (app.plex.tv, plex.tv/link) than its API.
func (c *Client) isRealPlex() bool {
	h := strings.ToLower(c.base.Hostname())
	return h == "plex.tv" || strings.HasSuffix(h, ".plex.tv")
}

// request is one plex.tv call.
type request struct {
	method string
	path   string // under the base URL, starting with "/"
	query  url.Values
	body   any              // JSON-encoded when non-nil
	form   url.Values       // form-encoded when non-nil (and body is nil)
	token  auth.TokenSource // when non-nil, the call carries X-Plex-Token from it
	authed bool             // the call carries X-Plex-Token from the client's token source
	cured  bool             // a stale-key refresh was made for this call already (see cureStaleKey)
	once   bool             // not retried by the transport (the caller repeats it)
	want   []int            // accepted statuses; nil means any 2xx
}

// ErrNoTokenSource is returned by calls that need an account token when the client has none.
var ErrNoTokenSource = errors.New("plextv: this call needs an account token: create the client WithTokenSource")

// do performs r and decodes the answer into out (when non-nil): JSON, or XML where plex.tv
// answers XML whatever the client asks (its legacy endpoints). It is the one place that sets
// the identification headers and the token, and maps refusals to *plexkit.Error.
func (c *Client) do(ctx context.Context, r request, out any) error {
	u := *c.base
	u.Path += r.path
	u.RawQuery = r.query.Encode()
	var body io.Reader
	contentType := ""
	switch {
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("plextv: encode %s %s: %w", r.method, r.path, err)
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case r.form != nil:
		body, contentType = strings.NewReader(r.form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return fmt.Errorf("plextv: %s %s: %w", r.method, r.path, err)
	}
	c.info.SetHeaders(req.Header)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.plain
	switch {
	case r.authed:
		if c.authed == nil {
			return ErrNoTokenSource
		}
		hc = c.authed
	case r.token != nil:
		hc = c.tokenClient(r.token)
	case r.once:
		hc = c.once
	}
	resp, err := hc.Do(req)
	if err != nil {
		return redactURLError(err)
	}
	c.learnClock(resp, time.Now())
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}()
	if resp.StatusCode == http.StatusUnauthorized && r.authed && !r.cured && plexkit.Idempotent(r.method) {
		cured, err := c.cureStaleKey(ctx)
		switch {
		case err != nil:
			return fmt.Errorf("%w; the token was signed by a key plex.tv no longer publishes, and refreshing it failed: %w", plexkit.CheckResponse(resp), err)
		case cured:
			r.cured = true
			return c.do(ctx, r, out)
		}
	}
	if err := plexkit.CheckResponse(resp); err != nil {
		return err
	}
	if r.want != nil && !slices.Contains(r.want, resp.StatusCode) {
		return fmt.Errorf("plextv: %s %s: unexpected status %d", r.method, r.path, resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	if err := decodeAnswer(resp.Body, out); err != nil {
		return fmt.Errorf("plextv: decode the answer to %s %s: %w", r.method, r.path, err)
	}
	return nil
}

// decodeAnswer decodes the body into out within limits: JSON, which the client asks for and
// the v2 endpoints send, or XML, which plex.tv's legacy endpoints (/api/users, /api/servers,
// /devices.xml) send whatever is asked; the models carry xml tags for it. A JSON answer of the
// wrong shape is an error, not a zero value: null, or an array where an object is expected,
// would otherwise decode into an empty user or an empty list of servers.
func decodeAnswer(body io.Reader, out any) error {
	br := bufio.NewReader(body)
	if f, err := wire.Sniff(br); err == nil && f == wire.XML {
		return bounded.NewXML(br, limits, wire.CharsetReader).Decoder.Decode(out)
	}
	br = bufio.NewReader(bounded.NewJSON(br, limits))
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	want := byte(0)
	switch reflect.TypeOf(out).Elem().Kind() {
	case reflect.Struct, reflect.Map:
		want = '{'
	case reflect.Slice:
		if _, raw := out.(*json.RawMessage); !raw {
			want = '['
		}
	}
	if want != 0 && first != want {
		return fmt.Errorf("the answer is %s, not a JSON %s", jsonKind(first), jsonKind(want))
	}
	return json.NewDecoder(br).Decode(out)
}

// firstByte returns the first byte of a JSON value after white space, leaving it unread.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return 0, errors.New("the answer is empty")
		}
		if err != nil {
			return 0, err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c, br.UnreadByte()
	}
}

// jsonKind names the JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 'n':
		return "null"
	case 't', 'f':
		return "boolean"
	}
	if c == '-' || (c >= '0' && c <= '9') {
		return "number"
	}
	return fmt.Sprintf("not JSON (it starts with %q)", c)
}

// cureStaleKey handles plex.tv refusing (401) the token of the client's source: a Plex JWT that
// plex.tv signed with a key it has since rotated out of its key set (two rotations later) is
// refused although the device is fine, and a refresh is the cure — not a new login. It reports
// whether it refreshed; a token that is refused for another reason (revoked, unknown) is left
// alone, so the 401 stands.
func (c *Client) cureStaleKey(ctx context.Context) (bool, error) {
	rs, ok := c.src.(auth.StaleRefresher)
	if !ok {
		return false, nil
	}
	tok, err := c.src.Token(ctx)
	if err != nil || tok.Kind != auth.KindPlexJWT {
		return false, nil
	}
	if _, err := c.verifier.verifyRefused(ctx, tok.Value); !errors.Is(err, ErrUnknownKey) {
		return false, nil
	}
	if _, err := rs.RefreshStale(ctx, tok); err != nil {
		return false, err
	}
	return true, nil
}

// redactURLError removes token parameters (deviceJWT) from the URL a transport error names.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = plexkit.RedactURL(ue.URL)
	}
	return err
}
