package doctor

import (
	"fmt"
	"io"
	"strings"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check.
const (
	// Pass: the check found nothing wrong.
	Pass Status = "pass"
	// Fail: the check found why the call is, or would be, refused.
	Fail Status = "fail"
	// Warn: something is off or could not be told, but it does not by itself refuse the call.
	Warn Status = "warn"
	// Skip: the check was not run, because a check it depends on failed or its input is absent.
	Skip Status = "skip"
)

// The checks, in the order Run performs them. Each is the Check of its Finding.
const (
	CheckPin                 = "PIN"
	CheckDeviceJWT           = "device JWT"
	CheckDeviceJWTKeyID      = "device JWT kid"
	CheckDeviceJWTSignature  = "device JWT signature"
	CheckDeviceJWTScopes     = "device JWT scopes"
	CheckDeviceJWTClaims     = "device JWT claims"
	CheckTokenKind           = "token kind"
	CheckTokenDecodes        = "token decodes"
	CheckTokenSignature      = "token signature"
	CheckTokenExpiry         = "token expiry"
	CheckTokenThumbprint     = "token thumbprint"
	CheckPlexTVAccepts       = "plex.tv accepts the token"
	CheckDeviceRegistered    = "device registered"
	CheckServerListed        = "server in resources"
	CheckServerToken         = "token for the server"
	CheckConnections         = "connections"
	CheckServerAcceptsTokens = "server accepts the account token"
	CheckRole                = "role"
	CheckCall                = "call"
)

// Finding is the outcome of one check. Cause says what was found in Plex's terms; Fix, set on
// failures and warnings, says what to do. Detail holds facts a program may use (identifiers,
// times, statuses) and never a secret.
type Finding struct {
	Check  string         `json:"check"`
	Status Status         `json:"status"`
	Cause  string         `json:"cause"`
	Fix    string         `json:"fix,omitempty"`
	Detail map[string]any `json:"detail,omitempty"`
}

// Report is the outcome of Run. OK is true when no check failed: the call would not be refused.
type Report struct {
	Findings []Finding `json:"findings"`
	OK       bool      `json:"ok"`
}

// Find returns the finding of check, or nil when the report has none.
func (r *Report) Find(check string) *Finding {
	for i := range r.Findings {
		if r.Findings[i].Check == check {
			return &r.Findings[i]
		}
	}
	return nil
}

// FirstFailure returns the first failed finding — the root cause — or nil when none failed.
func (r *Report) FirstFailure() *Finding {
	for i := range r.Findings {
		if r.Findings[i].Status == Fail {
			return &r.Findings[i]
		}
	}
	return nil
}

// symbols are the marks of each status on a terminal (unicode) and elsewhere (ascii).
var symbols = map[Status][2]string{
	Pass: {"✓", "ok"},
	Fail: {"✗", "FAIL"},
	Warn: {"!", "warn"},
	Skip: {"–", "skip"},
}

// WriteText writes the report for a person: one line per check, "✓ check: cause", and an
// indented "fix:" line under failures and warnings. With ascii the marks are words (ok, FAIL,
// warn, skip), for logs and pipes.
func (r *Report) WriteText(w io.Writer, ascii bool) error {
	var b strings.Builder
	for _, f := range r.Findings {
		mark := symbols[f.Status][0]
		if ascii {
			mark = fmt.Sprintf("%-4s", symbols[f.Status][1])
		}
		fmt.Fprintf(&b, "%s %s: %s\n", mark, f.Check, f.Cause)
		if f.Fix != "" && (f.Status == Fail || f.Status == Warn) {
			indent := "  "
			if ascii {
				indent = "     "
			}
			fmt.Fprintf(&b, "%sfix: %s\n", indent, f.Fix)
		}
	}
	if r.OK && r.callSkipped() {
		fmt.Fprintf(&b, "No check failed, but the call itself was not made: see %q above.\n", CheckCall)
	} else if r.OK {
		b.WriteString("The call would be accepted.\n")
	} else if f := r.FirstFailure(); f != nil {
		fmt.Fprintf(&b, "The call would be refused: see %q above.\n", f.Check)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// callSkipped reports whether the report's call check was skipped (a method the doctor does not
// send, or a connection no token may go to).
func (r *Report) callSkipped() bool {
	for _, f := range r.Findings {
		if f.Check == CheckCall {
			return f.Status == Skip
		}
	}
	return false
}
