package cli

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newButlerCmd) }

func newButlerCmd(f *Factory) *cobra.Command {
	var sel string
	cmd := groupCmd("butler", "List, start and stop a server's scheduled tasks (admin)",
		`The butler runs a server's maintenance tasks (backups, optimisation, cleaning) on a schedule.
List them, or start and stop one now. Only the server's owner may.`)
	cmd.Example = `  plexkit butler ls
  plexkit butler start BackupDatabase
  plexkit butler stop BackupDatabase`
	groupServerFlag(cmd, &sel)

	ls := &cobra.Command{
		Use:   "ls",
		Short: "List the scheduled tasks",
		Example: `  plexkit butler ls --server alice-nas
  plexkit butler ls --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			_, _, tasks, err := listOnServer(ctx, f, sel, "/butler",
				func(ctx context.Context, c *pms.Client) ([]pms.ButlerTask, error) { return c.Butler.List(ctx) })
			if err != nil {
				return err
			}
			return printList(f, tasks, []string{"NAME", "ENABLED", "EVERY (DAYS)", "TITLE"}, func(t pms.ButlerTask) []string {
				return []string{t.Name, strconv.FormatBool(bool(t.Enabled)), strconv.FormatInt(int64(t.Interval), 10), t.Title}
			})
		},
	}
	startStop := func(use, short, method, done string, run func(*pms.Client) func(ctx context.Context, name string) error) *cobra.Command {
		return &cobra.Command{
			Use:     use + " TASK",
			Short:   short,
			Example: "  plexkit butler " + use + " BackupDatabase --server alice-nas",
			Args:    exactArgs(1, "TASK"),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				s, c, err := openServer(ctx, f, sel)
				if err != nil {
					return err
				}
				if err := run(c)(ctx, args[0]); err != nil {
					return s.refused(method, "/butler/"+args[0], err)
				}
				if f.JSON {
					return printJSON(f.IO, map[string]string{"server": s.res.Name, "task": args[0], "action": use})
				}
				_, err = fmt.Fprintf(f.IO.Out, "%s %s on %s.\n", done, args[0], s.res.Name)
				return err
			},
		}
	}
	cmd.AddCommand(ls,
		startStop("start", "Start a task now", http.MethodPost, "Started", func(c *pms.Client) func(context.Context, string) error { return c.Butler.Start }),
		startStop("stop", "Stop a running task", http.MethodDelete, "Stopped", func(c *pms.Client) func(context.Context, string) error { return c.Butler.Stop }),
	)
	return cmd
}

// groupServerFlag adds --server to a command group, for all its subcommands.
func groupServerFlag(cmd *cobra.Command, sel *string) {
	cmd.PersistentFlags().StringVar(sel, "server", "", serverFlagHelp)
}
