package cli

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newTerminateCmd) }

func newTerminateCmd(f *Factory) *cobra.Command {
	var sel, reason string
	cmd := &cobra.Command{
		Use:   "terminate SESSION --reason TEXT",
		Short: "Stop a playback on a server, telling the viewer why (admin)",
		Long: `Stop a playback in progress (POST /status/sessions/terminate); the player shows the reason.
SESSION is the session's id or its session key, as ` + "`plexkit sessions --json`" + ` shows them.
Only the server's owner may stop a playback.`,
		Example: `  plexkit terminate 17 --reason "Server maintenance in 5 minutes"`,
		Args:    exactArgs(1, "SESSION"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(reason) == "" {
				return usageErrorf("--reason is required: the viewer sees it")
			}
			ctx := cmd.Context()
			s, c, sessions, err := listOnServer(ctx, f, sel, "/status/sessions",
				func(ctx context.Context, c *pms.Client) ([]pms.Session, error) { return c.Sessions.List(ctx) })
			if err != nil {
				return err
			}
			var ids []string
			for _, ss := range sessions {
				if ss.Session.ID == args[0] || string(ss.SessionKey) == args[0] {
					if err := c.Sessions.Terminate(ctx, ss.Session.ID, reason); err != nil {
						return s.refused(http.MethodPost, "/status/sessions/terminate", err)
					}
					if f.JSON {
						return printJSON(f.IO, map[string]string{"server": s.res.Name, "session": ss.Session.ID, "user": ss.User.Title, "title": ss.DisplayTitle(), "reason": reason})
					}
					_, err := fmt.Fprintf(f.IO.Out, "Stopped %s.\n", describeSession(ss))
					return err
				}
				ids = append(ids, fmt.Sprintf("%s (key %s, %s)", ss.Session.ID, ss.SessionKey, ss.User.Title))
			}
			return usageErrorf("%s plays no session %q; its sessions: %s", s.res.Name, args[0], orNone(ids))
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().StringVar(&reason, "reason", "", "what the viewer is told (required)")
	return cmd
}
