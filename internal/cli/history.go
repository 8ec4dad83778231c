package cli

import (
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newHistoryCmd) }

func newHistoryCmd(f *Factory) *cobra.Command {
	var sel string
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List what has been played on a server, newest first",
		Long: `List the play history of a server (GET /status/sessions/history/all), newest first, fetched a
page at a time. The server's owner (admin) sees every account's plays; a shared user sees
their own.`,
		Example: `  plexkit history --limit 10
  plexkit history --server alice-nas --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit must be 0 (all) or more, got %d", limit)
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			out := newStream(f, "VIEWED", "ACCOUNT", "TYPE", "TITLE")
			for h, err := range c.History.List(ctx, pms.HistoryOptions{Sort: "viewedAt:desc", Limit: limit}) {
				if err != nil {
					out.abort()
					return s.refused(http.MethodGet, "/status/sessions/history/all", err)
				}
				title := h.Title
				if h.GrandparentTitle != "" {
					title = h.GrandparentTitle + " – " + h.Title
				}
				viewed := ""
				if h.ViewedAt > 0 {
					viewed = h.Viewed().UTC().Format(time.RFC3339)
				}
				if err := out.add(h, viewed, strconv.FormatInt(int64(h.AccountID), 10), h.Type, title); err != nil {
					return err
				}
			}
			return out.close()
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N plays (0: all)")
	return cmd
}
