package cli

import (
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newWatchedCmd) }

func newWatchedCmd(f *Factory) *cobra.Command {
	var sel string
	var undo bool
	cmd := &cobra.Command{
		Use:   "watched ITEM...",
		Short: "Mark items watched (or, with --undo, not watched) for this account",
		Long: `Mark items played for this account (PUT /:/scrobble), or not played with --undo (PUT
/:/unscrobble), then read them back and print their play counts. ITEM is a rating key (see
` + "`plexkit items`" + `); a show or season marks all its episodes. Each account has its own
watch state: a shared user marks their own.`,
		Example: `  plexkit watched 1000000007
  plexkit watched 1000000007 1000000008 --undo --json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("%q takes one or more rating keys (ITEM)", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			op, mark := "/:/scrobble", c.Watch.MarkWatched
			if undo {
				op, mark = "/:/unscrobble", c.Watch.MarkUnwatched
			}
			items := make([]pms.Item, 0, len(args))
			for _, key := range args {
				if err := mark(ctx, key); err != nil {
					return s.refused(http.MethodPut, op, err)
				}
				it, err := c.Metadata.Get(ctx, key)
				if err != nil {
					return s.refused(http.MethodGet, "/library/metadata/"+key, err)
				}
				items = append(items, *it)
			}
			return printList(f, items, []string{"RATING KEY", "TYPE", "TITLE", "VIEW COUNT"}, func(it pms.Item) []string {
				return []string{string(it.RatingKey), it.Type, it.DisplayTitle(), strconv.FormatInt(int64(it.ViewCount), 10)}
			})
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().BoolVar(&undo, "undo", false, "mark the items not watched")
	return cmd
}
