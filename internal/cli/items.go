package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newItemsCmd) }

func newItemsCmd(f *Factory) *cobra.Command {
	var sel string
	var limit int
	cmd := &cobra.Command{
		Use:   "items SECTION",
		Short: "List the items of a library section, streaming",
		Long: `List the items of a library section (GET /library/sections/{key}/all), fetched a page at a
time and printed as they arrive, so a section of a million items starts printing at once and
uses no more memory than a page. SECTION is a section key (see ` + "`plexkit libraries`" + `) or its title.`,
		Example: `  plexkit items 1 --limit 20
  plexkit items Movies --server alice-nas --json | jq -r '.[].title'`,
		Args: exactArgs(1, "SECTION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit must be 0 (all) or more, got %d", limit)
			}
			ctx := cmd.Context()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			key, err := sectionKey(ctx, s, c, args[0])
			if err != nil {
				return err
			}
			out := newStream(f, "RATING KEY", "TYPE", "YEAR", "TITLE")
			for it, err := range c.Library.Items(ctx, key, pms.ItemsOptions{Limit: limit}) {
				if err != nil {
					out.abort()
					if errors.Is(err, plexkit.ErrNotFound) {
						return noSection(ctx, s, c, key, err)
					}
					return s.refused(http.MethodGet, "/library/sections/"+key+"/all", err)
				}
				year := ""
				if it.Year > 0 {
					year = strconv.FormatInt(int64(it.Year), 10)
				}
				if err := out.add(it, string(it.RatingKey), it.Type, year, it.DisplayTitle()); err != nil {
					return err
				}
			}
			return out.close()
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N items (0: all)")
	return cmd
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

// streamBlock is how many rows a terminal table aligns at a time: a listing of a million rows
// cannot wait for its widest cell, so columns are aligned block by block.
const streamBlock = 200

// stream prints a listing as it arrives: a JSON array element by element with --json,
// tab-separated rows when piped, rows aligned block by block on a terminal. Memory does not
// grow with the listing.
type stream struct {
	f    *Factory
	out  io.Writer
	tw   *tabwriter.Writer
	rows int
	head []string
	err  error
}

func newStream(f *Factory, header ...string) *stream {
	s := &stream{f: f, out: f.IO.Out, head: header}
	if f.IO.OutTTY && !f.JSON {
		s.tw = tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
		s.out = s.tw
	}
	return s
}

// add prints one element: v with --json, else the row of fields.
func (s *stream) add(v any, fields ...string) error {
	if s.err != nil {
		return s.err
	}
	if s.f.JSON {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n  "
		if s.rows == 0 {
			sep = "[\n  "
		}
		s.rows++
		_, s.err = fmt.Fprintf(s.out, "%s%s", sep, b)
		return s.err
	}
	if s.rows == 0 {
		s.line(s.head)
	}
	s.rows++
	s.line(fields)
	if s.tw != nil && s.rows%streamBlock == 0 {
		s.err = s.tw.Flush()
	}
	return s.err
}

func (s *stream) line(fields []string) {
	if s.err != nil {
		return
	}
	for i, f := range fields {
		if strings.ContainsAny(f, "\t\n\r") {
			fields[i] = cellSpaces.Replace(f)
		}
	}
	_, s.err = fmt.Fprintln(s.out, strings.Join(fields, "\t"))
}

// cellSpaces turns the characters that would split a cell into spaces.
var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// close ends the listing: the JSON array's bracket, the last block of the table.
func (s *stream) close() error {
	if s.err != nil {
		return s.err
	}
	switch {
	case s.f.JSON && s.rows == 0:
		_, s.err = fmt.Fprintln(s.out, "[]")
	case s.f.JSON:
		_, s.err = fmt.Fprintln(s.out, "\n]")
	case s.rows == 0:
		s.line(s.head)
	}
	if s.tw != nil && s.err == nil {
		s.err = s.tw.Flush()
	}
	return s.err
}

// abort shows what was printed before a failure; a JSON array is left open, so that a reader
// cannot take a partial listing for a whole one.
func (s *stream) abort() {
	if s.tw != nil {
		_ = s.tw.Flush()
	}
	if s.f.JSON && s.rows > 0 {
		fmt.Fprintln(s.out)
	}
}
