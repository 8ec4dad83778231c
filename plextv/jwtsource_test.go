package plextv_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// TestRequestsPerOperation counts, on the emulator, what each operation costs plex.tv.
func TestRequestsPerOperation(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	ctx := context.Background()

	before := e.Stats()
	tok := login(t, e, c, dev, "alice")
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 1 || d["POST /api/v2/pins"] != 1 {
		t.Errorf("login requests = %v; want one PIN and one key set fetch", d)
	}

	t.Run("a refresh is exactly a nonce and an exchange", func(t *testing.T) {
		src := plextv.NewJWTSource(c, dev, []string{"username"})
		for i := range 5 {
			before := e.Stats()
			if _, err := src.Token(ctx); err != nil {
				t.Fatalf("refresh %d: %v", i, err)
			}
			want := map[string]int{"GET /api/v2/auth/nonce": 1, "POST /api/v2/auth/token": 1}
			if d := delta(before, e.Stats()); !equalCounts(d, want) {
				t.Errorf("refresh %d made %v, want %v", i, d, want)
			}
		}
	})

	t.Run("a valid token costs nothing", func(t *testing.T) {
		store := &auth.FileStore{Dir: t.TempDir()}
		if err := store.Save(ctx, tok); err != nil {
			t.Fatal(err)
		}
		src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before := e.Stats()
		for range 100 {
			got, err := src.Token(ctx)
			if err != nil || got.Value != tok.Value {
				t.Fatalf("Token = %v, %v; want the saved token", got, err)
			}
		}
		if d := delta(before, e.Stats()); len(d) != 0 {
			t.Errorf("100 calls with a valid token made %v, want none", d)
		}
	})

	t.Run("plex.tv's keys are fetched once for many verifications", func(t *testing.T) {
		before := e.Stats()
		for range 50 {
			if _, err := c.Verifier().Verify(ctx, tok.Value, plextv.Expect{ClientIdentifier: dev.ClientIdentifier, Thumbprint: dev.Key.KID()}); err != nil {
				t.Fatal(err)
			}
		}
		if d := delta(before, e.Stats()); len(d) != 0 {
			t.Errorf("50 verifications made %v, want none (the key set is cached)", d)
		}
		if n := e.Stats()["GET /api/v2/auth/keys"]; n != 1 {
			t.Errorf("the key set was fetched %d times in this client's life, want 1", n)
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestTokenSourceRefreshesWhenDue walks the emulator's clock through a token's life.
func TestTokenSourceRefreshesWhenDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		advance time.Duration
		refresh bool
	}{
		{"fresh", time.Hour, false},
		{"five days old", 5 * 24 * time.Hour, false},
		{"under a day left", 6*24*time.Hour + time.Hour, true},
		{"expired a week ago", 14 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{})
			dev := newDevice(t)
			c := newClient(t, e, dev)
			tok := login(t, e, c, dev, "alice")
			ctx := context.Background()
			store := &auth.FileStore{Dir: t.TempDir()}
			if err := store.Save(ctx, tok); err != nil {
				t.Fatal(err)
			}
			src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{Scopes: []string{"username"}})
			if err != nil {
				t.Fatal(err)
			}
			e.Advance(tt.advance)
			before := e.Stats()
			got, err := src.Token(ctx)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if refreshed := got.Value != tok.Value; refreshed != tt.refresh {
				t.Errorf("refreshed = %v, want %v", refreshed, tt.refresh)
			}
			if n := delta(before, e.Stats())["POST /api/v2/auth/token"]; n != map[bool]int{true: 1}[tt.refresh] {
				t.Errorf("%d exchanges", n)
			}
			saved, err := store.Load(ctx)
			if err != nil || saved.Value != got.Value {
				t.Errorf("the store holds another token than Token returned (err %v)", err)
			}
			if !got.Valid(e.Now()) || got.ExpiresWithin(e.Now(), 24*time.Hour) {
				t.Errorf("token %v is not good for another day at %s", got, e.Now())
			}
			if me, err := c.Users.Me(ctx, got.Value); err != nil || me.Username != "alice" {
				t.Errorf("Users.Me = %+v, %v", me, err)
			}
		})
	}
}

