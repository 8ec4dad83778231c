package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newDevicesCmd) }

// deviceJSON is a device as `plexkit devices --json` prints it (never its token).
type deviceJSON struct {
	ID               int64     `json:"id"`
	Name             string    `json:"name"`
	Product          string    `json:"product"`
	ProductVersion   string    `json:"productVersion"`
	Platform         string    `json:"platform"`
	PlatformVersion  string    `json:"platformVersion"`
	ClientIdentifier string    `json:"clientIdentifier"`
	Provides         string    `json:"provides"`
	CreatedAt        time.Time `json:"createdAt"`
	LastSeenAt       time.Time `json:"lastSeenAt,omitzero"`
	Connections      []string  `json:"connections"`
	ThisDevice       bool      `json:"thisDevice"`
}

func newDevicesCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "devices",
		Short: "List the account's authorized devices; remove one with 'devices rm'",
		Long: `List the devices signed in to the account (plex.tv's Authorized Devices, GET /devices.xml):
apps, players, servers and plexkit installations, with when each was last seen. THIS marks the
device plexkit itself runs as.

With --json: [{"id", "name", "product", "productVersion", "platform", "platformVersion",
"clientIdentifier", "provides", "createdAt", "lastSeenAt", "connections", "thisDevice"}].`,
		Example: `  plexkit devices
  plexkit devices --json | jq -r '.[] | select(.thisDevice | not) | .name'
  plexkit devices rm "Old iPad"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			devices, err := acct.plexTV.Devices.List(ctx)
			if err != nil {
				return fmt.Errorf("list the account's devices: %w", sessionError(err))
			}
			self := acct.dev.ClientIdentifier
			if f.JSON {
				out := make([]deviceJSON, 0, len(devices))
				for _, d := range devices {
					j := deviceJSON{ID: d.ID, Name: d.Name, Product: d.Product, ProductVersion: d.ProductVersion, Platform: d.Platform,
						PlatformVersion: d.PlatformVersion, ClientIdentifier: d.ClientIdentifier, Provides: d.Provides,
						CreatedAt: time.Unix(d.CreatedAt, 0).UTC(), LastSeenAt: d.LastSeen(), Connections: []string{}, ThisDevice: d.ClientIdentifier == self}
					for _, c := range d.Connections {
						j.Connections = append(j.Connections, c.URI)
					}
					out = append(out, j)
				}
				return printJSON(f.IO, out)
			}
			return printList(f, devices, []string{"ID", "NAME", "PRODUCT", "PLATFORM", "LAST SEEN", "CLIENT IDENTIFIER", "THIS"},
				func(d plextv.Device) []string {
					seen := "never"
					if t := d.LastSeen(); !t.IsZero() {
						seen = t.Format(time.RFC3339)
					}
					this := ""
					if d.ClientIdentifier == self {
						this = "yes"
					}
					return []string{strconv.FormatInt(d.ID, 10), d.Name, strings.TrimSpace(d.Product + " " + d.ProductVersion), d.Platform, seen, d.ClientIdentifier, this}
				})
		},
	}
	cmd.AddCommand(newDevicesRmCmd(f))
	return cmd
}

func newDevicesRmCmd(f *Factory) *cobra.Command {
	var thisDevice bool
	cmd := &cobra.Command{
		Use:   "rm DEVICE",
		Short: "Remove a device from the account: its tokens stop working",
		Long: `Remove a device from the account's Authorized Devices (DELETE /devices/{id}.xml). Its tokens stop
working at once and it can no longer refresh them: the app on that device must sign in again.
DEVICE is the device's id, its client identifier, or its name when no other device has it.

Removing the device plexkit runs as (THIS in 'plexkit devices') is refused unless --this-device
confirms it: plexkit then stops working here until you run 'plexkit login' again.`,
		Example: `  plexkit devices rm 200002
  plexkit devices rm "Old iPad"
  plexkit devices rm --this-device "$(plexkit key show --json | jq -r .clientIdentifier)"`,
		Args: exactArgs(1, "DEVICE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			devices, err := acct.plexTV.Devices.List(ctx)
			if err != nil {
				return fmt.Errorf("list the account's devices: %w", sessionError(err))
			}
			d, err := matchDevice(devices, args[0])
			if err != nil {
				return err
			}
			err = acct.plexTV.Devices.Remove(ctx, d.ID, plextv.RemoveOptions{ThisDevice: thisDevice})
			if errors.Is(err, plextv.ErrThisDevice) {
				return usageErrorf("%q (id %d) is the device plexkit runs as here: removing it revokes this installation's key and tokens, so plexkit stops working until you run `plexkit login` again; add --this-device to remove it anyway", d.Name, d.ID)
			}
			if err != nil {
				return fmt.Errorf("remove device %q: %w", d.Name, sessionError(err))
			}
			self := d.ClientIdentifier == acct.dev.ClientIdentifier
			if f.JSON {
				return printJSON(f.IO, struct {
					Removed    int64 `json:"removed"`
					ThisDevice bool  `json:"thisDevice"`
				}{d.ID, self})
			}
			fmt.Fprintf(f.IO.ErrOut, "Removed %q (id %d) from the account's devices.\n", d.Name, d.ID)
			if self {
				fmt.Fprintln(f.IO.ErrOut, "That was this installation: run `plexkit login` to use plexkit here again.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&thisDevice, "this-device", false, "confirm the removal of the device plexkit runs as")
	return cmd
}

// matchDevice finds the device sel names: by id, client identifier, or a name no other device
// has.
func matchDevice(devices []plextv.Device, sel string) (*plextv.Device, error) {
	sel = strings.TrimSpace(sel)
	var byName []*plextv.Device
	for i := range devices {
		d := &devices[i]
		if strconv.FormatInt(d.ID, 10) == sel || d.ClientIdentifier == sel {
			return d, nil
		}
		if strings.EqualFold(d.Name, sel) {
			byName = append(byName, d)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return nil, fmt.Errorf("the account has no device %q: name it by id, client identifier or name (see `plexkit devices`)", sel)
	}
	ids := make([]string, len(byName))
	for i, d := range byName {
		ids[i] = strconv.FormatInt(d.ID, 10)
	}
	return nil, usageErrorf("%d devices are named %q: choose one by id (%s)", len(byName), sel, strings.Join(ids, ", "))
}
