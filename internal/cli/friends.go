package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newFriendsCmd) }

// friendJSON is a friend as `plexkit friends --json` prints it.
type friendJSON struct {
	ID         int64              `json:"id"`
	Title      string             `json:"title"`
	Username   string             `json:"username"`
	Email      string             `json:"email"`
	Home       bool               `json:"home"`
	Restricted bool               `json:"restricted"`
	Servers    []friendServerJSON `json:"servers"`
}

type friendServerJSON struct {
	Name              string              `json:"name"`
	MachineIdentifier string              `json:"machineIdentifier"`
	AllLibraries      bool                `json:"allLibraries"`
	Pending           bool                `json:"pending"`
	Sections          []sharedSectionJSON `json:"sections"`
}

type sharedSectionJSON struct {
	Key   string `json:"key"`
	Title string `json:"title"`
	Type  string `json:"type"`
}

// friendShare is one server shared with one friend, with the sections the friend sees there
// (nil when plex.tv would not say).
type friendShare struct {
	friend   plextv.Friend
	server   plextv.FriendServer
	sections []plextv.ServerSection
	known    bool
}

func newFriendsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "friends",
		Short: "List the accounts the account shares with, and what each one sees",
		Long: `List the friends and Home users the account shares its servers with (GET /api/users/), one row
per friend and server, with the libraries that friend sees on that server (GET
/api/servers/{machineIdentifier}/shared_servers). KIND is friend or home; STATUS is pending
until the friend accepts the invitation.

With --json: [{"id", "title", "username", "email", "home", "restricted", "servers": [{"name",
"machineIdentifier", "allLibraries", "pending", "sections": [{"key", "title", "type"}]}]}].`,
		Example: `  plexkit friends
  plexkit friends --json | jq -r '.[] | .username + ": " + ([.servers[].sections[].title] | join(", "))'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			friends, err := acct.plexTV.Friends.List(ctx)
			if err != nil {
				return fmt.Errorf("list the account's friends: %w", sessionError(err))
			}
			// One shared_servers call per owned server tells what every friend sees on it.
			shares := map[string]map[int64]plextv.SharedServer{} // machine id → user id → share
			for _, fr := range friends {
				for _, s := range fr.Servers {
					if _, done := shares[s.MachineIdentifier]; done || !s.Owned {
						continue
					}
					list, err := acct.plexTV.Sharing.List(ctx, s.MachineIdentifier)
					if err != nil {
						fmt.Fprintf(f.IO.ErrOut, "warning: cannot read what %s shares: %v\n", s.Name, err)
					}
					byUser := map[int64]plextv.SharedServer{}
					for _, sh := range list {
						byUser[sh.UserID] = sh
					}
					shares[s.MachineIdentifier] = byUser
				}
			}
			var rows []friendShare
			out := make([]friendJSON, 0, len(friends))
			for _, fr := range friends {
				j := friendJSON{ID: fr.ID, Title: fr.Title, Username: fr.Username, Email: fr.Email, Home: fr.Home, Restricted: fr.Restricted, Servers: []friendServerJSON{}}
				for _, s := range fr.Servers {
					sh, known := shares[s.MachineIdentifier][fr.ID]
					row := friendShare{friend: fr, server: s, known: known}
					sj := friendServerJSON{Name: s.Name, MachineIdentifier: s.MachineIdentifier, AllLibraries: s.AllLibraries, Pending: s.Pending, Sections: []sharedSectionJSON{}}
					if known {
						row.sections = sh.SharedSections()
						for _, sec := range row.sections {
							sj.Sections = append(sj.Sections, sharedSectionJSON{Key: sec.Key, Title: sec.Title, Type: sec.Type})
						}
					}
					rows = append(rows, row)
					j.Servers = append(j.Servers, sj)
				}
				if len(fr.Servers) == 0 {
					rows = append(rows, friendShare{friend: fr})
				}
				out = append(out, j)
			}
			if len(friends) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "no friends: this account shares with no one")
			}
			if f.JSON {
				return printJSON(f.IO, out)
			}
			if len(rows) == 0 {
				return nil
			}
			return printList(f, rows, []string{"FRIEND", "USERNAME", "KIND", "SERVER", "SEES", "STATUS"},
				func(r friendShare) []string {
					kind := "friend"
					if r.friend.Home {
						kind = "home"
					}
					return []string{r.friend.Title, r.friend.Username, kind, r.server.Name, sees(r), shareStatus(r)}
				})
		},
	}
}

// sees says which libraries a friend sees on a server.
func sees(r friendShare) string {
	switch {
	case r.server.Name == "":
		return ""
	case r.server.AllLibraries:
		return "all libraries"
	case !r.known:
		return fmt.Sprintf("%d libraries", r.server.NumLibraries)
	case len(r.sections) == 0:
		return "nothing"
	}
	titles := make([]string, len(r.sections))
	for i, s := range r.sections {
		titles[i] = s.Title
	}
	return strings.Join(titles, ", ")
}

func shareStatus(r friendShare) string {
	switch {
	case r.server.Name == "":
		return ""
	case r.server.Pending:
		return "pending"
	}
	return "accepted"
}
