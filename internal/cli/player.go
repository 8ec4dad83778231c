package cli

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newPlayerCmd) }

func newPlayerCmd(f *Factory) *cobra.Command {
	var sel string
	cmd := groupCmd("player", "List the players a server can control, and control them",
		`Remote-control a player through the server, as Plex's own apps cast and control: the server
passes each command to the player. PLAYER is a player's machine identifier or its name, as
`+"`plexkit player list`"+` shows them. A player takes commands only from the account signed in on it.`)
	cmd.Example = `  plexkit player list
  plexkit player pause "Living room"
  plexkit player seek "Living room" 1h02m30s
  plexkit player volume "Living room" 40
  plexkit player play-media "Living room" 1000000010 --offset 5m`
	groupServerFlag(cmd, &sel)

	list := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the players the server can control now",
		Example: `  plexkit player list --json`,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, c, players, err := openPlayers(ctx, f, sel)
			if err != nil {
				return err
			}
			if len(players) == 0 && !f.JSON && f.IO.OutTTY {
				// A person sees a sentence; a script still gets the bare header.
				_, err := fmt.Fprintf(f.IO.Out, "No players on %s.\n", s.res.Name)
				return err
			}
			return printList(f, playerStatuses(ctx, c, players), []string{"NAME", "PRODUCT", "USER", "STATE", "PLAYING", "ID"},
				func(p playerStatus) []string {
					return []string{p.Name, p.Product, p.User, p.State, p.Title, p.MachineIdentifier}
				})
		},
	}

	// simple makes a command that sends one argument-less command to PLAYER.
	simple := func(use, command, short, past string, method func(*pms.Remote, context.Context) error) *cobra.Command {
		return &cobra.Command{
			Use:     use + " PLAYER",
			Short:   short,
			Example: "  plexkit player " + use + ` "Living room"`,
			Args:    exactArgs(1, "PLAYER"),
			RunE: func(cmd *cobra.Command, args []string) error {
				return runPlayerCommand(cmd.Context(), f, sel, args[0], "playback/"+command, past, nil,
					func(ctx context.Context, r *pms.Remote) error { return method(r, ctx) })
			},
		}
	}
	pause := simple("pause", "pause", "Pause what the player plays", "Paused", (*pms.Remote).Pause)
	play := simple("play", "play", "Resume playback on the player", "Resumed", (*pms.Remote).Play)
	stop := simple("stop", "stop", "Stop playback on the player", "Stopped", (*pms.Remote).Stop)
	next := simple("next", "skipNext", "Skip to the next item of the player's play queue", "Skipped to the next item on", (*pms.Remote).SkipNext)
	previous := simple("previous", "skipPrevious", "Skip to the previous item of the player's play queue", "Skipped to the previous item on", (*pms.Remote).SkipPrevious)

	seek := &cobra.Command{
		Use:     "seek PLAYER POSITION",
		Short:   "Move playback to POSITION from the start (90, 62:30, 1:02:30 or 1h02m30s)",
		Example: `  plexkit player seek "Living room" 62:30`,
		Args:    exactArgs(2, "PLAYER POSITION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, err := parseHMS(args[1])
			if err != nil {
				return usageErrorf("POSITION %v", err)
			}
			pos := time.Duration(ms) * time.Millisecond
			ctx := cmd.Context()
			s, c, p, err := openPlayer(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			r := c.Players.Remote(p.MachineIdentifier)
			if err := checkSeek(ctx, r, args[1], pos); err != nil {
				return err
			}
			if err := r.SeekTo(ctx, pos); err != nil {
				return playerRefused(s, c, p, "playback/seekTo", err)
			}
			return reportPlayerCommand(f, s, p, "playback/seekTo", "Moved to "+clock(pos.Milliseconds())+" on",
				map[string]any{"position": pos.Milliseconds()})
		},
	}
	volume := &cobra.Command{
		Use:     "volume PLAYER LEVEL",
		Short:   "Set the player's volume, 0 to 100",
		Example: `  plexkit player volume "Living room" 40`,
		Args:    exactArgs(2, "PLAYER LEVEL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			level, err := strconv.Atoi(args[1])
			if err != nil || level < 0 || level > 100 {
				return usageErrorf("LEVEL is a volume from 0 to 100, not %q", args[1])
			}
			return runPlayerCommand(cmd.Context(), f, sel, args[0], "playback/setParameters", "Set the volume to "+args[1]+" on",
				map[string]any{"volume": level},
				func(ctx context.Context, r *pms.Remote) error { return r.SetVolume(ctx, level) })
		},
	}
	var offsetText string
	playMedia := &cobra.Command{
		Use:   "play-media PLAYER ITEM",
		Short: "Make the player play ITEM (a rating key, see `plexkit items`)",
		Long: `Make the player play ITEM, a movie, episode or track given by its rating key: the player
fetches it from the server and starts playing, from --offset if given, from a play queue of its
own so that next and previous work.`,
		Example: `  plexkit player play-media "Living room" 1000000010 --offset 5m`,
		Args:    exactArgs(2, "PLAYER ITEM"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var offset time.Duration
			if offsetText != "" {
				ms, err := parseHMS(offsetText)
				if err != nil {
					return usageErrorf("--offset %v", err)
				}
				offset = time.Duration(ms) * time.Millisecond
			}
			ctx := cmd.Context()
			rk := strings.TrimPrefix(args[1], "/library/metadata/")
			s, c, p, err := openPlayer(ctx, f, sel, args[0])
			if err != nil {
				return err
			}
			// The item is read first: an unknown rating key is said in words before the play
			// queue is made, and the player is told the item's type (video, music or photo).
			it, err := getItem(ctx, s, c, rk)
			if err != nil {
				return err
			}
			if err := c.Players.Remote(p.MachineIdentifier).PlayMedia(ctx, *it, pms.PlayMediaOptions{Offset: offset}); err != nil {
				if method, path := failedRequest(c, err); path == "/playQueues" {
					return itemError(s, method, path, rk, err)
				}
				return playerRefused(s, c, p, "playback/playMedia", err)
			}
			return reportPlayerCommand(f, s, p, "playback/playMedia", "Playing "+it.DisplayTitle()+" ("+rk+") on",
				map[string]any{"item": rk, "title": it.DisplayTitle(), "offset": offset.Milliseconds()})
		},
	}
	playMedia.Flags().StringVar(&offsetText, "offset", "", "where to start, from the beginning: "+timeSyntax)

	cmd.AddCommand(list, pause, play, stop, seek, next, previous, volume, playMedia)
	return cmd
}

