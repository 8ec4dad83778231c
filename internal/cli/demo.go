package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newDemoCmd) }

// demoJump is how far the demo moves the emulator clock to show a refresh: six days and an
// hour, which leaves a 7-day Plex JWT under the 24 hours at which the token source refreshes.
const demoJump = 6*24*time.Hour + time.Hour

// demoKeyCacheTTL keeps plex.tv's keys cached across demoJump, so that the requests counted for
// the refresh are the refresh alone. A real program refetches them once a day (one GET of
// /api/v2/auth/keys), which the demo says in words.
const demoKeyCacheTTL = 8 * 24 * time.Hour

// demoProbeTimeout bounds each of the doctor's probes of a server connection. Every connection
// is on loopback, where a live one answers in milliseconds and the emulator's dead ones never do.
const demoProbeTimeout = 500 * time.Millisecond

// demoWidth is the width the demo's explanations are wrapped to, after their indent.
const demoWidth = 88

// demoSummary is what --json prints: the facts the demo established, never a token.
type demoSummary struct {
	PlexTV           string         `json:"plextv"`
	ClientIdentifier string         `json:"clientIdentifier"`
	KID              string         `json:"kid"`
	User             string         `json:"user"`
	ExpiresAt        time.Time      `json:"expiresAt"`
	Servers          []string       `json:"servers"`
	Sessions         int            `json:"sessions"`
	FriendStatus     int            `json:"friendStatus"`
	DoctorCause      string         `json:"doctorCause"`
	RefreshRequests  map[string]int `json:"refreshRequests"`
	RefreshedExpiry  time.Time      `json:"refreshedExpiresAt"`
	Elapsed          string         `json:"elapsed"`
	Steps            []string       `json:"steps"`
}

func newDemoCmd(f *Factory) *cobra.Command {
	var pause time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Walk through Plex's JWT sign-in, servers and refresh on the embedded emulator",
		Long: `Start the emulator (a fake plex.tv and two Plex Media Servers on loopback) and walk through
the story plexkit exists for, in numbered steps, with no input and no network:

  make a device key; create a PIN carrying its public key; approve it as alice; exchange it for
  a Plex JWT; verify the token against plex.tv's keys; list alice's servers and their sessions;
  watch bob, a friend alice shares a server with, get 401 on /status/sessions and the doctor
  explain why (a role, which no scope changes); move the clock six days and see the token
  source refresh the token by itself, in two requests.

The demo works in a temporary directory that it removes at the end: it never reads or changes
your config directory or your real Plex account. Tokens are shown only as their first
characters. With --json the narrative goes to stderr and a summary to stdout.`,
		Example: `  plexkit demo
  plexkit demo --pause 0
  plexkit demo --json | jq .refreshRequests`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("pause") && !f.IO.OutTTY {
				pause = 0
			}
			if pause < 0 {
				return usageErrorf("--pause must not be negative, got %s", pause)
			}
			// An interrupt cancels the requests in flight, so that the temporary directory is
			// still removed.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDemo(ctx, f, pause)
		},
	}
	cmd.Flags().DurationVar(&pause, "pause", 1500*time.Millisecond, "pause between steps, for reading on a terminal (piped output never pauses unless this is set)")
	return cmd
}

// demo is one run of the story: the emulator, a temporary config directory per account, and
// what the steps found.
type demo struct {
	out   io.Writer
	pause time.Duration
	done  <-chan struct{} // ends a pause early when the demo is interrupted
	step  int
	e     *emulator.Emulator
	dir   string
	sum   demoSummary
}

