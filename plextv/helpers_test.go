package plextv_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// fastRetry keeps the transport's backoff short so that fault tests stay quick.
var fastRetry = plextv.WithRetry(plexkit.RetryTransport{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxRetryAfter: 2 * time.Second})

// startEmulator runs an emulator on loopback for the test.
func startEmulator(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	if opts.LibrarySize == 0 {
		opts.LibrarySize = 10
	}
	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// newDevice creates a device (key and client identifier) in a temporary directory.
func newDevice(t testing.TB) *devicekey.Device {
	t.Helper()
	dev, err := devicekey.CreateDevice(t.TempDir())
	if err != nil {
		t.Fatalf("create device: %v", err)
	}
	return dev
}

// newClient returns a client of the emulator for dev, on the emulator's clock.
func newClient(t testing.TB, e *emulator.Emulator, dev *devicekey.Device, opts ...plextv.Option) *plextv.Client {
	t.Helper()
	all := append([]plextv.Option{
		plextv.WithBaseURL(e.URL()),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(e.Now),
		fastRetry,
	}, opts...)
	c, err := plextv.NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// claimAs returns an OnPin callback that approves the PIN as username, as a person would.
func claimAs(t testing.TB, e *emulator.Emulator, username string) func(*plextv.Pin, string) {
	return func(p *plextv.Pin, _ string) {
		if err := e.ClaimPin(p.Code, username); err != nil {
			t.Errorf("ClaimPin(%s): %v", username, err)
		}
	}
}

// login logs dev in as username with a strong PIN.
func login(t testing.TB, e *emulator.Emulator, c *plextv.Client, dev *devicekey.Device, username string) *auth.Token {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Scopes:       []string{"username", "email"},
		OnPin:        claimAs(t, e, username),
		PollInterval: 10 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("Login as %s: %v", username, err)
	}
	return tok
}

// delta returns how many requests each endpoint got since before (only those that changed).
func delta(before, after map[string]int) map[string]int {
	d := map[string]int{}
	for k, v := range after {
		if v != before[k] {
			d[k] = v - before[k]
		}
	}
	return d
}

// recorder is an http.RoundTripper that keeps a copy of every request it forwards.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) all() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.reqs...)
}

// devicekeyClaims are the claims of a device JWT for a PIN poll (no nonce).
func devicekeyClaims(dev *devicekey.Device) devicekey.DeviceClaims {
	return devicekey.DeviceClaims{ClientIdentifier: dev.ClientIdentifier}
}
