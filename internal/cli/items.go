package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newItemsCmd) }

func newItemsCmd(f *Factory) *cobra.Command {
	var sel, typ, sortFlag string
	var filters []string
	var limit int
	cmd := &cobra.Command{
		Use:   "items SECTION",
		Short: "List the items of a library section, streaming",
		Long: `List the items of a library section (GET /library/sections/{key}/all), fetched a page at a
time and printed as they arrive, so a section of a million items starts printing at once and
uses no more memory than a page. SECTION is a section key (see ` + "`plexkit libraries`" + `) or its title.

--type, --filter and --sort make a media query: --filter FIELD OPERATOR VALUE (repeatable, all
must hold; VALUE may list alternatives with ","), operators = != == !== <= >= >>= <<=; --sort
FIELD[:desc][,FIELD…]. The query is checked against what the section says it accepts, so a
misspelt field is an error, not an empty list. A tag (genre, actor, label, …) may be given by
name, in any case: it is looked up among the section's values and sent as its id.`,
		Example: `  plexkit items 1 --limit 20
  plexkit items Movies --server alice-nas --json | jq -r '.[].title'
  plexkit items Movies --filter 'year>>=2000' --filter 'genre==Drama,Comedy' --sort addedAt:desc
  plexkit items "TV Shows" --type episode --filter 'show.title==Lost' --sort index`,
		Args: exactArgs(1, "SECTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit must be 0 (all) or more, got %d", limit)
			}
			q, err := itemsQuery(typ, filters, sortFlag)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			s, c, key, err := openSection(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			if q != nil {
				if q, err = checkQuery(ctx, f, s, c, key, q); err != nil {
					return err
				}
			}
			out := newStream(f, "RATING KEY", "TYPE", "YEAR", "TITLE")
			for it, err := range c.Library.Items(ctx, key, pms.ItemsOptions{Limit: limit, Query: q}) {
				if err != nil {
					out.abort()
					if errors.Is(err, plexkit.ErrNotFound) {
						return noSection(ctx, s, c, key, err)
					}
					return s.refused(http.MethodGet, "/library/sections/"+key+"/all", err)
				}
				var row []string
				if !f.JSON {
					row = itemRow(&it)
				}
				if err := out.addItem(&it, row...); err != nil {
					return err
				}
			}
			return out.close()
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N items (0: all)")
	cmd.Flags().StringVar(&typ, "type", "", "list items of this type (movie, show, season, episode, artist, album, track, photo)")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "keep items where FIELD OPERATOR VALUE, e.g. 'year>>=2000' (repeatable)")
	cmd.Flags().StringVar(&sortFlag, "sort", "", "order by FIELD[:desc][,FIELD…], e.g. addedAt:desc")
	return cmd
}

// itemsQuery builds the media query of --type, --filter and --sort; nil when none is given.
func itemsQuery(typ string, filters []string, sortFlag string) (*pms.Query, error) {
	if typ == "" && len(filters) == 0 && sortFlag == "" {
		return nil, nil
	}
	q := &pms.Query{}
	if typ != "" {
		t, err := pms.ParseMediaType(typ)
		if err != nil {
			return nil, usageErrorf("--type: %v", err)
		}
		q.Type = t
	}
	for _, s := range filters {
		flt, err := pms.ParseFilter(s)
		if err != nil {
			return nil, usageErrorf("--filter: %v", err)
		}
		q.Filters = append(q.Filters, flt)
	}
	if sortFlag != "" {
		sorts, err := pms.ParseSort(sortFlag)
		if err != nil {
			return nil, usageErrorf("--sort: %v", err)
		}
		q.Sorts = sorts
	}
	return q, nil
}

// checkQuery validates q against the section's Meta and returns it with the tag values given
// by name (genre==Drama) turned into the ids a server filters by, looked up among the
// section's filter choices. A server that does not describe its queries is asked anyway, with
// a warning: the query may still be right.
func checkQuery(ctx context.Context, f *Factory, s *server, c *pms.Client, key string, q *pms.Query) (*pms.Query, error) {
	meta, err := c.Library.Meta(ctx, key)
	var re *pms.ResponseError
	switch {
	case errors.As(err, &re):
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s does not describe the queries of section %s; the query is sent unchecked.\n", s.res.Name, key)
		return q, nil
	case err != nil:
		return nil, s.refused(http.MethodGet, "/library/sections/"+key+"/all", err)
	}
	// Resolved first: a tag's genre==Drama is genre=87 to Validate.
	resolved, err := c.Library.ResolveTags(ctx, meta, q)
	var qe *pms.QueryError
	switch {
	case errors.As(err, &qe):
		return nil, &UsageError{Err: err}
	case err != nil:
		return nil, s.refused(http.MethodGet, "/library/sections/"+key+"/all", err)
	}
	if err := resolved.Validate(meta); err != nil {
		return nil, &UsageError{Err: err}
	}
	return resolved, nil
}

// openSection opens the server sel names and resolves the section arg names on it (see
// sectionKey) to its key.
func openSection(ctx context.Context, f *Factory, sel, arg string) (*server, *pms.Client, string, error) {
	s, c, err := openServer(ctx, f, sel)
	if err != nil {
		return nil, nil, "", err
	}
	key, err := sectionKey(ctx, s, c, arg)
	if err != nil {
		return nil, nil, "", err
	}
	return s, c, key, nil
}

// sectionKey resolves SECTION: a key as it is, or a title looked up among the sections.
func sectionKey(ctx context.Context, s *server, c *pms.Client, arg string) (string, error) {
	arg = strings.TrimSpace(arg)
	if _, err := strconv.Atoi(arg); err == nil {
		return arg, nil
	}
	sections, err := c.Library.Sections(ctx)
	if err != nil {
		return "", s.refused(http.MethodGet, "/library/sections", err)
	}
	for _, sec := range sections {
		if strings.EqualFold(sec.Title, arg) || string(sec.Key) == arg {
			return string(sec.Key), nil
		}
	}
	return "", usageErrorf("%s has no library section %q that this account sees; its sections: %s", s.res.Name, arg, sectionList(sections))
}

// noSection explains a 404 for a section given by key the way sectionKey does for a title: the
// server has no such section this account sees, and here are the ones it does.
func noSection(ctx context.Context, s *server, c *pms.Client, key string, notFound error) error {
	sections, err := c.Library.Sections(ctx)
	if err != nil {
		return s.refused(http.MethodGet, "/library/sections/"+key+"/all", notFound)
	}
	return &UsageError{Err: explain(notFound, "%s has no library section %s that this account sees; its sections: %s", s.res.Name, key, sectionList(sections))}
}

// sectionList names sections as "Movies (1), TV Shows (2)".
func sectionList(sections []pms.Section) string {
	titles := make([]string, 0, len(sections))
	for _, sec := range sections {
		titles = append(titles, fmt.Sprintf("%s (%s)", sec.Title, sec.Key))
	}
	return orNone(titles)
}

// itemRow is the table row of a library item.
func itemRow(it *pms.Item) []string {
	year := ""
	if it.Year > 0 {
		year = strconv.FormatInt(int64(it.Year), 10)
	}
	return []string{string(it.RatingKey), it.Type, year, it.DisplayTitle()}
}