func runDemo(ctx context.Context, f *Factory, pause time.Duration) (err error) {
	start := time.Now()
	d := &demo{out: f.IO.Out, pause: pause, done: ctx.Done()}
	if f.JSON {
		d.out = f.IO.ErrOut
	}
	d.dir, err = os.MkdirTemp("", "plexkit-demo-")
	if err != nil {
		return fmt.Errorf("demo: make a temporary directory: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(d.dir); rmErr != nil && err == nil {
			err = fmt.Errorf("demo: remove %s: %w", d.dir, rmErr)
		}
	}()
	d.e = emulator.New(emulator.Options{})
	d.printf("plexkit demo: Plex's JWT sign-in, start to finish, on the embedded emulator.\n")
	d.printf("Nothing here touches your config directory or the internet.\n")
	if err := d.run(ctx); err != nil {
		return err
	}
	d.sum.Elapsed = time.Since(start).Round(time.Millisecond).String()
	d.printf("\nDone in %s. Next: plexkit login (the real thing), or plexkit emulator to test your own code.\n", d.sum.Elapsed)
	if f.JSON {
		return printJSON(f.IO, d.sum)
	}
	return nil
}

// run performs the steps in order; the first failure ends the demo, naming its step.
func (d *demo) run(ctx context.Context) error {
	defer d.e.Close()
	if err := d.startEmulator(); err != nil {
		return err
	}
	alice, err := d.signIn(ctx, "alice", true)
	if err != nil {
		return err
	}
	if err := d.verify(ctx, alice); err != nil {
		return err
	}
	nas, err := d.listServers(ctx, alice)
	if err != nil {
		return err
	}
	if err := d.sessions(ctx, alice, nas); err != nil {
		return err
	}
	if err := d.friend(ctx); err != nil {
		return err
	}
	return d.refresh(ctx, alice)
}

// demoAccount is one signed-in account of the demo: its device, plex.tv client and token source.
type demoAccount struct {
	dev    *devicekey.Device
	client *plextv.Client // sends the account token from src
	src    *auth.CachedSource
	token  *auth.Token
}

func (d *demo) printf(format string, args ...any) {
	fmt.Fprintf(d.out, format, args...)
}

// begin starts the next numbered step: a title, then a line saying which Plex concept it is.
func (d *demo) begin(title, concept string) {
	if d.step > 0 && d.pause > 0 {
		t := time.NewTimer(d.pause)
		select {
		case <-t.C:
		case <-d.done:
			t.Stop()
		}
	}
	d.step++
	d.sum.Steps = append(d.sum.Steps, title)
	d.printf("\n%2d. %s\n", d.step, title)
	for _, line := range wrap(concept, demoWidth) {
		d.printf("    %s\n", line)
	}
}

// detail prints an indented fact under the current step.
func (d *demo) detail(format string, args ...any) {
	d.printf("    → "+format+"\n", args...)
}

// block prints a long fact under the current step, wrapped, its first line led by lead.
func (d *demo) block(lead, text string) {
	indent := strings.Repeat(" ", len([]rune(lead)))
	for i, line := range wrap(text, demoWidth-len(indent)) {
		if i == 0 {
			d.printf("    %s%s\n", lead, line)
			continue
		}
		d.printf("    %s%s\n", indent, line)
	}
}

// fail names the step that failed.
func (d *demo) fail(what string, err error) error {
	return fmt.Errorf("demo step %d (%s): %w", d.step, what, err)
}

func (d *demo) startEmulator() error {
	d.begin("Start the emulator",
		"A fake plex.tv and two Plex Media Servers, as strict as Plex, listening on 127.0.0.1.")
	if err := d.e.Start(); err != nil {
		return d.fail("start the emulator", err)
	}
	d.sum.PlexTV = d.e.URL()
	d.detail("plex.tv at %s", d.e.URL())
	for _, s := range d.e.Servers() {
		note := "accepts the account's Plex JWT"
		if !s.AcceptsAccountJWT {
			note = "accepts only its own access token"
		}
		d.detail("server %s, owned by %s, at %s (%s)", s.Name, s.Owner, s.URL, note)
	}
	return nil
}

