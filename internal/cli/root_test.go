package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestExitCodes(t *testing.T) {
	t.Parallel()
	const fakeJWT = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJwbGV4LnR2In0.c2lnbmF0dXJl"
	tests := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		stderr   []string
		stdoutHa string
	}{
		{name: "no arguments shows help", args: nil, code: 0, stdoutHa: "Exit codes: 0 ok, 1 failure, 2 usage error"},
		{name: "help", args: []string{"--help"}, code: 0, stdoutHa: "plexkit"},
		{name: "group without subcommand shows help", args: []string{"key"}, code: 0, stdoutHa: "generate"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate"`, "plexkit --help"}},
		{name: "unknown subcommand", args: []string{"key", "frobnicate"}, code: 2, stderr: []string{`unknown command "frobnicate" for "plexkit key"`}},
		{name: "unknown flag", args: []string{"key", "show", "--frob"}, code: 2, stderr: []string{"unknown flag: --frob", "plexkit key show --help"}},
		{name: "flag without value", args: []string{"jwt", "sign", "--nonce"}, code: 2, stderr: []string{"needs an argument"}},
		{name: "extra argument", args: []string{"key", "generate", "now"}, code: 2, stderr: []string{"takes no arguments"}},
		{name: "missing argument", args: []string{"jwt", "decode"}, code: 2, stderr: []string{"takes 1 argument"}},
		{name: "missing --jwks", args: []string{"jwt", "verify", "x"}, code: 2, stderr: []string{"--jwks"}},
		{name: "missing --nonce", args: []string{"jwt", "sign"}, code: 2, stderr: []string{"--nonce is required"}},
		{name: "admin scope is a usage error", args: []string{"jwt", "sign", "--nonce", "n", "--scope", "username,admin"}, code: 2, stderr: []string{`unknown scope "admin"`, "roles on a server"}},
		{name: "import without files", args: []string{"key", "import", "--private", "p"}, code: 2, stderr: []string{"--private and --public"}},
		{name: "failure", args: []string{"key", "show"}, code: 1, stderr: []string{"no device key", "plexkit key generate"}},
		{name: "a token in an unknown command is redacted", args: []string{fakeJWT}, code: 2, stderr: []string{"REDACTED"}},
		{name: "a token in a failure is redacted", args: []string{"jwt", "verify", fakeJWT, "--jwks", "/nonexistent/" + fakeJWT}, code: 1, stderr: []string{"REDACTED"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, tt.stdin, tt.args...)
			r.expect(t, tt.code, tt.stderr...)
			if !strings.Contains(r.stdout, tt.stdoutHa) {
				t.Errorf("stdout %q lacks %q", r.stdout, tt.stdoutHa)
			}
			if strings.Contains(r.stderr+r.stdout, fakeJWT) {
				t.Errorf("output shows the token:\n%s%s", r.stdout, r.stderr)
			}
			if tt.code != 0 && strings.Count("\n"+r.stderr, "\nplexkit: ") != 1 {
				t.Errorf("want exactly one error line, got %q", r.stderr)
			}
		})
	}
}

// TestExitErrorCode: a command can end with any code, with or without a message.
func TestExitErrorCode(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		err  error
		code int
		out  string
	}{
		{name: "silent", err: &ExitError{Code: 3}, code: 3, out: ""},
		{name: "with message", err: &ExitError{Code: 4, Err: errors.New("token eyJa.eyJb.c is bad")}, code: 4, out: "plexkit: token REDACTED is bad\n"},
		{name: "wrapped usage", err: errors.Join(&UsageError{Err: errors.New("bad flag")}), code: 2, out: "plexkit: bad flag\n"},
		{name: "plain", err: errors.New("boom"), code: 1, out: "plexkit: boom\n"},
		{name: "none", err: nil, code: 0, out: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, _, errOut := TestIO()
			if got := reportError(&Factory{IO: streams}, nil, tt.err); got != tt.code {
				t.Errorf("code %d, want %d", got, tt.code)
			}
			if errOut.String() != tt.out {
				t.Errorf("stderr %q, want %q", errOut.String(), tt.out)
			}
		})
	}
}

