package doctor_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// startEmulator runs an emulator with a small library on loopback for the test.
func startEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	return startEmulatorWith(t, emulator.Options{})
}

// startEmulatorWith is startEmulator with options.
func startEmulatorWith(t testing.TB, opts emulator.Options) *emulator.Emulator {
	t.Helper()
	opts.LibrarySize = 20
	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		t.Fatalf("start the emulator: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// rawDevice is a device whose private key the test also holds, so that it can sign device JWTs
// the way another program would, mistakes included.
type rawDevice struct {
	*devicekey.Device
	priv ed25519.PrivateKey
}

func newRawDevice(t testing.TB) rawDevice {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := devicekey.FromRaw(priv.Seed(), pub, "")
	if err != nil {
		t.Fatal(err)
	}
	id, err := devicekey.NewClientIdentifier()
	if err != nil {
		t.Fatal(err)
	}
	return rawDevice{Device: &devicekey.Device{Key: key, ClientIdentifier: id}, priv: priv}
}

// sign signs claims with the device's private key under header kid, as a hand-written client
// would.
func (d rawDevice) sign(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: d.priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// newClient returns a plex.tv client of the emulator for dev, on the emulator's clock.
func newClient(t testing.TB, e *emulator.Emulator, dev *devicekey.Device) *plextv.Client {
	t.Helper()
	c, err := plextv.NewClient(
		plextv.WithBaseURL(e.URL()),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(e.Now),
		plextv.WithRetry(plexkit.RetryTransport{MaxRetries: -1}),
	)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// signedIn makes a device, a client of e for it, and signs username in with it: the Plex JWT.
func signedIn(t testing.TB, e *emulator.Emulator, username string) (rawDevice, *plextv.Client, string) {
	t.Helper()
	dev := newRawDevice(t)
	c := newClient(t, e, dev.Device)
	return dev, c, login(t, e, c, dev.Device, username)
}

// login logs dev in as username with a PIN that the emulator approves, as a person would.
func login(t testing.TB, e *emulator.Emulator, c *plextv.Client, dev *devicekey.Device, username string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Scopes: []string{"username", "email"},
		OnPin: func(p *plextv.Pin, _ string) {
			if err := e.ClaimPin(p.Code, username); err != nil {
				t.Errorf("ClaimPin(%s): %v", username, err)
			}
		},
		PollInterval: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("log in as %s: %v", username, err)
	}
	return tok.Value
}

// diagnose runs the doctor with a short probe timeout (the emulator's dead connections never
// answer) and checks that no secret leaked into the report.
func diagnose(t testing.TB, in doctor.Input, secrets ...string) *doctor.Report {
	t.Helper()
	if in.ProbeTimeout == 0 {
		in.ProbeTimeout = time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep := doctor.Run(ctx, in)
	if rep == nil {
		t.Fatal("Run returned nil")
	}
	assertNoSecrets(t, rep, append(secrets, in.Token, in.DeviceJWT)...)
	return rep
}

// assertNoSecrets fails when any secret appears in the report, as text or as JSON.
func assertNoSecrets(t testing.TB, rep *doctor.Report, secrets ...string) {
	t.Helper()
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatalf("marshal the report: %v", err)
	}
	var text strings.Builder
	if err := rep.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if len(s) < 8 {
			continue
		}
		if strings.Contains(string(js), s) || strings.Contains(text.String(), s) {
			t.Errorf("the report shows a secret (%d chars):\n%s", len(s), text.String())
		}
	}
}

// expect asserts that the finding of check has status and that its cause mentions every word.
func expect(t testing.TB, rep *doctor.Report, check string, status doctor.Status, words ...string) *doctor.Finding {
	t.Helper()
	f := rep.Find(check)
	if f == nil {
		t.Fatalf("no %q finding in:\n%s", check, text(rep))
	}
	if f.Status != status {
		t.Errorf("%q is %s, want %s:\n%s", check, f.Status, status, text(rep))
	}
	for _, w := range words {
		if !strings.Contains(strings.ToLower(f.Cause), strings.ToLower(w)) {
			t.Errorf("the cause of %q does not mention %q: %s", check, w, f.Cause)
		}
	}
	if (status == doctor.Fail || status == doctor.Warn) && f.Fix == "" {
		t.Errorf("%q %s without a fix", check, status)
	}
	return f
}

func text(rep *doctor.Report) string {
	var b strings.Builder
	_ = rep.WriteText(&b, true)
	return b.String()
}

// serverTokens returns the access tokens plex.tv lists for the account of tok: secrets the
// doctor handles and must never show.
func serverTokens(t testing.TB, c *plextv.Client, tok string) []string {
	t.Helper()
	src := auth.StaticTokenSource(&auth.Token{Value: tok, Kind: auth.KindPlexJWT})
	servers, err := c.WithTokenSource(src).Resources.Servers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range servers {
		out = append(out, s.AccessToken)
	}
	return out
}

// server returns the emulator's server called name.
func server(t testing.TB, e *emulator.Emulator, name string) emulator.ServerInfo {
	t.Helper()
	for _, s := range e.Servers() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("the emulator has no server %q", name)
	return emulator.ServerInfo{}
}
