package cli

import (
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func newItemMatchCmd(f *Factory, sel *string) *cobra.Command {
	var o pms.MatchOptions
	var guid string
	cmd := &cobra.Command{
		Use:   "match RATINGKEY",
		Short: "List what an item could be matched to, or with --guid match it (admin)",
		Long: `List what the item's agent could match it to (GET /library/metadata/{key}/matches), best first,
as Plex Web's "Fix Match" does: without --title and --year the agent searches for the item's own
title and year. With --guid, match the item to that result (PUT /library/metadata/{key}/match),
then show the item as matched. Only the server's owner may match items.`,
		Example: `  plexkit item match 1000000007
  plexkit item match 1000000007 --title "A Different Film" --year 1971
  plexkit item match 1000000007 --guid plex://movie/5d776b59ad5437001f79c6f8`,
		Args: exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Year < 0 {
				return usageErrorf("--year must be a year, got %d", o.Year)
			}
			key := args[0]
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, *sel)
			if err != nil {
				return err
			}
			results, err := c.Metadata.Matches(ctx, key, o)
			if err != nil {
				return itemError(s, http.MethodGet, "/library/metadata/"+key+"/matches", key, err)
			}
			if guid == "" {
				return printList(f, results, []string{"SCORE", "NAME", "YEAR", "GUID"}, func(r pms.SearchResult) []string {
					return []string{strconv.FormatInt(int64(r.Score), 10), r.Name, yearText(r.Year), r.GUID}
				})
			}
			// The name and year go with the guid, as Plex Web sends them: the search result's
			// when it is among those listed, else the server's own for the guid.
			var name string
			var year int
			for _, r := range results {
				if r.GUID == guid {
					name, year = r.Name, int(r.Year)
					break
				}
			}
			if err := c.Metadata.Match(ctx, key, guid, name, year); err != nil {
				return itemError(s, http.MethodPut, "/library/metadata/"+key+"/match", key, err)
			}
			return printMatched(cmd, f, s, c, key)
		},
	}
	cmd.Flags().StringVar(&o.Title, "title", "", "search for this title (default: the item's own)")
	cmd.Flags().IntVar(&o.Year, "year", 0, "search for this year (default: the item's own)")
	cmd.Flags().StringVar(&o.Agent, "agent", "", "search with this agent, e.g. tv.plex.agents.movie (default: the section's)")
	cmd.Flags().StringVar(&o.Language, "language", "", "search in this language, e.g. en-US (default: the section's)")
	cmd.Flags().StringVar(&guid, "guid", "", "match the item to this result's GUID")
	return cmd
}

func newItemUnmatchCmd(f *Factory, sel *string) *cobra.Command {
	return &cobra.Command{
		Use:   "unmatch RATINGKEY",
		Short: "Remove an item's match (admin)",
		Long: `Remove the item's match (PUT /library/metadata/{key}/unmatch): its guid becomes a local://
one and its external ids go, until it is matched again (` + "`plexkit item match`" + `). Only the
server's owner may unmatch items.`,
		Example: `  plexkit item unmatch 1000000007`,
		Args:    exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, *sel)
			if err != nil {
				return err
			}
			if err := c.Metadata.Unmatch(ctx, key); err != nil {
				return itemError(s, http.MethodPut, "/library/metadata/"+key+"/unmatch", key, err)
			}
			return printMatched(cmd, f, s, c, key)
		},
	}
}

// printMatched reads the item back after a match or unmatch and prints what it now is.
func printMatched(cmd *cobra.Command, f *Factory, s *server, c *pms.Client, key string) error {
	it, err := getItem(cmd.Context(), s, c, key)
	if err != nil {
		return err
	}
	return printList(f, []pms.Item{*it}, []string{"RATING KEY", "TYPE", "YEAR", "TITLE", "GUID"}, func(it pms.Item) []string {
		return append(itemRow(&it), it.GUID)
	})
}

// yearText is a year, or "" when unknown.
func yearText(y pms.FlexInt) string {
	if y <= 0 {
		return ""
	}
	return strconv.FormatInt(int64(y), 10)
}