// signIn creates a device for name and logs it in with a PIN that the emulator approves as
// name, as the person would in a browser. Alice's sign-in is told step by step; the friend's in
// one step.
func (d *demo) signIn(ctx context.Context, name string, tell bool) (*demoAccount, error) {
	if tell {
		d.begin("Make a device key",
			"An Ed25519 key pair and a client identifier name this installation. The private key never "+
				"leaves it (device.key, mode 0600); plex.tv will know the public key as a JWK whose kid is "+
				"its RFC 7638 thumbprint.")
	}
	dir := filepath.Join(d.dir, name)
	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		return nil, d.fail("make a device key", err)
	}
	if tell {
		d.sum.KID, d.sum.ClientIdentifier = dev.Key.KID(), dev.ClientIdentifier
		d.detail("saved in %s (the demo removes it at the end)", dir)
		d.detail("kid %s", dev.Key.KID())
		d.detail("client identifier %s", dev.ClientIdentifier)
	}
	c, err := plextv.NewClient(
		plextv.WithBaseURL(d.e.URL()),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(d.e.Now),
		plextv.WithVerifierOptions(plextv.VerifierOptions{CacheTTL: demoKeyCacheTTL}),
	)
	if err != nil {
		return nil, d.fail("make a plex.tv client", err)
	}
	if tell {
		d.begin("Create a PIN that carries the public key",
			"POST /api/v2/pins with the JWK. A person types the 4-character code at plex.tv/link (or opens "+
				"the app.plex.tv auth URL for a strong PIN) while the program polls the PIN.")
	}
	var claimErr error
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Link:   true,
		Scopes: defaultScopes,
		OnPin: func(pin *plextv.Pin, url string) {
			if tell {
				d.detail("code %s, to be typed at %s", pin.Code, url)
				d.begin("Approve the PIN as alice",
					"Here the emulator stands in for alice: it signs her in and approves the code, as she "+
						"would on the link page in her browser.")
			}
			claimErr = d.e.ClaimPin(pin.Code, name)
			if tell && claimErr == nil {
				d.detail("alice approved code %s", pin.Code)
			}
		},
	})
	if claimErr != nil {
		return nil, d.fail("approve the PIN as "+name, claimErr)
	}
	if err != nil {
		return nil, d.fail("log in as "+name, err)
	}
	if tell {
		d.begin("Exchange the approved PIN for a Plex JWT",
			"The poll GET /api/v2/pins/{id} presents a device JWT signed with the device key; once the PIN "+
				"is approved plex.tv answers with the first Plex JWT, valid for 7 days. plexkit keeps it in "+
				"token.json (0600).")
		d.detail("token %s, a %s valid until %s", shortToken(tok.Value), tok.Kind, tok.Expiry.UTC().Format(time.RFC3339))
	}
	store := &auth.FileStore{Dir: dir}
	if err := store.Save(ctx, tok); err != nil {
		return nil, d.fail("save the token", err)
	}
	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{Scopes: defaultScopes})
	if err != nil {
		return nil, d.fail("make the token source", err)
	}
	return &demoAccount{dev: dev, client: c.WithTokenSource(src), src: src, token: tok}, nil
}

func (d *demo) verify(ctx context.Context, a *demoAccount) error {
	d.begin("Verify the Plex JWT",
		"Against plex.tv's public keys (GET /api/v2/auth/keys, cached): the signature, the issuer "+
			"plex.tv, an audience holding this client identifier, the expiry, and a thumbprint equal "+
			"to the device key's kid, which binds the token to this device.")
	claims, err := a.client.Verifier().Verify(ctx, a.token.Value, plextv.Expect{
		ClientIdentifier: a.dev.ClientIdentifier,
		Thumbprint:       a.dev.Key.KID(),
	})
	if err != nil {
		return d.fail("verify the token", err)
	}
	d.sum.User, d.sum.ExpiresAt = claims.User.Username, claims.Expiry
	d.detail("signed by plex.tv key %s", claims.KeyID)
	d.detail("issuer %s, audience %s", claims.Issuer, strings.Join(claims.Audience, ", "))
	d.detail("thumbprint %s = this device's kid", claims.Thumbprint)
	d.detail("user %s (id %d, %s), expires %s", claims.User.Username, claims.User.ID, claims.User.Email,
		claims.Expiry.UTC().Format(time.RFC3339))
	return nil
}

