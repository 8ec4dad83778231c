package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newWatchCmd) }

// liveContext is the context of a command that runs until interrupted: it ends on SIGINT or
// SIGTERM.
func liveContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// jsonLines reports whether a live command writes JSON lines: with --json, or when its output
// is not a terminal (another program reads it).
func jsonLines(f *Factory) bool { return f.JSON || !f.IO.OutTTY }

// writeJSONLine writes v as one line of JSON.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// maxEventsFlag adds --max-events to cmd.
func maxEventsFlag(cmd *cobra.Command, n *int) {
	cmd.Flags().IntVar(n, "max-events", 0, "stop after this many events (default: run until interrupted)")
}

func newWatchCmd(f *Factory) *cobra.Command {
	var sel string
	var filters []string
	var maxEvents int
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Print a server's live events (playback, library changes, activities) as they happen",
		Long: `Print a server's notifications as they happen: playback (every report of every player),
library changes, activities, scans, settings. It listens on the server's websocket, or on its
event stream when a proxy refuses websockets, and reconnects by itself: when it does, it says
so, since events may have been missed in between.

On a terminal each event is one readable line; with --json, or when the output is piped, each
is one line of JSON (the notification as the server sent it, typed). Connection trouble goes to
stderr. It runs until interrupted (Ctrl-C) or until --max-events.`,
		Example: `  plexkit watch --server alice-nas
  plexkit watch --server alice-nas --filter playing,activity
  plexkit watch --server alice-nas --json | jq -c 'select(.type == "playing")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := liveContext(cmd)
			defer stop()
			s, c, err := openServer(ctx, f, sel)
			if err != nil {
				return err
			}
			return watch(ctx, f, s, c, filters, maxEvents)
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().StringSliceVar(&filters, "filter", nil, "event types to receive, e.g. playing,activity (a leading - excludes them; default: all but log)")
	maxEventsFlag(cmd, &maxEvents)
	return cmd
}

func watch(ctx context.Context, f *Factory, s *server, c *pms.Client, filters []string, maxEvents int) error {
	asJSON := jsonLines(f)
	events := 0
	var lastErr error
	names := newPlayingNames(c)
	typeWidth := 0 // the event column is as wide as the longest event type printed so far
	for n, err := range c.Notifications(ctx, filters...) {
		if err != nil {
			lastErr = err
			if refusedForGood(err) {
				return s.refused("GET", "/:/websocket/notifications", errors.Unwrap(err))
			}
			fmt.Fprintln(f.IO.ErrOut, plexkit.Redact("connection to "+s.res.Name+" lost: "+err.Error()))
			continue
		}
		if n.Type == pms.TypeConnected {
			switch {
			case n.Stream.Resumed:
				fmt.Fprintf(f.IO.ErrOut, "resumed watching %s (%s) after a disconnect: events in between may have been missed\n", s.res.Name, n.Stream.Transport)
			case !asJSON:
				fmt.Fprintf(f.IO.ErrOut, "watching %s (%s); Ctrl-C to stop\n", s.res.Name, n.Stream.Transport)
			}
			if asJSON {
				if err := writeJSONLine(f.IO.Out, n); err != nil {
					return err
				}
			}
			continue
		}
		var werr error
		if asJSON {
			werr = writeJSONLine(f.IO.Out, n)
		} else {
			typeWidth = max(typeWidth, len(n.Type))
			_, werr = fmt.Fprintf(f.IO.Out, "%s %-*s %s\n", time.Now().Format("15:04:05"), typeWidth, n.Type, describeNotification(ctx, names, n))
		}
		if werr != nil {
			return werr
		}
		events++
		if maxEvents > 0 && events >= maxEvents {
			return nil
		}
	}
	if ctx.Err() != nil && lastErr != nil && events == 0 {
		return fmt.Errorf("stopped before %s answered: %w", s.res.Name, lastErr)
	}
	return nil
}

// refusedForGood reports whether the stream keeps being refused for a reason only a person can
// fix: the account has no access (a shared user refused, a token that cannot be renewed).
func refusedForGood(err error) bool {
	return errors.Is(err, plexkit.ErrForbidden)
}

// describeNotification says in one line what a notification reports; names puts names on the
// keys of playing notifications.
func describeNotification(ctx context.Context, names *playingNames, n pms.Notification) string {
	var parts []string
	switch n.Type {
	case pms.TypePlaying:
		for _, p := range n.Playing {
			parts = append(parts, names.describe(ctx, p))
		}
	case pms.TypeTimeline:
		for _, e := range n.Timeline {
			parts = append(parts, fmt.Sprintf("item %s %q in section %s: %s", e.ItemID, e.Title, e.SectionID, timelineState(e)))
		}
	case pms.TypeActivity:
		for _, a := range n.Activity {
			parts = append(parts, fmt.Sprintf("%s %s %q %s (%d%%)", a.Activity.Type, a.Event, a.Activity.Title, a.Activity.Subtitle, a.Activity.Progress))
		}
	case pms.TypeStatus:
		for _, s := range n.Status {
			parts = append(parts, strings.TrimSpace(s.Title+" "+s.Description))
		}
	case pms.TypeProgress:
		for _, p := range n.Progress {
			parts = append(parts, p.Message)
		}
	case pms.TypeTranscodeSessionStart, pms.TypeTranscodeSessionUpdate, pms.TypeTranscodeSessionEnd:
		for _, t := range n.Transcode {
			parts = append(parts, fmt.Sprintf("transcode %s %.0f%% at %.1fx (%s %s→%s)", t.ID(), float64(t.Progress), float64(t.Speed), t.Protocol, t.SourceVideoCodec, t.VideoCodec))
		}
	case pms.TypePreference:
		for _, s := range n.Setting {
			parts = append(parts, fmt.Sprintf("setting %s = %s", s.ID, s.Value))
		}
	default:
		parts = append(parts, string(n.Raw))
	}
	return strings.Join(parts, "; ")
}

// timelineState names a library item's state code.
func timelineState(e pms.TimelineEntry) string {
	names := map[int64]string{0: "created", 1: "processing", 2: "matching", 3: "downloading metadata",
		4: "processing metadata", 5: "processed", 9: "deleted"}
	if s, ok := names[int64(e.State)]; ok {
		return s
	}
	return fmt.Sprintf("state %d", e.State)
}

// clock formats milliseconds as h:mm:ss or m:ss.
func clock(ms int64) string {
	d := time.Duration(ms) * time.Millisecond
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
