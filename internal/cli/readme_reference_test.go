package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeCommand is a command the README names in code: `plexkit WORD [WORD]`.
var readmeCommand = regexp.MustCompile("`plexkit ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?")

// TestREADMENamesCommandsAsHelpDoes: the README's CLI reference lists every command --help
// lists, and every command the README names anywhere is spelt as --help spells it (its name,
// not an alias such as `player ls`).
func TestREADMENamesCommandsAsHelpDoes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	_, reference, ok := strings.Cut(readme, "## CLI reference")
	if !ok {
		t.Fatal("README.md has no CLI reference")
	}
	reference, _, _ = strings.Cut(reference, "\n## ")
	root := newRootCmd(&Factory{IO: &IOStreams{}})
	for _, c := range root.Commands() {
		if c.Hidden || !c.IsAvailableCommand() || c.Name() == "help" {
			continue
		}
		if !strings.Contains(reference, "`plexkit "+c.Name()) {
			t.Errorf("the CLI reference lacks `plexkit %s`", c.Name())
		}
	}
	for _, m := range readmeCommand.FindAllStringSubmatch(readme, -1) {
		cmd, rest, err := root.Find([]string{m[1]})
		if err != nil || cmd == root || len(rest) > 0 {
			continue // a word of prose after `plexkit`, not a command
		}
		if cmd.Name() != m[1] {
			t.Errorf("README.md names `plexkit %s`, an alias of `plexkit %s`", m[1], cmd.Name())
		}
		if m[2] == "" {
			continue
		}
		for _, sub := range cmd.Commands() {
			if sub.Name() != m[2] && sub.HasAlias(m[2]) {
				t.Errorf("README.md names `plexkit %s %s`, an alias of `plexkit %s %s`", m[1], m[2], m[1], sub.Name())
			}
		}
	}
}
