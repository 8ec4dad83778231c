package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/webhook"
)

func newWebhookListenCmd(f *Factory) *cobra.Command {
	var addr, publicURL, secret string
	var reg bool
	var maxEvents int
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive the account's webhooks and print them",
		Long: `Listen on --addr for the webhooks Plex servers post (media.play, media.pause, media.scrobble,
library.new…) and print each: a readable line on a terminal, a line of JSON with --json or when
piped (the event as Plex sent it, typed).

With --register the listener's URL (--url, else http://<addr>/) is added to the account's
webhooks for as long as it runs, and removed when it stops. --secret makes the listener accept
only posts whose URL ends with /<secret> (or carries ?secret=<secret>); with --register the
registered URL carries it.`,
		Example: `  plexkit webhooks listen --addr :8080
  plexkit webhooks listen --addr 127.0.0.1:8080 --register
  plexkit webhooks listen --addr :8080 --register --url https://hooks.example.com/plex --secret "$RANDOM_SECRET"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := liveContext(cmd)
			defer stop()
			return listenWebhooks(ctx, f, addr, publicURL, secret, reg, maxEvents)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "address to listen on, host:port")
	cmd.Flags().StringVar(&publicURL, "url", "", "the URL servers reach the listener at, for --register (default http://<addr>/)")
	cmd.Flags().StringVar(&secret, "secret", "", "accept only posts whose URL carries this secret")
	cmd.Flags().BoolVar(&reg, "register", false, "add the URL to the account's webhooks while listening, remove it on exit")
	maxEventsFlag(cmd, &maxEvents)
	return cmd
}

func listenWebhooks(ctx context.Context, f *Factory, addr, publicURL, secret string, reg bool, maxEvents int) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageErrorf("--addr %s: %v", addr, err)
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String() + "/"
	}
	if secret != "" {
		publicURL = strings.TrimSuffix(publicURL, "/") + "/" + secret
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	asJSON := jsonLines(f)
	var mu sync.Mutex
	events := 0
	h := &webhook.Handler{Secret: secret, OnEvent: func(_ *http.Request, ev webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if maxEvents > 0 && events >= maxEvents {
			return nil
		}
		if asJSON {
			if err := writeJSONLine(f.IO.Out, ev); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(f.IO.Out, time.Now().Format("15:04:05")+" "+describeWebhook(ev))
		}
		events++
		if maxEvents > 0 && events >= maxEvents {
			cancel()
		}
		return nil
	}}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if reg {
		acct, err := openServerSession(ctx, f)
		if err != nil {
			_ = srv.Close()
			return err
		}
		if err := plextv.CheckWebhookURL(publicURL); err != nil {
			_ = srv.Close()
			return usageErrorf("--url: %v", err)
		}
		if _, err := acct.plexTV.Webhooks.Add(ctx, publicURL); err != nil {
			_ = srv.Close()
			return webhookError(ctx, acct.plexTV, err)
		}
		fmt.Fprintf(f.IO.ErrOut, "registered %s as a webhook of the account; it is removed on exit\n", publicURL)
		defer func() {
			// The command's context has ended by now: the removal gets its own, short one.
			rctx, rcancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer rcancel()
			if _, err := acct.plexTV.Webhooks.Remove(rctx, publicURL); err != nil && !errors.Is(err, plextv.ErrNoSuchWebhook) {
				fmt.Fprintf(f.IO.ErrOut, "could not remove the webhook %s: %v (run `plexkit webhooks rm %s`)\n", publicURL, err, publicURL)
				return
			}
			fmt.Fprintf(f.IO.ErrOut, "removed the webhook %s\n", publicURL)
		}()
	}
	fmt.Fprintf(f.IO.ErrOut, "listening for webhooks on %s; Ctrl-C to stop\n", publicURL)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	return srv.Shutdown(sctx)
}

// describeWebhook says in one line what a webhook reports.
func describeWebhook(ev webhook.Event) string {
	d := fmt.Sprintf("%-18s %s", ev.Event, ev.Account.Title)
	if m := ev.Metadata; m != nil {
		title := m.Title
		if m.GrandparentTitle != "" {
			title = m.GrandparentTitle + " – " + m.Title
		}
		d += fmt.Sprintf(": %s (%s)", title, m.Type)
		if m.ViewOffset > 0 {
			d += " at " + clock(int64(m.ViewOffset))
		}
	}
	if p := ev.Player; p != nil {
		d += " on " + p.Title
	}
	if ev.Rating != nil {
		d += fmt.Sprintf(", rated %g", float64(*ev.Rating))
	}
	d += " [" + ev.Server.Title + "]"
	if ev.Thumb != nil {
		d += fmt.Sprintf(" (poster, %d bytes)", len(ev.Thumb))
	}
	return d
}
