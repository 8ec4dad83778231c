package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/pms"
)

// TestRedrawEscapesServerText: the live table clears the screen with the CLI's own escape
// sequence, sent raw, while a title or user name from the server reaches the terminal escaped —
// through the same termSafe writer Run installs around stdout.
func TestRedrawEscapesServerText(t *testing.T) {
	var out bytes.Buffer
	streams, _, _, _ := TestIO()
	streams.Out = &termSafe{w: &out}
	f := &Factory{IO: streams}
	s := pms.Session{User: pms.User{Title: "bob\x1b]0;pwned\x07"}, Player: pms.Player{State: "playing"}}
	s.Title = "Film\x1b[2J"
	if err := redraw(f, "nas\x1b[31m", []pms.Session{s}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.HasPrefix(got, "\x1b[H\x1b[2J") {
		t.Errorf("the screen is not cleared first: %q", got)
	}
	rest := strings.TrimPrefix(got, "\x1b[H\x1b[2J")
	if strings.ContainsAny(rest, "\x1b\x07") {
		t.Errorf("server text reached the terminal raw: %q", rest)
	}
	for _, want := range []string{`nas\x1b[31m`, `bob\x1b]0;pwned\x07`, `Film\x1b[2J`} {
		if !strings.Contains(rest, want) {
			t.Errorf("table lacks the escaped %s: %q", want, rest)
		}
	}
}
