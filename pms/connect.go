package pms

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plexkit/plexkit"
)

// ServerRef is what plex.tv says about a server (an element of GET /api/v2/resources): who it
// is, how to reach it, and the token to use on it. Its String, GoString, LogValue and JSON forms
// leave the token out.
type ServerRef struct {
	Name              string
	MachineIdentifier string // the resource's clientIdentifier
	// AccessToken is the token this account must present to this server. Use it rather than
	// the account's Plex JWT: servers have been seen to refuse the latter. It is never
	// marshalled to JSON.
	AccessToken string `json:"-"`
	Owned       bool
	Connections []Connection
}

// String describes the server without its access token.
func (r ServerRef) String() string {
	return fmt.Sprintf("%s (%s, %d connections)", cmp.Or(r.Name, "unnamed server"), r.MachineIdentifier, len(r.Connections))
}

// GoString is String, so that %#v does not print the access token either.
func (r ServerRef) GoString() string { return r.String() }

// LogValue implements slog.LogValuer: the reference without its access token, which is
// replaced by whether there is one.
func (r ServerRef) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.String("machineIdentifier", r.MachineIdentifier),
		slog.Bool("hasAccessToken", r.AccessToken != ""),
		slog.Bool("owned", r.Owned),
		slog.Int("connections", len(r.Connections)),
	)
}

// Connection is one way to reach a server.
type Connection struct {
	URI      string // full URL, e.g. https://192-168-1-10.<hash>.plex.direct:32400
	Protocol string // "http" or "https"
	Address  string
	Port     int
	Local    bool // on the same network as the account's last sign-in
	Relay    bool // through plex.tv's relay: slow and bandwidth-capped, so ranked last within its protocol
	IPv6     bool
}

// url returns the connection's base URL: URI, or one built from protocol, address and port.
func (c Connection) url() (*url.URL, error) {
	raw := c.URI
	if raw == "" {
		if c.Address == "" || c.Port <= 0 {
			return nil, errors.New("the connection has neither a URI nor an address and port")
		}
		raw = cmp.Or(c.Protocol, "http") + "://" + net.JoinHostPort(c.Address, strconv.Itoa(c.Port))
	}
	u, err := parseBaseURL(raw)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "pms: baseURL: "))
	}
	return u, nil
}

// rank orders connections by preference, lower first: https before http (the token travels
// encrypted), then, within each protocol, local, remote, relay (slow and capped).
func (c Connection) rank(u *url.URL) int {
	r := 0
	if u.Scheme != "https" {
		r += 3
	}
	switch {
	case c.Relay:
		r += 2
	case !c.Local:
		r++
	}
	return r
}

func (c Connection) kind() string {
	switch {
	case c.Relay:
		return "relay"
	case c.Local:
		return "local"
	}
	return "remote"
}

// ConnectError is a server none of whose connections could be used. It lists each connection
// and why it failed.
type ConnectError struct {
	Server   string // the server's name and machine identifier
	Attempts []ConnectAttempt
}

// ConnectAttempt is one connection tried by Connect and why it failed.
type ConnectAttempt struct {
	URI  string
	Kind string // "local", "remote" or "relay"
	Err  error
}

// Error implements error.
func (e *ConnectError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pms: cannot reach %s: ", e.Server)
	if len(e.Attempts) == 0 {
		b.WriteString("it lists no connections")
	}
	for i, a := range e.Attempts {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s (%s): %v", a.URI, a.Kind, a.Err)
	}
	return b.String()
}

// Unwrap returns the attempts' errors, so errors.Is finds ErrWrongServer or a
// context.DeadlineExceeded in any of them.
func (e *ConnectError) Unwrap() []error {
	errs := make([]error, 0, len(e.Attempts))
	for _, a := range e.Attempts {
		errs = append(errs, a.Err)
	}
	return errs
}