// TestConcurrentCallersShareOneRefresh: 100 goroutines ask for a token that has expired; the
// emulator sees exactly one exchange and every caller gets its result.
func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	tok := login(t, e, c, dev, "alice")
	ctx := context.Background()
	store := &auth.FileStore{Dir: t.TempDir()}
	if err := store.Save(ctx, tok); err != nil {
		t.Fatal(err)
	}
	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	e.Advance(8 * 24 * time.Hour)
	before := e.Stats()
	const callers = 100
	values := make([]string, callers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range callers {
		wg.Go(func() {
			<-start
			got, err := src.Token(ctx)
			if err != nil {
				t.Errorf("caller %d: %v", i, err)
				return
			}
			values[i] = got.Value
		})
	}
	close(start)
	wg.Wait()
	d := delta(before, e.Stats())
	if d["POST /api/v2/auth/token"] != 1 || d["GET /api/v2/auth/nonce"] != 1 {
		t.Errorf("100 callers on an expired token made %v, want one nonce and one exchange", d)
	}
	for i, v := range values {
		if v != values[0] || v == tok.Value {
			t.Fatalf("caller %d got another token than caller 0, or the expired one", i)
		}
	}
}

func TestRefreshFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(e *emulator.Emulator, dev *devicekey.Device)
		check   func(t *testing.T, err error, d map[string]int)
	}{
		{
			name:    "a revoked device must log in again",
			prepare: func(e *emulator.Emulator, dev *devicekey.Device) { e.RevokeDevice(dev.ClientIdentifier) },
			check: func(t *testing.T, err error, _ map[string]int) {
				if !errors.Is(err, plexkit.ErrDeviceRevoked) || !strings.Contains(err.Error(), "log in again") {
					t.Errorf("err = %v, want ErrDeviceRevoked saying to log in again", err)
				}
			},
		},
		{
			name: "plex.tv's key rotates in the middle of the session",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.RotateKey()
				// Past the verifier's MinRefetch since the key set was fetched at login.
				e.Advance(10 * time.Minute)
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if err != nil {
					t.Fatalf("refresh after rotation: %v", err)
				}
				if d["GET /api/v2/auth/keys"] != 1 {
					t.Errorf("requests %v; want one key set fetch for the new key", d)
				}
			},
		},
		{
			name: "429 on the nonce is retried after Retry-After",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Second, Count: 1})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if err != nil || d["GET /api/v2/auth/nonce"] != 2 || d["POST /api/v2/auth/token"] != 1 {
					t.Errorf("refresh = %v with %v; want success after one retried nonce", err, d)
				}
			},
		},
		{
			name: "429 on the nonce with a long Retry-After is returned",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: time.Minute, Count: 1})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				var pe *plexkit.Error
				if !errors.Is(err, plexkit.ErrRateLimited) || !errors.As(err, &pe) || pe.RetryAfter != time.Minute {
					t.Errorf("err = %v, want 429 with a Retry-After of 1m", err)
				}
				if d["GET /api/v2/auth/nonce"] != 1 || d["POST /api/v2/auth/token"] != 0 {
					t.Errorf("requests %v", d)
				}
			},
		},
		{
			name: "a burst of 5xx on the nonce is retried",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{Status: http.StatusBadGateway, Count: 3})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if err != nil || d["GET /api/v2/auth/nonce"] != 4 {
					t.Errorf("refresh = %v with %v; want success on the 4th nonce request", err, d)
				}
			},
		},
		{
			name: "a longer burst of 5xx gives up after the retries",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("GET /api/v2/auth/nonce", emulator.Fault{Status: http.StatusInternalServerError, Count: 10})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if !errors.Is(err, plexkit.ErrServer) || d["GET /api/v2/auth/nonce"] != 4 {
					t.Errorf("refresh = %v with %v; want ErrServer after 4 tries", err, d)
				}
			},
		},
		{
			name: "a 5xx on the exchange is never retried",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("POST /api/v2/auth/token", emulator.Fault{Status: http.StatusServiceUnavailable, Count: 1})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if !errors.Is(err, plexkit.ErrServer) || d["POST /api/v2/auth/token"] != 1 {
					t.Errorf("refresh = %v with %v; want ErrServer from a single exchange", err, d)
				}
			},
		},
		{
			name: "a dropped exchange is not retried either",
			prepare: func(e *emulator.Emulator, _ *devicekey.Device) {
				e.SetFault("POST /api/v2/auth/token", emulator.Fault{Drop: true, Count: 1})
			},
			check: func(t *testing.T, err error, d map[string]int) {
				if err == nil || d["POST /api/v2/auth/token"] != 1 {
					t.Errorf("refresh = %v with %v; want an error from a single exchange", err, d)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startEmulator(t, emulator.Options{})
			dev := newDevice(t)
			c := newClient(t, e, dev)
			login(t, e, c, dev, "alice")
			tt.prepare(e, dev)
			before := e.Stats()
			tok, err := plextv.NewJWTSource(c, dev, nil).Token(context.Background())
			if (err == nil) != (tok != nil) {
				t.Errorf("Token = %v, %v", tok, err)
			}
			tt.check(t, err, delta(before, e.Stats()))
		})
	}
}

