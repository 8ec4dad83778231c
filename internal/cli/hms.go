package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// hms formats milliseconds as h:mm:ss, the way a person reads a position in a film, with the
// milliseconds after a dot only when there are some (a marker's offsets are exact, and a table
// that rounded them would show an edit that did not happen).
func hms(ms int64) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	s := fmt.Sprintf("%s%d:%02d:%02d", sign, ms/3_600_000, ms/60_000%60, ms/1000%60)
	if frac := ms % 1000; frac != 0 {
		s += fmt.Sprintf(".%03d", frac)
	}
	return s
}

// hmsSeconds is hms to the second (the milliseconds dropped), for where a person reads a
// position rather than an exact offset: where playback stopped, how far a session is.
func hmsSeconds(ms int64) string {
	return hms(ms / 1000 * 1000)
}

// timeSyntax says, in a flag's help, how a time is written: parseHMS reads all of these.
const timeSyntax = "h:mm:ss, m:ss, seconds or a Go duration (0:01:30, 1:30, 90, 1m30s)"

// maxTime bounds a time parseHMS accepts: no film, episode or recording is this long, and a
// bigger number is a typo (or an overflow).
const maxTime = 1_000_000 * time.Second

// parseHMS reads a time, the one syntax of every plexkit command that takes one (marker offsets,
// a player's seek): as hms writes it, h:mm:ss, m:ss or seconds, each with an optional fraction
// of a second (0:01:30, 1:30, 90, 90.5), or a Go duration (1m30s, 1h02m30s, 90s, 1500ms). It
// returns milliseconds.
func parseHMS(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a time: write h:mm:ss (0:01:30), m:ss (1:30), seconds (90) or a duration (1m30s)", s)
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "hmsuµn") {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > maxTime || strings.HasPrefix(s, "+") {
			return 0, bad
		}
		return d.Milliseconds(), nil
	}
	parts := strings.Split(s, ":")
	if len(parts) > 3 || parts[0] == "" {
		return 0, bad
	}
	var sec, frac int64
	for i, p := range parts {
		last := i == len(parts)-1
		whole, fr, hasFrac := strings.Cut(p, ".")
		if !digits(whole) || (hasFrac && (!last || !digits(fr))) || (i > 0 && len(whole) != 2) {
			return 0, bad
		}
		n, err := strconv.ParseInt(whole, 10, 64)
		if err != nil || n < 0 || (i > 0 && n > 59) || n > 1_000_000 {
			return 0, bad
		}
		sec = sec*60 + n
		if hasFrac {
			if len(fr) > 3 {
				return 0, bad
			}
			if frac, err = strconv.ParseInt((fr + "00")[:3], 10, 64); err != nil || frac < 0 {
				return 0, bad
			}
		}
	}
	return sec*1000 + frac, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}
