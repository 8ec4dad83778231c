package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newSessionsCmd) }

func newSessionsCmd(f *Factory) *cobra.Command {
	var sel string
	var live bool
	var maxEvents int
	var wide bool
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List what is playing on a server now (needs the admin role: the server's owner)",
		Long: `List the playbacks in progress on a server (GET /status/sessions): who plays what, on which
player, and how far along. Plex lets only the server's owner (the admin role) see them; on a
server shared with you the call is refused, and no scope can change that. KEY is the session key
` + "`plexkit terminate`" + ` takes; --wide adds each player's machine identifier, which the
` + "`plexkit player`" + ` commands take.`,
		Example: `  plexkit sessions
  plexkit sessions --server alice-nas --json
  plexkit sessions --server alice-nas --wide
  plexkit sessions --server alice-nas --watch`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if cmd.Flags().Changed("max-events") && !live {
				return usageErrorf("--max-events counts the changes --watch prints: use it with --watch")
			}
			if live {
				return watchSessions(cmd, f, sel, maxEvents)
			}
			s, _, sessions, err := listOnServer(ctx, f, sel, "/status/sessions",
				func(ctx context.Context, c *pms.Client) ([]pms.Session, error) { return c.Sessions.List(ctx) })
			if err != nil {
				return err
			}
			if len(sessions) == 0 && !f.JSON && f.IO.OutTTY {
				// A person sees a sentence; a script still gets the bare header.
				_, err := fmt.Fprintf(f.IO.Out, "Nothing is playing on %s.\n", s.res.Name)
				return err
			}
			header := []string{"KEY", "USER", "TITLE", "TYPE", "STATE", "PLAYER", "PROGRESS"}
			if wide {
				header = append(header, "PLAYER ID")
			}
			return printList(f, sessions, header, func(ss pms.Session) []string {
				row := []string{string(ss.SessionKey), ss.User.Title, ss.DisplayTitle(), ss.Type, ss.Player.State, player(ss.Player), progress(ss)}
				if wide {
					row = append(row, ss.Player.MachineIdentifier)
				}
				return row
			})
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().BoolVar(&live, "watch", false, "keep the list up to date: a table redrawn in place on a terminal, JSON lines of changes when piped")
	cmd.Flags().BoolVar(&wide, "wide", false, "add each player's machine identifier")
	maxEventsFlag(cmd, &maxEvents)
	return cmd
}

// describeSession says in one line who plays what, where, and how far along.
func describeSession(s pms.Session) string {
	d := fmt.Sprintf("%s: %s (%s) on %s", s.User.Title, s.DisplayTitle(), s.Type, player(s.Player))
	if s.Player.State != "" {
		d += ", " + s.Player.State
	}
	if p := progress(s); p != "" {
		d += " at " + p
	}
	return d
}

// player names a session's player: its title and product.
func player(p pms.Player) string {
	switch {
	case p.Title != "" && p.Product != "":
		return p.Title + " (" + p.Product + ")"
	case p.Title != "":
		return p.Title
	}
	return p.Product
}

// progress is how far a session is, in percent of the item's duration.
func progress(s pms.Session) string {
	if s.Duration <= 0 {
		return ""
	}
	return fmt.Sprintf("%d%%", int64(s.ViewOffset)*100/int64(s.Duration))
}
