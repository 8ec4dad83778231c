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

// The item commands: one item's details (item.go), its match (itemmatch.go), its markers
// (itemmarkers.go), the streams this account plays (itemstreams.go) and its posters and art
// (itemart.go). They share --server,
// openItem, getItem and itemError, which says an unknown rating key in words.

func init() { register(newItemCmd) }

func newItemCmd(f *Factory) *cobra.Command {
	var sel string
	cmd := &cobra.Command{
		Use:   "item RATINGKEY",
		Short: "Show one item: details, media, streams, markers and extras; fix its match, markers, streams",
		Long: `Show one item of a server's library (GET /library/metadata/{key}) the way a person reads it:
title, year and type, summary, rating, duration, whether this account watched it; then its media
(resolution, codecs, file), the audio and subtitle streams with the ones this account plays
marked, its markers (intro, credits) with their times as h:mm:ss, and its extras (trailers).
RATINGKEY is the item's rating key (see ` + "`plexkit items`" + ` or ` + "`plexkit search`" + `).
--json prints the item as the server sent it.

The subcommands change the item: match and unmatch (admin), markers, the streams this
account plays, and its posters and art.`,
		Example: `  plexkit item 1000000007
  plexkit item 1000000007 --json | jq '.Media[0].Part[0].file'
  plexkit item match 1000000007 --title "The Matrix" --year 1999
  plexkit item markers add 1000000007 --type intro --start 0:00:30 --end 0:01:30
  plexkit item streams 1000000007 --subtitle off`,
		Args: keyArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, it, err := openItem(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			if f.JSON {
				return printJSON(f.IO, it)
			}
			extras, err := c.Metadata.Extras(ctx, args[0])
			if err != nil {
				return itemError(s, http.MethodGet, "/library/metadata/"+args[0]+"/extras", args[0], err)
			}
			return printItem(f, it, extras)
		},
	}
	groupServerFlag(cmd, &sel)
	cmd.AddCommand(newItemMatchCmd(f, &sel), newItemUnmatchCmd(f, &sel), newItemMarkersCmd(f, &sel), newItemStreamsCmd(f, &sel), newItemArtCmd(f, &sel))
	return cmd
}

// keyArgs is exactArgs for a command that also groups subcommands: a first argument that is
// no rating key (which are numbers) is a mistyped subcommand, and said so.
func keyArgs(n int, names string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 && cmd.HasSubCommands() && (len(args) != n || isWord(args[0])) && !digits(args[0]) {
			return unknownCommand(cmd, args[0])
		}
		return exactArgs(n, names)(cmd, args)
	}
}

// isWord reports whether s could be a command's name: letters and hyphens.
func isWord(s string) bool {
	return s != "" && strings.Trim(strings.ToLower(s), "abcdefghijklmnopqrstuvwxyz-") == ""
}

