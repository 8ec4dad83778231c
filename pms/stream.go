package pms

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
)

// Notifications are an iter.Seq2 rather than a channel: a range loop is the whole API, the
// stream lives exactly as long as the loop (break closes the connection; no goroutine is left
// behind, nothing needs closing), and the consumer's pace is the reader's pace — there is no
// hidden buffer to size or to overflow. A consumer that falls far behind is disconnected by
// the server, and the stream reconnects and says so (TypeConnected with Resumed), which is the
// signal to catch up (see Tracker).

// Transports of a notification stream.
const (
	TransportWebsocket = "websocket"
	TransportSSE       = "sse"
)

// NotificationOptions tune Client.NotificationStream. The zero value is the default.
type NotificationOptions struct {
	// Filters are the event types wanted, as the server's filters parameter takes them: none
	// means all but "log"; a first entry starting with "-" excludes the listed types.
	Filters []string
	// Transport forces TransportWebsocket or TransportSSE; by default the websocket is tried
	// first and SSE is used when the server refuses the upgrade.
	Transport string
	// MinBackoff and MaxBackoff bound the wait between reconnections (defaults 1 s and 60 s):
	// it doubles from MinBackoff after each failure up to MaxBackoff, with jitter (each wait is
	// random between half and all of it), and is never zero, even after a clean close.
	MinBackoff, MaxBackoff time.Duration
	// Heartbeat is how often the websocket is pinged, and how long an SSE stream may stay
	// silent (servers ping every 10 s) before it is taken as dead (default 30 s).
	Heartbeat time.Duration
}

// Defaults of NotificationOptions.
const (
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Minute
	DefaultHeartbeat  = 30 * time.Second
)

// StreamError is a failure of the notification stream: a refused or failed connection, or a
// connection that broke. The stream goes on (after Retry) until its context ends.
type StreamError struct {
	Transport string
	Err       error
	Retry     time.Duration // the wait before the next attempt
}

// Error implements error.
func (e *StreamError) Error() string {
	return fmt.Sprintf("pms: notification stream (%s): %v; retrying in %s", e.Transport, e.Err, e.Retry.Round(time.Millisecond))
}

// Unwrap returns Err.
func (e *StreamError) Unwrap() error { return e.Err }

// Notifications returns the server's notification stream with the given server-side filters
// (see NotificationOptions.Filters). It is NotificationStream with default options.
func (c *Client) Notifications(ctx context.Context, filters ...string) iter.Seq2[Notification, error] {
	return c.NotificationStream(ctx, NotificationOptions{Filters: filters})
}

// NotificationStream returns the server's notifications, typed, for as long as ctx lasts.
// Each time a stream opens it yields a TypeConnected notification (Resumed after the first).
// Failures are yielded as errors — a *StreamError for the connection, a *DecodeError for a
// frame — and the stream goes on: it reconnects with capped, jittered backoff, falls back from
// the websocket to server-sent events when the server refuses the upgrade, and answers a 401 or
// 498 by getting a new token from the client's auth.TokenSource (or by fetching the server's
// access token again, with WithRefetch) and trying again at once. It ends when ctx ends or the
// loop stops; ending the loop closes the connection.
func (c *Client) NotificationStream(ctx context.Context, o NotificationOptions) iter.Seq2[Notification, error] {
	o.MinBackoff = cmpOr(o.MinBackoff, DefaultMinBackoff)
	o.MaxBackoff = max(cmpOr(o.MaxBackoff, DefaultMaxBackoff), o.MinBackoff)
	o.Heartbeat = cmpOr(o.Heartbeat, DefaultHeartbeat)
	return func(yield func(Notification, error) bool) {
		transport := TransportWebsocket
		if o.Transport == TransportSSE {
			transport = TransportSSE
		}
		failures, connected := 0, false
		for ctx.Err() == nil {
			s, err := c.openStream(ctx, transport, o)
			if err != nil && transport == TransportWebsocket && o.Transport == "" && noUpgrade(err) {
				transport = TransportSSE
				continue
			}
			if err == nil {
				if !yield(Notification{Type: TypeConnected, Stream: &StreamInfo{Transport: transport, Resumed: connected}}, nil) {
					s.close()
					return
				}
				connected = true
				var received bool
				err = s.each(func(n Notification, derr error) bool {
					received = true
					return yield(n, derr)
				})
				s.close()
				if errors.Is(err, errStopped) || ctx.Err() != nil {
					return
				}
				if received {
					failures = 0
				}
			}
			wait := backoff(failures, o.MinBackoff, o.MaxBackoff)
			failures++
			if !yield(Notification{}, &StreamError{Transport: transport, Err: err, Retry: wait}) {
				return
			}
			if !sleepCtx(ctx, wait) {
				return
			}
		}
	}
}

