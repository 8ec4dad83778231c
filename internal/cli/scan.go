package cli

import (
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newScanCmd) }

// scanResult is what plexkit scan --json prints.
type scanResult struct {
	Server  string `json:"server"`
	Section string `json:"section"`
	Path    string `json:"path,omitempty"`
	Force   bool   `json:"force"`
	Action  string `json:"action"` // scan or cancel
}

func newScanCmd(f *Factory) *cobra.Command {
	var sel, path string
	var force, cancel bool
	cmd := &cobra.Command{
		Use:   "scan SECTION",
		Short: "Scan a library section, or one folder of it, for new files (admin)",
		Long: `Ask the server to scan a library section for new, changed and removed files (POST
/library/sections/{key}/refresh): all of it, or with --path one folder as the server sees it —
what an autoscan tool does after a download lands. The scan runs in the background; --cancel
stops it. SECTION is a section key or title. Only the server's owner may scan.`,
		Example: `  plexkit scan Movies
  plexkit scan 1 --path "/data/Movies/Alien (1979)"
  plexkit scan "TV Shows" --force
  plexkit scan Movies --cancel`,
		Args: exactArgs(1, "SECTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cancel && (path != "" || force) {
				return usageErrorf("--cancel stops a scan: it takes neither --path nor --force")
			}
			ctx := cmd.Context()
			s, c, key, err := openSection(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			res := scanResult{Server: s.res.Name, Section: key, Path: path, Force: force, Action: "scan"}
			method := http.MethodPost
			if cancel {
				res.Action, method = "cancel", http.MethodDelete
				err = c.Library.CancelRefresh(ctx, key)
			} else {
				err = c.Library.Refresh(ctx, key, pms.RefreshOptions{Path: path, Force: force})
			}
			if err != nil {
				return s.refused(method, "/library/sections/"+key+"/refresh", err)
			}
			if f.JSON {
				return printJSON(f.IO, res)
			}
			switch {
			case cancel:
				_, err = fmt.Fprintf(f.IO.Out, "Stopped the scan of section %s on %s.\n", key, s.res.Name)
			case path != "":
				_, err = fmt.Fprintf(f.IO.Out, "Scanning %s of section %s on %s.\n", path, key, s.res.Name)
			default:
				_, err = fmt.Fprintf(f.IO.Out, "Scanning section %s on %s.\n", key, s.res.Name)
			}
			return err
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().StringVar(&path, "path", "", "scan only this folder (as the server sees it)")
	cmd.Flags().BoolVar(&force, "force", false, "read metadata again even for unchanged files")
	cmd.Flags().BoolVar(&cancel, "cancel", false, "stop a running scan of the section")
	return cmd
}
