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
// indented "fix:" line under failures and warnings, then the Summary. With ascii the marks are
// words (ok, FAIL, warn, skip), for logs and pipes.
func (r *Report) WriteText(w io.Writer, ascii bool) error {
	var b strings.Builder
	for _, f := range r.Findings {
		_ = WriteFinding(&b, f, ascii)
	}
	b.WriteString(r.Summary() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteFinding writes one finding as WriteText does: for a program that prints the findings as
// Run makes them (Input.OnFinding), then the Summary.
func WriteFinding(w io.Writer, f Finding, ascii bool) error {
	var b strings.Builder
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
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is the report's conclusion in one line: the call would be accepted; it would be
// refused (naming the first failed check); plex.tv could not be reached, so nothing was
// decided; or only the PIN or the device JWT asked about failed.
func (r *Report) Summary() string {
	if r.OK {
		return "The call would be accepted."
	}
	var call, side *Finding
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Status != Fail {
			continue
		}
		if f.Check == CheckPin || strings.HasPrefix(f.Check, CheckDeviceJWT) {
			if side == nil {
				side = f
			}
		} else if call == nil {
			call = f
		}
	}
	switch {
	case call != nil && call.Detail["unreachable"] == true:
		return fmt.Sprintf("plex.tv could not be reached, so nothing was decided about the call: see %q above.", call.Check)
	case call != nil:
		return fmt.Sprintf("The call would be refused: see %q above.", call.Check)
	case side != nil && side.Detail["unreachable"] == true:
		return fmt.Sprintf("plex.tv could not be reached: see %q above.", side.Check)
	case side != nil && r.Find(CheckCall) != nil && r.Find(CheckCall).Status == Pass:
		return fmt.Sprintf("The call would be accepted, but the %s failed: see above.", side.Check)
	case side != nil:
		return fmt.Sprintf("The %s failed: see above.", side.Check)
	}
	return "The diagnosis failed."
}