// openItem opens the server sel names and reads the item with this rating key from it, with its
// markers.
func openItem(ctx context.Context, f *Factory, sel, key string) (*server, *pms.Client, *pms.Item, error) {
	s, c, err := openServer(ctx, f, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	it, err := getItem(ctx, s, c, key)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, c, it, nil
}

// getItem reads the item with this rating key, with its markers.
func getItem(ctx context.Context, s *server, c *pms.Client, key string) (*pms.Item, error) {
	it, err := c.Metadata.Get(ctx, key)
	if err != nil {
		return nil, itemError(s, http.MethodGet, "/library/metadata/"+key, key, err)
	}
	return it, nil
}

// itemError explains the failure of method path on the item key: a malformed key is a usage
// error, a 404 means the item is not there for this account, and anything else is the
// server's refusal (with the admin role named when that is the cause).
func itemError(s *server, method, path, key string, err error) error {
	return itemErrorTo(s, "", method, path, key, err)
}

// itemErrorTo is itemError for a person who asked for what ("matching item 7"), which a
// refusal for want of the admin role names (see refusedTo).
func itemErrorTo(s *server, what, method, path, key string, err error) error {
	switch {
	case isArgumentError(err):
		return &UsageError{Err: err}
	case errors.Is(err, plexkit.ErrNotFound):
		return explain(err, "%s has no item %s that this account sees; find rating keys with `plexkit items SECTION` or `plexkit search QUERY`", s.res.Name, key)
	}
	return s.refusedTo(what, method, path, err)
}

// printItem writes an item's details: a two-column block of fields, then one table per kind of
// child (media, streams, markers, extras) that the item has, each after a blank line.
func printItem(f *Factory, it *pms.Item, extras []pms.Item) error {
	t := newTable(f.IO)
	title := it.DisplayTitle()
	if it.Year > 0 {
		title += fmt.Sprintf(" (%d)", it.Year)
	}
	t.addRow("title", title)
	t.addRow("type", it.Type)
	t.addRow("rating key", string(it.RatingKey))
	if it.Type == "episode" && it.ParentIndex > 0 {
		t.addRow("episode", fmt.Sprintf("S%02dE%02d", it.ParentIndex, it.Index))
	}
	if it.LibrarySectionTitle != "" {
		t.addRow("section", it.LibrarySectionTitle)
	}
	if it.ContentRating != "" {
		t.addRow("content rating", it.ContentRating)
	}
	if r := ratingText(it); r != "" {
		t.addRow("rating", r)
	}
	if it.Duration > 0 {
		t.addRow("duration", hms(int64(it.Duration)))
	}
	t.addRow("watched", watchedText(it))
	if it.GUID != "" {
		t.addRow("guid", it.GUID)
	}
	if it.Summary != "" {
		t.addRow("summary", it.Summary)
	}
	if err := t.render(); err != nil {
		return err
	}
	if len(it.Media) == 0 {
		if hint := noMedia(it, "media"); hint != "" {
			if _, err := fmt.Fprintf(f.IO.Out, "\n%s.\n", upperFirst(hint)); err != nil {
				return err
			}
		}
	}
	if len(it.Media) > 0 {
		if err := section(f, []string{"MEDIA", "RESOLUTION", "VIDEO", "AUDIO", "CONTAINER", "FILE"}, mediaRows(it)); err != nil {
			return err
		}
	}
	if rows := streamRows(it); len(rows) > 0 {
		if err := section(f, streamHeader, rows); err != nil {
			return err
		}
	}
	if len(it.Markers) > 0 {
		if err := section(f, markerHeader, markerRows(it.Markers)); err != nil {
			return err
		}
	}
	if len(extras) > 0 {
		rows := make([][]string, 0, len(extras))
		for _, x := range extras {
			rows = append(rows, []string{string(x.RatingKey), extraKind(x), hms(int64(x.Duration)), x.Title})
		}
		if err := section(f, []string{"EXTRA", "KIND", "DURATION", "TITLE"}, rows); err != nil {
			return err
		}
	}
	return nil
}

// noMedia says why an item without media has none of what ("media", "streams"), and where a
// person finds some: the episodes of a show or season, the tracks of an artist or album. It is
// "" for an item that is not expected to have media of its own (a collection, a photo album).
func noMedia(it *pms.Item, what string) string {
	section := string(it.LibrarySectionID)
	if it.LibrarySectionTitle != "" {
		section = shellQuote(it.LibrarySectionTitle)
	}
	items := func(typ string, filters ...string) string {
		cmd := "`plexkit items " + section + " --type " + typ
		for _, fl := range filters {
			cmd += " --filter " + shellQuote(fl)
		}
		return cmd + "`"
	}
	switch it.Type {
	case "show":
		return fmt.Sprintf("a show has no %s of its own; pick an episode: %s", what, items("episode", "show.title=="+it.Title))
	case "season":
		return fmt.Sprintf("a season has no %s of its own; pick an episode: %s", what, items("episode", "show.title=="+it.ParentTitle, fmt.Sprintf("season.index=%d", it.Index)))
	case "artist":
		return fmt.Sprintf("an artist has no %s of its own; pick a track: %s", what, items("track", "artist.title=="+it.Title))
	case "album":
		return fmt.Sprintf("an album has no %s of its own; pick a track: %s", what, items("track", "album.title=="+it.Title))
	case "movie", "episode", "track", "clip":
		return fmt.Sprintf("%s %s has no %s: the server lists no file for it (is it still being added, or was its file removed?)", it.Type, it.RatingKey, what)
	}
	return ""
}

// shellQuote is s as one word of a shell command line: as it is when it needs no quoting, else
// in single quotes (double quotes when it holds one).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") == "" {
		return s
	}
	if !strings.Contains(s, "'") {
		return "'" + s + "'"
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return `"` + r.Replace(s) + `"`
}

