package cli

import (
	"io"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Terminal safety. Names of servers, libraries, items and users, and the <title> of an HTML
// error page, come from servers the person does not control; written raw to a terminal, an
// escape sequence in one of them can retitle the window, clear the screen or rewrite what was
// printed before. So every human-readable byte the CLI writes, on stdout and stderr, passes
// through a termSafe writer (installed once, in Run, around both streams), which shows control
// characters as Go-style escapes (\x1b, \u009b) instead of sending them. Commands need to do
// nothing: fmt.Fprint to f.IO.Out or f.IO.ErrOut is safe.
//
// Two things bypass it, on purpose:
//   - --json output on stdout, which must stay exact (encoding/json escapes C0 controls itself);
//   - the CLI's own terminal control (a spinner's \r and erase-line), written with rawWriter.

// termSafe escapes control characters in everything written to w while active reports true.
// It is safe for concurrent use, and its writes reach w whole and one at a time: with --debug,
// requests racing on other goroutines (connect's probes, which may finish after the command
// has moved on) write their lines to stderr while the command writes its own.
type termSafe struct {
	w      io.Writer
	active func() bool

	mu  sync.Mutex // guards buf and serializes writes to w
	buf []byte
}

// Write implements io.Writer. It reports len(p) on success: the escaped form is longer, but
// every byte of p was consumed.
func (t *termSafe) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.active != nil && !t.active() {
		return t.w.Write(p)
	}
	i := firstUnsafe(p)
	if i == len(p) {
		return t.w.Write(p)
	}
	t.buf = appendEscaped(append(t.buf[:0], p[:i]...), p[i:])
	if _, err := t.w.Write(t.buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

// rawWriter returns the writer under w's escaping, for the CLI's own terminal control
// sequences; any other writer is returned as it is.
func rawWriter(w io.Writer) io.Writer {
	if t, ok := w.(*termSafe); ok {
		return t.w
	}
	return w
}

// firstUnsafe returns the index of the first byte of p that starts a character to escape, or
// len(p). ASCII text, the common case, is checked a byte at a time without decoding.
func firstUnsafe(p []byte) int {
	for i := 0; i < len(p); {
		b := p[i]
		if b < utf8.RuneSelf {
			if unsafeASCII(b) {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n <= 1 || unsafeRune(r) {
			return i
		}
		i += n
	}
	return len(p)
}

// unsafeASCII: the C0 controls but newline and tab (which lay out text and tables), and DEL.
func unsafeASCII(b byte) bool {
	return (b < 0x20 && b != '\n' && b != '\t') || b == 0x7f
}

// unsafeRune: the C1 controls (U+0080–U+009F; U+009B is an 8-bit CSI to some terminals) and the
// bidirectional overrides and isolates, which make text display in another order than it reads.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// appendEscaped appends p to dst with every unsafe character escaped: bytes (and invalid UTF-8)
// as \xNN, runes as \uNNNN.
func appendEscaped(dst, p []byte) []byte {
	for i := 0; i < len(p); {
		b := p[i]
		if b < utf8.RuneSelf {
			if unsafeASCII(b) {
				dst = appendHexByte(dst, b)
			} else {
				dst = append(dst, b)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(p[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			dst = appendHexByte(dst, b)
		case unsafeRune(r):
			dst = append(dst, `\u`...)
			s := strconv.FormatInt(int64(r), 16)
			for range 4 - len(s) {
				dst = append(dst, '0')
			}
			dst = append(dst, s...)
		default:
			dst = append(dst, p[i:i+n]...)
		}
		i += n
	}
	return dst
}

func appendHexByte(dst []byte, b byte) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'x', hex[b>>4], hex[b&0xf])
}

// escapeText returns s with every control character escaped, newlines and tabs included: one
// line of text, safe on a terminal (for error messages).
func escapeText(s string) string {
	b := []byte(s)
	clean := true
	for _, c := range b {
		if c == '\n' || c == '\t' {
			clean = false
			break
		}
	}
	if clean && firstUnsafe(b) == len(b) {
		return s
	}
	out := make([]byte, 0, len(s)+16)
	for i := 0; i < len(b); {
		switch b[i] {
		case '\n':
			out = append(out, `\n`...)
			i++
			continue
		case '\t':
			out = append(out, ' ')
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] != '\n' && b[j] != '\t' {
			j++
		}
		out = appendEscaped(out, b[i:j])
		i = j
	}
	return string(out)
}