func (d *demo) listServers(ctx context.Context, a *demoAccount) (*plextv.Resource, error) {
	d.begin("List alice's servers",
		"GET /api/v2/resources with the Plex JWT: each server with its connections and the access "+
			"token this account must present to it. Servers have been seen to refuse the account's JWT "+
			"and accept only that token.")
	servers, err := a.client.Resources.Servers(ctx)
	if err != nil {
		return nil, d.fail("list servers", err)
	}
	var nas *plextv.Resource
	for i, s := range servers {
		role := "shared with alice"
		if s.Owned {
			role = "owned: alice is its admin"
		}
		d.sum.Servers = append(d.sum.Servers, s.Name)
		d.detail("%s (%s), %d connections, its own access token", s.Name, role, len(s.Connections))
		if s.Name == "alice-nas" {
			nas = &servers[i]
		}
	}
	if nas == nil {
		return nil, d.fail("list servers", errors.New("alice-nas is not among alice's servers"))
	}
	return nas, nil
}

// connect reaches a server from its resource, racing its connections.
func (d *demo) connect(ctx context.Context, a *demoAccount, r *plextv.Resource) (*pms.Client, error) {
	return pms.Connect(ctx, serverRef(*r), pms.WithClientInfo(plexkit.DefaultClientInfo(a.dev.ClientIdentifier)))
}

func (d *demo) sessions(ctx context.Context, a *demoAccount, nas *plextv.Resource) error {
	d.begin("Sessions on alice-nas",
		"Connect races the server's connections (dead ones cost nothing) and checks /identity, then "+
			"GET /status/sessions — an admin-only operation. alice owns the server, so she has the admin role.")
	pc, err := d.connect(ctx, a, nas)
	if err != nil {
		return d.fail("connect to alice-nas", err)
	}
	d.detail("connected at %s", pc.BaseURL())
	list, err := pc.Sessions.List(ctx)
	if err != nil {
		return d.fail("list sessions", err)
	}
	d.sum.Sessions = len(list)
	for _, s := range list {
		d.detail("%s", describeSession(s))
	}
	return nil
}

func (d *demo) friend(ctx context.Context) error {
	d.begin("bob asks for the same sessions",
		"bob is a friend alice shares alice-nas with, so on that server he is a shared user. He signs in "+
			"on his own device the same way (the emulator approves his PIN) and calls GET /status/sessions.")
	bob, err := d.signIn(ctx, "bob", false)
	if err != nil {
		return err
	}
	d.detail("bob signed in: token %s", shortToken(bob.token.Value))
	servers, err := bob.client.Resources.Servers(ctx)
	if err != nil {
		return d.fail("list bob's servers", err)
	}
	i := slices.IndexFunc(servers, func(r plextv.Resource) bool { return r.Name == "alice-nas" })
	if i < 0 {
		return d.fail("list bob's servers", errors.New("alice-nas is not among bob's servers"))
	}
	d.detail("his servers: %s, shared with him by %s (not owned: he is a shared user there)", servers[i].Name, servers[i].SourceTitle)
	pc, err := d.connect(ctx, bob, &servers[i])
	if err != nil {
		return d.fail("connect to alice-nas as bob", err)
	}
	_, err = pc.Sessions.List(ctx)
	var pe *plexkit.Error
	switch {
	case err == nil:
		return d.fail("list sessions as bob", errors.New("alice-nas answered a shared user's GET /status/sessions, which needs the admin role"))
	case !errors.As(err, &pe):
		return d.fail("list sessions as bob", err)
	}
	d.sum.FriendStatus = pe.StatusCode
	d.detail("GET /status/sessions → %d %s", pe.StatusCode, httpStatusText(pe.StatusCode))

	d.begin("The doctor explains the refusal",
		"plexkit doctor runs the checks in order — token, device, server, connections, role — and names "+
			"the cause and the fix in Plex's terms.")
	rep := doctor.Run(ctx, doctor.Input{
		PlexTV:       bob.client,
		Device:       bob.dev,
		Token:        bob.token.Value,
		Server:       "alice-nas",
		ProbeTimeout: demoProbeTimeout,
	})
	passed := 0
	for _, fd := range rep.Findings {
		if fd.Status == doctor.Pass {
			passed++
		}
	}
	d.detail("%d checks passed", passed)
	first := rep.FirstFailure()
	if first == nil {
		return d.fail("diagnose bob's call", errors.New("the doctor found nothing wrong"))
	}
	d.sum.DoctorCause = first.Check
	for _, fd := range rep.Findings {
		if fd.Status != doctor.Fail {
			continue
		}
		d.block("✗ "+fd.Check+": ", plexkit.Redact(fd.Cause))
		if fd.Fix != "" {
			d.block("  fix: ", plexkit.Redact(fd.Fix))
		}
	}
	return nil
}

