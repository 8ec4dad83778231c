package cli

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newSearchCmd) }

// searchResult is one found item with the hub it was found in.
type searchResult struct {
	Hub string `json:"hub"`
	pms.Item
}

func newSearchCmd(f *Factory) *cobra.Command {
	var sel string
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Search a server's libraries",
		Long: `Search the libraries this account sees on a server (GET /hubs/search) and list what is found,
grouped by kind (movies, shows, episodes, …). --limit caps the results per kind.`,
		Example: `  plexkit search river
  plexkit search "golden river" --limit 5 --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("%q takes a QUERY", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit must be 0 (the server's default) or more, got %d", limit)
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			hubs, err := c.Search.Hubs(ctx, strings.Join(args, " "), limit)
			if err != nil {
				return s.refused(http.MethodGet, "/hubs/search", err)
			}
			var found []searchResult
			for _, h := range hubs {
				for _, it := range h.Items {
					found = append(found, searchResult{Hub: h.Title, Item: it})
				}
			}
			return printList(f, found, []string{"KIND", "RATING KEY", "YEAR", "TITLE"}, func(r searchResult) []string {
				year := ""
				if r.Year > 0 {
					year = strconv.FormatInt(int64(r.Year), 10)
				}
				return []string{r.Type, string(r.RatingKey), year, r.DisplayTitle()}
			})
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().IntVar(&limit, "limit", 0, "at most N results per kind (0: the server's default)")
	return cmd
}
