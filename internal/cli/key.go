package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/devicekey"
)

func init() { register(newKeyCmd) }

func newKeyCmd(f *Factory) *cobra.Command {
	cmd := groupCmd("key", "Manage this installation's device key",
		`Every plexkit installation has an Ed25519 device key and a client identifier, kept together in
the config directory (device.key and device.json, readable only by you). plex.tv registers the
public key (a JWK) and, from then on, issues Plex JWTs to whoever signs with the private key.`)
	cmd.Example = "  plexkit key generate\n  plexkit key show --kid"
	cmd.AddCommand(newKeyGenerateCmd(f), newKeyShowCmd(f), newKeyImportCmd(f))
	return cmd
}

func newKeyGenerateCmd(f *Factory) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Create the device key and client identifier, and print the public JWK",
		Long: `Create an Ed25519 device key and a client identifier (a UUID) in the config directory, unless
they exist, and print the public JWK. An existing key is kept and shown; --force replaces it and
the client identifier with new ones, after which plex.tv no longer knows this installation: log
in again.`,
		Example: `  plexkit key generate
  plexkit --config /tmp/pk key generate`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := f.RequireConfigDir()
			if err != nil {
				return err
			}
			var dev *devicekey.Device
			switch {
			case force:
				if dev, err = devicekey.NewDevice(); err == nil {
					err = devicekey.SaveDevice(dir, dev, true)
				}
			default:
				dev, err = devicekey.CreateDevice(dir)
				if errors.Is(err, devicekey.ErrDeviceExists) {
					if dev, err = devicekey.LoadDevice(dir); err == nil {
						fmt.Fprintf(f.IO.ErrOut, "A device key already exists in %s; it is kept (use --force to replace it).\n", dir)
					}
				}
			}
			if err != nil {
				return err
			}
			return printJWK(f, dev.Key)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing key and client identifier")
	return cmd
}

func newKeyShowCmd(f *Factory) *cobra.Command {
	var kidOnly bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print the public JWK of the device key (or only its kid)",
		Example: `  plexkit key show
  plexkit key show --kid
  plexkit key show --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dev, err := loadDevice(f)
			if err != nil {
				return err
			}
			if !kidOnly {
				return printJWK(f, dev.Key)
			}
			if f.JSON {
				return printJSON(f.IO, map[string]string{"kid": dev.Key.KID(), "clientIdentifier": dev.ClientIdentifier})
			}
			_, err = fmt.Fprintln(f.IO.Out, dev.Key.KID())
			return err
		},
	}
	cmd.Flags().BoolVar(&kidOnly, "kid", false, "print only the key id")
	return cmd
}

func newKeyImportCmd(f *Factory) *cobra.Command {
	var privPath, pubPath, kid, clientID string
	var force bool
	cmd := &cobra.Command{
		Use:   "import --private FILE --public FILE [--kid KID] [--client-id ID]",
		Short: "Import the raw Ed25519 key files python-plexapi writes",
		Long: `Import a device key from the raw 32-byte private and public key files that python-plexapi
writes. Without --kid the kid is the key's RFC 7638 thumbprint; to keep using a key that
python-plexapi already registered, pass the kid it registered (python-plexapi's is the hex
SHA-256 of the private and public key bytes) and its client identifier, since plex.tv ties the
key to both. Without --client-id a new client identifier is made.`,
		Example: `  plexkit key import --private private.key --public public.key
  plexkit key import --private private.key --public public.key --kid 3f1e… --client-id 6f1c2d3e-…`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if privPath == "" || pubPath == "" {
				return usageErrorf("both --private and --public are required")
			}
			if kid != "" {
				if err := devicekey.CheckKID(kid); err != nil {
					return &UsageError{Err: err}
				}
			}
			if cmd.Flags().Changed("client-id") {
				if err := devicekey.CheckClientIdentifier(clientID); err != nil {
					return &UsageError{Err: err}
				}
			}
			dir, err := f.RequireConfigDir()
			if err != nil {
				return err
			}
			if clientID == "" {
				if clientID, err = devicekey.NewClientIdentifier(); err != nil {
					return err
				}
			}
			key, err := devicekey.ImportFiles(privPath, pubPath, kid)
			if err != nil {
				return err
			}
			if err := devicekey.SaveDevice(dir, &devicekey.Device{Key: key, ClientIdentifier: clientID}, force); err != nil {
				if errors.Is(err, devicekey.ErrDeviceExists) {
					return fmt.Errorf("%w; pass --force to replace it (plex.tv will then no longer know the old key)", err)
				}
				return err
			}
			return printJWK(f, key)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&privPath, "private", "", "raw 32-byte Ed25519 private key (seed) file")
	fl.StringVar(&pubPath, "public", "", "raw 32-byte Ed25519 public key file")
	fl.StringVar(&kid, "kid", "", "key id the key was registered with (default: RFC 7638 thumbprint)")
	fl.StringVar(&clientID, "client-id", "", "client identifier the key was registered with (default: a new UUID)")
	fl.BoolVar(&force, "force", false, "replace an existing device key")
	return cmd
}

// loadDevice loads the device from the config directory, saying how to make one when there is
// none.
func loadDevice(f *Factory) (*devicekey.Device, error) {
	dir, err := f.RequireConfigDir()
	if err != nil {
		return nil, err
	}
	dev, err := devicekey.LoadDevice(dir)
	if errors.Is(err, devicekey.ErrNoDevice) {
		return nil, fmt.Errorf("no device key in %s: run `plexkit key generate` (or `plexkit login`) first", dir)
	}
	return dev, err
}

// printJWK prints the public JWK as one line of JSON (indented with --json).
func printJWK(f *Factory, key *devicekey.Key) error {
	if f.JSON {
		return printJSON(f.IO, key.PublicJWK())
	}
	b, err := key.MarshalPublicJWK()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(f.IO.Out, string(b))
	return err
}
