package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/pms"
)

func init() { register(newHistoryCmd) }

func newHistoryCmd(f *Factory) *cobra.Command {
	var sel string
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List what has been played on a server, newest first",
		Long: `List the play history of a server (GET /status/sessions/history/all), newest first, fetched a
page at a time. The server's owner (admin) sees every account's plays; a shared user sees
their own. ACCOUNT is the account's name where the server (GET /accounts) or plex.tv tells it,
else its id.`,
		Example: `  plexkit history --limit 10
  plexkit history --server alice-nas --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 0 {
				return usageErrorf("--limit must be 0 (all) or more, got %d", limit)
			}
			ctx := cmd.Context()
			acct, s, c, err := openAccountServer(ctx, f, sel)
			if err != nil {
				return err
			}
			var names map[int]string
			if !f.JSON {
				names = accountNames(ctx, acct, s, c)
			}
			out := newStream(f, "VIEWED", "ACCOUNT", "TYPE", "TITLE")
			for h, err := range c.History.List(ctx, pms.HistoryOptions{Sort: "viewedAt:desc", Limit: limit}) {
				if err != nil {
					out.abort()
					return s.refused(http.MethodGet, "/status/sessions/history/all", err)
				}
				title := h.Title
				if h.GrandparentTitle != "" {
					title = h.GrandparentTitle + " – " + h.Title
				}
				viewed := ""
				if h.ViewedAt > 0 {
					viewed = h.Viewed().UTC().Format(time.RFC3339)
				}
				if err := out.add(h, viewed, accountName(names, int(h.AccountID)), h.Type, title); err != nil {
					return err
				}
			}
			return out.close()
		},
	}
	serverFlag(cmd, &sel)
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N plays (0: all)")
	return cmd
}

// accountNames maps the account ids of a server's history to names: the server's own list of
// accounts (GET /accounts, which only its owner may read), the server's owner (id 1 on a real
// PMS), and this account (from plex.tv). Whatever cannot be learnt stays an id.
func accountNames(ctx context.Context, acct *serverSession, s *server, c *pms.Client) map[int]string {
	names := map[int]string{}
	if s.res.Owned {
		serverAccounts(ctx, c, names)
	}
	if tok, err := acct.src.Token(ctx); err == nil {
		if me, err := acct.plexTV.Users.Me(ctx, tok.Value); err == nil && me.Username != "" {
			names[int(me.ID)] = me.Username
			if s.res.Owned {
				names[1] = me.Username
			}
		}
	}
	if !s.res.Owned && s.res.SourceTitle != "" {
		names[1] = s.res.SourceTitle
	}
	return names
}

// serverAccounts adds the names of GET /accounts; a server that does not serve it adds none.
func serverAccounts(ctx context.Context, c *pms.Client, names map[int]string) {
	resp, err := c.Raw(ctx, http.MethodGet, "/accounts")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	var body struct {
		MediaContainer struct {
			Account []struct {
				ID   int    `json:"id"`
				Name string `json:"name"`
			} `json:"Account"`
		} `json:"MediaContainer"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body) != nil {
		return
	}
	for _, a := range body.MediaContainer.Account {
		if a.Name != "" {
			names[a.ID] = a.Name
		}
	}
}

// accountName is the name of account id, or the id.
func accountName(names map[int]string, id int) string {
	if n := names[id]; n != "" {
		return n
	}
	return strconv.Itoa(id)
}
