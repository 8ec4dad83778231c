package cli

import (
	"context"
	"encoding/json"
	"github.com/plexkit/plexkit/internal/testutil"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

// srvEmulator runs an emulator with a small library for a server-command test.
func srvEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	return startCLIEmulatorWith(t, emulator.Options{LibrarySize: 50})
}

// srvLogin gives a fresh config directory a device and the Plex JWT of username, the way
// `plexkit login` leaves it (the emulator approves the PIN as the person would), and returns
// the environment that points plexkit at both.
func srvLogin(t testing.TB, e *emulator.Emulator, username string) (env map[string]string, tok string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "plexkit")
	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Scopes: []string{"username", "email", "friendly_name"},
		OnPin: func(p *plextv.Pin, _ string) {
			if err := e.ClaimPin(p.Code, username); err != nil {
				t.Errorf("ClaimPin(%s): %v", username, err)
				cancel()
			}
		},
		PollInterval: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("log in as %s: %v", username, err)
	}
	if err := (&auth.FileStore{Dir: dir}).Save(ctx, got); err != nil {
		t.Fatal(err)
	}
	return map[string]string{EnvConfigDir: dir, EnvPlexTVURL: e.URL()}, got.Value
}

// lines splits output into its lines, without the last newline.
func lines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// tsv splits piped output into rows of fields.
func tsv(s string) [][]string {
	var rows [][]string
	for _, l := range lines(s) {
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows
}

// column returns the values of the named column of piped output (header first).
func column(t testing.TB, out, name string) []string {
	t.Helper()
	rows := tsv(out)
	if len(rows) == 0 {
		t.Fatalf("no output")
	}
	i := -1
	for j, h := range rows[0] {
		if h == name {
			i = j
		}
	}
	if i < 0 {
		t.Fatalf("no column %q in header %q", name, rows[0])
	}
	var vals []string
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Fatalf("row %q has %d fields, header %d", r, len(r), len(rows[0]))
		}
		vals = append(vals, r[i])
	}
	return vals
}

