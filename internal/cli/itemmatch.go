package cli

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func newItemMatchCmd(f *Factory, sel *string) *cobra.Command {
	var o pms.MatchOptions
	var guid string
	var force bool
	cmd := &cobra.Command{
		Use:   "match RATINGKEY",
		Short: "List what an item could be matched to, or with --guid match it (admin)",
		Long: `List what the item's agent could match it to (GET /library/metadata/{key}/matches), best first,
as Plex Web's "Fix Match" does: without --title and --year the agent searches for the item's own
title and year. With --guid, match the item to that result (PUT /library/metadata/{key}/match),
then show the item as matched. The guid must be one of the results listed (of the --title and
--year given, else of the item's own search); --force applies a guid that is not, as it is.
Only the server's owner may match items.`,
		Example: `  plexkit item match 1000000007
  plexkit item match 1000000007 --title "The Frozen River" --year 2011
  plexkit item match 1000000007 --guid plex://movie/0000000004e2c80d0faf0a7a`,
		Args: exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Year < 0 {
				return usageErrorf("--year must be a year, got %d", o.Year)
			}
			if force && guid == "" {
				return usageErrorf("--force applies a --guid: give one")
			}
			key := args[0]
			what := "listing the matches of item " + key
			if guid != "" {
				what = "matching item " + key
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, *sel)
			if err != nil {
				return err
			}
			results, err := c.Metadata.Matches(ctx, key, o)
			if err != nil {
				return itemErrorTo(s, what, http.MethodGet, "/library/metadata/"+key+"/matches", key, err)
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
			found := false
			for _, r := range results {
				if r.GUID == guid {
					name, year, found = r.Name, int(r.Year), true
					break
				}
			}
			if !found && !force {
				return usageErrorf("%q is not among the matches of item %s%s; list them with `%s`, or add --force to apply it anyway",
					guid, key, searchedFor(o), matchCommand(key, o))
			}
			if err := c.Metadata.Match(ctx, key, guid, name, year); err != nil {
				return itemErrorTo(s, what, http.MethodPut, "/library/metadata/"+key+"/match", key, err)
			}
			return printMatched(cmd, f, s, c, key)
		},
	}
	cmd.Flags().StringVar(&o.Title, "title", "", "search for this title (default: the item's own)")
	cmd.Flags().IntVar(&o.Year, "year", 0, "search for this year (default: the item's own)")
	cmd.Flags().StringVar(&o.Agent, "agent", "", "search with this agent, e.g. tv.plex.agents.movie (default: the section's)")
	cmd.Flags().StringVar(&o.Language, "language", "", "search in this language, e.g. en-US (default: the section's)")
	cmd.Flags().StringVar(&guid, "guid", "", "match the item to this result's GUID")
	cmd.Flags().BoolVar(&force, "force", false, "apply --guid even when it is not among the results")
	return cmd
}

// searchedFor says the search the matches came from, when it was not the item's own:
// ` for "Title" (1999)`.
func searchedFor(o pms.MatchOptions) string {
	s := ""
	if o.Title != "" {
		s = fmt.Sprintf(" for %q", o.Title)
	}
	if o.Year > 0 {
		if s == "" {
			s = " for"
		}
		s += fmt.Sprintf(" (%d)", o.Year)
	}
	return s
}

// matchCommand is the command that lists the matches the search o finds for item key.
func matchCommand(key string, o pms.MatchOptions) string {
	args := []string{"plexkit", "item", "match", key}
	if o.Title != "" {
		args = append(args, "--title", strconv.Quote(o.Title))
	}
	if o.Year > 0 {
		args = append(args, "--year", strconv.Itoa(o.Year))
	}
	if o.Agent != "" {
		args = append(args, "--agent", o.Agent)
	}
	if o.Language != "" {
		args = append(args, "--language", o.Language)
	}
	return strings.Join(args, " ")
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
				return itemErrorTo(s, "unmatching item "+key, http.MethodPut, "/library/metadata/"+key+"/unmatch", key, err)
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
