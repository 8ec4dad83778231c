package cli

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newPlaylistsCmd) }

func newPlaylistsCmd(f *Factory) *cobra.Command {
	var sel string
	cmd := groupCmd("playlists", "List, show, create and change this account's playlists on a server",
		`Manage this account's playlists on a server: each account has its own. A plain playlist holds
the items added to it (by rating key, see `+"`plexkit items`"+`); a smart one is a section's
items that a query selects, kept up to date by the server.`)
	cmd.Example = `  plexkit playlists ls
  plexkit playlists create "Road trip" 1000000007 1000000008
  plexkit playlists create "Recent 2000s" --section Movies --filter 'year>>=2000' --sort addedAt:desc
  plexkit playlists show 90
  plexkit playlists add 90 1000000009
  plexkit playlists rm 90 --item 3
  plexkit playlists rm 90`
	groupServerFlag(cmd, &sel)

	var lsType string
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the playlists",
		Example: `  plexkit playlists ls --type audio
  plexkit playlists ls --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			pls, err := c.Playlists.List(ctx, pms.PlaylistsOptions{Type: lsType})
			if err != nil {
				if isArgumentError(err) {
					return &UsageError{Err: err}
				}
				return s.refused(http.MethodGet, "/playlists", err)
			}
			return printList(f, pls, []string{"ID", "TYPE", "SMART", "ITEMS", "TITLE"}, playlistRow)
		},
	}
	ls.Flags().StringVar(&lsType, "type", "", "only playlists of this kind: video, audio or photo")

	show := &cobra.Command{
		Use:   "show ID",
		Short: "List a playlist's items",
		Example: `  plexkit playlists show 90
  plexkit playlists show 90 --json | jq -r '.[].title'`,
		Args: exactArgs(1, "ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			out := newStream(f, "ENTRY", "RATING KEY", "TYPE", "TITLE")
			for it, err := range c.Playlists.Items(ctx, args[0], pms.ItemsOptions{}) {
				if err != nil {
					out.abort()
					if isArgumentError(err) {
						return &UsageError{Err: err}
					}
					return s.refused(http.MethodGet, "/playlists/"+args[0]+"/items", err)
				}
				var row []string
				if !f.JSON {
					row = playlistEntryRow(&it)
				}
				if err := out.addItem(&it, row...); err != nil {
					return err
				}
			}
			return out.close()
		},
	}

	var kind, section, sortFlag string
	var filters []string
	create := &cobra.Command{
		Use:   "create TITLE [ITEM...]",
		Short: "Create a playlist of items, or a smart one with --section and a query",
		Example: `  plexkit playlists create "Road trip" 1000000007 1000000008
  plexkit playlists create "Recent 2000s" --section Movies --filter 'year>>=2000' --sort addedAt:desc`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("%q takes a TITLE, then the items' rating keys", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n := pms.NewPlaylist{Title: args[0], Type: kind, RatingKeys: args[1:]}
			smart := section != ""
			switch {
			case smart && len(n.RatingKeys) > 0:
				return usageErrorf("a smart playlist (--section) takes no items")
			case !smart && (len(filters) > 0 || sortFlag != ""):
				return usageErrorf("--filter and --sort make a smart playlist: give --section too")
			case !smart && len(n.RatingKeys) == 0:
				return usageErrorf("give the items' rating keys, or --section (and --filter) for a smart playlist")
			}
			q, err := itemsQuery("", filters, sortFlag)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			if smart {
				if n.SectionKey, err = sectionKey(ctx, s, c, section); err != nil {
					return err
				}
				if q != nil {
					if n.Query, err = checkQuery(ctx, f, s, c, n.SectionKey, q); err != nil {
						return err
					}
				}
			}
			p, err := c.Playlists.Create(ctx, n)
			if err != nil {
				if isArgumentError(err) {
					return &UsageError{Err: err}
				}
				return s.refused(http.MethodPost, "/playlists", err)
			}
			return printList(f, []pms.Playlist{*p}, []string{"ID", "TYPE", "SMART", "ITEMS", "TITLE"}, playlistRow)
		},
	}
	create.Flags().StringVar(&kind, "type", "video", "the playlist's kind: video, audio or photo")
	create.Flags().StringVar(&section, "section", "", "make a smart playlist of this section's items")
	create.Flags().StringArrayVar(&filters, "filter", nil, "a smart playlist's filter, e.g. 'year>>=2000' (repeatable)")
	create.Flags().StringVar(&sortFlag, "sort", "", "a smart playlist's order, e.g. addedAt:desc")

	add := &cobra.Command{
		Use:     "add ID ITEM...",
		Short:   "Add items to a playlist",
		Example: `  plexkit playlists add 90 1000000009 1000000010`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageErrorf("%q takes a playlist ID and one or more rating keys", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			if err := c.Playlists.Add(ctx, args[0], args[1:]...); err != nil {
				if isArgumentError(err) {
					return &UsageError{Err: err}
				}
				return s.refused(http.MethodPut, "/playlists/"+args[0]+"/items", err)
			}
			return printPlaylist(ctx, f, s, c, args[0])
		},
	}

	var entries []int
	rm := &cobra.Command{
		Use:   "rm ID",
		Short: "Delete a playlist, or with --item remove entries from it",
		Example: `  plexkit playlists rm 90 --item 3 --item 4
  plexkit playlists rm 90`,
		Args: exactArgs(1, "ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			id := args[0]
			if len(entries) == 0 {
				if err := c.Playlists.Delete(ctx, id); err != nil {
					if isArgumentError(err) {
						return &UsageError{Err: err}
					}
					return s.refused(http.MethodDelete, "/playlists/"+id, err)
				}
				if f.JSON {
					return printJSON(f.IO, map[string]string{"server": s.res.Name, "deleted": id})
				}
				_, err := fmt.Fprintf(f.IO.Out, "Deleted playlist %s on %s.\n", id, s.res.Name)
				return err
			}
			for _, e := range entries {
				if err := c.Playlists.Remove(ctx, id, e); err != nil {
					if isArgumentError(err) {
						return &UsageError{Err: err}
					}
					return s.refused(http.MethodDelete, fmt.Sprintf("/playlists/%s/items/%d", id, e), err)
				}
			}
			return printPlaylist(ctx, f, s, c, id)
		},
	}
	rm.Flags().IntSliceVar(&entries, "item", nil, "remove this entry (its ENTRY in `playlists show`; repeatable)")

	cmd.AddCommand(ls, show, create, add, rm)
	return cmd
}

// printPlaylist prints a playlist after a change, read back from the server.
func printPlaylist(ctx context.Context, f *Factory, s *server, c *pms.Client, id string) error {
	p, err := c.Playlists.Get(ctx, id)
	if err != nil {
		return s.refused(http.MethodGet, "/playlists/"+id, err)
	}
	return printList(f, []pms.Playlist{*p}, []string{"ID", "TYPE", "SMART", "ITEMS", "TITLE"}, playlistRow)
}

func playlistRow(p pms.Playlist) []string {
	return []string{string(p.RatingKey), p.PlaylistType, strconv.FormatBool(bool(p.Smart)), strconv.FormatInt(int64(p.LeafCount), 10), p.Title}
}

// playlistEntryRow is the table row of a playlist entry.
func playlistEntryRow(it *pms.Item) []string {
	return []string{strconv.FormatInt(int64(it.PlaylistItemID), 10), string(it.RatingKey), it.Type, it.DisplayTitle()}
}
