package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newLibrariesCmd) }

func newLibrariesCmd(f *Factory) *cobra.Command {
	var sel string
	cmd := &cobra.Command{
		Use:   "libraries",
		Short: "List a server's library sections",
		Long: `List the library sections of a server (GET /library/sections) that this account sees: all of
them on a server it owns, the shared ones on a server shared with it. The KEY column is what
` + "`plexkit items`" + ` takes.`,
		Example: `  plexkit libraries
  plexkit libraries --server alice-nas --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			_, _, sections, err := listOnServer(ctx, f, sel, "/library/sections",
				func(ctx context.Context, c *pms.Client) ([]pms.Section, error) { return c.Library.Sections(ctx) })
			if err != nil {
				return err
			}
			return printList(f, sections, []string{"KEY", "TYPE", "TITLE"}, func(sec pms.Section) []string {
				return []string{string(sec.Key), sec.Type, sec.Title}
			})
		},
	}
	serverFlag(cmd, &sel)
	return cmd
}