var errStopped = errors.New("stopped by the consumer")

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// backoff is the wait after n consecutive failures: min·2ⁿ capped at max, then a random
// point between half of it and all of it.
func backoff(n int, minWait, maxWait time.Duration) time.Duration {
	d := minWait
	for range n {
		if d >= maxWait/2 {
			d = maxWait
			break
		}
		d *= 2
	}
	d = min(d, maxWait)
	return d/2 + rand.N(d/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// noUpgrade reports whether a websocket dial failed because the server (or a proxy before it)
// does not do websockets there: any HTTP answer other than a refusal of the token.
func noUpgrade(err error) bool {
	var pe *plexkit.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, plexkit.StatusTokenExpired, http.StatusTooManyRequests:
		return false
	}
	return pe.StatusCode < 500
}

// stream is one open notification connection.
type stream interface {
	// each yields every notification until the connection ends or fn returns false
	// (errStopped).
	each(fn func(Notification, error) bool) error
	close()
}

// openStream connects with the current route's token; on 401 or 498 it gets a new token (or
// route) once and tries again.
func (c *Client) openStream(ctx context.Context, transport string, o NotificationOptions) (stream, error) {
	rt := c.route.Load()
	s, tok, err := c.dialStream(ctx, rt, transport, o)
	if err == nil {
		return s, nil
	}
	var pe *plexkit.Error
	if !errors.As(err, &pe) || (pe.StatusCode != http.StatusUnauthorized && pe.StatusCode != plexkit.StatusTokenExpired) {
		return nil, err
	}
	next, rerr := c.renewRoute(ctx, rt, tok, pe.StatusCode)
	if rerr != nil {
		return nil, fmt.Errorf("%w; getting a new token failed: %w", err, rerr)
	}
	s, _, err = c.dialStream(ctx, next, transport, o)
	return s, err
}

// renewRoute answers a refused token: a source that can refresh is asked for a new token; a
// 401 (or a token that cannot be refreshed) refetches the server's reference when the client
// can. It returns the route to try next.
func (c *Client) renewRoute(ctx context.Context, rt *route, rejected *auth.Token, status int) (*route, error) {
	switch src := rt.src.(type) {
	case auth.StaleRefresher:
		if status == plexkit.StatusTokenExpired || c.refetch == nil {
			if _, err := src.RefreshStale(ctx, rejected); err != nil {
				return nil, err
			}
			return rt, nil
		}
	case auth.Refresher:
		if status == plexkit.StatusTokenExpired || c.refetch == nil {
			if _, err := src.Refresh(ctx); err != nil {
				return nil, err
			}
			return rt, nil
		}
	}
	if c.refetch == nil {
		return nil, errors.New("the token cannot be refreshed and the client cannot fetch the server's access token again (no WithRefetch)")
	}
	return c.refetchRoute(ctx, rt)
}

// dialStream opens transport on rt. It returns the token it sent, for renewRoute.
func (c *Client) dialStream(ctx context.Context, rt *route, transport string, o NotificationOptions) (stream, *auth.Token, error) {
	header := http.Header{}
	c.info.SetHeaders(header)
	var tok *auth.Token
	if rt.src != nil {
		t, err := rt.src.Token(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("pms: token for the notification stream: %w", err)
		}
		tok = t
		header.Set("X-Plex-Token", t.Value)
	}
	u := *rt.base
	q := url.Values{}
	if len(o.Filters) > 0 {
		q.Set("filters", strings.Join(o.Filters, ","))
	}
	u.RawQuery = q.Encode()
	if transport == TransportSSE {
		u.Path += ":/eventsource/notifications"
		s, err := c.dialSSE(ctx, u.String(), header, o.Heartbeat)
		return s, tok, err
	}
	u.Path += ":/websockets/notifications"
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	s, err := c.dialWebsocket(ctx, u.String(), header, o.Heartbeat)
	return s, tok, err
}

// streamTransport is the client's transport without its body timeout: a stream is silent
// between events by design (its liveness is the heartbeat's business), and a websocket needs
// the connection's own body to write to.
func (c *Client) streamTransport() http.RoundTripper {
	if bt, ok := c.base.(*plexkit.BodyTimeoutTransport); ok {
		if bt.Base == nil {
			return http.DefaultTransport
		}
		return bt.Base
	}
	return c.base
}

// wsStream is a websocket notification stream.
type wsStream struct {
	conn      *websocket.Conn
	ctx       context.Context
	cancel    context.CancelFunc
	heartbeat time.Duration
}

func (c *Client) dialWebsocket(ctx context.Context, u string, header http.Header, heartbeat time.Duration) (stream, error) {
	dctx, cancel := context.WithTimeout(ctx, cmpOr(c.connectTimeout, DefaultConnectTimeout))
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: c.streamTransport(), CheckRedirect: noRedirect},
		HTTPHeader: header,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			if resp.Request == nil {
				resp.Request, _ = http.NewRequest(http.MethodGet, u, nil)
			}
			if cerr := plexkit.CheckResponse(resp); cerr != nil {
				return nil, cerr
			}
		}
		return nil, fmt.Errorf("pms: websocket %s: %w", plexkit.RedactURL(u), err)
	}
	conn.SetReadLimit(4 << 20)
	sctx, scancel := context.WithCancel(ctx)
	return &wsStream{conn: conn, ctx: sctx, cancel: scancel, heartbeat: heartbeat}, nil
}

