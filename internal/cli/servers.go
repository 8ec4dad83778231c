package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/internal/spec"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

func init() { register(newServersCmd) }

// serverSession is a logged-in session with the plex.tv client that carries the account's Plex JWT
// (refreshed when due), which the server commands use to list the account's servers.
type serverSession struct {
	*session
	plexTV *plextv.Client
}

// openServerSession opens the installation's session (see openSession) for the server commands.
func openServerSession(ctx context.Context, f *Factory) (*serverSession, error) {
	s, err := openSession(ctx, f)
	if err != nil {
		return nil, sessionError(err)
	}
	return &serverSession{session: s, plexTV: s.client.WithTokenSource(s.src)}, nil
}

// listWithSession opens the server session and reads one list from plex.tv with it; what
// names the list in the error ("the account's devices").
func listWithSession[T any](ctx context.Context, f *Factory, what string, list func(*plextv.Client) ([]T, error)) (*serverSession, []T, error) {
	acct, err := openServerSession(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	items, err := list(acct.plexTV)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", what, sessionError(err))
	}
	return acct, items, nil
}

// server is the server a command works on: its plex.tv resource and, when the person named a
// URL, that one connection.
type server struct {
	res plextv.Resource
	url string
}

// serverFlag adds --server to cmd.
func serverFlag(cmd *cobra.Command, sel *string) {
	cmd.Flags().StringVar(sel, "server", "", serverFlagHelp)
}

// selectServer picks the server sel names among the account's servers (GET /api/v2/resources).
// Without sel it takes the only one; with several it asks on a terminal and otherwise fails
// naming them.
func selectServer(ctx context.Context, f *Factory, acct *serverSession, sel string) (*server, error) {
	servers, err := acct.plexTV.Resources.Servers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list the account's servers: %w", sessionError(err))
	}
	sel, fromEnv := f.serverSel(sel)
	if sel == "" {
		switch len(servers) {
		case 0:
			return nil, errors.New("this account has no servers: it owns none and none is shared with it")
		case 1:
			return &server{res: servers[0]}, nil
		}
		if !f.IO.ErrTTY || !f.IO.OutTTY {
			return nil, usageErrorf("this account has %d servers: choose one with --server or %s (%s)", len(servers), EnvServer, strings.Join(doctor.ServerNames(servers), ", "))
		}
		return askServer(f, servers)
	}
	switch m := doctor.MatchServers(servers, sel); len(m) {
	case 1:
		s := &server{res: m[0]}
		if doctor.IsURL(sel) {
			s.url = strings.TrimRight(sel, "/")
		}
		return s, nil
	case 0:
	default:
		return nil, usageErrorf("%d servers are named %q: choose one by machine identifier (%s)", len(m), sel, strings.Join(machineIDs(m), ", "))
	}
	if doctor.IsURL(sel) {
		return identifyURL(ctx, f, acct, servers, strings.TrimRight(sel, "/"))
	}
	from := ""
	if fromEnv {
		from = " (from " + EnvServer + ")"
	}
	return nil, fmt.Errorf("this account has no server %q%s: it is neither owned by the account nor shared with it (its servers: %s)", sel, from, orNone(doctor.ServerNames(servers)))
}

// identifyURL asks the server at url who it is, so that a URL the resources do not list (a
// reverse proxy, a custom address) still gets the token plex.tv lists for that server.
func identifyURL(ctx context.Context, f *Factory, acct *serverSession, servers []plextv.Resource, url string) (*server, error) {
	// One try, bounded like Connect's: a URL that refuses or hangs is a typo or a dead server,
	// which waiting and retrying would only hide.
	c, err := pms.NewClient(url, f.pmsOptions(pms.WithClientInfo(acct.plexTV.ClientInfo()), pms.WithRetry(plexkit.RetryTransport{MaxRetries: -1}))...)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, pms.DefaultConnectTimeout)
	defer cancel()
	id, err := c.Server.Identity(ctx)
	if err != nil {
		return nil, fmt.Errorf("no Plex Media Server answers at %s: %w (run `plexkit doctor --server %s`)", url, err, url)
	}
	for _, s := range servers {
		if s.ClientIdentifier == id.MachineIdentifier {
			return &server{res: s, url: url}, nil
		}
	}
	return nil, fmt.Errorf("the server at %s (machine identifier %s) is not among this account's servers: it is neither owned by the account nor shared with it", url, id.MachineIdentifier)
}

