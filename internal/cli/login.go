package cli

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/plextv"
)

// EnvLegacyToken carries a legacy token for `plexkit login`; unlike --legacy-token it stays out
// of shell history and of the process list.
const EnvLegacyToken = "PLEXKIT_LEGACY_TOKEN"

func init() { register(newLoginCmd) }

type loginOptions struct {
	link        bool
	scopes      string
	timeout     time.Duration
	open        bool
	legacyToken string
}

func newLoginCmd(f *Factory) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Sign in to plex.tv with this installation's device key",
		Long: `Sign in to plex.tv and save a Plex JWT for this installation. The first run creates the device
key and client identifier in the config directory.

By default plexkit creates a PIN and prints the URL of Plex's approval page (with a QR code on a
terminal); open it, sign in to Plex and approve. With --link it prints a 4-character code to
enter at plex.tv/link instead — handy on a machine without a browser. plexkit waits until the
PIN is approved (at most --timeout), then verifies and saves the token. It never sees your
password.

--scopes chooses which account claims the token carries (` + strings.Join(devicekey.Scopes, ", ") + `;
default ` + strings.Join(defaultScopes, ",") + `). They grant nothing: whether you are "admin" or a
"shared user" on a server is a role, decided by whose token it is.

A program that still has a legacy (pre-2025) token can move to the device key with
--legacy-token, or better the ` + EnvLegacyToken + ` environment variable (a flag ends up in shell
history). Plex expires the legacy token once the first Plex JWT is issued.

With --json, prints {"user": {"id", "uuid", "username", "email"}, "expiresAt",
"clientIdentifier"}. Exit 1 when the PIN is not approved in time.`,
		Example: `  plexkit login
  plexkit login --link --timeout 15m
  plexkit login --open --scopes username,email
  PLEXKIT_LEGACY_TOKEN=… plexkit login --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.legacyToken == "" {
				o.legacyToken = f.Getenv(EnvLegacyToken)
			}
			return runLogin(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.link, "link", false, "use a 4-character code to enter at plex.tv/link")
	fl.StringVar(&o.scopes, "scopes", strings.Join(defaultScopes, ","), "comma-separated account claims to put in the token")
	fl.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the approval")
	fl.BoolVar(&o.open, "open", false, "open the approval page in the browser ($BROWSER, else the system's)")
	fl.StringVar(&o.legacyToken, "legacy-token", "", "register the device key with this legacy token (prefer $"+EnvLegacyToken+")")
	return cmd
}

func runLogin(ctx context.Context, f *Factory, o loginOptions) error {
	if name := f.profile(); name != "" {
		return usageErrorf("login signs this installation in; profile %q is made by `plexkit home switch`: log in without --profile (and unset %s)", name, EnvProfile)
	}
	scopes := splitList(o.scopes)
	if err := devicekey.ValidateScopes(scopes); err != nil {
		return &UsageError{Err: err}
	}
	if o.timeout <= 0 {
		return usageErrorf("--timeout must be positive, got %s", o.timeout)
	}
	if o.legacyToken != "" && (o.link || o.open) {
		return usageErrorf("--legacy-token registers the key without a PIN: --link and --open do not apply")
	}
	dir, err := f.RequireConfigDir()
	if err != nil {
		return err
	}
	dev, err := devicekey.LoadDevice(dir)
	if errors.Is(err, devicekey.ErrNoDevice) {
		if dev, err = devicekey.CreateDevice(dir); err == nil {
			fmt.Fprintf(f.IO.ErrOut, "Created this installation's device key and client identifier in %s.\n", dir)
		}
	}
	if err != nil {
		return err
	}
	c, err := plexTVClient(f, dev)
	if err != nil {
		return err
	}
	sayCurrentLogin(ctx, f, dir)

	var tok *auth.Token
	if o.legacyToken != "" {
		tok, err = plextv.LoginWithLegacyToken(ctx, c, dev, o.legacyToken, scopes)
	} else {
		tok, err = pinLogin(ctx, f, c, dev, scopes, o)
	}
	if err != nil {
		if errors.Is(err, plextv.ErrLoginTimeout) || errors.Is(err, plextv.ErrPinExpired) {
			return fmt.Errorf("%w; run `plexkit login` again", err)
		}
		return deviceTaken(ctx, dir, err)
	}
	if err := (&auth.FileStore{Dir: dir}).Save(ctx, tok); err != nil {
		return err
	}
	if err := saveLoginRecord(dir, loginRecord{Scopes: scopes}); err != nil {
		return err
	}
	return printLogin(ctx, f, c, dev, tok)
}

// pinLogin runs the PIN flow, showing the PIN and a spinner while it waits, and saying so when
// plex.tv stops answering (the login gives up after a few polls in a row that fail to reach it).
func pinLogin(ctx context.Context, f *Factory, c *plextv.Client, dev *devicekey.Device, scopes []string, o loginOptions) (*auth.Token, error) {
	var sp *spinner
	defer func() {
		if sp != nil {
			sp.stop()
		}
	}()
	return plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Link:    o.link,
		Scopes:  scopes,
		Timeout: o.timeout, // the error then names the timeout asked for
		OnPin: func(pin *plextv.Pin, url string) {
			showPin(f.IO, pin, url, o.link)
			if o.open {
				if err := openBrowser(f.Getenv, url); err != nil {
					fmt.Fprintf(f.IO.ErrOut, "warning: cannot open a browser (%v); open the URL yourself.\n", err)
				}
			}
			sp = startSpinner(f.IO.ErrOut, f.IO.ErrTTY, "Waiting for the approval…")
		},
		OnRetry: func(err error, _ int) {
			line := fmt.Sprintf("plex.tv at %s did not answer (%s); retrying…", f.PlexTVURL, netReason(err))
			if sp == nil {
				fmt.Fprintln(f.IO.ErrOut, line)
				return
			}
			sp.println(line)
		},
	})
}

// sayCurrentLogin tells a person who logs in again that a login exists, and that this one
// replaces it.
func sayCurrentLogin(ctx context.Context, f *Factory, dir string) {
	tok, who, err := currentLogin(ctx, dir)
	if err != nil {
		return
	}
	if who != "" {
		who = " as " + who
	}
	state := "the token expired " + tok.Expiry.UTC().Format(time.RFC3339)
	if tok.Expiry.IsZero() {
		state = "a legacy token"
	} else if f.Now().Before(tok.Expiry) {
		state = "the token is valid until " + tok.Expiry.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(f.IO.ErrOut, "Already logged in%s (%s); this login replaces it.\n", who, state)
}

// currentLogin returns the token saved in dir and the username it names ("" when it names
// none: a legacy token, or a JWT without the username scope).
func currentLogin(ctx context.Context, dir string) (*auth.Token, string, error) {
	tok, err := (&auth.FileStore{Dir: dir}).Load(ctx)
	if err != nil {
		return nil, "", err
	}
	if d, err := plextv.DecodeUnverified(tok.Value); err == nil {
		if u, _ := d.Claims.Raw["user"].(map[string]any); u != nil {
			if name, _ := u["username"].(string); name != "" {
				return tok, name, nil
			}
		}
	}
	return tok, "", nil
}

// deviceTaken explains plex.tv's refusal (422) to register the device's key for the account
// that approved the login, when this installation was logged in before: a device belongs to
// one account, so the likely cause is that its key is registered to the earlier one. Other
// refusals are returned as they are.
func deviceTaken(ctx context.Context, dir string, err error) error {
	if !errors.Is(err, plexkit.ErrUnprocessable) {
		return err
	}
	_, who, lerr := currentLogin(ctx, dir)
	if lerr != nil {
		return err
	}
	owner := "the account logged in before"
	if who != "" {
		owner = who
	}
	return explain(err, "plex.tv refused to register this device for the account that approved the login: "+
		"a device belongs to one account, and this one is registered to %s; to log in as another account, "+
		"use another configuration directory (--config DIR or %s), or give this one a new device with `plexkit key generate --force` (which ends the login as %s here)",
		owner, EnvConfigDir, owner)
}

// showPin tells the person where to approve the PIN, with a QR code of the URL on a terminal
// (to approve from a phone).
func showPin(ios *IOStreams, pin *plextv.Pin, url string, link bool) {
	w := ios.ErrOut
	if link {
		fmt.Fprintf(w, "Go to %s and enter the code:\n\n    %s\n\n", url, pin.Code)
	} else {
		fmt.Fprintf(w, "Open this page, sign in to Plex and approve plexkit:\n\n    %s\n\n", url)
	}
	if ios.ErrTTY {
		if q, err := qrcode.New(url, qrcode.Low); err == nil {
			fmt.Fprintln(w, q.ToSmallString(false))
		}
	}
	if !pin.ExpiresAt.IsZero() {
		fmt.Fprintf(w, "The PIN expires at %s.\n", pin.ExpiresAt.UTC().Format(time.RFC3339))
	}
}

// openBrowser opens url with $BROWSER (a command, possibly with arguments) or the system's
// opener. It does not wait for the browser.
func openBrowser(getenv func(string) string, url string) error {
	argv := strings.Fields(getenv("BROWSER"))
	if len(argv) == 0 {
		switch runtime.GOOS {
		case "darwin":
			argv = []string{"open"}
		case "windows":
			argv = []string{"rundll32", "url.dll,FileProtocolHandler"}
		default:
			argv = []string{"xdg-open"}
		}
	}
	cmd := exec.Command(argv[0], append(argv[1:], url)...)
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// printLogin reports the new login: who, until when, which device.
func printLogin(ctx context.Context, f *Factory, c *plextv.Client, dev *devicekey.Device, tok *auth.Token) error {
	me, err := c.Users.Me(ctx, tok.Value)
	if err != nil {
		// The token is saved and verified; only the account's details are missing.
		fmt.Fprintf(f.IO.ErrOut, "warning: logged in, but the account could not be read: %v\n", err)
	}
	if f.JSON {
		type user struct {
			ID       int64  `json:"id"`
			UUID     string `json:"uuid"`
			Username string `json:"username"`
			Email    string `json:"email"`
		}
		out := struct {
			User             *user     `json:"user"`
			ExpiresAt        time.Time `json:"expiresAt"`
			ClientIdentifier string    `json:"clientIdentifier"`
		}{ExpiresAt: tok.Expiry.UTC(), ClientIdentifier: dev.ClientIdentifier}
		if me != nil {
			out.User = &user{me.ID, me.UUID, me.Username, me.Email}
		}
		return printJSON(f.IO, out)
	}
	who := "plex.tv"
	if me != nil {
		who = me.Username
		if me.Email != "" {
			who += " (" + me.Email + ")"
		}
	}
	_, err = fmt.Fprintf(f.IO.Out, "Logged in as %s. The token expires %s; `plexkit token` refreshes it.\n", who, relative(f.Now(), tok.Expiry))
	return err
}
