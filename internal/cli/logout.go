package cli

import (
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
stop working everywhere.`,
		Example: `  plexkit logout
  plexkit logout --forget-key`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.RequireConfigDir()
			if err != nil {
				return err
			}
			store := &auth.FileStore{Dir: dir}
			_, statErr := os.Stat(store.Path())
			hadToken := statErr == nil
			if err := store.Delete(cmd.Context()); err != nil {
				return err
			}
			if err := os.Remove(filepath.Join(dir, loginFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
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
			return nil
		},
	}
	cmd.Flags().BoolVar(&forgetKey, "forget-key", false, "also delete the device key and client identifier")
	return cmd
}
