package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeMarker precedes the README block whose commands testdata/script/readme.txtar runs.
const readmeMarker = "<!-- These commands run, as written, in internal/cli/testdata/script/readme.txtar"

// shellComment is a trailing "  # comment" of a command line.
var shellComment = regexp.MustCompile(`\s{2,}#.*$`)

// TestREADMECommands holds the README's Quickstart commands and the shell examples of `plexkit
// jwt sign --help` and `plexkit token --help` to running as written: each line must be a line of
// readme.txtar (an acceptance script, run against the emulator), with plex.tv's URL replaced by
// the emulator's. A line there may add flags after the command (where plexkit would ask a person
// at a terminal), nothing else.
func TestREADMECommands(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "script", "readme.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), readmeMarker)
	if !ok {
		t.Fatal("README.md has lost its marker of tested commands")
	}
	var commands []string
	lines := strings.Split(block, "\n")[1:]
	for i, l := range lines {
		if l == "" && i == 0 {
			continue
		}
		if l == "" && len(commands) > 0 {
			break
		}
		if !strings.HasPrefix(l, "    ") {
			break
		}
		commands = append(commands, shellComment.ReplaceAllString(strings.TrimSpace(l), ""))
	}
	if len(commands) < 3 {
		t.Fatalf("found %d commands after the README's marker: %q", len(commands), commands)
	}
	root := newRootCmd(&Factory{IO: &IOStreams{}})
	for _, path := range [][]string{{"jwt", "sign"}, {"token"}} {
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(cmd.Example, "\n") {
			if l = strings.TrimSpace(l); path[0] == "jwt" || strings.Contains(l, "curl") || strings.Contains(l, "$(") {
				commands = append(commands, l)
			}
		}
	}
	have := strings.Split(string(script), "\n")
	for _, c := range commands {
		want := strings.ReplaceAll(c, DefaultPlexTVURL, "$PLEXTV")
		found := false
		for _, h := range have {
			h = strings.TrimPrefix(strings.TrimSpace(h), "exec ")
			if h == want || strings.HasPrefix(h, want+" ") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%q is not run by testdata/script/readme.txtar (as %q)", c, want)
		}
	}
}