func TestConfigDirResolution(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		flag    string
		env     map[string]string
		wantRel string // relative to the test's temp root
	}{
		{name: "flag wins", flag: "flag", env: map[string]string{EnvConfigDir: "env", "XDG_CONFIG_HOME": "xdg", "HOME": "home"}, wantRel: "flag"},
		{name: "env next", env: map[string]string{EnvConfigDir: "env", "XDG_CONFIG_HOME": "xdg", "HOME": "home"}, wantRel: "env"},
		{name: "XDG config home", env: map[string]string{"XDG_CONFIG_HOME": "xdg", "HOME": "home"}, wantRel: "xdg/plexkit"},
		{name: "HOME/.config", env: map[string]string{"HOME": "home"}, wantRel: "home/.config/plexkit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			env := map[string]string{EnvConfigDir: ""}
			for k, v := range tt.env {
				env[k] = filepath.Join(root, v)
			}
			args := []string{"key", "generate"}
			if tt.flag != "" {
				args = append([]string{"--config", filepath.Join(root, tt.flag)}, args...)
			}
			runCLI(t, env, "", args...).mustSucceed(t)
			if _, err := os.Stat(filepath.Join(root, tt.wantRel, "device.key")); err != nil {
				t.Errorf("key not in %s: %v", tt.wantRel, err)
			}
		})
	}
	t.Run("no directory at all", func(t *testing.T) {
		t.Parallel()
		r := runCLI(t, map[string]string{EnvConfigDir: "", "HOME": ""}, "", "key", "generate")
		r.expect(t, 1, "no config directory")
	})
}