// askServer lets the person at the terminal choose a server.
func askServer(f *Factory, servers []plextv.Resource) (*server, error) {
	fmt.Fprintln(f.IO.ErrOut, "This account has several servers:")
	for i, s := range servers {
		fmt.Fprintf(f.IO.ErrOut, "  %d. %s (%s)\n", i+1, s.Name, access(s))
	}
	in := bufio.NewReader(f.IO.In)
	for {
		fmt.Fprintf(f.IO.ErrOut, "Which one? [1-%d] ", len(servers))
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(f.IO.ErrOut)
			return nil, usageErrorf("no server chosen: name one with --server or %s", EnvServer)
		}
		line = strings.TrimSpace(line)
		if n, err := strconv.Atoi(line); err == nil && n >= 1 && n <= len(servers) {
			return &server{res: servers[n-1]}, nil
		}
		if m := doctor.MatchServers(servers, line); len(m) == 1 {
			return &server{res: m[0]}, nil
		}
		fmt.Fprintf(f.IO.ErrOut, "%q is none of them: answer a number from 1 to %d, or a server's name.\n", shortenWords(line, 40), len(servers))
	}
}

// ref is what pms needs to reach the server: the resource, or only the URL the person named.
func (s *server) ref() pms.ServerRef {
	ref := serverRef(s.res)
	if s.url != "" {
		ref.Connections = []pms.Connection{{URI: s.url}}
	}
	return ref
}

// serverRef is what pms needs of a plex.tv resource to reach the server: its identity, its
// connections, and the access token plex.tv lists for this account on it.
func serverRef(r plextv.Resource) pms.ServerRef {
	ref := pms.ServerRef{Name: r.Name, MachineIdentifier: r.ClientIdentifier, AccessToken: r.AccessToken, Owned: r.Owned}
	for _, c := range r.Connections {
		ref.Connections = append(ref.Connections, pms.Connection{URI: c.URI, Protocol: c.Protocol, Address: c.Address,
			Port: c.Port, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6})
	}
	return ref
}

// connect races the server's connections and returns a client that presents the server's own
// access token (the account's Plex JWT only when plex.tv lists none) and, on a 401, fetches the
// resources again once and retries once with what they list then.
func connect(ctx context.Context, f *Factory, acct *serverSession, s *server, extra ...pms.Option) (*pms.Client, error) {
	opts := f.pmsOptions(
		pms.WithClientInfo(acct.plexTV.ClientInfo()),
		pms.WithRefetch(func(ctx context.Context) (pms.ServerRef, error) {
			servers, err := acct.plexTV.Resources.Servers(ctx)
			if err != nil {
				return pms.ServerRef{}, err
			}
			for _, r := range servers {
				if r.ClientIdentifier == s.res.ClientIdentifier {
					again := server{res: r, url: s.url}
					return again.ref(), nil
				}
			}
			return pms.ServerRef{}, fmt.Errorf("%s is no longer among the account's servers: the share was removed", s.res.Name)
		}),
	)
	if s.res.AccessToken != "" {
		opts = append(opts, pms.WithToken(s.res.AccessToken))
	} else {
		opts = append(opts, pms.WithTokenSource(acct.src))
	}
	if s.url == "" {
		opts = append(opts, pms.WithPreferredConnection(lastConnection(f, s.res.ClientIdentifier)))
	}
	c, err := pms.Connect(ctx, s.ref(), append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w (run `plexkit doctor --server %s`)", s.res.Name, err, s.res.Name)
	}
	if s.url == "" {
		saveConnection(f, s.res.ClientIdentifier, c.BaseURL())
	}
	return c, nil
}

// openServer is what every server command starts with: the account, the chosen server, and a
// client connected to it, with the extra options given.
func openServer(ctx context.Context, f *Factory, sel string, extra ...pms.Option) (*server, *pms.Client, error) {
	_, s, c, err := openAccountServer(ctx, f, sel, extra...)
	return s, c, err
}

// listOnServer opens the server sel names and reads one list from it; a failure is the server's
// refusal of GET path.
func listOnServer[T any](ctx context.Context, f *Factory, sel, path string, list func(context.Context, *pms.Client) ([]T, error)) (*server, *pms.Client, []T, error) {
	s, c, err := openServer(ctx, f, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	items, err := list(ctx, c)
	if err != nil {
		return nil, nil, nil, s.refused(http.MethodGet, path, err)
	}
	return s, c, items, nil
}

// openAccountServer is openServer that also returns the account's session, for commands that
// ask plex.tv more.
func openAccountServer(ctx context.Context, f *Factory, sel string, extra ...pms.Option) (*serverSession, *server, *pms.Client, error) {
	acct, err := openServerSession(ctx, f)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := selectServer(ctx, f, acct, sel)
	if err != nil {
		return nil, nil, nil, err
	}
	c, err := connect(ctx, f, acct, s, extra...)
	if err != nil {
		return nil, nil, nil, err
	}
	return acct, s, c, nil
}

// adminRefusal reports whether err is the server refusing method path because it needs the
// admin role and the account is a shared user there.
func (s *server) adminRefusal(method, path string, err error) bool {
	op, known := spec.LookupServed(method, path)
	return known && op.Role == spec.RoleAdmin && !s.res.Owned && (errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrForbidden))
}