// openPlayers opens the server sel names and lists the players it can control now.
func openPlayers(ctx context.Context, f *Factory, sel string) (*server, *pms.Client, []pms.PlayerClient, error) {
	return listOnServer(ctx, f, sel, "/clients",
		func(ctx context.Context, c *pms.Client) ([]pms.PlayerClient, error) { return c.Players.List(ctx) })
}

// openPlayer opens the server serverSel names and finds the player playerSel names on it.
func openPlayer(ctx context.Context, f *Factory, serverSel, playerSel string) (*server, *pms.Client, *pms.PlayerClient, error) {
	s, c, players, err := openPlayers(ctx, f, serverSel)
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := matchPlayer(players, s.res.Name, playerSel)
	if err != nil {
		return nil, nil, nil, err
	}
	return s, c, p, nil
}

// runPlayerCommand finds the player sel names on the server and sends it one command; it says
// what was done, or why the server or the player refused.
func runPlayerCommand(ctx context.Context, f *Factory, serverSel, playerSel, command, past string, extra map[string]any,
	send func(context.Context, *pms.Remote) error) error {
	s, c, p, err := openPlayer(ctx, f, serverSel, playerSel)
	if err != nil {
		return err
	}
	if err := send(ctx, c.Players.Remote(p.MachineIdentifier)); err != nil {
		return playerRefused(s, c, p, command, err)
	}
	return reportPlayerCommand(f, s, p, command, past, extra)
}

// reportPlayerCommand says that command went to p: "past p." on a terminal, an object with
// extra's fields with --json.
func reportPlayerCommand(f *Factory, s *server, p *pms.PlayerClient, command, past string, extra map[string]any) error {
	if f.JSON {
		out := map[string]any{"server": s.res.Name, "player": p.MachineIdentifier, "name": p.Name, "command": command}
		for k, v := range extra {
			out[k] = v
		}
		return printJSON(f.IO, out)
	}
	_, err := fmt.Fprintf(f.IO.Out, "%s %s.\n", past, describePlayer(*p))
	return err
}

