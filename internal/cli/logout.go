package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
)

func init() { register(newLogoutCmd) }

func newLogoutCmd(f *Factory) *cobra.Command {
	var forgetKey bool
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Delete the saved token (and, with --forget-key, the device key)",
		Long: `Delete the saved Plex JWT from the config directory. The device key and client identifier stay,
so 'plexkit login' later registers this same installation again.

--forget-key also deletes the device key and client identifier: plexkit forgets this
installation entirely. plex.tv keeps listing the device under Authorized Devices until you remove
it there (https://app.plex.tv/desktop/#!/settings/devices/all); that is what makes its tokens
stop working everywhere.

With --profile NAME it forgets that profile (see 'plexkit home switch') and leaves the
installation's own login alone.`,
		Example: `  plexkit logout
  plexkit logout --forget-key
  plexkit logout --json        # {"deletedToken": true, "deletedKey": false}`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.RequireConfigDir()
			if err != nil {
				return err
			}
			if name := f.profile(); name != "" {
				return forgetProfile(f, dir, name, forgetKey)
			}
			hadToken, err := deleteToken(cmd.Context(), dir)
			if err != nil {
				return err
			}
			hadKey := false
			if forgetKey {
				err := devicekey.RemoveDevice(dir)
				if err != nil && !errors.Is(err, devicekey.ErrNoDevice) {
					return err
				}
				hadKey = err == nil
			}
			switch {
			case hadToken && hadKey:
				fmt.Fprintf(f.IO.ErrOut, "Logged out: deleted the token and the device key from %s.\n", dir)
			case hadToken:
				fmt.Fprintf(f.IO.ErrOut, "Logged out: deleted the token from %s.\n", dir)
			case hadKey:
				fmt.Fprintf(f.IO.ErrOut, "Not logged in; deleted the device key from %s.\n", dir)
			default:
				fmt.Fprintf(f.IO.ErrOut, "Not logged in: no token in %s.\n", dir)
			}
			if hadKey {
				fmt.Fprintln(f.IO.ErrOut, "plex.tv still lists this device under Authorized Devices until you remove it there.")
			}
			if f.JSON {
				return printJSON(f.IO, logoutResult{DeletedToken: hadToken, DeletedKey: hadKey})
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&forgetKey, "forget-key", false, "also delete the device key and client identifier")
	return cmd
}

// logoutResult is what logout prints with --json.
type logoutResult struct {
	DeletedToken bool `json:"deletedToken"`
	DeletedKey   bool `json:"deletedKey"`
}

// deleteToken deletes the saved token and the login record under the token store's lock, so that
// a refresh running in another process (which holds the lock while it saves) cannot save a token
// again after the logout. It reports whether there was a token.
func deleteToken(ctx context.Context, dir string) (bool, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return false, nil // nothing saved, and locking would create the directory
	}
	store := &auth.FileStore{Dir: dir}
	unlock, err := store.Lock(ctx)
	if err != nil {
		return false, err
	}
	defer unlock()
	_, statErr := os.Stat(store.Path())
	hadToken := statErr == nil
	if err := store.Delete(ctx); err != nil {
		return false, err
	}
	if err := os.Remove(filepath.Join(dir, loginFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	return hadToken, nil
}