func TestPlexTVURLResolution(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, flag, env, want string
	}{
		{"default", "", "", DefaultPlexTVURL},
		{"env", "", "http://127.0.0.1:1", "http://127.0.0.1:1"},
		{"flag over env", "http://127.0.0.1:2", "http://127.0.0.1:1", "http://127.0.0.1:2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &Factory{Getenv: func(k string) string {
				if k == EnvPlexTVURL {
					return tt.env
				}
				return ""
			}}
			var got string
			// A throwaway command reads the factory as a real one would, after flag parsing.
			root := newRootCmd(f)
			root.AddCommand(&cobra.Command{Use: "probe", RunE: func(*cobra.Command, []string) error { got = f.PlexTVURL; return nil }})
			args := []string{"probe"}
			if tt.flag != "" {
				args = append(args, "--plextv", tt.flag)
			}
			root.SetArgs(args)
			root.SetOut(&bytes.Buffer{})
			if err := root.Execute(); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("PlexTVURL = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestUsageWording: a misspelt command is named, with the commands it is close to, even when
// flags its parent does not know follow it; counts, missing flags and clashing flags are said in
// plain words. None of these reaches a server, so no account is needed.
func TestUsageWording(t *testing.T) {
	t.Parallel()
	lacks := func(s string) func(t *testing.T, r cliResult) {
		return func(t *testing.T, r cliResult) {
			if strings.Contains(r.stderr, s) {
				t.Errorf("stderr %q has %q", r.stderr, s)
			}
		}
	}
	tests := []cliCase{
		{name: "a misspelt command before a flag the root does not know", args: []string{"sesions", "--server", "alice-nas"},
			code: 2, stderr: []string{"plexkit: unknown command \"sesions\"; did you mean \"sessions\"?\nRun 'plexkit --help' for usage.\n"},
			check: lacks("unknown flag")},
		{name: "a misspelt command close to several", args: []string{"itme", "1000000007"},
			code: 2, stderr: []string{`unknown command "itme"; did you mean `, `"item"`}},
		{name: "a misspelt subcommand of a command that takes a rating key", args: []string{"item", "markrs", "1000000007", "--server", "alice-nas"},
			code: 2, stderr: []string{`plexkit: unknown command "markrs" for "plexkit item"; did you mean "markers"?`, "plexkit item --help"}},
		{name: "a misspelt subcommand alone", args: []string{"item", "markrs"},
			code: 2, stderr: []string{`unknown command "markrs" for "plexkit item"; did you mean "markers"?`}},
		{name: "a misspelt subcommand two levels down", args: []string{"item", "markers", "ad", "1000000007", "--type", "intro"},
			code: 2, stderr: []string{`unknown command "ad" for "plexkit item markers"; did you mean "add"?`}},
		{name: "a misspelt player command", args: []string{"player", "paus", "Living room", "--server", "alice-nas"},
			code: 2, stderr: []string{`unknown command "paus" for "plexkit player"; did you mean "pause"?`}},
		{name: "a command close to none", args: []string{"key", "zzzzzz"},
			code: 2, stderr: []string{`unknown command "zzzzzz" for "plexkit key"; see ` + "`plexkit key --help`"}},
		{name: "a misspelt command with --json", args: []string{"--json", "sesions", "--server", "x"},
			code: 2, check: func(t *testing.T, r cliResult) {
				var got struct {
					Error    string
					ExitCode int
				}
				if err := json.Unmarshal([]byte(r.stderr), &got); err != nil || got.ExitCode != 2 || got.Error != `unknown command "sesions"; did you mean "sessions"?` {
					t.Errorf("stderr %q (%v)", r.stderr, err)
				}
			}},
		{name: "one argument is singular", args: []string{"jwt", "decode"},
			code: 2, stderr: []string{`"plexkit jwt decode" takes 1 argument (`}, check: lacks("argument(s)")},
		{name: "two arguments are plural", args: []string{"item", "markers", "edit", "1000000007"},
			code: 2, stderr: []string{`"plexkit item markers edit" takes 2 arguments (RATINGKEY ID), got 1`}},
		{name: "a missing required flag", args: []string{"item", "markers", "add", "1000000007", "--type", "intro", "--end", "30"},
			code: 2, stderr: []string{"plexkit: --start is required\n"}, check: lacks("required flag(s)")},
		{name: "missing required flags", args: []string{"item", "markers", "add", "1000000007"},
			code: 2, stderr: []string{"plexkit: --start and --type are required\n"}},
		{name: "two hub changes at once", args: []string{"hubs", "1", "--hide", "a", "--show", "b"},
			code: 2, stderr: []string{"plexkit: --hide and --show cannot go together"}},
		{name: "three hub changes at once", args: []string{"hubs", "1", "--hide", "a", "--show", "b", "--reset"},
			code: 2, stderr: []string{"plexkit: --hide, --show and --reset cannot go together"}},
		// seek reads its position as markers do: seconds pass the parser (and the command then
		// fails for want of a login), a word does not.
		{name: "seek takes seconds", args: []string{"player", "seek", "tv", "90"},
			code: 1, check: lacks("is not a time")},
		{name: "seek takes a Go duration", args: []string{"player", "seek", "tv", "1h02m30s"},
			code: 1, check: lacks("is not a time")},
		{name: "seek refuses a word", args: []string{"player", "seek", "tv", "soon"},
			code: 2, stderr: []string{`POSITION "soon" is not a time: write h:mm:ss (0:01:30), m:ss (1:30), seconds (90) or a duration (1m30s)`}},
	}
	runCases(t, tests, runAdding())
}

// TestServerFromEnvironment: PLEXKIT_SERVER is the default of every --server flag (the flag
// wins), alice's two servers without either are named with both ways to choose, and a server
// PLEXKIT_SERVER names that is not there says where the name came from.
func TestServerFromEnvironment(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, _ := srvLogin(t, e, "alice")
	with := func(server string) map[string]string {
		env := map[string]string{EnvServer: server}
		for k, v := range alice {
			env[k] = v
		}
		return env
	}
	run := runAdding()
	nas := run(t, alice, "libraries", "--server", "alice-nas").mustSucceed(t).stdout
	vault := run(t, alice, "libraries", "--server", "alice-vault").mustSucceed(t).stdout
	if nas == vault {
		t.Fatalf("the test needs servers with different sections: %q", nas)
	}
	tests := []cliCase{
		{name: "neither", env: alice, args: []string{"items", "1", "--limit", "5"},
			code: 2, stderr: []string{"plexkit: this account has 2 servers: choose one with --server or PLEXKIT_SERVER (alice-nas, alice-vault)"}},
		{name: "PLEXKIT_SERVER", env: with("alice-nas"), args: []string{"libraries"},
			check: func(t *testing.T, r cliResult) {
				if r.stdout != nas {
					t.Errorf("stdout %q, want alice-nas's %q", r.stdout, nas)
				}
			}},
		{name: "the flag wins", env: with("alice-vault"), args: []string{"libraries", "--server", "alice-nas"},
			check: func(t *testing.T, r cliResult) {
				if r.stdout != nas {
					t.Errorf("stdout %q, want alice-nas's %q", r.stdout, nas)
				}
			}},
		{name: "a subcommand's group flag", env: with("alice-nas"), args: []string{"item", "markers", "1000000001"},
			check: func(t *testing.T, r cliResult) {
				if len(column(t, r.stdout, "MARKER")) == 0 {
					t.Errorf("stdout %q", r.stdout)
				}
			}},
		{name: "doctor too", env: with("alice-vault"), args: []string{"doctor"},
			check: func(t *testing.T, r cliResult) {
				if !strings.Contains(r.stdout, "alice-vault") || strings.Contains(r.stdout, "alice-nas") {
					t.Errorf("doctor with PLEXKIT_SERVER=alice-vault:\n%s", r.stdout)
				}
			}},
		{name: "a server that is not there", env: with("nope"), args: []string{"libraries"},
			code: 1, stderr: []string{`this account has no server "nope" (from PLEXKIT_SERVER)`}},
		{name: "the flag's help", env: alice, args: []string{"items", "--help"},
			check: func(t *testing.T, r cliResult) {
				if !strings.Contains(r.stdout, "(env PLEXKIT_SERVER; default: the account's only server)") {
					t.Errorf("help:\n%s", r.stdout)
				}
			}},
	}
	runCases(t, tests, run)
}
