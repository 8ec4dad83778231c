package cli

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func newItemArtCmd(f *Factory, sel *string) *cobra.Command {
	var kind, uploadFrom, selectKey string
	cmd := &cobra.Command{
		Use:   "art RATINGKEY [--kind poster|art] [--upload FILE|URL | --select KEY]",
		Short: "List an item's posters or background art; upload one, or choose the one shown",
		Long: `List the item's posters (--kind poster, the default) or background art (--kind art): the
agent's and those uploaded, SELECTED marking the one the item shows (GET
/library/metadata/{key}/posters or /arts). KEY names each; PROVIDER is the agent that offers it,
empty for an upload.

--upload adds one and makes it the one shown (POST …/posters or …/arts): a file (PNG, JPEG or
WebP, up to 10 MiB), or an http or https URL the server fetches. --select KEY makes a listed one
the one shown (PUT …/poster?url=KEY or …/art). Both need the admin role on the server.`,
		Example: `  plexkit item art 1000000007
  plexkit item art 1000000007 --kind art --json
  plexkit item art 1000000007 --upload https://images.example.com/poster.jpg
  plexkit item art 1000000007 --select https://images.example.com/poster.jpg`,
		Args: exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			k := strings.ToLower(strings.TrimSpace(kind))
			if k != "poster" && k != "art" {
				return usageErrorf("--kind %q is not poster or art", kind)
			}
			if uploadFrom != "" && selectKey != "" {
				return usageErrorf("--upload and --select are one change each: give one")
			}
			var src pms.ArtworkSource
			if uploadFrom != "" {
				if strings.HasPrefix(uploadFrom, "http://") || strings.HasPrefix(uploadFrom, "https://") {
					src.URL = uploadFrom
				} else {
					file, err := os.Open(uploadFrom)
					if err != nil {
						return usageErrorf("--upload: %v", err)
					}
					defer file.Close()
					src.Image = file
				}
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, *sel) // an unknown item is the listing's 404 (itemError)
			if err != nil {
				return err
			}
			list, listPath := c.Metadata.Posters, "/library/metadata/"+key+"/posters"
			upload, choose, one := c.Metadata.UploadPoster, c.Metadata.SelectPoster, "/library/metadata/"+key+"/poster"
			if k == "art" {
				list, listPath = c.Metadata.Arts, "/library/metadata/"+key+"/arts"
				upload, choose, one = c.Metadata.UploadArt, c.Metadata.SelectArt, "/library/metadata/"+key+"/art"
			}
			arts, err := list(ctx, key)
			if err != nil {
				return itemError(s, http.MethodGet, listPath, key, err)
			}
			var did string
			switch {
			case uploadFrom != "":
				if err := upload(ctx, key, src); err != nil {
					return artRefused(s, "uploading a "+k, http.MethodPost, listPath, key, err)
				}
				did = "Uploaded " + uploadFrom + "; the item shows it."
			case selectKey != "":
				i := slices.IndexFunc(arts, func(a pms.Artwork) bool { return a.RatingKey == selectKey })
				if i < 0 {
					keys := make([]string, len(arts))
					for j, a := range arts {
						keys[j] = a.RatingKey
					}
					return usageErrorf("item %s lists no %s %q; its KEYs: %s", key, k, selectKey, orNone(keys))
				}
				if err := choose(ctx, key, arts[i]); err != nil {
					return artRefused(s, "choosing a "+k, http.MethodPut, one, key, err)
				}
				did = "The item shows " + selectKey + "."
			}
			if did != "" {
				if arts, err = list(ctx, key); err != nil {
					return itemError(s, http.MethodGet, listPath, key, err)
				}
				if !f.JSON {
					if _, err := fmt.Fprintln(f.IO.Out, did); err != nil {
						return err
					}
				}
			}
			return printList(f, arts, artHeader, artRow)
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "poster", "which images: poster or art (background)")
	cmd.Flags().StringVar(&uploadFrom, "upload", "", "a file or an http(s) URL to upload, which the item then shows")
	cmd.Flags().StringVar(&selectKey, "select", "", "the KEY of a listed image for the item to show")
	return cmd
}

var artHeader = []string{"KEY", "PROVIDER", "SELECTED"}

func artRow(a pms.Artwork) []string {
	sel := ""
	if a.Selected {
		sel = "yes"
	}
	return []string{a.RatingKey, a.Provider, sel}
}

// artRefused explains a failed change of an item's artwork: a shared user's refusal is the
// admin rule (the spec lets anyone call these, and says only the admin generally may).
func artRefused(s *server, what, method, path, key string, err error) error {
	if !s.res.Owned && (errors.Is(err, plexkit.ErrForbidden) || errors.Is(err, plexkit.ErrUnauthorized)) {
		return s.needsAdmin(what, s.refused(method, path, err))
	}
	var pe *plexkit.Error
	if errors.Is(err, plexkit.ErrBadRequest) || errors.As(err, &pe) && pe.StatusCode == http.StatusRequestEntityTooLarge {
		return explain(err, "%s refused the image (%s): a poster or art is a PNG, JPEG or WebP file, up to 10 MiB, or an http(s) URL of one", s.res.Name, err)
	}
	return itemError(s, method, path, key, err)
}