func TestServerCommands(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, aliceTok := srvLogin(t, e, "alice")
	bob, bobTok := srvLogin(t, e, "bob")
	dave, _ := srvLogin(t, e, "dave")
	secrets := []string{aliceTok, bobTok, e.LegacyToken("alice")}
	closed := testutil.ClosedURL(t)

	tests := []cliCase{
		{
			name: "servers piped", env: alice, args: []string{"servers"},
			check: func(t *testing.T, r cliResult) {
				if got := column(t, r.stdout, "NAME"); strings.Join(got, ",") != "alice-nas,alice-vault" {
					t.Errorf("names = %q", got)
				}
				if got := column(t, r.stdout, "ROLE"); strings.Join(got, ",") != "admin,admin" {
					t.Errorf("roles = %q", got)
				}
			},
		},
		{
			name: "servers of a friend", env: bob, args: []string{"servers"},
			check: func(t *testing.T, r cliResult) {
				if got := column(t, r.stdout, "ACCESS"); strings.Join(got, ",") != "shared by alice" {
					t.Errorf("access = %q", got)
				}
				if got := column(t, r.stdout, "ROLE"); strings.Join(got, ",") != "shared user" {
					t.Errorf("roles = %q", got)
				}
			},
		},
		{
			name: "servers --json", env: alice, args: []string{"servers", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []map[string]any
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, r.stdout)
				}
				if len(got) != 2 || got[0]["name"] != "alice-nas" || got[0]["role"] != "admin" || got[0]["owned"] != true {
					t.Errorf("servers = %v", got)
				}
				if _, ok := got[0]["accessToken"]; ok {
					t.Error("--json shows the access token")
				}
				if conns, _ := got[0]["connections"].([]any); len(conns) < 2 {
					t.Errorf("connections = %v", got[0]["connections"])
				}
			},
		},
		{
			name: "sessions of the owner", env: alice, args: []string{"sessions", "--server", "alice-nas"},
			check: func(t *testing.T, r cliResult) {
				if got := column(t, r.stdout, "USER"); strings.Join(got, ",") != "alice,bob" {
					t.Errorf("users = %q", got)
				}
				if got := column(t, r.stdout, "STATE"); strings.Join(got, ",") != "playing,paused" {
					t.Errorf("states = %q", got)
				}
				// KEY is what `plexkit terminate` takes; the player's id needs --wide.
				if got := column(t, r.stdout, "KEY"); strings.Join(got, ",") != "1,2" {
					t.Errorf("keys = %q", got)
				}
				if strings.Contains(r.stdout, "PLAYER ID") {
					t.Errorf("the default table shows the player id:\n%s", r.stdout)
				}
			},
		},
		{
			name: "sessions --wide", env: alice, args: []string{"sessions", "--server", "alice-nas", "--wide"},
			check: func(t *testing.T, r cliResult) {
				var sessions []pms.Session
				if err := json.Unmarshal([]byte(runCLI(t, alice, "", "sessions", "--server", "alice-nas", "--json").mustSucceed(t).stdout), &sessions); err != nil {
					t.Fatal(err)
				}
				got := column(t, r.stdout, "PLAYER ID")
				if len(got) != len(sessions) || len(got) == 0 {
					t.Fatalf("player ids = %q for %d sessions", got, len(sessions))
				}
				for i, ss := range sessions {
					if got[i] != ss.Player.MachineIdentifier {
						t.Errorf("row %d: player id %q, want %q", i, got[i], ss.Player.MachineIdentifier)
					}
				}
			},
		},
		{
			name: "sessions --max-events without --watch", env: alice, args: []string{"sessions", "--server", "alice-nas", "--max-events", "1"},
			code: ExitUsage, stderr: []string{"--max-events", "--watch"},
		},
		{
			name: "sessions --json", env: alice, args: []string{"sessions", "--server", "alice-nas", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []struct {
					Title string
					User  struct{ Title string }
				}
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 || got[1].User.Title != "bob" {
					t.Errorf("sessions = %+v (%v)\n%s", got, err, r.stdout)
				}
			},
		},
		{
			// alice-vault refuses the account's Plex JWT: the command works because it presents
			// the server's own access token.
			name: "sessions on a server that refuses the account JWT", env: alice, args: []string{"sessions", "--server", "alice-vault"},
			check: func(t *testing.T, r cliResult) {
				if len(tsv(r.stdout)) != 1 {
					t.Errorf("alice-vault has no sessions, got %q", r.stdout)
				}
			},
		},
		{
			name: "sessions of a friend are refused by role", env: bob, args: []string{"sessions", "--server", "alice-nas"},
			code: 1, stderr: []string{"GET /status/sessions needs the admin role", "alice-nas", "alice", "shared user", "no scope"},
			check: func(t *testing.T, r cliResult) {
				if r.stdout != "" {
					t.Errorf("stdout = %q", r.stdout)
				}
				if n := len(lines(r.stderr)); n != 1 {
					t.Errorf("stderr has %d lines, want 1:\n%s", n, r.stderr)
				}
			},
		},
		{
			name: "a friend's only server is taken without --server", env: bob, args: []string{"libraries"},
			check: func(t *testing.T, r cliResult) {
				if got := column(t, r.stdout, "TITLE"); strings.Join(got, ",") != "Movies,Music" {
					t.Errorf("bob sees sections %q, want only the shared Movies and Music", got)
				}
			},
		},
		{
			name: "libraries of the owner", env: alice, args: []string{"libraries", "--server", "alice-nas"},
			check: func(t *testing.T, r cliResult) {
				if got := column(t, r.stdout, "KEY"); strings.Join(got, ",") != "1,2,3,4" {
					t.Errorf("keys = %q", got)
				}
			},
		},
		{
			name: "libraries --json", env: alice, args: []string{"libraries", "--server", "alice-nas", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []struct{ Key, Type, Title string }
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 4 || got[1].Type != "show" || got[2].Type != "artist" || got[3].Type != "photo" {
					t.Errorf("sections = %+v (%v)", got, err)
				}
			},
		},
		{
			name: "a server by machine identifier", env: alice, args: []string{"libraries", "--server", serverByName(t, e, "alice-vault").MachineIdentifier},
			check: func(t *testing.T, r cliResult) {
				if len(column(t, r.stdout, "KEY")) != 2 {
					t.Errorf("output = %q", r.stdout)
				}
			},
		},
		{
			name: "a server by URL", env: alice, args: []string{"libraries", "--server", serverByName(t, e, "alice-nas").URL},
			check: func(t *testing.T, r cliResult) {
				if len(column(t, r.stdout, "KEY")) != 4 {
					t.Errorf("output = %q", r.stdout)
				}
			},
		},
		{
			name: "several servers and no choice off a terminal", env: alice, args: []string{"libraries"},
			code: 2, stderr: []string{"2 servers", "alice-nas, alice-vault", "--server"},
		},
		{
			name: "a server the account cannot reach", env: dave, args: []string{"sessions", "--server", "alice-nas"},
			code: 1, stderr: []string{`no server "alice-nas"`, "neither owned by the account nor shared with it"},
		},
		{
			name: "an account without servers", env: dave, args: []string{"libraries"},
			code: 1, stderr: []string{"no servers"},
		},
		{
			name: "items streamed with a limit", env: alice, args: []string{"items", "1", "--server", "alice-nas", "--limit", "7"},
			check: func(t *testing.T, r cliResult) {
				keys := column(t, r.stdout, "RATING KEY")
				if len(keys) != 7 {
					t.Errorf("%d items, want 7:\n%s", len(keys), r.stdout)
				}
				for _, y := range column(t, r.stdout, "YEAR") {
					if len(y) != 4 {
						t.Errorf("year %q", y)
					}
				}
			},
		},
		{
			name: "items of a section named by title, all of them", env: alice, args: []string{"items", "movies", "--server", "alice-nas"},
			check: func(t *testing.T, r cliResult) {
				if n := len(column(t, r.stdout, "TITLE")); n != 50 {
					t.Errorf("%d items, want the section's 50", n)
				}
			},
		},
		{
			name: "items --json", env: alice, args: []string{"items", "2", "--server", "alice-nas", "--limit", "3", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []struct{ RatingKey, Type, Title string }
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 3 || got[0].Type != "show" {
					t.Errorf("items = %+v (%v)\n%s", got, err, r.stdout)
				}
			},
		},
		{
			name: "items of a section not shared with the friend", env: bob, args: []string{"items", "TV Shows"},
			code: 2, stderr: []string{`no library section "TV Shows"`, "Movies (1)"},
		},
		{
			name: "items with a negative limit", env: alice, args: []string{"items", "1", "--limit", "-1"},
			code: 2, stderr: []string{"--limit"},
		},
		{
			name: "history of the owner: every account, newest first", env: alice, args: []string{"history", "--server", "alice-nas"},
			check: func(t *testing.T, r cliResult) {
				viewed := column(t, r.stdout, "VIEWED")
				if len(viewed) != 6 {
					t.Fatalf("%d plays, want 6:\n%s", len(viewed), r.stdout)
				}
				for i := 1; i < len(viewed); i++ {
					if viewed[i] > viewed[i-1] {
						t.Errorf("not newest first: %q", viewed)
					}
				}
			},
		},
		{
			name: "history of a friend: their own", env: bob, args: []string{"history", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []struct{ AccountID int64 }
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 2 {
					t.Fatalf("history = %+v (%v)\n%s", got, err, r.stdout)
				}
				for _, h := range got {
					if h.AccountID != 21384602 {
						t.Errorf("bob sees a play of account %d", h.AccountID)
					}
				}
			},
		},
		{
			name: "a URL where nothing answers", env: alice, args: []string{"libraries", "--server", closed},
			code: 1, stderr: []string{"no Plex Media Server answers at " + closed, "plexkit doctor --server " + closed},
		},
		{
			name: "a section that does not exist", env: alice, args: []string{"items", "9", "--server", "alice-nas"},
			code: 2, stderr: []string{"alice-nas has no library section 9 that this account sees; its sections: Movies (1), TV Shows (2)"},
		},
		{
			name: "history with a limit", env: alice, args: []string{"history", "--server", "alice-nas", "--limit", "2"},
			check: func(t *testing.T, r cliResult) {
				if n := len(column(t, r.stdout, "TITLE")); n != 2 {
					t.Errorf("%d plays, want 2", n)
				}
			},
		},
		{
			name: "not logged in", env: map[string]string{EnvPlexTVURL: e.URL()}, args: []string{"servers"},
			code: 1, stderr: []string{"plexkit login"},
		},
	}
	runCases(t, tests, runAdding(), secrets...)
}