// TestKeyRotationKeepsOldTokens: after a rotation, a token signed with the previous key still
// verifies from the cache, and a token signed with the new key triggers one fetch.
func TestKeyRotationKeepsOldTokens(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	old := login(t, e, c, dev, "alice")
	ctx := context.Background()
	e.RotateKey()
	e.Advance(10 * time.Minute) // past the verifier's MinRefetch since the login's fetch
	expect := plextv.Expect{ClientIdentifier: dev.ClientIdentifier, Thumbprint: dev.Key.KID()}
	before := e.Stats()
	if _, err := c.Verifier().Verify(ctx, old.Value, expect); err != nil {
		t.Fatalf("the token signed before the rotation: %v", err)
	}
	if d := delta(before, e.Stats()); len(d) != 0 {
		t.Errorf("verifying the old token made %v", d)
	}
	src := plextv.NewJWTSource(c, dev, nil)
	for i := range 3 {
		if _, err := src.Token(ctx); err != nil {
			t.Fatalf("refresh %d after the rotation: %v", i, err)
		}
	}
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 1 {
		t.Errorf("three refreshes after a rotation made %v, want one key set fetch", d)
	}
}

func TestReplayedNonceIsRefused(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	login(t, e, c, dev, "alice")
	ctx := context.Background()
	nonce, err := c.Auth.Nonce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sign := func() string {
		djwt, err := dev.Key.SignDeviceJWT(devicekey.DeviceClaims{ClientIdentifier: dev.ClientIdentifier, Nonce: nonce, IssuedAt: e.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return djwt
	}
	if _, err := c.Auth.Exchange(ctx, sign()); err != nil {
		t.Fatalf("first use of the nonce: %v", err)
	}
	_, err = c.Auth.Exchange(ctx, sign())
	if !errors.Is(err, plexkit.ErrUnprocessable) {
		t.Errorf("second use of the nonce = %v, want 422", err)
	}
}

// TestClockSkew runs the whole flow with plex.tv's clock two minutes off this machine's. plex.tv
// allows a device JWT's iat at most a minute ahead of its clock, and the verifier allows a Plex
// JWT's iat a minute ahead of ours, so the client must learn plex.tv's clock (from the Date
// header); with a fixed local clock each direction fails, which shows the checks are real.
func TestClockSkew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		skew    time.Duration
		fixed   bool  // WithClock(time.Now): no learning from Date
		wantErr error // nil: login, refresh and a call succeed
	}{
		{"plex.tv 2 min ahead", 2 * time.Minute, false, nil},
		{"plex.tv 2 min behind", -2 * time.Minute, false, nil},
		{"plex.tv 2 min ahead, fixed local clock", 2 * time.Minute, true, plextv.ErrNotYetValid},
		{"plex.tv 2 min behind, fixed local clock", -2 * time.Minute, true, plexkit.ErrUnprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := emulator.New(emulator.Options{LibrarySize: 10, Start: time.Now().Add(tt.skew)})
			// plex.tv's Date header tells its clock, which the client learns.
			srv := httptest.NewServer(e.Handler())
			t.Cleanup(srv.Close)
			dev := newDevice(t)
			opts := []plextv.Option{
				plextv.WithBaseURL(srv.URL),
				plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
			}
			if tt.fixed {
				opts = append(opts, plextv.WithClock(time.Now))
			}
			c, err := plextv.NewClient(opts...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{OnPin: claimAs(t, e, "alice"), PollInterval: 10 * time.Millisecond})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), "clock") {
					t.Errorf("Login = %v; want %v mentioning the clock", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Login: %v", err)
			}
			if off := c.Now().Sub(e.Now()); off.Abs() > 2*time.Second {
				t.Errorf("the client's idea of plex.tv's time is %s off", off)
			}
			if _, err := plextv.NewJWTSource(c, dev, nil).Token(ctx); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if _, err := c.Users.Me(ctx, tok.Value); err != nil {
				t.Fatalf("Users.Me: %v", err)
			}
		})
	}
}

