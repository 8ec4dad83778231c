package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newDoctorCmd) }

// doctorOptions are the flags of plexkit doctor.
type doctorOptions struct {
	server, endpoint, method string
	token, deviceJWT         string
	pin                      int64
	probeTimeout             time.Duration
}

func newDoctorCmd(f *Factory) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Explain why a call to a server is refused, and what to do",
		Long: `Run the checks that decide whether a call to a Plex Media Server is accepted, in order, and
print each as passed (✓), failed (✗, with the cause and the fix), a warning (!) or skipped (–):

  the token's kind (Plex JWT or legacy); that it decodes; its signature against plex.tv's keys;
  its expiry; that it is bound to this device (thumbprint = the device key's kid); that plex.tv
  accepts it (/api/v2/user); that the device is still registered; that the server is among the
  account's resources, owned or shared; which token to present to it; which of its connections
  answer; whether it accepts the account's token or only its own; the role the call needs (from
  the official API spec) against the account's role on that server; then the call itself.

Without --token it diagnoses this installation's own login; with --token, the token your
program sent (--token - reads it from stdin, which keeps it out of your shell history). --device-jwt inspects a device JWT your
program signed (its kid, scopes, claims); --pin asks whether a PIN was approved.

Only GET and HEAD calls are made; other methods are judged by role. Exits 1 when the call
would be refused, 0 when everything passes.`,
		Example: `  plexkit doctor
  plexkit doctor --server alice-nas --endpoint /status/sessions
  plexkit doctor --server http://192.168.1.10:32400 --token "$TOKEN" --json
  plexkit doctor --device-jwt "$DEVICE_JWT" --pin 1272322473`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd.Context(), f, o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.server, "server", "", serverFlagHelp)
	fl.StringVar(&o.endpoint, "endpoint", doctor.DefaultPath, `the call to diagnose: a path, or "METHOD PATH"`)
	fl.StringVar(&o.method, "method", "", "the HTTP method of the call (default GET)")
	fl.StringVar(&o.token, "token", "", "diagnose this token (a Plex JWT or legacy token; - reads stdin) instead of this installation's")
	fl.StringVar(&o.deviceJWT, "device-jwt", "", "also inspect this device JWT (kid, signature, scopes, claims)")
	fl.Int64Var(&o.pin, "pin", 0, "also ask plex.tv whether the PIN with this id was approved")
	fl.DurationVar(&o.probeTimeout, "probe-timeout", 5*time.Second, "how long to wait for each of the server's connections to answer")
	return cmd
}

