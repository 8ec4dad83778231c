package plextv

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
)

// Errors that end a Login; match them with errors.Is.
var (
	// ErrLoginTimeout: the context's deadline passed before a person approved the PIN.
	ErrLoginTimeout = errors.New("plextv: login timed out")
	// ErrPinExpired: plex.tv forgot the PIN (it expires after 15 to 30 minutes) before it was
	// approved. Start again with a new PIN.
	ErrPinExpired = errors.New("plextv: the PIN expired before it was approved")
)

// Timing of the PIN poll. Device JWTs live deviceJWTLifetime and are replaced when less than
// deviceJWTMargin remains, so a wait of any length always presents a valid one (python-plexapi
// signs one for the whole wait, and its logins fail silently after 5 minutes).
const (
	defaultPollInterval = time.Second
	maxPollInterval     = 30 * time.Second
	deviceJWTLifetime   = 5 * time.Minute
	deviceJWTMargin     = time.Minute
	// pinGrace is how long past the PIN's own expiry polling goes on when plex.tv cannot be
	// reached to say it expired, so that a Login without a deadline still ends.
	pinGrace = time.Minute
)

// LoginOptions configures Login.
type LoginOptions struct {
	// Link asks for a 4-character PIN that a person types at the LinkURL; by default Login
	// creates a strong PIN and points the person to the AuthURL.
	Link bool
	// Scopes are the account claims the Plex JWT should carry (see devicekey.Scopes).
	Scopes []string
	// OnPin is called once the PIN exists, with the URL where a person approves it: show both.
	OnPin func(pin *Pin, url string)
	// PollInterval is the time between polls; 0 means 1 s. It doubles on each 429.
	PollInterval time.Duration
	// ForwardURL is where the approval page sends the browser afterwards (strong PINs only).
	ForwardURL string
	// MaxUnreachable is how many polls in a row may fail to reach plex.tv at all (connection
	// refused, no such host, no answer; each poll is already retried by the transport) before
	// Login gives up with the last of those errors: a dead plex.tv, or a wrong base URL, is said
	// within seconds instead of as a timeout a person would take for a PIN never approved.
	// 0 means 3; negative waits out any outage. Answers (5xx, 429) never count.
	MaxUnreachable int
	// OnRetry, when set, is called after each poll that failed to reach plex.tv, with the error
	// and how many polls in a row have failed, so that a program can say it is retrying.
	OnRetry func(err error, failures int)
	// Timeout, when positive, bounds the whole login: once it has passed the error matches
	// ErrLoginTimeout and names this duration. Zero leaves the bound to ctx alone, whose deadline
	// the error then names, rounded up.
	Timeout time.Duration
}