func TestServerChosenOnTerminal(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	env, _ := srvLogin(t, e, "alice")
	for _, tc := range []struct {
		name, answer, want string
		code               int
		sections           int // the chosen server's
	}{
		{"by number", "2\n", "alice-vault", 0, 2},
		{"by name", "alice-nas\n", "alice-nas", 0, 4},
		{"nonsense", "7\n", "", 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			streams, in, out, errOut := TestIO()
			streams.OutTTY, streams.ErrTTY = true, true
			in.WriteString(tc.answer)
			code := Run([]string{"libraries", "--json"}, streams, func(k string) string { return env[k] })
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", code, tc.code, errOut)
			}
			if !strings.Contains(errOut.String(), "1. alice-nas (owner)") {
				t.Errorf("the choices were not shown:\n%s", errOut)
			}
			if tc.code != 0 {
				return
			}
			var got []struct{ Title string }
			if err := json.Unmarshal(out.Bytes(), &got); err != nil || len(got) != tc.sections {
				t.Errorf("libraries = %v (%v), want %d sections", got, err, tc.sections)
			}
		})
	}
}

// On a terminal, listings are aligned; a stream is aligned block by block.
func TestItemsOnTerminal(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	env, _ := srvLogin(t, e, "alice")
	streams, _, out, errOut := TestIO()
	streams.OutTTY = true
	if code := Run([]string{"items", "1", "--server", "alice-nas", "--limit", "5"}, streams, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ls := lines(out.String())
	if len(ls) != 6 || strings.Contains(out.String(), "\t") {
		t.Fatalf("output:\n%s", out)
	}
	col := strings.Index(ls[0], "TITLE")
	for _, l := range ls[1:] {
		if len(l) <= col || l[col-1] != ' ' || l[col] == ' ' {
			t.Errorf("TITLE column not aligned at %d:\n%s", col, out)
		}
	}
}

func serverByName(t testing.TB, e *emulator.Emulator, name string) emulator.ServerInfo {
	t.Helper()
	for _, s := range e.Servers() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no server %q", name)
	return emulator.ServerInfo{}
}
