package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/auth"
)

func init() { register(newWhoamiCmd) }

func newWhoamiCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "whoami",
		Short: "Show the plex.tv account this installation is logged in as",
		Long: `Show the plex.tv account behind the saved token (GET /api/v2/user): username, email, id, uuid,
and when the token expires. The token is refreshed first if it is due, as with 'plexkit token'.
With --json: {"username", "email", "id", "uuid", "title", "friendlyName", "tokenExpiresAt",
"clientIdentifier"}.`,
		Example: `  plexkit whoami
  plexkit whoami --json | jq -r .username`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := openSession(ctx, f)
			if err != nil {
				return sessionError(err)
			}
			me, err := s.client.WithTokenSource(s.src).Users.Me(ctx, "")
			if err != nil {
				return sessionError(err)
			}
			// Read after the call, which may have refreshed the token (due, a 498, a rotated
			// key): the expiry shown is the token's in use.
			tok, err := s.src.Token(ctx)
			if err != nil {
				return sessionError(err)
			}
			if f.JSON {
				return printJSON(f.IO, struct {
					Username         string    `json:"username"`
					Email            string    `json:"email"`
					ID               int64     `json:"id"`
					UUID             string    `json:"uuid"`
					Title            string    `json:"title"`
					FriendlyName     string    `json:"friendlyName"`
					TokenExpiresAt   time.Time `json:"tokenExpiresAt"`
					ClientIdentifier string    `json:"clientIdentifier"`
				}{me.Username, me.Email, me.ID, me.UUID, me.Title, me.FriendlyName, tok.Expiry.UTC(), s.dev.ClientIdentifier})
			}
			t := newTable(f.IO)
			t.addRow("username", me.Username)
			t.addRow("email", me.Email)
			t.addRow("id", fmt.Sprint(me.ID))
			t.addRow("uuid", me.UUID)
			if tok.Kind == auth.KindPlexJWT {
				t.addRow("token", fmt.Sprintf("Plex JWT, expires %s (%s)", relative(f.Now(), tok.Expiry), tok.Expiry.UTC().Format(time.RFC3339)))
			} else {
				t.addRow("token", "legacy token (no expiry known)")
			}
			if p := f.profile(); p != "" {
				t.addRow("profile", p)
			}
			t.addRow("device", s.dev.ClientIdentifier)
			return t.render()
		},
	}
}
