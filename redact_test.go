package plexkit

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	jwt := "eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.eyJub25jZSI6Im4ifQ.AAAAbbbbCCCCdddd_-"
	tests := []struct{ name, in, secret string }{
		{"jwt in text", "token " + jwt + " refused", jwt},
		{"header-style query", "GET https://pms:32400/status/sessions?X-Plex-Token=Zx9yTokenValue12345&a=1", "Zx9yTokenValue12345"},
		{"device jwt param", "/api/v2/pins/1?deviceJWT=abc.def.ghi", "abc.def.ghi"},
		{"json field", `{"authToken":"Zx9yTokenValue12345","id":1}`, "Zx9yTokenValue12345"},
		{"auth_token field", `{"auth_token": "Zx9yTokenValue12345"}`, "Zx9yTokenValue12345"},
		{"accessToken field", `"accessToken":"Zx9yTokenValue12345"`, "Zx9yTokenValue12345"},
		{"header", "GET /status/sessions HTTP/1.1\r\nX-Plex-Token: Zx9yTokenValue12345\r\nAccept: */*", "Zx9yTokenValue12345"},
		{"header lower case, no space", "x-plex-token:Zx9yTokenValue12345", "Zx9yTokenValue12345"},
		{"header in a Go map dump", "map[X-Plex-Token: Zx9yTokenValue12345]", "Zx9yTokenValue12345"},
		{"header with tab", "X-Plex-Token:\tZx9yTokenValue12345 next", "Zx9yTokenValue12345"},
		{"transient", "token transient-90904684-f91a-4391-8bf7-e0dfa7240285 used", "90904684-f91a-4391-8bf7-e0dfa7240285"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Redact(tt.in)
			if strings.Contains(got, tt.secret) {
				t.Fatalf("Redact(%q) = %q still holds the secret", tt.in, got)
			}
			if !strings.Contains(got, Redacted) {
				t.Fatalf("Redact(%q) = %q has no %s marker", tt.in, got, Redacted)
			}
		})
	}
	if got := Redact("plain text, nothing secret"); got != "plain text, nothing secret" {
		t.Fatalf("Redact changed plain text: %q", got)
	}
}

func TestRedactSecrets(t *testing.T) {
	t.Parallel()
	got := RedactSecrets("legacy token abcdEFGH1234ijklMNOP was refused", "abcdEFGH1234ijklMNOP", "")
	if strings.Contains(got, "abcdEFGH1234ijklMNOP") || !strings.Contains(got, Redacted) {
		t.Fatalf("RedactSecrets = %q", got)
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("X-Plex-Token=abc&deviceJWT=eyJa.eyJb.c")
	f.Add(`{"authToken":"x"}`)
	f.Add("X-Plex-Token: abc\r\nX-Plex-Token:def")
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		if Redact(out) != out {
			t.Fatalf("Redact is not idempotent on %q", s)
		}
	})
}

// An empty X-Plex-Token header hides nothing, and the redaction stops at its line.
func TestRedactEmptyHeader(t *testing.T) {
	t.Parallel()
	in := "X-Plex-Token:\r\nAccept: application/json"
	if got := Redact(in); got != in {
		t.Fatalf("Redact(%q) = %q", in, got)
	}
}
