package plextv_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	tests := []struct {
		name      string
		link      bool
		user      string
		urlPrefix string
		codeLen   int
	}{
		{"strong PIN approved by alice", false, "alice", "/auth#?clientID=", 0},
		{"link PIN approved by bob", true, "bob", "/link?pin=", 4},
		{"link PIN approved by carol", true, "carol", "/link?pin=", 4},
		{"strong PIN approved by dave", false, "dave", "/auth#?clientID=", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dev := newDevice(t)
			c := newClient(t, e, dev)
			var gotURL string
			var gotPin *plextv.Pin
			tok, err := plextv.Login(context.Background(), c, dev, plextv.LoginOptions{
				Link:         tt.link,
				Scopes:       []string{"username"},
				PollInterval: 10 * time.Millisecond,
				OnPin: func(p *plextv.Pin, u string) {
					gotPin, gotURL = p, u
					claimAs(t, e, tt.user)(p, u)
				},
			})
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if !strings.HasPrefix(gotURL, e.URL()+tt.urlPrefix) || !strings.Contains(gotURL, gotPin.Code) {
				t.Errorf("approval URL %s; want %s%s… with the code %s", gotURL, e.URL(), tt.urlPrefix, gotPin.Code)
			}
			if tt.codeLen != 0 && len(gotPin.Code) != tt.codeLen {
				t.Errorf("code %q, want %d characters", gotPin.Code, tt.codeLen)
			}
			if tt.codeLen == 0 && len(gotPin.Code) <= 4 {
				t.Errorf("strong PIN code %q is short", gotPin.Code)
			}
			now := e.Now()
			if tok.Kind != auth.KindPlexJWT || tok.ClientIdentifier != dev.ClientIdentifier || !tok.Valid(now) {
				t.Errorf("token %v: kind %v, client %q, valid %v", tok, tok.Kind, tok.ClientIdentifier, tok.Valid(now))
			}
			if life := tok.Expiry.Sub(tok.IssuedAt); life < 6*24*time.Hour || life > 8*24*time.Hour {
				t.Errorf("token lives %s, want about 7 days", life)
			}
			me, err := c.Users.Me(context.Background(), tok.Value)
			if err != nil || me.Username != tt.user {
				t.Errorf("Users.Me = %+v, %v; want %s", me, err, tt.user)
			}
		})
	}
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	type setup struct {
		e   *emulator.Emulator
		dev *devicekey.Device
	}
	tests := []struct {
		name    string
		opts    plextv.LoginOptions
		timeout time.Duration                                           // 0: 20 s; negative: canceled once the PIN exists
		claim   string                                                  // approve the PIN at once as this user
		advance time.Duration                                           // move the emulator's clock once the PIN exists
		fault   *emulator.Fault                                         // on GET /api/v2/pins/{id}
		foreign bool                                                    // verify with a key set plex.tv never signs with
		check   func(t *testing.T, s setup, tok *auth.Token, err error) // what must hold
	}{
		{
			name:    "an unclaimed PIN times out with a clear error",
			timeout: 300 * time.Millisecond,
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrLoginTimeout) || !strings.Contains(err.Error(), "the PIN was not approved within") {
					t.Errorf("err = %v, want ErrLoginTimeout naming the wait", err)
				}
			},
		},
		{
			name: "Timeout is named exactly as asked",
			opts: plextv.LoginOptions{Timeout: 1500 * time.Millisecond},
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrLoginTimeout) || !strings.HasSuffix(err.Error(), "the PIN was not approved within 1.5s") {
					t.Errorf("err = %v, want ErrLoginTimeout naming 1.5s", err)
				}
			},
		},
		{
			name:    "a strong PIN that expires is ErrPinExpired",
			advance: 31 * time.Minute,
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrPinExpired) || !errors.Is(err, plexkit.ErrNotFound) {
					t.Errorf("err = %v, want ErrPinExpired from plex.tv's 404", err)
				}
			},
		},
		{
			name:    "a link PIN waited past its 15 minutes is ErrPinExpired",
			opts:    plextv.LoginOptions{Link: true},
			advance: 16 * time.Minute,
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrPinExpired) {
					t.Errorf("err = %v, want ErrPinExpired", err)
				}
			},
		},
		{
			name:    "a canceled login is not a timeout",
			timeout: -1,
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, context.Canceled) || errors.Is(err, plextv.ErrLoginTimeout) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
			},
		},
		{
			name: "an unknown scope is refused before any request",
			opts: plextv.LoginOptions{Scopes: []string{"username", "admin"}},
			check: func(t *testing.T, s setup, _ *auth.Token, err error) {
				var se *devicekey.ScopeError
				if !errors.As(err, &se) || se.Scope != "admin" {
					t.Errorf("err = %v, want a *devicekey.ScopeError for admin", err)
				}
				if st := s.e.Stats(); st["POST /api/v2/pins"] != 0 {
					t.Errorf("requests were sent: %v", st)
				}
			},
		},
		{
			name:  "a burst of 5xx while waiting is waited out",
			claim: "alice",
			fault: &emulator.Fault{Status: http.StatusServiceUnavailable, Count: 4},
			check: func(t *testing.T, s setup, _ *auth.Token, err error) {
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				if n := s.e.Stats()["GET /api/v2/pins/{id}"]; n != 5 {
					t.Errorf("%d polls, want 5 (4 refused, then the approved one; polls are not retried by the transport)", n)
				}
			},
		},
		{
			name:  "dropped connections while waiting are waited out",
			claim: "alice",
			fault: &emulator.Fault{Drop: true, Count: 3},
			check: func(t *testing.T, s setup, _ *auth.Token, err error) {
				if err != nil {
					t.Fatalf("Login: %v", err)
				}
				if n := s.e.Stats()["GET /api/v2/pins/{id}"]; n != 4 {
					t.Errorf("%d polls, want 4", n)
				}
			},
		},
		{
			name:  "a refused poll ends the login at once",
			fault: &emulator.Fault{Status: http.StatusBadRequest},
			check: func(t *testing.T, _ setup, _ *auth.Token, err error) {
				if !errors.Is(err, plexkit.ErrBadRequest) || errors.Is(err, plextv.ErrLoginTimeout) {
					t.Errorf("err = %v, want the 400", err)
				}
			},
		},
		{
			name:    "429 slows the poll down",
			timeout: time.Second,
			fault:   &emulator.Fault{Status: http.StatusTooManyRequests},
			check: func(t *testing.T, s setup, _ *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrLoginTimeout) {
					t.Errorf("err = %v, want ErrLoginTimeout", err)
				}
				// At a steady 10 ms a second holds ~100 polls; doubling from 10 ms, 7.
				if n := s.e.Stats()["GET /api/v2/pins/{id}"]; n > 10 {
					t.Errorf("%d polls in a second of 429s: the interval did not grow", n)
				}
			},
		},
		{
			name:    "429's Retry-After is waited out",
			timeout: time.Second,
			claim:   "alice",
			fault:   &emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: 5 * time.Second, Count: 1},
			check: func(t *testing.T, s setup, _ *auth.Token, err error) {
				// The PIN is approved, but the poll after the 429 is due after the deadline.
				if !errors.Is(err, plextv.ErrLoginTimeout) {
					t.Errorf("err = %v, want ErrLoginTimeout", err)
				}
				if n := s.e.Stats()["GET /api/v2/pins/{id}"]; n != 1 {
					t.Errorf("%d polls, want 1", n)
				}
			},
		},
		{
			name:    "a token that does not verify is refused",
			claim:   "alice",
			foreign: true,
			check: func(t *testing.T, _ setup, tok *auth.Token, err error) {
				if !errors.Is(err, plextv.ErrUnknownKey) || tok != nil {
					t.Errorf("Login = %v, %v; want ErrUnknownKey", tok, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{})
			dev := newDevice(t)
			var copts []plextv.Option
			if tt.foreign {
				other, err := devicekey.Generate()
				if err != nil {
					t.Fatal(err)
				}
				set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{other.PublicJWK()}}
				copts = append(copts, plextv.WithVerifier(plextv.NewVerifier(plextv.StaticKeys(set), plextv.VerifierOptions{Now: e.Now})))
			}
			c := newClient(t, e, dev, copts...)
			if tt.fault != nil {
				e.SetFault("GET /api/v2/pins/{id}", *tt.fault)
			}
			timeout := 20 * time.Second
			if tt.timeout > 0 {
				timeout = tt.timeout
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			o := tt.opts
			o.PollInterval = 10 * time.Millisecond
			o.OnPin = func(p *plextv.Pin, _ string) {
				if tt.claim != "" {
					if err := e.ClaimPin(p.Code, tt.claim); err != nil {
						t.Errorf("ClaimPin: %v", err)
					}
				}
				if tt.advance != 0 {
					e.Advance(tt.advance)
				}
				if tt.timeout < 0 {
					cancel()
				}
			}
			tok, err := plextv.Login(ctx, c, dev, o)
			tt.check(t, setup{e, dev}, tok, err)
		})
	}
}

