package cli

import (
	"net/http"

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
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			sections, err := c.Library.Sections(ctx)
			if err != nil {
				return s.refused(http.MethodGet, "/library/sections", err)
			}
			if f.JSON {
				if sections == nil {
					sections = []pms.Section{}
				}
				return printJSON(f.IO, sections)
			}
			t := newTable(f.IO)
			t.addRow("KEY", "TYPE", "TITLE")
			for _, sec := range sections {
				t.addRow(string(sec.Key), sec.Type, sec.Title)
			}
			return t.render()
		},
	}
	serverFlag(cmd, &sel)
	return cmd
}
