package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/internal/atomicfile"
	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newTokenCmd) }

// loginFile records, beside the device and the token, the scopes the login asked for, so that
// every refresh asks for the same claims.
const loginFile = "login.json"

// defaultScopes are the claims a login asks for unless --scopes says otherwise: enough for
// whoami and for a person to recognise the token.
var defaultScopes = []string{"username", "email", "friendly_name"}

type loginRecord struct {
	Scopes []string `json:"scopes"`
}

func saveLoginRecord(dir string, rec loginRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, loginFile), append(b, '\n'), atomicfile.FilePerm, false)
}

// loadScopes returns the scopes of the last login, or the defaults when none was recorded.
func loadScopes(dir string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, loginFile))
	if errors.Is(err, fs.ErrNotExist) {
		return defaultScopes, nil
	}
	if err != nil {
		return nil, err
	}
	var rec loginRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s is not a plexkit login record (%v): log in again", filepath.Join(dir, loginFile), err)
	}
	if err := devicekey.ValidateScopes(rec.Scopes); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, loginFile), err)
	}
	return rec.Scopes, nil
}

// plexTVClient returns a plex.tv client (at --plextv) that identifies itself as dev.
// keysFile is where the config directory keeps plex.tv's key set (see plextv.KeyFile).
const keysFile = "plextv-keys.json"

func plexTVClient(f *Factory, dev *devicekey.Device) (*plextv.Client, error) {
	opts := []plextv.Option{
		plextv.WithBaseURL(f.PlexTVURL),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
	}
	if f.ConfigDir != "" {
		// plex.tv's key set is kept between runs: a refresh in a new process is then a nonce and
		// an exchange, and a saved token is checked without a request.
		opts = append(opts, plextv.WithVerifierOptions(plextv.VerifierOptions{
			Store: &plextv.KeyFile{Path: filepath.Join(f.ConfigDir, keysFile), URL: f.PlexTVURL},
		}))
	}
	c, err := plextv.NewClient(opts...)
	var oe *plextv.OptionError
	if errors.As(err, &oe) && oe.Option == "WithBaseURL" {
		return nil, usageErrorf("--plextv: %s", oe.Reason)
	}
	return c, err
}

// session is what the commands of a logged-in installation share: its device, a plex.tv client
// for it, the token store, and the source that keeps the token fresh (refreshing it a day
// before it expires, once across processes, and saving it).
type session struct {
	dir    string
	dev    *devicekey.Device
	client *plextv.Client
	store  *auth.FileStore
	src    *auth.CachedSource
}

// openSession loads the installation's device and saved token. Without either it returns an
// error that says to run `plexkit login`.
func openSession(ctx context.Context, f *Factory) (*session, error) {
	dir, err := f.RequireConfigDir()
	if err != nil {
		return nil, err
	}
	dev, err := devicekey.LoadDevice(dir)
	if errors.Is(err, devicekey.ErrNoDevice) {
		return nil, fmt.Errorf("not logged in (no device key in %s): run `plexkit login`", dir)
	}
	if err != nil {
		return nil, err
	}
	if name := f.profile(); name != "" {
		return openProfileSession(f, dir, dev, name)
	}
	store := &auth.FileStore{Dir: dir}
	// Without a saved token the device key alone could still be refreshed, but a person who
	// logged out expects to be logged out.
	if _, err := os.Stat(store.Path()); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("not logged in (no token in %s): run `plexkit login`", dir)
	}
	scopes, err := loadScopes(dir)
	if err != nil {
		return nil, err
	}
	c, err := plexTVClient(f, dev)
	if err != nil {
		return nil, err
	}
	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{Scopes: scopes})
	if err != nil {
		return nil, err
	}
	return &session{dir: dir, dev: dev, client: c, store: store, src: src}, nil
}

// sessionError adds what to do to the errors that only a new login fixes.
func sessionError(err error) error {
	if errors.Is(err, plexkit.ErrDeviceRevoked) || errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, auth.ErrNoToken) {
		return fmt.Errorf("%w; run `plexkit login`", err)
	}
	return err
}

func newTokenCmd(f *Factory) *cobra.Command {
	var refresh bool
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print a valid Plex JWT for scripts, refreshing it when due",
		Long: `Print the saved Plex JWT — only the token and a newline on stdout — after refreshing it if less
than a day of its 7 days remains (a nonce and one exchange with plex.tv; the new token is saved,
and two plexkit processes never refresh at once). --refresh forces a refresh.

Use it in scripts as: curl -H "X-Plex-Token: $(plexkit token)" …
With --json: {"token", "expiresAt", "clientIdentifier"}. Without a login, exits 1.`,
		Example: `  plexkit token
  plexkit token --refresh
  curl -H "X-Plex-Token: $(plexkit token)" -H 'Accept: application/json' https://clients.plex.tv/api/v2/user`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := openSession(ctx, f)
			if err != nil {
				return sessionError(err)
			}
			var tok *auth.Token
			if refresh {
				tok, err = s.src.Refresh(ctx)
			} else {
				tok, err = s.src.Token(ctx)
			}
			if err != nil {
				return sessionError(err)
			}
			if f.JSON {
				return printJSON(f.IO, struct {
					Token            string    `json:"token"`
					ExpiresAt        time.Time `json:"expiresAt"`
					ClientIdentifier string    `json:"clientIdentifier"`
				}{tok.Value, tok.Expiry.UTC(), s.dev.ClientIdentifier})
			}
			_, err = fmt.Fprintln(f.IO.Out, tok.Value)
			return err
		},
	}
	cmd.Flags().BoolVar(&refresh, "refresh", false, "refresh the token now, whatever its expiry")
	return cmd
}
