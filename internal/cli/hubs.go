package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newHubsCmd) }

// hubPlaces are the places --where names, in the order of the table's columns.
var hubPlaces = []string{"recommended", "home", "shared"}

func newHubsCmd(f *Factory) *cobra.Command {
	var sel, hide, show string
	var where []string
	var reset bool
	cmd := &cobra.Command{
		Use:   "hubs SECTION [--hide IDENT | --show IDENT] [--where recommended,home,shared] [--reset]",
		Short: "List a section's hubs and where each is shown; hide, show or reset them (admin)",
		Long: `List a library section's hubs (Recently Added, Top Rated, promoted collections…) in their
order, with where each is shown (GET /hubs/sections/{key}/manage): on the section's Recommended
page, on the owner's home, on the home of the users the server is shared with. SECTION is a
section key or title (see ` + "`plexkit libraries`" + `).

--hide IDENT and --show IDENT change where the hub IDENT is shown (PUT
/hubs/sections/{key}/manage/{IDENT}): in the places --where names (default: all three). --reset
gives the section its default hubs again, removing promoted collections (DELETE
/hubs/sections/{key}/manage). Only the server's owner manages hubs.`,
		Example: `  plexkit hubs Movies
  plexkit hubs 1 --hide movie.recentlyadded --where shared
  plexkit hubs Movies --show movie.recentlyadded
  plexkit hubs Movies --reset --json`,
		Args: exactArgs(1, "SECTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var given []string
			for _, fl := range []struct {
				name string
				on   bool
			}{{"--hide", hide != ""}, {"--show", show != ""}, {"--reset", reset}} {
				if fl.on {
					given = append(given, fl.name)
				}
			}
			if len(given) > 1 {
				return usageErrorf("%s cannot go together: give one", andList(given))
			}
			if cmd.Flags().Changed("where") && hide == "" && show == "" {
				return usageErrorf("--where says where --hide or --show change a hub: give one of them")
			}
			vis, err := hubVisibility(where, show != "")
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, c, key, err := openSection(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			path := "/hubs/sections/" + key + "/manage"
			// What the person asked, for a refusal: the list is read first, so a shared
			// user's refusal comes from that read even when he asked for a change.
			what := "managing the hubs of " + args[0]
			switch {
			case hide != "":
				what = fmt.Sprintf("hiding hub %s of %s", hide, args[0])
			case show != "":
				what = fmt.Sprintf("showing hub %s of %s", show, args[0])
			case reset:
				what = "resetting the hubs of " + args[0]
			}
			hubs, err := managedHubs(ctx, s, c, key, what)
			if err != nil {
				return err
			}
			switch {
			case reset:
				if err := c.Library.ResetManagedHubs(ctx, key); err != nil {
					return hubsError(ctx, s, c, what, http.MethodDelete, path, key, err)
				}
			case hide != "" || show != "":
				ident := hide + show
				if err := knownHub(s, key, hubs, ident); err != nil {
					return err
				}
				if err := c.Library.UpdateManagedHub(ctx, key, ident, vis); err != nil {
					return hubsError(ctx, s, c, what, http.MethodPut, path+"/"+ident, key, err)
				}
			default:
				return printHubs(f, hubs)
			}
			if hubs, err = managedHubs(ctx, s, c, key, what); err != nil {
				return err
			}
			return printHubs(f, hubs)
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().StringVar(&hide, "hide", "", "hide the hub with this identifier")
	cmd.Flags().StringVar(&show, "show", "", "show the hub with this identifier")
	cmd.Flags().StringSliceVar(&where, "where", hubPlaces, "where --hide or --show apply: recommended, home, shared (comma-separated)")
	cmd.Flags().BoolVar(&reset, "reset", false, "give the section its default hubs again")
	return cmd
}

// hubVisibility is the change that shows (or hides) a hub in the places named.
func hubVisibility(where []string, show bool) (pms.HubVisibility, error) {
	var v pms.HubVisibility
	for _, w := range where {
		b := show
		switch strings.ToLower(strings.TrimSpace(w)) {
		case "recommended":
			v.Recommended = &b
		case "home":
			v.OwnHome = &b
		case "shared":
			v.SharedHome = &b
		default:
			return v, usageErrorf("--where %q is not a place: %s", w, strings.Join(hubPlaces, ", "))
		}
	}
	return v, nil
}

// managedHubs reads the section's managed hubs; what is what the person asked (for a refusal).
func managedHubs(ctx context.Context, s *server, c *pms.Client, key, what string) ([]pms.ManagedHub, error) {
	hubs, err := c.Library.ManagedHubs(ctx, key)
	if err != nil {
		return nil, hubsError(ctx, s, c, what, http.MethodGet, "/hubs/sections/"+key+"/manage", key, err)
	}
	return hubs, nil
}

// hubsError explains a failed hub call: an unknown section by the sections there are, else the
// server's refusal (the admin role named, for what the person asked, when that is why).
func hubsError(ctx context.Context, s *server, c *pms.Client, what, method, path, key string, err error) error {
	switch {
	case isArgumentError(err):
		return &UsageError{Err: err}
	case errors.Is(err, plexkit.ErrNotFound):
		return noSection(ctx, s, c, key, err)
	}
	return s.refusedTo(what, method, path, err)
}

// knownHub checks that the section has a hub ident, naming the ones it has when not.
func knownHub(s *server, key string, hubs []pms.ManagedHub, ident string) error {
	ids := make([]string, 0, len(hubs))
	for _, h := range hubs {
		if h.Identifier == ident {
			return nil
		}
		ids = append(ids, h.Identifier)
	}
	return usageErrorf("section %s on %s has no hub %q; its hubs: %s", key, s.res.Name, ident, orNone(ids))
}

func printHubs(f *Factory, hubs []pms.ManagedHub) error {
	return printList(f, hubs, []string{"IDENTIFIER", "TITLE", "RECOMMENDED", "HOME", "SHARED HOME"}, func(h pms.ManagedHub) []string {
		return []string{h.Identifier, h.Title, yesNo(bool(h.PromotedToRecommended)), yesNo(bool(h.PromotedToOwnHome)), yesNo(bool(h.PromotedToSharedHome))}
	})
}
