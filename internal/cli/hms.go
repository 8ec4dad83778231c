package cli

import (
	"fmt"
	"strconv"
	"strings"
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

// parseHMS reads a position as hms writes it: h:mm:ss, m:ss or seconds, each with an optional
// fraction of a second (0:01:30, 1:30, 90, 90.5), and returns milliseconds.
func parseHMS(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a time: write h:mm:ss (0:01:30), m:ss (1:30) or seconds (90)", s)
	parts := strings.Split(strings.TrimSpace(s), ":")
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
