package pms

import (
	"context"
	"net/http"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
)

// Option configures a Client in NewClient or Connect.
type Option func(*config) error

type config struct {
	info           plexkit.ClientInfo
	hc             *http.Client
	src            auth.TokenSource
	tokenOption    string // the option that set src, to refuse a second one
	xml            bool
	refetch        func(ctx context.Context) (ServerRef, error)
	retry          *plexkit.RetryTransport
	raceGrace      time.Duration
	connectTimeout time.Duration
	preferred      string // WithPreferredConnection
}

// Defaults of the options.
const (
	// DefaultRaceGrace is how long Connect waits, once a connection has answered, for a better
	// ranked one that is still trying: see WithRaceGrace.
	DefaultRaceGrace = 25 * time.Millisecond
	// DefaultConnectTimeout bounds each connection's GET /identity while Connect races them.
	DefaultConnectTimeout = 10 * time.Second
)

func defaultConfig() config {
	return config{
		info:           plexkit.DefaultClientInfo(""),
		raceGrace:      DefaultRaceGrace,
		connectTimeout: DefaultConnectTimeout,
	}
}

// WithToken sets the token sent (in the X-Plex-Token header) to the server: the server's
// accessToken from plex.tv's /api/v2/resources, which is what a PMS is sure to accept. A
// token cannot be set twice (with WithToken or WithTokenSource).
func WithToken(token string) Option {
	return func(c *config) error {
		if err := checkToken(token); err != nil {
			return &OptionError{"WithToken", err.Error()}
		}
		return c.setSource("WithToken", staticSource(token))
	}
}

// WithTokenSource sets where the token sent to the server comes from, e.g. an auth.CachedSource
// of the account's Plex JWT. A source that implements auth.Refresher (or auth.StaleRefresher)
// is asked for a new token when the server answers 498 (token expired). With WithRefetch, a
// refetched reference that lists an access token replaces the source with that token; one that
// lists none keeps this source.
func WithTokenSource(src auth.TokenSource) Option {
	return func(c *config) error {
		if src == nil {
			return &OptionError{"WithTokenSource", "the token source is nil"}
		}
		return c.setSource("WithTokenSource", src)
	}
}

func (c *config) setSource(option string, src auth.TokenSource) error {
	if c.tokenOption != "" {
		return &OptionError{option, "a token was already set with " + c.tokenOption}
	}
	c.src, c.tokenOption = src, option
	return nil
}

// WithHTTPClient sets the HTTP client whose Transport and Timeout are used. The Transport is
// wrapped in a plexkit.RetryTransport (and, for calls with a token, an auth.Transport, whose
// redirect rule drops the token on a redirect to another host): do not add another retry layer.
// Connect's probes use the Transport alone, without retries.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return &OptionError{"WithHTTPClient", "the HTTP client is nil"}
		}
		c.hc = hc
		return nil
	}
}

// WithClientInfo sets the X-Plex-* headers that identify this installation. The server lists
// clients by ClientIdentifier, so it should be the installation's stable identifier. The default
// is plexkit.DefaultClientInfo without an identifier.
func WithClientInfo(info plexkit.ClientInfo) Option {
	return func(c *config) error {
		c.info = info
		return nil
	}
}

// WithXML asks the server for XML (Accept: application/xml) instead of JSON. Both decode into
// the same types; XML is what older servers and tools speak natively.
func WithXML() Option {
	return func(c *config) error {
		c.xml = true
		return nil
	}
}

// WithRefetch sets how to get the server's reference again when it answers 401: typically a
// fresh GET /api/v2/resources on plex.tv, since the server's accessToken may have changed, or the
// account token may be refused by this server. On a 401 the client calls refetch once (one call
// shared by all requests refused at that moment), switches to the new AccessToken (and to a new
// connection, raced, if the current one is no longer listed), and repeats the request once if it
// is idempotent. A non-idempotent request (POST) is not repeated; the next call uses the new
// token.
//
// A 498 (token expired) is handled the same way when the token in use cannot be refreshed — a
// fixed token (WithToken, or an AccessToken from a reference), which only plex.tv can replace.
// A source that can refresh (auth.Refresher) is refreshed instead, by the transport.
//
// A reference that lists no AccessToken keeps the token source configured with WithToken or
// WithTokenSource (an account's Plex JWT, say, refreshed on a 498 as before); without one, the
// refetch fails.
func WithRefetch(refetch func(ctx context.Context) (ServerRef, error)) Option {
	return func(c *config) error {
		if refetch == nil {
			return &OptionError{"WithRefetch", "the refetch function is nil"}
		}
		c.refetch = refetch
		return nil
	}
}

// WithRetry sets the retry policy of idempotent calls (its Base is ignored: the transport of
// WithHTTPClient is used). The default is plexkit.RetryTransport's.
func WithRetry(policy plexkit.RetryTransport) Option {
	return func(c *config) error {
		c.retry = &policy
		return nil
	}
}

// WithRaceGrace sets how long Connect, once a connection has answered, waits for a better one
// still trying. Connections rank https before http (the token travels encrypted), then, within
// each protocol, local before remote before relay: an https relay thus outranks a plain http
// local connection, but it must answer within the grace to win. 0 takes the first connection
// that answers. The default is DefaultRaceGrace, enough for a local https connection (a TLS
// handshake on a LAN) to beat a local http one, and short enough that dead connections cost no
// more than it.
func WithRaceGrace(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return &OptionError{"WithRaceGrace", "the grace period is negative"}
		}
		c.raceGrace = d
		return nil
	}
}

// WithConnectTimeout bounds each connection's GET /identity while Connect races them (default
// DefaultConnectTimeout). It only matters when no connection answers: the first to answer ends
// the race.
func WithConnectTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return &OptionError{"WithConnectTimeout", "the timeout must be positive"}
		}
		c.connectTimeout = d
		return nil
	}
}

// checkToken reports why token cannot be sent as a header value, without quoting it: it is
// auth.CheckValue, the one check every client shares.
func checkToken(token string) error { return auth.CheckValue(token) }

// staticSource returns a fixed token given as a string, its kind told by auth.KindOf.
func staticSource(value string) auth.TokenSource {
	return auth.StaticTokenSource(&auth.Token{Value: value, Kind: auth.KindOf(value)})
}