// checkSeek refuses a position past the end of what the player plays, when its timeline says
// how long that is: a player would jump to the end and mark the item watched. When the timeline
// cannot be read the seek goes ahead, and the player's own answer decides.
func checkSeek(ctx context.Context, r *pms.Remote, arg string, pos time.Duration) error {
	ts, err := r.Timelines(ctx)
	if err != nil {
		return nil
	}
	tl, ok := pms.ActiveTimeline(ts)
	if !ok || tl.Duration <= 0 || pos.Milliseconds() <= int64(tl.Duration) {
		return nil
	}
	what := "the item"
	if tl.ItemType != "" {
		what = "the " + tl.ItemType
	}
	return usageErrorf("POSITION %s is past the end: %s is %s long", arg, what, clock(int64(tl.Duration)))
}

// matchPlayer finds the player sel names: by machine identifier, or a name no other player has.
func matchPlayer(players []pms.PlayerClient, server, sel string) (*pms.PlayerClient, error) {
	sel = strings.TrimSpace(sel)
	if sel == "" {
		return nil, usageErrorf("PLAYER is empty: name a player by name or machine identifier (see `plexkit player list`)")
	}
	p, byName := matchOne(players,
		func(p *pms.PlayerClient) bool { return p.MachineIdentifier == sel },
		func(p *pms.PlayerClient) bool { return strings.EqualFold(p.Name, sel) })
	switch {
	case p != nil:
		return p, nil
	case len(byName) == 0:
		names := make([]string, len(players))
		for i, p := range players {
			names[i] = describePlayer(p)
		}
		return nil, usageErrorf("%s lists no player %q (a player shows up once it plays something); its players: %s", server, sel, orNone(names))
	}
	ids := make([]string, len(byName))
	for i, p := range byName {
		ids[i] = p.MachineIdentifier
	}
	return nil, usageErrorf("%d players are named %q: choose one by machine identifier (%s)", len(byName), sel, strings.Join(ids, ", "))
}

// describePlayer names a player: its name and machine identifier.
func describePlayer(p pms.PlayerClient) string {
	if p.Name == "" || p.Name == p.MachineIdentifier {
		return p.MachineIdentifier
	}
	return p.Name + " (" + p.MachineIdentifier + ")"
}

// playerRefused explains a refused command: a player obeys only the account signed in on it.
// A refusal of another request the command made (play-media's play queue) is the server's.
func playerRefused(s *server, c *pms.Client, p *pms.PlayerClient, command string, err error) error {
	if isArgumentError(err) {
		return &UsageError{Err: err}
	}
	method, path := failedRequest(c, err)
	if path == "" {
		method, path = http.MethodGet, "/player/"+command
	}
	if !strings.HasPrefix(path, "/player/") {
		return s.refused(method, path, err)
	}
	if errors.Is(err, plexkit.ErrForbidden) {
		return fmt.Errorf("%s refused %s: a player takes commands only from the account signed in on it, and this account is not (%d)",
			describePlayer(*p), command, plexkit.StatusOf(err))
	}
	if errors.Is(err, plexkit.ErrNotFound) {
		return fmt.Errorf("%s no longer knows %s: it stopped playing a while ago (see `plexkit player list`)", s.res.Name, describePlayer(*p))
	}
	return s.refused(method, path, err)
}

// failedRequest returns the method and path (below the server's base URL) of the request that
// err reports the server refused, or empty strings when err names none: a command may make
// more than one request (play-media makes a play queue first).
func failedRequest(c *pms.Client, err error) (method, path string) {
	var pe *plexkit.Error
	if !errors.As(err, &pe) || pe.Method == "" {
		return "", ""
	}
	u, perr := url.Parse(pe.URL)
	if perr != nil || u.Path == "" {
		return "", ""
	}
	path = u.Path
	if base, berr := url.Parse(c.BaseURL()); berr == nil {
		if prefix := strings.TrimSuffix(base.Path, "/"); prefix != "" {
			path = strings.TrimPrefix(path, prefix)
		}
	}
	return pe.Method, path
}
