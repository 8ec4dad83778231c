package wire

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       Format
		rest       string // what remains to be read
		err        string
	}{
		{"object", ` {"a":1}`, JSON, `{"a":1}`, ""},
		{"array", "\n[1]", JSON, "[1]", ""},
		{"element", `<user id="1"/>`, XML, `<user id="1"/>`, ""},
		{"byte order mark", "\xEF\xBB\xBF<?xml version=\"1.0\"?><a/>", XML, `<?xml version="1.0"?><a/>`, ""},
		{"empty", "", 0, "", "empty"},
		{"blank", " \r\n\t", 0, "", "empty"},
		{"text", "pong", 0, "pong", "neither JSON nor XML"},
		{"only white space", strings.Repeat(" ", maxLeadingSpace+1), 0, "", "more than 1048576 bytes of white space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			br := bufio.NewReader(strings.NewReader(tt.body))
			f, err := Sniff(br)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Sniff = %v, %v; want an error containing %q", f, err, tt.err)
				}
				if tt.rest != "" {
					if rest, _ := io.ReadAll(br); string(rest) != tt.rest {
						t.Errorf("left %q to read; want %q", rest, tt.rest)
					}
				}
				return
			}
			if err != nil || f != tt.want {
				t.Fatalf("Sniff(%q) = %v, %v; want %v", tt.body, f, err, tt.want)
			}
			rest, _ := io.ReadAll(br)
			if string(rest) != tt.rest {
				t.Errorf("left %q to read; want %q", rest, tt.rest)
			}
		})
	}
}

func TestCharsetReader(t *testing.T) {
	t.Parallel()
	for _, cs := range []string{"UTF-8", "utf8", "US-ASCII", "ascii"} {
		if _, err := CharsetReader(cs, strings.NewReader("")); err != nil {
			t.Errorf("CharsetReader(%q) = %v; want it accepted", cs, err)
		}
	}
	if _, err := CharsetReader("ISO-8859-1", strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "ISO-8859-1") {
		t.Errorf("CharsetReader(ISO-8859-1) = %v; want an error naming it", err)
	}
}
