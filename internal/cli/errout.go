package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// The error layer. Every command returns its error to Run, and reportError is the only place
// that prints it. What every command inherits from it, without doing anything:
//
//   - one line on stderr, "plexkit: <what failed>: <why>; <what to do>", redacted (no token,
//     device JWT or key ever shows), with control characters escaped (see termsafe.go), any
//     overlong word (a pasted 100 KB argument) shortened, and the library's package prefixes
//     ("plextv: ", "auth: ") left out;
//   - a network failure anywhere in the chain (connection refused, no such host, a timeout)
//     said in words, with the URL and the fix: --plextv / PLEXKIT_PLEXTV_URL for plex.tv,
//     `plexkit doctor` for a server;
//   - with --debug, the full wrapped error on a second line ("plexkit: detail: …"), and every
//     HTTP request on stderr as it happens (method, redacted URL, status, time: see
//     debugTransport; commands get it by building clients with f.httpClient());
//   - with --json, {"error": "…", "exitCode": N} on stderr instead of the line, so that a
//     script reading JSON never has to parse prose.
//
// Commands therefore return errors that say what failed and what to do (fmt.Errorf with %w is
// fine: the chain is kept for --debug), and never print errors themselves. To say a library
// error in other words while keeping it for --debug and errors.Is, wrap it with
// explain(err, format, …). ExitError and UsageError choose the exit code.

// explainedError is an error said for a person, with the technical error it explains kept for
// --debug and for errors.Is/As.
type explainedError struct {
	msg string
	err error
}

// explain returns an error whose message is the formatted text and which wraps err.
func explain(err error, format string, args ...any) error {
	return &explainedError{msg: fmt.Sprintf(format, args...), err: err}
}

// Error returns the explanation.
func (e *explainedError) Error() string { return e.msg }

// Unwrap returns the technical error.
func (e *explainedError) Unwrap() error { return e.err }

// maxWord bounds one word (a run without spaces) of an error line: a pasted token, JWKS or file
// given where a name was expected must not flood the terminal.
const maxWord = 160

