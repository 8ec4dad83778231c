package cli

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func newItemStreamsCmd(f *Factory, sel *string) *cobra.Command {
	var audio, subtitle string
	cmd := &cobra.Command{
		Use:   "streams RATINGKEY [--audio ID] [--subtitle ID|off]",
		Short: "List an item's audio and subtitle streams; choose the ones this account plays",
		Long: `List the item's audio and subtitle streams, SELECTED marking the ones this account plays. With
--audio or --subtitle, choose them first (PUT /library/parts/{id}): the choice is this account's
own, made on the part that holds the stream and carried to the item's other parts, and every
player signed in as this account then starts with it. --subtitle off turns subtitles off. ID is
the STREAM column.`,
		Example: `  plexkit item streams 1000000007
  plexkit item streams 1000000007 --audio 4000000030 --subtitle 4000000031
  plexkit item streams 1000000007 --subtitle off --json`,
		Args: exactArgs(1, "RATINGKEY"),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			var choice pms.StreamSelection
			var err error
			if audio != "" {
				if choice.Audio, err = streamID("--audio", audio); err != nil {
					return err
				}
			}
			switch strings.ToLower(subtitle) {
			case "":
			case "off", "none", "0":
				choice.NoSubs = true
			default:
				if choice.Subtitle, err = streamID("--subtitle", subtitle); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			s, c, it, err := openItem(ctx, f, *sel, key)
			if err != nil {
				return err
			}
			if len(it.Media) == 0 {
				if hint := noMedia(it, "streams"); hint != "" {
					return usageErrorf("%s", hint)
				}
				return usageErrorf("%s %s has no streams: it is no film, episode or track", orWord(it.Type, "item"), key)
			}
			if choice != (pms.StreamSelection{}) {
				part, err := choicePart(s, it, choice)
				if err != nil {
					return err
				}
				choice.AllParts = partCount(it) > 1
				if err := c.Metadata.SelectStreams(ctx, part, choice); err != nil {
					if isArgumentError(err) {
						return &UsageError{Err: err}
					}
					return s.refused(http.MethodPut, fmt.Sprintf("/library/parts/%d", part), err)
				}
				if it, err = getItem(ctx, s, c, key); err != nil {
					return err
				}
			}
			if f.JSON {
				return printJSON(f.IO, partStreams(it))
			}
			t := newTable(f.IO)
			t.addRow(streamHeader...)
			for _, r := range streamRows(it) {
				t.addRow(r...)
			}
			return t.render()
		},
	}
	cmd.Flags().StringVar(&audio, "audio", "", "play this audio stream (its ID)")
	cmd.Flags().StringVar(&subtitle, "subtitle", "", "show this subtitle stream (its ID), or off")
	return cmd
}

// streamID reads a stream ID flag.
func streamID(flag, v string) (int, error) {
	id, err := strconv.Atoi(v)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%s %q is not a stream ID: the STREAM column of `plexkit item streams RATINGKEY` has them", flag, v)
	}
	return id, nil
}

// choicePart finds the part that holds the chosen streams, checking that each is of the kind
// it was given as; with only subtitles turned off, it is the first part.
func choicePart(s *server, it *pms.Item, choice pms.StreamSelection) (int, error) {
	want := map[int]string{}
	if choice.Audio != 0 {
		want[choice.Audio] = "audio"
	}
	if choice.Subtitle != 0 {
		want[choice.Subtitle] = "subtitle"
	}
	part := 0
	for _, m := range it.Media {
		for _, p := range m.Parts {
			if part == 0 && len(want) == 0 {
				part = int(p.ID)
			}
			for _, st := range p.Streams {
				kind, ok := want[int(st.ID)]
				if !ok {
					continue
				}
				if got := streamKind(st); got != kind {
					return 0, usageErrorf("stream %d of item %s is %s, not %s", st.ID, it.RatingKey, orWord(got, "a video stream"), kind)
				}
				if part != 0 && part != int(p.ID) {
					return 0, usageErrorf("the audio and subtitle streams are of different parts (files) of item %s: choose them one at a time", it.RatingKey)
				}
				part = int(p.ID)
				delete(want, int(st.ID))
			}
		}
	}
	if len(want) > 0 || part == 0 {
		var ids []string
		for _, r := range streamRows(it) {
			ids = append(ids, r[0]+" ("+r[2]+")")
		}
		for _, id := range []int{choice.Audio, choice.Subtitle} {
			if kind, ok := want[id]; ok {
				return 0, usageErrorf("item %s on %s has no %s stream %d; its streams: %s", it.RatingKey, s.res.Name, kind, id, orNone(ids))
			}
		}
		return 0, fmt.Errorf("item %s on %s has no file to choose streams of", it.RatingKey, s.res.Name)
	}
	return part, nil
}

// orWord is s, or alt when s is empty.
func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func partCount(it *pms.Item) int {
	n := 0
	for _, m := range it.Media {
		n += len(m.Parts)
	}
	return n
}

// partStreamsJSON is a part's streams as `item streams --json` prints them.
type partStreamsJSON struct {
	Part    pms.FlexInt  `json:"part"`
	File    string       `json:"file,omitempty"`
	Streams []pms.Stream `json:"streams"`
}

// partStreams are the audio and subtitle streams of each part of the item.
func partStreams(it *pms.Item) []partStreamsJSON {
	out := []partStreamsJSON{}
	for _, m := range it.Media {
		for _, p := range m.Parts {
			ps := partStreamsJSON{Part: p.ID, File: p.File, Streams: []pms.Stream{}}
			for _, st := range p.Streams {
				if streamKind(st) != "" {
					ps.Streams = append(ps.Streams, st)
				}
			}
			out = append(out, ps)
		}
	}
	return out
}
