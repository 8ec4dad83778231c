package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/plexkit/plexkit/plextv"
)

func init() { register(newHomeCmd) }

// EnvHomePIN carries a Home user's PIN for `plexkit home switch`; unlike --pin it stays out of
// shell history and of the process list.
const EnvHomePIN = "PLEXKIT_HOME_PIN"

// homeUserJSON is a Home user as `plexkit home --json` prints it.
type homeUserJSON struct {
	ID                 int64  `json:"id"`
	UUID               string `json:"uuid"`
	Title              string `json:"title"`
	Username           string `json:"username"`
	Role               string `json:"role"`
	Protected          bool   `json:"protected"`
	Restricted         bool   `json:"restricted"`
	RestrictionProfile string `json:"restrictionProfile,omitempty"`
	Profile            string `json:"profile,omitempty"`
}

// homeRole says what a user is in the Home.
func homeRole(u plextv.HomeUser) string {
	switch {
	case u.Admin:
		return "admin"
	case u.Guest:
		return "guest"
	case u.Managed():
		return "managed"
	}
	return "member"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func newHomeCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "home",
		Short: "List the users of the account's Plex Home; act as one with 'home switch'",
		Long: `List the users of the account's Plex Home (GET /api/v2/home/users): its admin, members with an
account of their own, and managed users. PIN says whether switching to the user needs their
PIN; PROFILE names the profile 'plexkit home switch' saved for the user, if any.

With --json: [{"id", "uuid", "title", "username", "role", "protected", "restricted",
"restrictionProfile", "profile"}].`,
		Example: `  plexkit home
  plexkit home switch carol --pin 1234
  plexkit --profile carol servers`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			users, err := acct.plexTV.Home.List(ctx)
			if err != nil {
				return fmt.Errorf("list the Home's users: %w", sessionError(err))
			}
			if len(users) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "no Home users: this account is not in a Plex Home")
			}
			profiles := map[string]string{}
			if dir, err := f.RequireConfigDir(); err == nil {
				profiles = savedProfiles(dir)
			}
			if f.JSON {
				out := make([]homeUserJSON, 0, len(users))
				for _, u := range users {
					out = append(out, homeUserJSON{ID: u.ID, UUID: u.UUID, Title: u.Title, Username: u.Username, Role: homeRole(u),
						Protected: u.Protected, Restricted: u.Restricted, RestrictionProfile: u.RestrictionProfile, Profile: profiles[u.UUID]})
				}
				return printJSON(f.IO, out)
			}
			if len(users) == 0 {
				return nil
			}
			return printList(f, users, []string{"NAME", "USERNAME", "ROLE", "PIN", "RESTRICTED", "UUID", "PROFILE"},
				func(u plextv.HomeUser) []string {
					restricted := yesNo(u.Restricted)
					if u.RestrictionProfile != "" {
						restricted = u.RestrictionProfile
					}
					return []string{u.Title, u.Username, homeRole(u), yesNo(u.Protected), restricted, u.UUID, profiles[u.UUID]}
				})
		},
	}
	cmd.AddCommand(newHomeSwitchCmd(f))
	return cmd
}