// upperFirst is s with its first letter in upper case.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// section writes a blank line and a table.
func section(f *Factory, header []string, rows [][]string) error {
	if _, err := fmt.Fprintln(f.IO.Out); err != nil {
		return err
	}
	t := newTable(f.IO)
	t.addRow(header...)
	for _, r := range rows {
		t.addRow(r...)
	}
	return t.render()
}

// ratingText is an item's critic and audience ratings, and this account's own.
func ratingText(it *pms.Item) string {
	var parts []string
	if it.Rating > 0 {
		parts = append(parts, strconv.FormatFloat(float64(it.Rating), 'f', -1, 64))
	}
	if it.AudienceRating > 0 {
		parts = append(parts, "audience "+strconv.FormatFloat(float64(it.AudienceRating), 'f', -1, 64))
	}
	if it.UserRating > 0 {
		parts = append(parts, "yours "+strconv.FormatFloat(float64(it.UserRating), 'f', -1, 64))
	}
	return strings.Join(parts, ", ")
}

// watchedText says whether this account watched the item: a show or season by its episodes, a
// film or episode by its plays and where a started one stopped.
func watchedText(it *pms.Item) string {
	if it.LeafCount > 0 && it.Type != "episode" && it.Type != "movie" && it.Type != "track" {
		return fmt.Sprintf("%d of %d", it.ViewedLeafCount, it.LeafCount)
	}
	switch {
	case it.ViewOffset > 0:
		return "in progress, at " + hmsSeconds(int64(it.ViewOffset))
	case it.ViewCount == 1:
		return "yes"
	case it.ViewCount > 1:
		return fmt.Sprintf("yes, %d times", it.ViewCount)
	}
	return "no"
}

// mediaRows are the rows of an item's media, one per file.
func mediaRows(it *pms.Item) [][]string {
	var rows [][]string
	for _, m := range it.Media {
		res := m.VideoResolution
		if m.Width > 0 && m.Height > 0 {
			res = fmt.Sprintf("%s (%dx%d)", res, m.Width, m.Height)
		}
		audio := m.AudioCodec
		if m.AudioChannels > 0 {
			audio = fmt.Sprintf("%s %dch", audio, m.AudioChannels)
		}
		for _, p := range m.Parts {
			rows = append(rows, []string{strconv.FormatInt(int64(m.ID), 10), strings.TrimSpace(res), m.VideoCodec, strings.TrimSpace(audio), m.Container, p.File})
		}
		if len(m.Parts) == 0 {
			rows = append(rows, []string{strconv.FormatInt(int64(m.ID), 10), strings.TrimSpace(res), m.VideoCodec, strings.TrimSpace(audio), m.Container, ""})
		}
	}
	return rows
}

var streamHeader = []string{"STREAM", "PART", "KIND", "LANGUAGE", "CODEC", "SELECTED", "TITLE"}

// streamRows are the rows of the audio and subtitle streams of an item's parts (the video
// stream is not a choice); SELECTED marks the ones this account plays.
func streamRows(it *pms.Item) [][]string {
	var rows [][]string
	for _, m := range it.Media {
		for _, p := range m.Parts {
			for _, st := range p.Streams {
				kind := streamKind(st)
				if kind == "" {
					continue
				}
				sel := ""
				if st.Selected {
					sel = "yes"
				}
				lang := st.Language
				if lang == "" {
					lang = st.LanguageCode
				}
				rows = append(rows, []string{strconv.FormatInt(int64(st.ID), 10), strconv.FormatInt(int64(p.ID), 10), kind, lang, st.Codec, sel, st.DisplayTitle})
			}
		}
	}
	return rows
}

// streamKind is "audio" or "subtitle", or "" for a stream that is neither.
func streamKind(st pms.Stream) string {
	switch st.StreamType {
	case 2:
		return "audio"
	case 3:
		return "subtitle"
	}
	return ""
}

var markerHeader = []string{"MARKER", "TYPE", "START", "END"}

func markerRows(ms []pms.Marker) [][]string {
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		rows = append(rows, markerRow(m))
	}
	return rows
}

func markerRow(m pms.Marker) []string {
	return []string{strconv.FormatInt(int64(m.ID), 10), m.Type, hms(int64(m.StartTimeOffset)), hms(int64(m.EndTimeOffset))}
}

// extraKind names an extra's kind: its subtype ("trailer"), else its extra type's number.
func extraKind(x pms.Item) string {
	if x.Subtype != "" {
		return x.Subtype
	}
	if x.ExtraType > 0 {
		return fmt.Sprintf("extra type %d", x.ExtraType)
	}
	return x.Type
}