// refusedTo is refused said for a person who asked for what ("matching item 7"): a refusal for
// want of the admin role names what was asked and who may do it, in a short line; the call and
// the doctor command that explains it are the detail --debug adds. Other failures are refused's.
func (s *server) refusedTo(what, method, path string, err error) error {
	if what == "" || !s.adminRefusal(method, path, err) {
		return s.refused(method, path, err)
	}
	return s.needsAdmin(what, s.refused(method, path, err))
}

// needsAdmin says, in one short line, that what needs the admin role on s, which this account
// (a shared user there) lacks; err is kept for --debug.
func (s *server) needsAdmin(what string, err error) error {
	who := s.owner()
	if s.res.SourceTitle != "" {
		who += ","
	}
	return explain(err, "%s needs the admin role on %s, which only %s has; this account is a shared user", what, s.res.Name, who)
}

// owner names the server's owner: "its owner, alice", or "its owner" when plex.tv does not say.
func (s *server) owner() string {
	if s.res.SourceTitle != "" {
		return "its owner, " + s.res.SourceTitle
	}
	return "its owner"
}

// refused turns a server's refusal of method path into one line that names the cause: the
// admin role when the operation needs it and the account is a shared user, else the status
// and where to look further.
func (s *server) refused(method, path string, err error) error {
	if err == nil {
		return nil
	}
	doc := fmt.Sprintf("`plexkit doctor --server %s --endpoint %s`", s.res.Name, path)
	switch {
	case s.adminRefusal(method, path, err):
		return fmt.Errorf("%s %s needs the admin role on %s — only %s, may call it — and this account is a shared user there; no scope can change a role (see %s)", method, path, s.res.Name, s.owner(), doc)
	case errors.Is(err, plexkit.ErrTokenExpired):
		return fmt.Errorf("%s answered 498 to %s %s: the Plex JWT has expired and could not be refreshed (see %s)", s.res.Name, method, path, doc)
	case errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrForbidden):
		return fmt.Errorf("%s refused %s %s (%d), even with the access token fetched again from plex.tv (see %s)", s.res.Name, method, path, plexkit.StatusOf(err), doc)
	}
	if status := plexkit.StatusOf(err); status != 0 {
		var pe *plexkit.Error
		why := http.StatusText(status)
		if errors.As(err, &pe) && pe.Message != "" && pe.Message != why {
			why += ": " + pe.Message
		}
		return explain(err, "%s answered %d (%s) to %s %s; see %s", s.res.Name, status, why, method, path, doc)
	}
	return fmt.Errorf("%s: %w", s.res.Name, err)
}

// access says what the account is on a server: its owner, a member of the owner's Plex Home
// (a managed or home user), or a friend the owner shared it with.
func access(s plextv.Resource) string {
	switch {
	case s.Owned:
		return "owner"
	case s.Home && s.SourceTitle != "":
		return "home user of " + s.SourceTitle
	case s.Home:
		return "home user"
	case s.SourceTitle != "":
		return "shared by " + s.SourceTitle
	}
	return "shared"
}

// role is the account's role on a server, in the words of the PMS API documentation.
func role(s plextv.Resource) string {
	if s.Owned {
		return "admin"
	}
	return "shared user"
}

func machineIDs(servers []plextv.Resource) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.ClientIdentifier
	}
	return out
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// serverJSON is a server as `plexkit servers --json` prints it: never its access token.
type serverJSON struct {
	Name              string           `json:"name"`
	MachineIdentifier string           `json:"machineIdentifier"`
	Owned             bool             `json:"owned"`
	Role              string           `json:"role"`
	SourceTitle       string           `json:"sourceTitle,omitempty"`
	Home              bool             `json:"home"`
	Product           string           `json:"product"`
	ProductVersion    string           `json:"productVersion"`
	Platform          string           `json:"platform,omitempty"`
	Presence          bool             `json:"presence"`
	Connections       []connectionJSON `json:"connections"`
}

