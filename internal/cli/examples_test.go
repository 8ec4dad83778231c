package cli

import (
	"strconv"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestHelpExamplesRun runs every example of the --help of the item and hubs commands as written,
// in order, against a fresh emulator as `plexkit emulator` starts it (its default library size),
// logged in as alice with PLEXKIT_SERVER=alice-nas (the examples name no server): a person who
// copies them gets no error. A pipe and what follows it (jq) is left out.
func TestHelpExamplesRun(t *testing.T) {
	t.Parallel()
	root := newRootCmd(&Factory{IO: &IOStreams{}})
	emu, _, err := root.Find([]string{"emulator"})
	if err != nil {
		t.Fatal(err)
	}
	size, err := strconv.Atoi(emu.Flags().Lookup("library-size").DefValue)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range [][]string{
		{"item"}, {"item", "match"}, {"item", "unmatch"}, {"item", "markers"}, {"item", "markers", "add"},
		{"item", "markers", "edit"}, {"item", "markers", "rm"}, {"item", "streams"}, {"item", "art"}, {"hubs"},
	} {
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.Join(path, " "), func(t *testing.T) {
			t.Parallel()
			if strings.TrimSpace(cmd.Example) == "" {
				t.Fatal("no example")
			}
			e := startCLIEmulatorWith(t, emulator.Options{LibrarySize: size})
			alice, _ := srvLogin(t, e, "alice")
			alice[EnvServer] = "alice-nas"
			for _, line := range strings.Split(cmd.Example, "\n") {
				line, _, _ = strings.Cut(strings.TrimSpace(line), " | ")
				args, err := shellWords(line)
				if err != nil || len(args) < 2 || args[0] != "plexkit" {
					t.Fatalf("example %q: %q (%v)", line, args, err)
				}
				if r := runCLI(t, alice, "", args[1:]...); r.code != 0 {
					t.Errorf("%s: exit %d\n%s%s", line, r.code, r.stdout, r.stderr)
				}
			}
		})
	}
}

// shellWords splits a command line as a shell does for the quoting the examples use: words
// separated by spaces, single or double quotes around parts of a word.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			w.WriteByte(c)
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, w.String())
				w.Reset()
				in = false
			}
		default:
			w.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, strconv.ErrSyntax
	}
	if in {
		words = append(words, w.String())
	}
	return words, nil
}