// TestLoginLongWait waits 20 minutes on the emulator's clock before the PIN is approved: the
// device JWT presented at each poll must be replaced before its 5 minutes run out.
func TestLoginLongWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		steps int // the 20 minutes pass in this many equal steps, with polls in between
	}{
		{"minute by minute", 20},
		{"in one jump", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{})
			dev := newDevice(t)
			c := newClient(t, e, dev)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var waited atomic.Bool
			tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
				PollInterval: 20 * time.Millisecond,
				OnPin: func(p *plextv.Pin, _ string) {
					go func() {
						for range tt.steps {
							polls := e.Stats()["GET /api/v2/pins/{id}"]
							e.Advance(20 * time.Minute / time.Duration(tt.steps))
							for e.Stats()["GET /api/v2/pins/{id}"] < polls+1 && ctx.Err() == nil {
								time.Sleep(time.Millisecond)
							}
						}
						waited.Store(true)
						if err := e.ClaimPin(p.Code, "alice"); err != nil {
							t.Errorf("ClaimPin: %v", err)
						}
					}()
				},
			})
			if err != nil {
				t.Fatalf("Login after a 20-minute wait: %v", err)
			}
			if !waited.Load() || !tok.Valid(e.Now()) {
				t.Errorf("token %v after waiting %v", tok, waited.Load())
			}
		})
	}
}