// Connect returns a client for the server ref describes. It tries all of ref's connections at
// once with GET /identity (which needs no token, so no token goes to an address before it is
// known to be the right server) and takes one that answers with ref.MachineIdentifier: a
// connection answering as another server is rejected. Once one has answered, it waits at most
// the race grace (WithRaceGrace) for a better-ranked one still trying, then cancels the others:
// dead connections thus never add their timeouts. c.BaseURL() tells which connection won.
//
// Connections rank https before http; within each protocol, local before remote before relay.
// So an https relay outranks a plain http local connection: the token does not cross a network
// in clear text when an encrypted way answers, and the grace bounds what the preference costs.
//
// The token is ref.AccessToken, unless WithToken or WithTokenSource is given. When every
// connection fails, the error is a *ConnectError that lists each one and why.
func Connect(ctx context.Context, ref ServerRef, opts ...Option) (*Client, error) {
	cfg, err := buildConfig(opts)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(ref.MachineIdentifier) == "" {
		return nil, &ArgumentError{"ref", "the server reference has no MachineIdentifier: without it the right server cannot be told from another at the same address"}
	}
	if cfg.src == nil && ref.AccessToken != "" {
		if err := checkToken(ref.AccessToken); err != nil {
			return nil, &ArgumentError{"ref.AccessToken", err.Error()}
		}
		cfg.src = staticSource(ref.AccessToken)
	}
	c := newClient(cfg)
	won, err := c.race(ctx, ref, c.preferred)
	if err != nil {
		return nil, err
	}
	c.route.Store(&route{base: won.base, src: cfg.src, authed: c.tokenClient(cfg.src), machineID: ref.MachineIdentifier})
	return c, nil
}

// candidate is a connection in a race.
type candidate struct {
	conn Connection
	base *url.URL
	rank int
	idx  int
	err  error // set when the connection failed (or could not be tried)
}

// race tries ref's connections concurrently and returns the best one that answered /identity
// as ref.MachineIdentifier within the grace period after the first did.
func (c *Client) race(ctx context.Context, ref ServerRef, preferred string) (*candidate, error) {
	cands := make([]*candidate, 0, len(ref.Connections))
	seen := map[string]bool{}
	for _, conn := range ref.Connections {
		cd := &candidate{conn: conn, idx: len(cands)}
		cd.base, cd.err = conn.url()
		if cd.base != nil {
			if seen[cd.base.String()] {
				continue
			}
			seen[cd.base.String()] = true
			cd.rank = conn.rank(cd.base)
		}
		cands = append(cands, cd)
	}
	raceCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan *candidate, len(cands))
	finished := make([]bool, len(cands)) // owned by this goroutine; a probe owns its err until done
	var wg sync.WaitGroup
	pending := 0
	// The preferred connection (see preferred.go) outranks every other and starts alone; the
	// others start when it fails or its head start is over.
	var first *candidate
	if p := preferredBase(preferred); p != "" {
		for _, cd := range cands {
			if cd.err == nil && cd.base.String() == p {
				first, cd.rank = cd, -1
			}
		}
	}
	start := func(cd *candidate) {
		pending++
		wg.Go(func() {
			cd.err = c.probe(raceCtx, cd.base, ref.MachineIdentifier)
			done <- cd
		})
	}
	var headStart <-chan time.Time
	restStarted := false
	startRest := func() {
		headStart, restStarted = nil, true
		for _, cd := range cands {
			if cd != first && cd.err == nil {
				start(cd)
			}
		}
	}
	for _, cd := range cands {
		if cd.err != nil {
			finished[cd.idx] = true
		}
	}
	if first != nil {
		start(first)
		t := time.NewTimer(preferredHeadStart)
		defer t.Stop()
		headStart = t.C
	} else {
		startRest()
	}
	betterPending := func(best *candidate) bool {
		for _, cd := range cands {
			if !finished[cd.idx] && cd.rank < best.rank {
				return true
			}
		}
		return false
	}
	var best *candidate
	var grace <-chan time.Time
