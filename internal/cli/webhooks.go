package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newWebhooksCmd) }

func newWebhooksCmd(f *Factory) *cobra.Command {
	cmd := groupCmd("webhooks", "List, add and remove the account's webhooks (Plex Pass)",
		`Webhooks are URLs plex.tv and the account's servers POST events to: playback (media.play,
media.pause, media.scrobble…), new media, server events. They need Plex Pass.

Each subcommand prints the account's webhook URLs afterwards, one per line (with --json, a
JSON array of them).`)
	cmd.Aliases = []string{"webhook"}
	cmd.Example = `  plexkit webhooks ls
  plexkit webhooks add https://example.com/plex
  plexkit webhooks rm https://example.com/plex`
	cmd.AddCommand(
		webhookCmd(f, "ls", "List the account's webhook URLs", "List the account's webhook URLs, one per line.",
			"  plexkit webhooks ls\n  plexkit webhooks ls --json", noArgs,
			func(ctx context.Context, c *plextv.Client, _ []string) ([]string, string, error) {
				urls, err := c.Webhooks.List(ctx)
				return urls, "", err
			}),
		webhookCmd(f, "add URL", "Add a webhook URL", "Add URL to the account's webhooks; a URL already there is left as it is.",
			"  plexkit webhooks add https://example.com/plex", exactArgs(1, "URL"),
			func(ctx context.Context, c *plextv.Client, args []string) ([]string, string, error) {
				if err := plextv.CheckWebhookURL(args[0]); err != nil {
					return nil, "", &UsageError{Err: err}
				}
				urls, err := c.Webhooks.Add(ctx, args[0])
				return urls, "Added " + args[0] + ".", err
			}),
		webhookCmd(f, "rm URL", "Remove a webhook URL", "Remove URL from the account's webhooks.",
			"  plexkit webhooks rm https://example.com/plex", exactArgs(1, "URL"),
			func(ctx context.Context, c *plextv.Client, args []string) ([]string, string, error) {
				urls, err := c.Webhooks.Remove(ctx, args[0])
				return urls, "Removed " + args[0] + ".", err
			}),
		newWebhookListenCmd(f),
	)
	return cmd
}

// webhookCmd builds a webhooks subcommand: run does the change and returns the resulting list
// and what to tell the person on stderr.
func webhookCmd(f *Factory, use, short, long, example string, args cobra.PositionalArgs,
	run func(context.Context, *plextv.Client, []string) ([]string, string, error)) *cobra.Command {
	return &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    args,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			urls, done, err := run(ctx, acct.plexTV, args)
			if err != nil {
				var usage *UsageError
				if errors.As(err, &usage) || errors.Is(err, plextv.ErrNoSuchWebhook) {
					return err
				}
				return webhookError(ctx, acct.plexTV, err)
			}
			if done != "" {
				fmt.Fprintln(f.IO.ErrOut, done)
			}
			if !f.JSON && len(urls) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "no webhooks")
				return nil
			}
			if f.JSON && urls == nil {
				urls = []string{}
			}
			if f.JSON {
				return printJSON(f.IO, urls)
			}
			t := newTable(f.IO)
			for _, u := range urls {
				t.addRow(u)
			}
			return t.render()
		},
	}
}

// webhookError explains a refused webhook call: plex.tv refuses them all to an account without
// Plex Pass, which one look at the account tells.
func webhookError(ctx context.Context, c *plextv.Client, err error) error {
	if status := plexkit.StatusOf(err); status != 0 && status != 401 && status < 500 {
		if me, merr := c.Users.Me(ctx, ""); merr == nil && !me.HasPlexPass() {
			return fmt.Errorf("webhooks need Plex Pass, which %s does not have (plex.tv answered: %w)", me.Username, err)
		}
	}
	return fmt.Errorf("webhooks: %w", sessionError(err))
}
