package plexkit_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// goBlock is a fenced Go snippet of a Markdown file.
var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestREADMESnippets holds README.md to its promise that every Go snippet compiles: each one
// must appear, line for line (indentation aside), in readme_example_test.go, which is compiled
// (and, where it needs no real plex.tv, run) with the tests.
func TestREADMESnippets(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples, err := os.ReadFile("readme_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	source := codeLines(string(examples))
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no Go snippet")
	}
	for i, b := range blocks {
		snippet := codeLines(b[1])
		if !containsRun(source, snippet) {
			t.Errorf("README.md's Go snippet %d is not in readme_example_test.go:\n%s", i+1, b[1])
		}
	}
}

// codeLines returns the non-blank lines of s without their indentation.
func codeLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// containsRun reports whether want occurs in have as consecutive elements.
func containsRun(have, want []string) bool {
	for i := range have {
		if len(have)-i < len(want) {
			return false
		}
		if slices.Equal(have[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

func TestContainsRun(t *testing.T) {
	t.Parallel()
	have := []string{"a", "b", "c", "d"}
	for _, tc := range []struct {
		name string
		want []string
		ok   bool
	}{
		{"prefix", []string{"a", "b"}, true},
		{"middle", []string{"b", "c"}, true},
		{"suffix", []string{"c", "d"}, true},
		{"whole", []string{"a", "b", "c", "d"}, true},
		{"gap", []string{"a", "c"}, false},
		{"order", []string{"b", "a"}, false},
		{"too long", []string{"a", "b", "c", "d", "e"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := containsRun(have, tc.want); got != tc.ok {
				t.Errorf("containsRun(%q, %q) = %v, want %v", have, tc.want, got, tc.ok)
			}
		})
	}
}