wait:
	for pending > 0 || headStart != nil {
		select {
		case <-headStart:
			startRest()
		case cd := <-done:
			pending--
			finished[cd.idx] = true
			if cd.err == nil && (best == nil || cd.rank < best.rank) {
				best = cd
			}
			if cd == first && headStart != nil {
				if cd.err == nil {
					break wait
				}
				startRest()
			}
			if best == nil {
				continue
			}
			if !betterPending(best) {
				break wait
			}
			if grace == nil {
				t := time.NewTimer(c.raceGrace)
				defer t.Stop()
				grace = t.C
			}
		case <-grace:
			break wait
		case <-ctx.Done():
			break wait
		}
	}
	if best != nil {
		// The losers are cancelled by the deferred cancel and not waited for: the channel is
		// buffered, so each finishes on its own as soon as its request notices.
		return best, nil
	}
	cancel()
	wg.Wait()
	if !restStarted {
		for _, cd := range cands {
			if cd != first && cd.err == nil {
				cd.err = fmt.Errorf("not tried: %w", context.Cause(ctx))
			}
		}
	}
	e := &ConnectError{Server: describe(ref)}
	for _, cd := range cands {
		err := cd.err
		switch {
		case err == nil: // it answered after the context ended
			err = fmt.Errorf("answered too late: %w", context.Cause(ctx))
		case ctx.Err() != nil && errors.Is(err, context.Canceled):
			err = fmt.Errorf("not tried to the end: %w", context.Cause(ctx))
		}
		e.Attempts = append(e.Attempts, ConnectAttempt{URI: attemptURI(cd), Kind: cd.conn.kind(), Err: redactErr(err, ref.AccessToken)})
	}
	return nil, e
}

func describe(ref ServerRef) string {
	if ref.Name != "" {
		return fmt.Sprintf("server %q (%s)", ref.Name, ref.MachineIdentifier)
	}
	return "server " + ref.MachineIdentifier
}

func attemptURI(cd *candidate) string {
	if cd.base != nil {
		return strings.TrimSuffix(plexkit.RedactURL(cd.base.String()), "/")
	}
	return plexkit.RedactURL(cmp.Or(cd.conn.URI, cd.conn.Address, "(no address)"))
}

// redactErr returns err with its text redacted, keeping it matchable with errors.Is/As.
func redactErr(err error, secrets ...string) error {
	msg := err.Error()
	if red := plexkit.RedactSecrets(msg, secrets...); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

// Error returns the redacted text.
func (e *redactedError) Error() string { return e.msg }

// Unwrap returns the original error.
func (e *redactedError) Unwrap() error { return e.err }

// probe asks the connection at base which server it is, with one try and no token.
func (c *Client) probe(parent context.Context, base *url.URL, machineID string) error {
	ctx, cancel := context.WithTimeout(parent, c.connectTimeout)
	defer cancel()
	u := *base
	u.Path += "identity"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	c.info.SetHeaders(req.Header)
	req.Header.Set("Accept", c.accept)
	hc := &http.Client{Transport: c.base, CheckRedirect: func(*http.Request, []*http.Request) error {
		return errors.New("/identity redirects elsewhere")
	}}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil && parent.Err() == nil {
			return fmt.Errorf("no answer within %s: %w", c.connectTimeout, context.DeadlineExceeded)
		}
		return unwrapURLError(err)
	}
	if err := plexkit.CheckResponse(resp); err != nil {
		closeBody(resp, false)
		var pe *plexkit.Error
		if errors.As(err, &pe) {
			return fmt.Errorf("/identity answered %d %s", pe.StatusCode, http.StatusText(pe.StatusCode))
		}
		return err
	}
	var id Identity
	_, err = decodeContainer(&limitedBody{r: resp.Body, left: 1 << 20}, &id, nil, nil)
	closeBody(resp, err == nil)
	if err != nil {
		return fmt.Errorf("/identity is not a Plex Media Server's: %w", err)
	}
	if !strings.EqualFold(id.MachineIdentifier, machineID) {
		return &WrongServerError{Want: machineID, Got: id.MachineIdentifier}
	}
	return nil
}

// listed reports whether base is the URL of one of conns.
func listed(conns []Connection, base *url.URL) bool {
	for _, conn := range conns {
		if u, err := conn.url(); err == nil && u.String() == base.String() {
			return true
		}
	}
	return false
}