func (s *wsStream) each(fn func(Notification, error) bool) error {
	// The heartbeat pings while each reads; a ping without a pong in time ends the stream.
	go func() {
		t := time.NewTicker(s.heartbeat)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
				pctx, cancel := context.WithTimeout(s.ctx, s.heartbeat)
				err := s.conn.Ping(pctx)
				cancel()
				if err != nil {
					s.cancel()
					return
				}
			}
		}
	}()
	for {
		_, data, err := s.conn.Read(s.ctx)
		if err != nil {
			return err
		}
		n, derr := DecodeNotification(data)
		if derr != nil {
			if !fn(Notification{}, derr) {
				return errStopped
			}
			continue
		}
		if !fn(n, nil) {
			return errStopped
		}
	}
}

func (s *wsStream) close() {
	s.cancel()
	s.conn.CloseNow()
}

// sseStream is a server-sent events notification stream.
type sseStream struct {
	body      io.ReadCloser
	cancel    context.CancelFunc
	heartbeat time.Duration
}

func (c *Client) dialSSE(ctx context.Context, u string, header http.Header, heartbeat time.Duration) (stream, error) {
	sctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(sctx, http.MethodGet, u, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header = header
	req.Header.Set("Accept", "text/event-stream")
	hc := &http.Client{Transport: c.streamTransport(), CheckRedirect: noRedirect}
	// Only the connection is bounded by the connect timeout; the stream then lasts.
	timer := time.AfterFunc(cmpOr(c.connectTimeout, DefaultConnectTimeout), cancel)
	resp, err := hc.Do(req)
	timer.Stop()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("pms: event stream %s: %w", plexkit.RedactURL(u), unwrapURLError(err))
	}
	if err := plexkit.CheckResponse(resp); err != nil {
		resp.Body.Close()
		cancel()
		return nil, err
	}
	return &sseStream{body: resp.Body, cancel: cancel, heartbeat: heartbeat}, nil
}

func (s *sseStream) each(fn func(Notification, error) bool) error {
	// The server pings every 10 s; silence for a heartbeat means the stream is dead.
	watchdog := time.AfterFunc(s.heartbeat, s.cancel)
	defer watchdog.Stop()
	sc := bufio.NewScanner(s.body)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	var event string
	var data []byte
	for sc.Scan() {
		watchdog.Reset(s.heartbeat)
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if event != "" && event != "ping" && len(data) > 0 {
				n, err := decodeSSE(event, data)
				if !fn(n, err) {
					return errStopped
				}
			}
			event, data = "", nil
		case bytes.HasPrefix(line, []byte("event:")):
			event = strings.TrimSpace(string(line[len("event:"):]))
		case bytes.HasPrefix(line, []byte("data:")):
			d := line[len("data:"):]
			if len(d) > 0 && d[0] == ' ' {
				d = d[1:]
			}
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, d...)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF // a server never ends the stream on purpose
}

func (s *sseStream) close() {
	s.cancel()
	s.body.Close()
}