// Login gets the first Plex JWT for dev with a PIN: it creates a PIN that carries dev's public
// key, calls opts.OnPin, and polls until a person approves it, ctx ends, or the PIN expires.
// Each poll presents a device JWT (replaced before it expires); a 429 doubles the interval and
// honours Retry-After; 5xx and network errors are waited out. The token is verified — signed by
// plex.tv, for this client identifier, bound to dev's key — before it is returned; saving it is
// up to the caller. When ctx's deadline or opts.Timeout passes the error matches
// ErrLoginTimeout; when the PIN expires, ErrPinExpired.
func Login(ctx context.Context, c *Client, dev *devicekey.Device, opts LoginOptions) (*auth.Token, error) {
	if err := checkDevice(c, dev, opts.Scopes); err != nil {
		return nil, err
	}
	start := time.Now()
	var within time.Duration // what a timeout names; 0: judge by ctx's deadline
	if opts.Timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || dl.After(start.Add(opts.Timeout)) {
			within = opts.Timeout // the timeout, not ctx's own deadline, is the bound
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	jwk := dev.Key.PublicJWK()
	pin, err := c.Pins.Create(ctx, PinOptions{Strong: !opts.Link, JWK: &jwk})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctxEnded(ctx, start, within)
		}
		return nil, fmt.Errorf("plextv: login: create a PIN: %w", err)
	}
	pinEnd := c.Now().Add(time.Duration(pin.ExpiresIn)*time.Second + pinGrace)
	if opts.OnPin != nil {
		u := c.Pins.AuthURL(pin, "", opts.ForwardURL)
		if opts.Link {
			u = c.Pins.LinkURL(pin)
		}
		opts.OnPin(pin, u)
	}
	interval := opts.PollInterval
	if interval <= 0 {
		interval = defaultPollInterval
	}
	maxUnreachable := opts.MaxUnreachable
	if maxUnreachable == 0 {
		maxUnreachable = 3
	}
	var djwt string
	var djwtExpiry time.Time
	unreachable := 0
	for {
		now := c.Now()
		if djwt == "" || now.After(djwtExpiry.Add(-deviceJWTMargin)) {
			djwt, err = dev.Key.SignDeviceJWT(devicekey.DeviceClaims{
				ClientIdentifier: dev.ClientIdentifier,
				Scopes:           opts.Scopes,
				IssuedAt:         now,
				Lifetime:         deviceJWTLifetime,
			})
			if err != nil {
				return nil, fmt.Errorf("plextv: login: sign the device JWT: %w", err)
			}
			djwtExpiry = now.Add(deviceJWTLifetime)
		}
		p, err := c.Pins.get(ctx, pin.ID, djwt, true)
		wait := interval
		var pe *plexkit.Error
		if err == nil || errors.As(err, &pe) {
			unreachable = 0
		}
		switch {
		case err == nil && p.AuthToken != "":
			return c.issued(ctx, p.AuthToken, dev)
		case err == nil:
		case ctx.Err() != nil:
			return nil, ctxEnded(ctx, start, within)
		case errors.Is(err, plexkit.ErrNotFound):
			return nil, fmt.Errorf("%w: %w", ErrPinExpired, err)
		case errors.Is(err, plexkit.ErrRateLimited):
			interval = min(2*interval, maxPollInterval)
			wait = interval
			if errors.As(err, &pe) {
				wait = max(wait, pe.RetryAfter)
			}
		case errors.Is(err, plexkit.ErrServer):
			// plex.tv answers but fails for now: the next poll may get through.
		case !errors.As(err, &pe):
			unreachable++
			if maxUnreachable > 0 && unreachable >= maxUnreachable {
				return nil, fmt.Errorf("plextv: login: plex.tv could not be reached %d times in a row: %w", unreachable, err)
			}
			if opts.OnRetry != nil {
				opts.OnRetry(err, unreachable)
			}
		default:
			return nil, refusal("login", err)
		}
		if pin.ExpiresIn > 0 && c.Now().After(pinEnd) {
			return nil, fmt.Errorf("%w: it was not approved within %d s", ErrPinExpired, pin.ExpiresIn)
		}
		if plexkit.Sleep(ctx, wait) != nil {
			return nil, ctxEnded(ctx, start, within)
		}
	}
}

// ctxEnded is the error of a Login whose context ended: a timeout when its deadline passed. The
// timeout named is within when it is set (the one the caller asked for), else the time from
// start to ctx's deadline rounded up, so that a wait of 1.5 s is not reported as 1 s.
func ctxEnded(ctx context.Context, start time.Time, within time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if within <= 0 {
			within = time.Since(start)
			if dl, ok := ctx.Deadline(); ok {
				within = dl.Sub(start)
			}
			within = roundUp(within)
		}
		return fmt.Errorf("%w: the PIN was not approved within %s", ErrLoginTimeout, within)
	}
	return fmt.Errorf("plextv: login canceled: %w", ctx.Err())
}

// roundUp rounds d up to a tenth of a second (to a hundredth below one second), for messages.
func roundUp(d time.Duration) time.Duration {
	unit := 100 * time.Millisecond
	if d < time.Second {
		unit = 10 * time.Millisecond
	}
	if r := d % unit; r != 0 {
		d += unit - r
	}
	return d
}

// LoginWithLegacyToken moves a program that holds a legacy token to the JWT flow: it registers
// dev's public key with the legacy token (POST /api/v2/auth/jwk), then refreshes once for the
// first Plex JWT, which it returns verified. Per Plex, the legacy token expires with that first
// refresh: stop using it and keep the device key instead.
func LoginWithLegacyToken(ctx context.Context, c *Client, dev *devicekey.Device, legacyToken string, scopes []string) (*auth.Token, error) {
	if err := checkDevice(c, dev, scopes); err != nil {
		return nil, err
	}
	if err := c.Auth.RegisterJWK(ctx, legacyToken, dev.Key.PublicJWK()); err != nil {
		return nil, fmt.Errorf("plextv: register the device key with the legacy token: %w", err)
	}
	return NewJWTSource(c, dev, scopes).Token(ctx)
}
