package plexkit

import (
	"regexp"
	"strings"
)

// Patterns of secrets that may appear in text plexkit produces: compact JWS/JWT (Plex JWTs and
// device JWTs all start with a base64url JSON header, "eyJ"), token query parameters, the
// X-Plex-Token header as a dump of a request shows it, and token fields of plex.tv JSON.
var (
	jwtPattern    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)
	paramPattern  = regexp.MustCompile(`(?i)((?:X-Plex-Token|deviceJWT|token|auth_token|authToken|accessToken)=)[^&\s"']+`)
	headerPattern = regexp.MustCompile(`(?i)(X-Plex-Token:[ \t]*)\S+`)
	fieldPattern  = regexp.MustCompile(`(?i)("(?:authToken|auth_token|accessToken|token|jwt)"\s*:\s*")[^"]+`)
	transient     = regexp.MustCompile(`transient-[0-9a-fA-F-]{8,}`)
)

// Redacted is what a secret is replaced with.
const Redacted = "REDACTED"

// Redact returns s with every token-like secret replaced by REDACTED: JWTs, token query
// parameters, the X-Plex-Token header ("X-Plex-Token: <value>"), token fields of JSON, and PMS
// transient tokens. Use it on any text that may reach a log, an error or a terminal.
func Redact(s string) string {
	s = jwtPattern.ReplaceAllString(s, Redacted)
	s = paramPattern.ReplaceAllString(s, "${1}"+Redacted)
	s = headerPattern.ReplaceAllString(s, "${1}"+Redacted)
	s = fieldPattern.ReplaceAllString(s, "${1}"+Redacted)
	s = transient.ReplaceAllString(s, "transient-"+Redacted)
	return s
}

// RedactURL returns rawURL with token-bearing query parameters redacted.
func RedactURL(rawURL string) string { return Redact(rawURL) }

// RedactSecrets returns s with every occurrence of each non-empty secret replaced by REDACTED,
// then applies Redact. Use it when the exact secrets are known (e.g. a legacy 20-character token
// that no pattern can recognise).
func RedactSecrets(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	return Redact(s)
}
