package cli

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func newItemMarkersCmd(f *Factory, sel *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "markers RATINGKEY",
		Short: "List an item's markers (intro, credits…); add, change or remove one",
		Long: `List the item's markers: its intro, credits, commercials and bookmarks, with their start and end
as h:mm:ss (GET /library/metadata/{key}?includeMarkers=1). add, edit and rm change them (POST,
PUT and DELETE /library/metadata/{key}/marker): a PMS keeps only its owner's changes, and
ignores a shared user's, which plexkit then says.`,
		Example: `  plexkit item markers 1000000007
  plexkit item markers add 1000000007 --type intro --start 0:00:30 --end 0:01:30
  plexkit item markers edit 1000000007 4000000029 --start 2:21:50
  plexkit item markers rm 1000000007 4000000029`,
		Args: keyArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			_, _, it, err := openItem(ctx, f, *sel, args[0])
			if err != nil {
				return err
			}
			return printMarkers(f, it.Markers)
		},
	}

	var typ, start, end string
	add := &cobra.Command{
		Use:   "add RATINGKEY --type TYPE --start H:MM:SS [--end H:MM:SS]",
		Short: "Add a marker to an item (a bookmark is a point: it needs no --end)",
		Example: `  plexkit item markers add 1000000007 --type intro --start 0:00:30 --end 0:01:30
  plexkit item markers add 1000000007 --type commercial --start 20:00 --end 21:30 --json`,
		Args: exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if end == "" && !strings.EqualFold(strings.TrimSpace(typ), "bookmark") {
				return usageErrorf("--end is required (only a bookmark is a point)")
			}
			m, err := markerFlags(pms.Marker{}, typ, start, end)
			if err != nil {
				return err
			}
			key := args[0]
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, *sel) // an unknown item is the POST's 404 (markerError)
			if err != nil {
				return err
			}
			made, err := c.Metadata.AddMarker(ctx, key, m)
			return markerWritten(cmd, f, s, c, key, http.MethodPost, "/library/metadata/"+key+"/marker", "add the marker", "Added", made, err)
		},
	}
	markerFlagSet(add, &typ, &start, &end)
	for _, name := range []string{"type", "start"} {
		_ = add.MarkFlagRequired(name)
	}

	var etyp, estart, eend string
	edit := &cobra.Command{
		Use:     "edit RATINGKEY ID [--type TYPE] [--start H:MM:SS] [--end H:MM:SS]",
		Short:   "Change a marker's type or times",
		Example: `  plexkit item markers edit 1000000007 4000000029 --start 2:21:40 --end 2:27:00`,
		Args:    exactArgs(2, "RATINGKEY ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			id, err := markerID(args[1])
			if err != nil {
				return err
			}
			if etyp == "" && estart == "" && eend == "" {
				return usageErrorf("say what to change: --type, --start or --end")
			}
			ctx := cmd.Context()
			s, c, it, err := openItem(ctx, f, *sel, key)
			if err != nil {
				return err
			}
			old, err := findMarker(s, it, id)
			if err != nil {
				return err
			}
			m, err := markerFlags(old, etyp, estart, eend)
			if err != nil {
				return err
			}
			changed, err := c.Metadata.EditMarker(ctx, key, m)
			return markerWritten(cmd, f, s, c, key, http.MethodPut, fmt.Sprintf("/library/metadata/%s/marker/%d", key, id),
				fmt.Sprintf("change marker %d", id), "Changed", changed, err)
		},
	}
	markerFlagSet(edit, &etyp, &estart, &eend)

	rm := &cobra.Command{
		Use:     "rm RATINGKEY ID",
		Short:   "Remove a marker from an item",
		Example: `  plexkit item markers rm 1000000007 4000000029`,
		Args:    exactArgs(2, "RATINGKEY ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			id, err := markerID(args[1])
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, c, it, err := openItem(ctx, f, *sel, key)
			if err != nil {
				return err
			}
			if _, err := findMarker(s, it, id); err != nil {
				return err
			}
			if err := c.Metadata.DeleteMarker(ctx, key, int(id)); err != nil {
				return markerError(s, http.MethodDelete, fmt.Sprintf("/library/metadata/%s/marker/%d", key, id), key, err)
			}
			// A PMS answers a shared user's delete with 200 and keeps the marker: read it back.
			after, err := getItem(ctx, s, c, key)
			if err != nil {
				return err
			}
			for _, m := range after.Markers {
				if m.ID == id {
					return fmt.Errorf("%s kept marker %d: %s", s.res.Name, id, ownerOnlyMarkers(s))
				}
			}
			if !f.JSON {
				if _, err := fmt.Fprintf(f.IO.Out, "Removed marker %d.\n", id); err != nil {
					return err
				}
			}
			return printMarkers(f, after.Markers)
		},
	}

	cmd.AddCommand(add, edit, rm)
	return cmd
}

