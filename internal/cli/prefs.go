package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newPrefsCmd) }

func newPrefsCmd(f *Factory) *cobra.Command {
	var sel string
	var all bool
	cmd := groupCmd("prefs", "Read and change a server's settings (admin)",
		`Read a server's settings (GET /:/prefs), or change one (PUT /:/prefs). A value is checked
against the setting's type (bool, int, double, text) and its allowed values before it is sent.
Only the server's owner may change settings.`)
	cmd.Example = `  plexkit prefs get
  plexkit prefs get FriendlyName
  plexkit prefs set FriendlyName "Living room NAS"
  plexkit prefs set TranscoderQuality 2`
	groupServerFlag(cmd, &sel)

	getCmd := &cobra.Command{
		Use:   "get [ID]",
		Short: "Print one setting, or list them (hidden ones with --all)",
		Example: `  plexkit prefs get
  plexkit prefs get FriendlyName --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("%q takes at most one setting ID, got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, _, settings, err := listOnServer(ctx, f, sel, "/:/prefs",
				func(ctx context.Context, c *pms.Client) ([]pms.Setting, error) { return c.Prefs.List(ctx) })
			if err != nil {
				return err
			}
			if len(args) == 1 {
				for _, st := range settings {
					if st.ID == args[0] {
						if f.JSON {
							return printJSON(f.IO, st)
						}
						_, err := fmt.Fprintln(f.IO.Out, st.Value)
						return err
					}
				}
				return usageErrorf("%s has no setting %q (see `plexkit prefs get --all`)", s.res.Name, args[0])
			}
			shown := settings[:0:0]
			for _, st := range settings {
				if all || !bool(st.Hidden) {
					shown = append(shown, st)
				}
			}
			return printList(f, shown, []string{"ID", "TYPE", "VALUE", "LABEL"}, func(st pms.Setting) []string {
				return []string{st.ID, st.Type, string(st.Value), st.Label}
			})
		},
	}
	getCmd.Flags().BoolVar(&all, "all", false, "also list hidden settings")

	setCmd := &cobra.Command{
		Use:   "set ID VALUE",
		Short: "Change a setting",
		Example: `  plexkit prefs set FriendlyName "Living room NAS"
  plexkit prefs set allowMediaDeletion false`,
		Args: exactArgs(2, "ID VALUE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			if err := c.Prefs.Set(ctx, args[0], args[1]); err != nil {
				if isArgumentError(err) {
					return &UsageError{Err: err}
				}
				return s.refused(http.MethodPut, "/:/prefs", err)
			}
			st, err := c.Prefs.Get(ctx, args[0])
			if err != nil {
				return s.refused(http.MethodGet, "/:/prefs", err)
			}
			if f.JSON {
				return printJSON(f.IO, st)
			}
			_, err = fmt.Fprintf(f.IO.Out, "%s = %s on %s\n", st.ID, strconv.Quote(string(st.Value)), s.res.Name)
			return err
		},
	}
	cmd.AddCommand(getCmd, setCmd)
	return cmd
}

// isArgumentError reports whether err is the client refusing an argument before asking the
// server: a usage error, not the server's refusal.
func isArgumentError(err error) bool {
	var pe *pms.PrefError
	var nf *pms.NotFoundError
	var ae *pms.ArgumentError
	var qe *pms.QueryError
	return errors.As(err, &pe) || errors.As(err, &nf) || errors.As(err, &ae) || errors.As(err, &qe)
}