// TestStaleDeviceJWTIsRefused is the control of TestLoginLongWait: plex.tv (the emulator)
// refuses a PIN poll with a device JWT past its expiry, so one JWT for a whole wait would fail.
func TestStaleDeviceJWTIsRefused(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	ctx := context.Background()
	jwk := dev.Key.PublicJWK()
	pin, err := c.Pins.Create(ctx, plextv.PinOptions{Strong: true, JWK: &jwk})
	if err != nil {
		t.Fatal(err)
	}
	djwt, err := dev.Key.SignDeviceJWT(devicekey.DeviceClaims{ClientIdentifier: dev.ClientIdentifier, IssuedAt: e.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.Pins.Get(ctx, pin.ID, djwt); err != nil || p.AuthToken != "" {
		t.Fatalf("fresh poll = %v, %v; want pending", p, err)
	}
	e.Advance(20 * time.Minute)
	if err := e.ClaimPin(pin.Code, "alice"); err != nil {
		t.Fatal(err)
	}
	p, err := c.Pins.Get(ctx, pin.ID, djwt)
	if err == nil || errors.Is(err, plexkit.ErrNotFound) {
		t.Fatalf("poll with a 20-minute-old device JWT = %v, %v; want it refused", p, err)
	}
}

func TestLoginWithLegacyToken(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	t.Run("registers the key, refreshes once, and the legacy token expires", func(t *testing.T) {
		t.Parallel()
		dev := newDevice(t)
		c := newClient(t, e, dev)
		legacy := e.LegacyToken("bob")
		if _, err := c.Users.Me(ctx, legacy); err != nil {
			t.Fatalf("the legacy token does not work before: %v", err)
		}
		tok, err := plextv.LoginWithLegacyToken(ctx, c, dev, legacy, []string{"username"})
		if err != nil {
			t.Fatalf("LoginWithLegacyToken: %v", err)
		}
		me, err := c.Users.Me(ctx, tok.Value)
		if err != nil || me.Username != "bob" {
			t.Errorf("Users.Me(new token) = %+v, %v; want bob", me, err)
		}
		if _, err := c.Users.Me(ctx, legacy); !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Errorf("Users.Me(legacy token) after the first refresh = %v, want 401", err)
		}
	})
	tests := []struct {
		name   string
		legacy string
		want   error
	}{
		{"a wrong legacy token", "not-a-real-token-123", plexkit.ErrUnauthorized},
		{"an empty legacy token", "", plextv.ErrEmptyToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dev := newDevice(t)
			c := newClient(t, e, dev)
			tok, err := plextv.LoginWithLegacyToken(ctx, c, dev, tt.legacy, nil)
			if !errors.Is(err, tt.want) {
				t.Errorf("LoginWithLegacyToken = %v, %v; want %v", tok, err, tt.want)
			}
			if tt.legacy != "" && strings.Contains(err.Error(), tt.legacy) {
				t.Errorf("the error shows the legacy token: %v", err)
			}
		})
	}
}

func TestDeviceMustMatchClient(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev, other := newDevice(t), newDevice(t)
	c := newClient(t, e, other)
	ctx := context.Background()
	calls := map[string]func() error{
		"Login": func() error { _, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{}); return err },
		"JWTSource": func() error {
			_, err := plextv.NewJWTSource(c, dev, nil).Token(ctx)
			return err
		},
		"TokenSource": func() error {
			_, err := plextv.TokenSource(ctx, c, dev, nil, plextv.SourceOptions{})
			return err
		},
		"LoginWithLegacyToken": func() error {
			_, err := plextv.LoginWithLegacyToken(ctx, c, dev, e.LegacyToken("alice"), nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil || !strings.Contains(err.Error(), dev.ClientIdentifier) {
				t.Errorf("err = %v, want one naming the device's client identifier", err)
			}
		})
	}
	if st := e.Stats(); len(st) != 0 {
		t.Errorf("requests were sent: %v", st)
	}
}

// TestLoginAgainAfterRevocation: a device removed from Authorized Devices logs in again with the
// same key and client identifier, and refreshes work again.
func TestLoginAgainAfterRevocation(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	login(t, e, c, dev, "alice")
	e.RevokeDevice(dev.ClientIdentifier)
	src := plextv.NewJWTSource(c, dev, nil)
	if _, err := src.Token(context.Background()); !errors.Is(err, plexkit.ErrDeviceRevoked) {
		t.Fatalf("refresh of a revoked device = %v", err)
	}
	login(t, e, c, dev, "alice")
	if _, err := src.Token(context.Background()); err != nil {
		t.Fatalf("refresh after logging in again: %v", err)
	}
}