type connectionJSON struct {
	URI      string `json:"uri"`
	Protocol string `json:"protocol"`
	Address  string `json:"address"`
	Port     int    `json:"port"`
	Local    bool   `json:"local"`
	Relay    bool   `json:"relay"`
	IPv6     bool   `json:"IPv6"`
}

func newServersCmd(f *Factory) *cobra.Command {
	var wide bool
	cmd := &cobra.Command{
		Use:   "servers",
		Short: "List the account's servers: owned and shared, with their connections",
		Long: `List the Plex Media Servers of the account (GET /api/v2/resources): the ones it owns, where it
is admin, and the ones shared with it, where it is a shared user. Server commands reach each
server with the access token plex.tv lists for it, not with the account's Plex JWT.

CONNECTION is the connection plexkit uses first — the one that answered last time, else the
preferred one (https before http; local, remote, relay) — and how many more plex.tv lists;
--wide lists them all.`,
		Example: `  plexkit servers
  plexkit servers --wide
  plexkit servers --json | jq -r '.[].name'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			_, servers, err := listWithSession(ctx, f, "the account's servers", func(c *plextv.Client) ([]plextv.Resource, error) { return c.Resources.Servers(ctx) })
			if err != nil {
				return err
			}
			if len(servers) == 0 {
				// Said on stderr: stdout stays empty (or [] with --json) for scripts.
				fmt.Fprintln(f.IO.ErrOut, "no servers: this account owns none and none are shared with it")
			}
			if f.JSON {
				out := make([]serverJSON, 0, len(servers))
				for _, s := range servers {
					j := serverJSON{Name: s.Name, MachineIdentifier: s.ClientIdentifier, Owned: s.Owned, Role: role(s),
						SourceTitle: s.SourceTitle, Home: s.Home, Product: s.Product, ProductVersion: s.ProductVersion,
						Platform: s.Platform, Presence: s.Presence, Connections: []connectionJSON{}}
					for _, c := range s.Connections {
						j.Connections = append(j.Connections, connectionJSON{URI: c.URI, Protocol: c.Protocol, Address: c.Address,
							Port: c.Port, Local: c.Local, Relay: c.Relay, IPv6: c.IPv6})
					}
					out = append(out, j)
				}
				return printJSON(f.IO, out)
			}
			if len(servers) == 0 {
				return nil
			}
			t := newTable(f.IO)
			if wide {
				t.addRow("NAME", "ROLE", "ACCESS", "VERSION", "MACHINE ID", "CONNECTIONS")
			} else {
				t.addRow("NAME", "ROLE", "ACCESS", "VERSION", "CONNECTION")
			}
			for _, s := range servers {
				if wide {
					t.addRow(s.Name, role(s), access(s), s.ProductVersion, s.ClientIdentifier, connectionSummary(s.Connections))
					continue
				}
				t.addRow(s.Name, role(s), access(s), s.ProductVersion, firstConnection(s, lastConnection(f, s.ClientIdentifier)))
			}
			return t.render()
		},
	}
	cmd.Flags().BoolVar(&wide, "wide", false, "show the machine identifier and every connection")
	return cmd
}

// firstConnection is the connection plexkit tries first — last, when the server lists it (the
// one that answered last time), else the best ranked — with its kind and the count of others.
func firstConnection(s plextv.Resource, last string) string {
	if len(s.Connections) == 0 {
		return "none listed"
	}
	best := -1
	for i, c := range s.Connections {
		if last != "" && strings.TrimRight(c.URI, "/") == strings.TrimRight(last, "/") {
			best = i
			break
		}
		if best < 0 || connRank(c) < connRank(s.Connections[best]) {
			best = i
		}
	}
	c := s.Connections[best]
	out := c.URI + " (" + c.Kind() + ")"
	if n := len(s.Connections) - 1; n > 0 {
		out += fmt.Sprintf(" +%d more", n)
	}
	return out
}

// connRank orders connections as pms.Connect prefers them: https before http, then local,
// remote, relay.
func connRank(c plextv.Connection) int {
	r := 0
	if !strings.HasPrefix(c.URI, "https:") && c.Protocol != "https" {
		r += 3
	}
	switch {
	case c.Relay:
		r += 2
	case !c.Local:
		r++
	}
	return r
}

// connectionSummary lists the connections' URIs with their kind.
func connectionSummary(conns []plextv.Connection) string {
	parts := make([]string, len(conns))
	for i, c := range conns {
		parts[i] = c.URI + " (" + c.Kind() + ")"
	}
	return strings.Join(parts, ", ")
}