func markerFlagSet(cmd *cobra.Command, typ, start, end *string) {
	cmd.Flags().StringVar(typ, "type", "", "the marker's type: intro, credits, commercial or bookmark")
	cmd.Flags().StringVar(start, "start", "", "where it starts: "+timeSyntax)
	cmd.Flags().StringVar(end, "end", "", "where it ends: "+timeSyntax)
}

// markerTypes are the marker types a PMS keeps.
var markerTypes = []string{"intro", "credits", "commercial", "bookmark"}

// markerFlags is m changed by the flags given (an empty flag leaves its field as it is).
func markerFlags(m pms.Marker, typ, start, end string) (pms.Marker, error) {
	if typ != "" {
		t := strings.ToLower(strings.TrimSpace(typ))
		if !slices.Contains(markerTypes, t) {
			return m, usageErrorf("--type %q is not a marker type: %s", typ, strings.Join(markerTypes, ", "))
		}
		m.Type = t
	}
	for _, fl := range []struct {
		name, v string
		to      *pms.FlexInt
	}{{"start", start, &m.StartTimeOffset}, {"end", end, &m.EndTimeOffset}} {
		if fl.v == "" {
			continue
		}
		ms, err := parseHMS(fl.v)
		if err != nil {
			return m, usageErrorf("--%s %v", fl.name, err)
		}
		*fl.to = pms.FlexInt(ms)
	}
	switch {
	case m.Type == "bookmark" && end == "" && m.EndTimeOffset < m.StartTimeOffset:
		m.EndTimeOffset = m.StartTimeOffset // a bookmark is a point: where it starts
	case m.Type == "bookmark" && m.EndTimeOffset == m.StartTimeOffset:
	case m.EndTimeOffset <= m.StartTimeOffset:
		return m, usageErrorf("the marker ends (%s) before it starts (%s)", hms(int64(m.EndTimeOffset)), hms(int64(m.StartTimeOffset)))
	}
	return m, nil
}

// markerID reads a marker ID argument.
func markerID(arg string) (pms.FlexInt, error) {
	id, err := strconv.Atoi(arg)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%q is not a marker ID: the MARKER column of `plexkit item markers RATINGKEY` has them", arg)
	}
	return pms.FlexInt(id), nil
}

// findMarker returns the item's marker id, or an error naming the markers it has.
func findMarker(s *server, it *pms.Item, id pms.FlexInt) (pms.Marker, error) {
	ids := make([]string, 0, len(it.Markers))
	for _, m := range it.Markers {
		if m.ID == id {
			return m, nil
		}
		ids = append(ids, fmt.Sprintf("%d (%s)", m.ID, m.Type))
	}
	return pms.Marker{}, fmt.Errorf("item %s on %s has no marker %d; its markers: %s", it.RatingKey, s.res.Name, id, orNone(ids))
}

// markerError explains a failed marker write; a 400 is the server finding the span wrong for
// the item (past its end).
func markerError(s *server, method, path, key string, err error) error {
	if errors.Is(err, plexkit.ErrBadRequest) {
		return explain(err, "%s refused the marker (400): its span must lie within the item (see `plexkit item %s` for its duration)", s.res.Name, key)
	}
	return itemError(s, method, path, key, err)
}

// ownerOnlyMarkers says why a shared user's marker change did nothing.
func ownerOnlyMarkers(s *server) string {
	return "a PMS keeps only the markers of " + s.owner() + ", and this account is a shared user there; ask the owner to make the change"
}

// markerWritten ends an add or a change of a marker (method path; m, err its outcome): it says
// which marker it was ("Added marker 6 (intro 0:00:30–0:01:30).", past being "Added"), then
// prints the item's markers read back; or it explains the failure: a shared user's refusal is
// the owner-only rule, and did says what was not done ("add the marker"). With --json only the
// markers are printed.
func markerWritten(cmd *cobra.Command, f *Factory, s *server, c *pms.Client, key, method, path, did, past string, m *pms.Marker, err error) error {
	var re *pms.ResponseError
	if err != nil {
		if errors.As(err, &re) && !s.res.Owned {
			return explain(err, "%s did not %s: %s", s.res.Name, did, ownerOnlyMarkers(s))
		}
		return markerError(s, method, path, key, err)
	}
	if m != nil && !f.JSON {
		if _, err := fmt.Fprintf(f.IO.Out, "%s marker %d (%s %s–%s).\n", past, m.ID, m.Type, hms(int64(m.StartTimeOffset)), hms(int64(m.EndTimeOffset))); err != nil {
			return err
		}
	}
	return printItemMarkers(cmd, f, s, c, key)
}

// printItemMarkers reads the item's markers back after a change and prints them.
func printItemMarkers(cmd *cobra.Command, f *Factory, s *server, c *pms.Client, key string) error {
	it, err := getItem(cmd.Context(), s, c, key)
	if err != nil {
		return err
	}
	return printMarkers(f, it.Markers)
}

func printMarkers(f *Factory, ms []pms.Marker) error {
	return printList(f, ms, markerHeader, markerRow)
}
