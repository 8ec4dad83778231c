package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

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
misspelt field is an error, not an empty list.`,
		Example: `  plexkit items 1 --limit 20
  plexkit items Movies --server alice-nas --json | jq -r '.[].title'
  plexkit items Movies --filter 'year>>=2000' --filter 'genre=92,93' --sort addedAt:desc
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
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			key, err := sectionKey(ctx, s, c, args[0])
			if err != nil {
				return err
			}
			if q != nil {
				if err := checkQuery(ctx, f, s, c, key, q); err != nil {
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

// checkQuery validates q against the section's Meta. A server that does not describe its
// queries is asked anyway, with a warning: the query may still be right.
func checkQuery(ctx context.Context, f *Factory, s *server, c *pms.Client, key string, q *pms.Query) error {
	meta, err := c.Library.Meta(ctx, key)
	var re *pms.ResponseError
	switch {
	case errors.As(err, &re):
		fmt.Fprintf(f.IO.ErrOut, "Warning: %s does not describe the queries of section %s; the query is sent unchecked.\n", s.res.Name, key)
		return nil
	case err != nil:
		return s.refused(http.MethodGet, "/library/sections/"+key+"/all", err)
	}
	if err := q.Validate(meta); err != nil {
		return &UsageError{Err: err}
	}
	return nil
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

// streamFlushEvery is the longest a row waits in the output buffer: rows are written in large
// chunks (one system call per 64 KiB instead of one per row), but a listing that arrives slowly
// still shows as it comes.
const streamFlushEvery = 200 * time.Millisecond

// stream prints a listing as it arrives: a JSON array element by element with --json (each
// element compact on its own line), tab-separated rows when piped, rows aligned block by block
// on a terminal. Memory does not grow with the listing, and output is buffered.
//
// With --json, elements are encoded on a goroutine of their own, in batches, while the listing
// goes on fetching and decoding: encoding then costs the listing almost nothing on a machine
// with more than one core.
type stream struct {
	f         *Factory
	buf       *bufio.Writer
	out       io.Writer
	tw        *tabwriter.Writer
	rows      int
	head      []string
	lastFlush time.Time
	err       error

	// --json: batches of elements go to the encoder goroutine, which owns buf until done.
	batch   []any
	batches chan []any
	done    chan struct{}
	encErr  atomic.Pointer[error]
}

// jsonBatch is how many elements are handed to the encoder at a time.
const jsonBatch = 128

func newStream(f *Factory, header ...string) *stream {
	// The buffer goes under the terminal-safe writer, so that what it escapes is always whole
	// writes (a buffer flushed at 64 KiB could split a character in two).
	s := &stream{f: f, buf: bufio.NewWriterSize(rawWriter(f.IO.Out), 64<<10), head: header, lastFlush: time.Now()}
	s.out = s.buf
	if t, ok := f.IO.Out.(*termSafe); ok {
		s.out = &termSafe{w: s.buf, active: t.active}
	}
	if f.IO.OutTTY && !f.JSON {
		s.tw = tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
		s.out = s.tw
	}
	if f.JSON {
		s.batches = make(chan []any, 4)
		s.done = make(chan struct{})
		go s.encode(s.batches)
	}
	return s
}

// encode writes the JSON elements of each batch, then the array's end: "[]" for none, "]" after
// a complete listing, nothing more after an aborted one (see abort).
func (s *stream) encode(batches <-chan []any) {
	defer close(s.done)
	var elem bytes.Buffer
	enc := json.NewEncoder(&elem)
	enc.SetEscapeHTML(false)
	n := 0
	// After a failure the rest is drained, so that the listing never blocks handing it over.
	fail := func(err error) {
		s.encErr.Store(&err)
		for range batches {
		}
	}
	for batch := range batches {
		for _, v := range batch {
			elem.Reset()
			if err := enc.Encode(v); err != nil {
				fail(err)
				return
			}
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			n++
			s.buf.WriteString(sep)
			if _, err := s.buf.Write(bytes.TrimSuffix(elem.Bytes(), []byte("\n"))); err != nil {
				fail(err)
				return
			}
		}
		if now := time.Now(); now.Sub(s.lastFlush) >= streamFlushEvery {
			s.lastFlush = now
			if err := s.buf.Flush(); err != nil {
				fail(err)
				return
			}
		}
	}
}

// finishJSON hands over the last batch and waits for the encoder. It may be called more than
// once.
func (s *stream) finishJSON() error {
	if s.batches == nil {
		return s.loadEncErr()
	}
	if len(s.batch) > 0 {
		s.batches <- s.batch
		s.batch = nil
	}
	close(s.batches)
	s.batches = nil
	<-s.done
	return s.loadEncErr()
}

func (s *stream) loadEncErr() error {
	if p := s.encErr.Load(); p != nil {
		return *p
	}
	return nil
}

// add prints one element: v with --json, else the row of fields.
func (s *stream) add(v any, fields ...string) error {
	if s.err != nil {
		return s.err
	}
	if s.f.JSON {
		if err := s.loadEncErr(); err != nil {
			_ = s.finishJSON()
			s.err = err
			return s.err
		}
		s.rows++
		s.batch = append(s.batch, v)
		if len(s.batch) == jsonBatch {
			s.batches <- s.batch
			s.batch = make([]any, 0, jsonBatch)
		}
		return nil
	}
	if s.rows == 0 {
		s.line(s.head)
	}
	s.rows++
	s.line(fields)
	if s.tw != nil && s.rows%streamBlock == 0 && s.err == nil {
		s.err = s.tw.Flush()
	}
	return s.maybeFlush()
}

// maybeFlush writes the buffer out when rows have waited in it for streamFlushEvery.
func (s *stream) maybeFlush() error {
	if s.err == nil && s.buf.Buffered() > 0 && s.rows%64 == 0 {
		if now := time.Now(); now.Sub(s.lastFlush) >= streamFlushEvery {
			s.err, s.lastFlush = s.buf.Flush(), now
		}
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
	for i, f := range fields {
		if i > 0 {
			io.WriteString(s.out, "\t")
		}
		io.WriteString(s.out, f)
	}
	_, s.err = io.WriteString(s.out, "\n")
}

// cellSpaces turns the characters that would split a cell into spaces.
var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// close ends the listing: the JSON array's bracket, the last block of the table.
func (s *stream) close() error {
	if s.f.JSON {
		if err := s.finishJSON(); err != nil && s.err == nil {
			s.err = err
		}
	}
	if s.err != nil {
		return s.err
	}
	switch {
	case s.f.JSON && s.rows == 0:
		_, s.err = io.WriteString(s.buf, "[]\n")
	case s.f.JSON:
		_, s.err = io.WriteString(s.buf, "\n]\n")
	case s.rows == 0:
		s.line(s.head)
	}
	if s.tw != nil && s.err == nil {
		s.err = s.tw.Flush()
	}
	if s.err == nil {
		s.err = s.buf.Flush()
	}
	return s.err
}

// abort shows what was printed before a failure; a JSON array is left open, so that a reader
// cannot take a partial listing for a whole one.
func (s *stream) abort() {
	if s.f.JSON {
		_ = s.finishJSON()
		if s.rows > 0 {
			_, _ = io.WriteString(s.buf, "\n")
		}
	}
	if s.tw != nil {
		_ = s.tw.Flush()
	}
	_ = s.buf.Flush()
}