// TestExpiredTokenOnACallIsRefreshedOnce: a token this machine still believes valid but plex.tv
// holds expired (498) is refreshed once and the call retried once, through auth.Transport.
func TestExpiredTokenOnACallIsRefreshedOnce(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	tok := login(t, e, c, dev, "alice")
	src := auth.NewCachedSource(plextv.NewJWTSource(c, dev, nil), auth.CacheOptions{Initial: tok, Now: time.Now})
	e.Advance(8 * 24 * time.Hour)
	ctx := context.Background()
	if _, err := c.Users.Me(ctx, tok.Value); !errors.Is(err, plexkit.ErrTokenExpired) {
		t.Fatalf("Users.Me(expired token) = %v, want 498", err)
	}
	before := e.Stats()
	me, err := c.WithTokenSource(src).Users.Me(ctx, "")
	if err != nil || me.Username != "alice" {
		t.Fatalf("Users.Me through the refreshing source = %+v, %v", me, err)
	}
	// Eight days also outlived the cached key set (24 h): one fetch to verify the new token.
	want := map[string]int{"GET /api/v2/user": 2, "GET /api/v2/auth/nonce": 1, "POST /api/v2/auth/token": 1, "GET /api/v2/auth/keys": 1}
	if d := delta(before, e.Stats()); !equalCounts(d, want) {
		t.Errorf("requests %v, want %v", d, want)
	}
}

// The issue: within a minute of plex.tv rotating its key, a long-lived program refreshes. The
// new token is signed by a key its cached set lacks; it must fetch the set again (once) rather
// than throw the token away, whose nonce is spent.
func TestRefreshRightAfterARotation(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{FreezeClock: true})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	login(t, e, c, dev, "alice") // fetches the key set
	e.RotateKey()
	ctx := context.Background()
	src := plextv.NewJWTSource(c, dev, nil)
	before := e.Stats()
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatalf("refresh right after a rotation: %v", err)
	}
	if tok.Value == "" {
		t.Fatal("no token")
	}
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 1 || d["POST /api/v2/auth/token"] != 1 {
		t.Errorf("the refresh made %v; want one exchange and one key set fetch", d)
	}
	// A token from elsewhere with an unknown kid still cannot make the verifier fetch again.
	e.RotateKey()
	before = e.Stats()
	other := forgeKID(t, tok.Value, "made-up-kid")
	if _, err := c.Verifier().Verify(ctx, other, plextv.Expect{}); !errors.Is(err, plextv.ErrUnknownKey) {
		t.Fatalf("Verify of a made-up kid = %v", err)
	}
	if d := delta(before, e.Stats()); d["GET /api/v2/auth/keys"] != 0 {
		t.Errorf("a made-up kid within MinRefetch made %v", d)
	}
}

// forgeKID returns token with its header's kid replaced (the signature no longer matters: the
// kid is looked up first).
func forgeKID(t *testing.T, token, kid string) string {
	t.Helper()
	header, err := json.Marshal(map[string]string{"alg": "EdDSA", "typ": "JWT", "kid": kid})
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(token, ".")
	return base64.RawURLEncoding.EncodeToString(header) + "." + rest
}