func (d *demo) refresh(ctx context.Context, a *demoAccount) error {
	d.begin("Six days later: the token refreshes itself",
		"The emulator's clock jumps 6 days and 1 hour, leaving alice's JWT under a day. The next call "+
			"asks the token source for a token; it sees less than 24 h left and refreshes first: a nonce "+
			"(GET /api/v2/auth/nonce), a device JWT signed with the device key, and the exchange "+
			"(POST /api/v2/auth/token). No person, no PIN.")
	before, err := a.src.Token(ctx)
	if err != nil {
		return d.fail("read the current token", err)
	}
	d.e.Advance(demoJump)
	left := before.Expiry.Sub(d.e.Now()).Round(time.Minute)
	d.detail("the clock reads %s: the token has %s left", d.e.Now().UTC().Format(time.RFC3339), left)
	counts := d.e.Stats()
	if _, err := a.client.Resources.Servers(ctx); err != nil {
		return d.fail("list servers after the jump", err)
	}
	after, err := a.src.Token(ctx)
	if err != nil {
		return d.fail("read the refreshed token", err)
	}
	if after.Value == before.Value {
		return d.fail("refresh", errors.New("the token source kept the old token"))
	}
	delta := statsDelta(counts, d.e.Stats())
	refresh := map[string]int{}
	for k, n := range delta {
		if strings.Contains(k, "/api/v2/auth/") {
			refresh[k] = n
		}
	}
	d.sum.RefreshRequests, d.sum.RefreshedExpiry = refresh, after.Expiry
	total := 0
	for _, k := range slices.Sorted(maps.Keys(refresh)) {
		d.detail("%s: %d", k, refresh[k])
		total += refresh[k]
	}
	d.detail("the refresh took %d requests; then the call itself: GET /api/v2/resources: %d", total, delta["GET /api/v2/resources"])
	d.detail("new token %s, expires %s (was %s)", shortToken(after.Value),
		after.Expiry.UTC().Format(time.RFC3339), before.Expiry.UTC().Format(time.RFC3339))
	d.printf("    (plex.tv's keys stayed cached across the jump; a program that runs for days fetches them\n")
	d.printf("    again once a day, one GET /api/v2/auth/keys outside the refresh.)\n")
	return nil
}

// statsDelta returns the request counts that grew from before to after.
func statsDelta(before, after map[string]int) map[string]int {
	out := map[string]int{}
	for k, n := range after {
		if n > before[k] {
			out[k] = n - before[k]
		}
	}
	return out
}

// shortToken shows the first characters of a token, never the whole: enough to tell a JWT
// ("eyJ…", its header) from a legacy token.
func shortToken(v string) string {
	const shown = 8
	if len(v) <= shown {
		return "…"
	}
	return v[:shown] + "…"
}

// httpStatusText is the reason phrase of a status, including Plex's 498.
func httpStatusText(code int) string {
	if code == plexkit.StatusTokenExpired {
		return "Token Expired"
	}
	return http.StatusText(code)
}

// wrap breaks s into lines of at most width characters, at spaces.
func wrap(s string, width int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
