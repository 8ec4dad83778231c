package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasAnExample walks the whole command tree: every command a person can run
// shows at least one example in its --help, and says in one line what it does.
func TestEveryCommandHasAnExample(t *testing.T) {
	t.Parallel()
	streams, _, _, _ := TestIO()
	root := newRootCmd(&Factory{IO: streams, Getenv: func(string) string { return "" }})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" {
			return
		}
		t.Run(c.CommandPath(), func(t *testing.T) {
			if strings.TrimSpace(c.Example) == "" {
				t.Errorf("%q has no Example in its help", c.CommandPath())
			}
			if strings.TrimSpace(c.Short) == "" {
				t.Errorf("%q has no Short description", c.CommandPath())
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shell string
		want  string
	}{
		{"bash", "# bash completion V2 for plexkit"},
		{"zsh", "#compdef plexkit"},
		{"fish", "complete -c plexkit"},
		{"powershell", "Register-ArgumentCompleter"},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, "", "completion", tc.shell).mustSucceed(t)
			if !strings.Contains(r.stdout, tc.want) {
				t.Errorf("the %s script lacks %q", tc.shell, tc.want)
			}
			if r.stderr != "" {
				t.Errorf("stderr = %q", r.stderr)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no shell", []string{"completion"}, "takes 1 argument, the shell"},
		{"unknown shell", []string{"completion", "tcsh"}, `no completion for "tcsh"`},
		{"two shells", []string{"completion", "bash", "zsh"}, "got 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runCLI(t, nil, "", tc.args...).expect(t, ExitUsage, tc.want)
		})
	}
}

// TestCompletionRequests asks plexkit what the shell asks it while a person types (cobra's
// hidden __complete command), and checks the answers name the commands, flags and shells.
func TestCompletionRequests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"commands", []string{""}, []string{"demo\t", "doctor\t", "login\t", "sessions\t", "token\t", "completion\t"}},
		{"key subcommands", []string{"key", ""}, []string{"generate\t", "import\t", "show\t"}},
		{"flags", []string{"sessions", "--"}, []string{"--server\t", "--json\t", "--config\t"}},
		{"shells", []string{"completion", ""}, []string{"bash\n", "zsh\n", "fish\n", "powershell\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runCLI(t, nil, "", append([]string{"__complete"}, tc.args...)...).mustSucceed(t)
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("completions of %q lack %q:\n%s", tc.args, w, r.stdout)
				}
			}
		})
	}
}

// TestRootHelpListsCompletion checks that plexkit's own completion command is the one in the
// tree (cobra adds a default one only when the root has none).
func TestRootHelpListsCompletion(t *testing.T) {
	t.Parallel()
	streams, _, out, _ := TestIO()
	if code := Run([]string{"completion", "--help"}, streams, func(string) string { return "" }); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	if !bytes.Contains(out.Bytes(), []byte("source <(plexkit completion bash)")) {
		t.Errorf("completion --help is not plexkit's:\n%s", out)
	}
}