func runDoctor(ctx context.Context, f *Factory, o doctorOptions) error {
	method, path, err := parseEndpoint(o.method, o.endpoint)
	if err != nil {
		return err
	}
	if o.probeTimeout <= 0 {
		return usageErrorf("--probe-timeout must be positive, got %s", o.probeTimeout)
	}
	server, _ := f.serverSel(o.server)
	in := doctor.Input{Server: server, Method: method, Path: path, PinID: o.pin, ProbeTimeout: o.probeTimeout, HTTPClient: f.httpClient()}
	if o.deviceJWT != "" {
		if in.DeviceJWT, err = tokenArg(f, o.deviceJWT); err != nil {
			return err
		}
	}
	if o.token != "" {
		if in.Token, err = tokenArg(f, o.token); err != nil {
			return err
		}
		in.Pasted = true
	}

	dir := f.ConfigDir
	if dir != "" {
		in.Device, err = devicekey.LoadDevice(dir)
		switch {
		case errors.Is(err, devicekey.ErrNoDevice):
			in.Device = nil
		case err != nil:
			fmt.Fprintf(f.IO.ErrOut, "Warning: the device key in %s cannot be used (%v); the checks that need it are skipped.\n", dir, err)
			in.Device = nil
		}
	}
	if in.PlexTV, err = doctorClient(f, in.Device); err != nil {
		return err
	}
	if !in.Pasted && in.Device != nil {
		in.Token = storedToken(ctx, f, in.PlexTV, in.Device, dir)
	}
	if in.Server == "" && in.Token != "" && f.IO.OutTTY && f.IO.ErrTTY {
		in.Server = chooseServer(ctx, f, in.PlexTV, in.Token)
	}

	var rep *doctor.Report
	if f.JSON {
		rep = doctor.Run(ctx, in)
		err = printJSON(f.IO, rep)
	} else {
		// Each finding is printed as it is made, under a spinner that names the check running.
		sp := startSpinner(f.IO.ErrOut, f.IO.ErrTTY && f.IO.OutTTY, "checking…")
		var werr error
		in.OnCheck = func(check string) { sp.set("checking " + check + "…") }
		in.OnFinding = func(fd doctor.Finding) {
			sp.around(func() {
				if werr == nil {
					werr = doctor.WriteFinding(f.IO.Out, fd, !f.IO.OutTTY)
				}
			})
		}
		rep = doctor.Run(ctx, in)
		sp.stop()
		err = werr
		if err == nil {
			_, err = fmt.Fprintln(f.IO.Out, rep.Summary())
		}
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// parseEndpoint reads --endpoint ("PATH" or "METHOD PATH") and --method.
func parseEndpoint(method, endpoint string) (string, string, error) {
	endpoint = strings.TrimSpace(endpoint)
	from := "--method " + method
	if m, p, ok := strings.Cut(endpoint, " "); ok {
		if method != "" && !strings.EqualFold(method, m) {
			return "", "", usageErrorf("--method %s and --endpoint %q name different methods", method, endpoint)
		}
		from = fmt.Sprintf("--endpoint %q", endpoint)
		method, endpoint = m, strings.TrimSpace(p)
	}
	method = strings.ToUpper(strings.TrimSpace(method))
	if method == "" {
		method = http.MethodGet
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
	default:
		return "", "", usageErrorf("%s: %s is not an HTTP method of the PMS API (GET, HEAD, POST, PUT, DELETE, PATCH)", from, method)
	}
	if !strings.HasPrefix(endpoint, "/") {
		return "", "", usageErrorf("--endpoint %q must be a path starting with /, e.g. /status/sessions", endpoint)
	}
	return method, endpoint, nil
}

// doctorClient returns a plex.tv client that identifies as dev, or, without a device, as a
// one-off installation: the doctor only reads from plex.tv and registers nothing.
func doctorClient(f *Factory, dev *devicekey.Device) (*plextv.Client, error) {
	if dev == nil {
		id, err := devicekey.NewClientIdentifier()
		if err != nil {
			return nil, err
		}
		dev = &devicekey.Device{ClientIdentifier: id}
	}
	return plexTVClient(f, dev)
}

// storedToken is the token this installation would send: the saved one, refreshed when due
// the way every command refreshes it. When the refresh fails, the saved token is diagnosed as
// it is, since that is what was refused.
func storedToken(ctx context.Context, f *Factory, c *plextv.Client, dev *devicekey.Device, dir string) string {
	store := &auth.FileStore{Dir: dir}
	saved, err := store.Load(ctx)
	if err != nil {
		if !errors.Is(err, auth.ErrNoToken) && !errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(f.IO.ErrOut, "Warning: the saved token cannot be read (%v).\n", err)
		}
		return ""
	}
	scopes, err := loadScopes(dir)
	if err != nil {
		return saved.Value
	}
	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{Scopes: scopes})
	if err != nil {
		return saved.Value
	}
	tok, err := src.Token(ctx)
	if err != nil {
		return saved.Value
	}
	return tok.Value
}

// chooseServer asks the person at the terminal which server to diagnose when the account has
// several. When the servers cannot be listed it returns "" and the doctor says why.
func chooseServer(ctx context.Context, f *Factory, c *plextv.Client, token string) string {
	src := auth.StaticTokenSource(&auth.Token{Value: token, Kind: auth.KindPlexJWT})
	servers, err := c.WithTokenSource(src).Resources.Servers(ctx)
	if err != nil || len(servers) < 2 {
		return ""
	}
	s, err := askServer(f, servers)
	if err != nil {
		return ""
	}
	return s.res.ClientIdentifier
}
