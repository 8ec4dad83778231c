package cli

import (
	"math"
	"strconv"
	"unicode/utf8"
)

//go:generate go run ./gen

// jsonAppender appends the JSON of pms.Item (itemjson_gen.go, generated from the struct tags by
// ./gen) without encoding/json's reflection: `items --json` spends most of its own time
// encoding, and this makes that a fraction of what decoding the page cost. The output is byte
// for byte encoding/json's with HTML escaping off (TestItemJSONMatchesEncodingJSON); a value it
// cannot write (a NaN or infinite float, which JSON has no number for) sets bad, and the caller
// hands the element to encoding/json instead, for its error.
type jsonAppender struct {
	bad bool
}

// appendFloat appends f as encoding/json writes a float64: the shortest decimal that reads back
// as f, in exponent form only below 1e-6 or from 1e21 (ECMAScript's Number-to-String), with a
// one-digit negative exponent written without its leading zero.
func (e *jsonAppender) appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		e.bad = true
		return b
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		b = strconv.AppendFloat(b, f, 'e', -1, 64)
		if n := len(b); n >= 4 && string(b[n-4:n-1]) == "e-0" {
			b[n-2] = b[n-1] // e-07 → e-7
			b = b[:n-1]
		}
		return b
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// plainASCII is true for the bytes a JSON string holds as they are: ASCII but for control
// characters, quotes and backslashes.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string the way encoding/json writes it with HTML
// escaping off: quotes, backslashes and control characters escaped (\b \f \n \r \t by name, the
// others as \u00XX), each byte of invalid UTF-8 as \ufffd, and U+2028 and U+2029 escaped (they
// end lines in JavaScript).
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	done := 0 // s[:done] is written
	for i := 0; i < len(s); {
		c := s[i]
		if plainASCII[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(append(b, s[done:i]...), `\ufffd`...)
			case r == '\u2028' || r == '\u2029':
				b = append(append(b, s[done:i]...), `\u202`...)
				b = append(b, "89"[r-'\u2028'])
			default:
				i += size
				continue
			}
			i += size
			done = i
			continue
		}
		b = append(b, s[done:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		done = i
	}
	return append(append(b, s[done:]...), '"')
}
