package cli

import (
	"bytes"
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