// reportError prints err (if any) the way the flags ask and returns the exit code.
func reportError(f *Factory, cmd *cobra.Command, err error) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailure
	msg := err
	var exit *ExitError
	var usage *UsageError
	switch {
	case errors.As(err, &exit):
		code, msg = exit.Code, exit.Err
	case errors.As(err, &usage) || isCobraUsage(err):
		code = ExitUsage
	}
	if msg == nil {
		return code
	}
	line := userMessage(f, msg)
	var detail string
	if f.Debug {
		inner := msg
		var ex *explainedError
		if errors.As(msg, &ex) && ex.err != nil {
			inner = ex.err
		}
		if d := plexkit.Redact(inner.Error()); d != line {
			detail = shortenWords(d, maxWord)
		}
	}
	w := f.IO.ErrOut
	if f.JSON {
		out := struct {
			Error    string `json:"error"`
			Detail   string `json:"detail,omitempty"`
			ExitCode int    `json:"exitCode"`
		}{line, detail, code}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(out)
		return code
	}
	fmt.Fprintln(w, "plexkit: "+escapeText(line))
	if detail != "" {
		fmt.Fprintln(w, "plexkit: detail: "+escapeText(detail))
	}
	if code == ExitUsage && cmd != nil {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// userMessage is the one line that explains err: a network failure in words with its fix, else
// the error's own text without library prefixes.
func userMessage(f *Factory, err error) string {
	if m := networkMessage(f, err); m != "" {
		return m
	}
	return cleanMessage(plexkit.Redact(err.Error()))
}

// libPrefix matches the package prefixes library errors carry ("plextv: ", "auth: refresh
// token: plextv: refresh: "), which say where in plexkit an error was made — noise to a person,
// kept for --debug.
var libPrefix = regexp.MustCompile(`(^|: |\()(?:plextv|pms|auth|devicekey|doctor|plexkit)(?:: refresh token|: refresh)?: `)

// cleanMessage drops library prefixes and shortens overlong words.
func cleanMessage(s string) string {
	for {
		t := libPrefix.ReplaceAllString(s, "$1")
		if t == s {
			break
		}
		s = t
	}
	return shortenWords(s, maxWord)
}

// shortenWords cuts every run of non-space characters longer than max to its start, an
// ellipsis and its length.
func shortenWords(s string, max int) string {
	if len(s) <= max {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := strings.IndexAny(s[i:], " \n\t")
		if j < 0 {
			j = len(s) - i
		}
		word := s[i : i+j]
		if len(word) > max {
			cut := max / 2
			for cut > 0 && !isRuneStart(word[cut]) {
				cut--
			}
			fmt.Fprintf(&b, "%s…(%d bytes)", word[:cut], len(word))
		} else {
			b.WriteString(word)
		}
		i += j
		if i < len(s) {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

func isRuneStart(b byte) bool { return b&0xc0 != 0x80 }

// networkMessage says in one line that a host could not be reached, why and what to do; "" when
// err is no network failure.
func networkMessage(f *Factory, err error) string {
	var ce *pms.ConnectError
	if errors.As(err, &ce) {
		reasons := make([]string, 0, len(ce.Attempts))
		for _, a := range ce.Attempts {
			reasons = append(reasons, fmt.Sprintf("%s %s", a.URI, netReason(a.Err)))
		}
		name := strings.TrimPrefix(ce.Server, "server ")
		return fmt.Sprintf("cannot reach %s: no connection answered (%s); check that the server runs, or run `plexkit doctor`", name, orNone(reasons))
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !isNetFailure(ue.Err) {
		return ""
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return ""
	}
	site := u.Scheme + "://" + u.Host
	what := strings.ToUpper(ue.Op) + " " + plexkit.RedactURL(u.Path)
	if ptv, perr := url.Parse(f.PlexTVURL); perr == nil && ptv.Host == u.Host {
		return fmt.Sprintf("cannot reach plex.tv at %s (%s): %s; check --plextv or %s (now %s) and the network", site, strings.TrimSpace(what), netReason(ue.Err), EnvPlexTVURL, f.PlexTVURL)
	}
	return fmt.Sprintf("cannot reach %s (%s): %s; check that the server runs, or run `plexkit doctor`", site, strings.TrimSpace(what), netReason(ue.Err))
}

// isNetFailure reports whether err is a failure to talk to a host at all (as opposed to an
// answer that refused the call).
func isNetFailure(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, context.DeadlineExceeded)
}

// netReason says why a host could not be reached, in words.
func netReason(err error) string {
	var dns *net.DNSError
	switch {
	case err == nil:
		return "answered too late"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (nothing listens there)"
	case errors.As(err, &dns):
		return "no such host: " + dns.Name
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed before an answer"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "no answer in time"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		return "no route to the host"
	}
	var wrong *pms.WrongServerError
	if errors.As(err, &wrong) {
		return "answers as another server"
	}
	return cleanMessage(plexkit.Redact(err.Error()))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// debugTransport writes one line per HTTP request to w: method, URL (redacted: no token ever
// shows), status or error, and the time it took. Headers and bodies are never written.
type debugTransport struct {
	base http.RoundTripper
	w    io.Writer
}

// RoundTrip implements http.RoundTripper.
func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	took := time.Since(start).Round(100 * time.Microsecond)
	line := req.Method + " " + plexkit.RedactURL(req.URL.String())
	if err != nil {
		fmt.Fprintf(t.w, "debug: %s → %s (%s)\n", line, cleanMessage(plexkit.Redact(err.Error())), took)
	} else {
		fmt.Fprintf(t.w, "debug: %s → %s (%s)\n", line, resp.Status, took)
	}
	return resp, err
}

// httpClient is the HTTP client every command builds its plex.tv and server clients with: nil
// (the library's default) normally, and one that logs each request with --debug.
func (f *Factory) httpClient() *http.Client {
	if !f.Debug {
		return nil
	}
	return &http.Client{Transport: &debugTransport{base: plexkit.DefaultTransport(), w: f.IO.ErrOut}}
}

// pmsOptions returns opts with the --debug HTTP client when it is on.
func (f *Factory) pmsOptions(opts ...pms.Option) []pms.Option {
	if hc := f.httpClient(); hc != nil {
		opts = append(opts, pms.WithHTTPClient(hc))
	}
	return opts
}

// jsonFlagIn reports whether args ask for --json before any "--": a command line that fails to
// parse still gets its error as JSON.
func jsonFlagIn(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "--json", "--json=true", "--json=1":
			return true
		}
	}
	return false
}