func newHomeSwitchCmd(f *Factory) *cobra.Command {
	var pin, name string
	cmd := &cobra.Command{
		Use:   "switch USER",
		Short: "Switch to a Home user and save their token in a profile of its own",
		Long: `Switch to a user of the account's Plex Home (POST /api/v2/home/users/{uuid}/switch) and save the
token plex.tv hands out for that user in a profile: <config>/profiles/<name>/, beside a
profile.json that says who it is. The account's own login stays as it is.

Any account or server command then acts as that user with --profile <name> (or
$` + EnvProfile + `), seeing what that user sees. The profile's token is not a Plex JWT of this
device: plexkit cannot refresh it; when plex.tv stops accepting it, switch again. 'plexkit
--profile <name> logout' forgets the profile.

USER is the user's name (title), username, uuid or id. A user protected by a PIN needs it: give
it with ` + EnvHomePIN + ` (or --pin, which ends up in shell history); on a terminal plexkit asks.
The profile is named after the user (--name chooses another name).

With --json: {"profile", "dir", "user": {"id", "uuid", "title", "username"}}.`,
		Example: `  plexkit home switch carol
  PLEXKIT_HOME_PIN=1234 plexkit home switch carol --name kids
  plexkit --profile carol libraries`,
		Args: exactArgs(1, "USER"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if name != "" {
				if err := checkProfileName(name); err != nil {
					return err
				}
			}
			dir, err := f.RequireConfigDir()
			if err != nil {
				return err
			}
			acct, err := openServerSession(ctx, f)
			if err != nil {
				return err
			}
			users, err := acct.plexTV.Home.List(ctx)
			if err != nil {
				return fmt.Errorf("list the Home's users: %w", sessionError(err))
			}
			u, err := matchHomeUser(users, args[0])
			if err != nil {
				return err
			}
			if pin == "" {
				pin = f.Getenv(EnvHomePIN)
			}
			if pin == "" && u.Protected {
				if pin, err = askPIN(f, u.Title); err != nil {
					return err
				}
			}
			sw, err := acct.plexTV.Home.Switch(ctx, u.UUID, pin)
			if errors.Is(err, plextv.ErrHomePINRequired) {
				return fmt.Errorf("%s is protected by a PIN and plex.tv refused the one given: give the right one with $%s or --pin", u.Title, EnvHomePIN)
			}
			if err != nil {
				return fmt.Errorf("switch to %s: %w", u.Title, sessionError(err))
			}
			if name == "" {
				name = profileNameFor(*u)
			}
			pdir, err := saveProfile(ctx, dir, name, sw.Token, profileRecord{ID: sw.User.ID, UUID: sw.User.UUID, Title: sw.User.Title,
				Username: sw.User.Username, SwitchedAt: f.Now().UTC()})
			if err != nil {
				return err
			}
			if f.JSON {
				type user struct {
					ID       int64  `json:"id"`
					UUID     string `json:"uuid"`
					Title    string `json:"title"`
					Username string `json:"username"`
				}
				return printJSON(f.IO, struct {
					Profile string `json:"profile"`
					Dir     string `json:"dir"`
					User    user   `json:"user"`
				}{name, pdir, user{sw.User.ID, sw.User.UUID, sw.User.Title, sw.User.Username}})
			}
			_, err = fmt.Fprintf(f.IO.Out, "Switched to %s: saved the token in profile %q (%s).\nAct as %s with: plexkit --profile %s COMMAND\n",
				sw.User.Title, name, pdir, sw.User.Title, name)
			return err
		},
	}
	cmd.Flags().StringVar(&pin, "pin", "", "the user's PIN (prefer $"+EnvHomePIN+")")
	cmd.Flags().StringVar(&name, "name", "", "the profile's name (default: from the user's name)")
	return cmd
}

// matchHomeUser finds the Home user sel names: by uuid, id, username or title.
func matchHomeUser(users []plextv.HomeUser, sel string) (*plextv.HomeUser, error) {
	sel = strings.TrimSpace(sel)
	var byName []*plextv.HomeUser
	for i := range users {
		u := &users[i]
		if u.UUID == sel || strconv.FormatInt(u.ID, 10) == sel {
			return u, nil
		}
		if strings.EqualFold(u.Username, sel) || strings.EqualFold(u.Title, sel) {
			byName = append(byName, u)
		}
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		names := make([]string, len(users))
		for i, u := range users {
			names[i] = u.Title
		}
		return nil, fmt.Errorf("the Home has no user %q (its users: %s)", sel, orNone(names))
	}
	return nil, usageErrorf("%d Home users are named %q: choose one by uuid (see `plexkit home`)", len(byName), sel)
}

// askPIN reads a Home PIN from the terminal without echoing it; without a terminal it says how
// to give one.
func askPIN(f *Factory, who string) (string, error) {
	in, ok := f.IO.In.(*os.File)
	if !ok || !f.IO.ErrTTY || !term.IsTerminal(int(in.Fd())) {
		return "", usageErrorf("%s is protected by a PIN: give it with $%s or --pin", who, EnvHomePIN)
	}
	fmt.Fprintf(f.IO.ErrOut, "PIN of %s: ", who)
	b, err := term.ReadPassword(int(in.Fd()))
	fmt.Fprintln(f.IO.ErrOut)
	if err != nil {
		return "", fmt.Errorf("read the PIN: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}
