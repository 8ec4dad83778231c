package pms

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
)

// Plex Media Server is not consistent about how it encodes scalars: an id is a string in one
// list and a number in another ("librarySectionID": "1" in history, 1 in a section's items),
// booleans are true/false in JSON but "1"/"0" in XML, and some servers quote numbers. The Flex
// types accept every form seen, so one odd field never fails a whole page; they encode in the
// canonical JSON form (number, boolean, string).

// FlexInt is an integer that decodes from a JSON number or numeric string, or an XML attribute.
// An empty string or null is 0.
type FlexInt int64

// FlexFloat is a number that decodes from a JSON number or numeric string, or an XML attribute.
// An empty string or null is 0.
type FlexFloat float64

// FlexBool is a boolean that decodes from JSON true/false, 0/1 or their quoted forms, and from
// XML "1"/"0"/"true"/"false". An empty string or null is false.
type FlexBool bool

// FlexString is an identifier that decodes from a JSON string or number (kept as its decimal
// text), or an XML attribute. null is "".
type FlexString string

// ScalarError is a field whose value has none of the forms its Flex type accepts.
type ScalarError struct {
	Want  string // "integer", "number" or "boolean"
	Value string // the value, shortened
}

// Error implements error.
func (e *ScalarError) Error() string {
	return fmt.Sprintf("pms: %q is not a valid %s", e.Value, e.Want)
}

func scalarError(want string, raw []byte) error {
	const max = 40
	v := string(raw)
	if len(v) > max {
		v = v[:max] + "…"
	}
	return &ScalarError{Want: want, Value: v}
}

// unquote returns the text of a JSON scalar: a string's content or a number's digits; ok is
// false for objects and arrays. null gives nil.
func unquote(b []byte) (text []byte, quoted, ok bool) {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return nil, false, false
	case string(b) == "null":
		return nil, false, true
	case b[0] == '"':
		if bytes.IndexByte(b, '\\') < 0 && len(b) >= 2 && b[len(b)-1] == '"' {
			return b[1 : len(b)-1], true, true
		}
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return nil, false, false
		}
		return []byte(s), true, true
	case b[0] == '{' || b[0] == '[':
		return nil, false, false
	}
	return b, false, true
}

// parseInt parses decimal digits with an optional sign without allocating, falling back to
// strconv for floats with an integral value (1e3, 2.0).
func parseInt(s []byte) (int64, bool) {
	if len(s) == 0 {
		return 0, true
	}
	neg, digits := false, s
	if digits[0] == '-' || digits[0] == '+' {
		neg, digits = digits[0] == '-', digits[1:]
	}
	if len(digits) > 0 && len(digits) <= 18 {
		var n int64
		i := 0
		for ; i < len(digits) && digits[i] >= '0' && digits[i] <= '9'; i++ {
			n = n*10 + int64(digits[i]-'0')
		}
		if i == len(digits) {
			if neg {
				n = -n
			}
			return n, true
		}
	}
	if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

func parseBool(s []byte) (bool, bool) {
	switch string(s) {
	case "", "0", "false", "False", "FALSE":
		return false, true
	case "1", "true", "True", "TRUE":
		return true, true
	}
	return false, false
}

// UnmarshalJSON implements json.Unmarshaler.
func (i *FlexInt) UnmarshalJSON(b []byte) error {
	s, _, ok := unquote(b)
	if !ok {
		return scalarError("integer", b)
	}
	n, ok := parseInt(s)
	if !ok {
		return scalarError("integer", s)
	}
	*i = FlexInt(n)
	return nil
}

// UnmarshalXMLAttr implements xml.UnmarshalerAttr.
func (i *FlexInt) UnmarshalXMLAttr(a xml.Attr) error {
	n, ok := parseInt([]byte(a.Value))
	if !ok {
		return scalarError("integer", []byte(a.Value))
	}
	*i = FlexInt(n)
	return nil
}

func parseFloat(s []byte) (float64, bool) {
	if len(s) == 0 {
		return 0, true
	}
	f, err := strconv.ParseFloat(string(s), 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *FlexFloat) UnmarshalJSON(b []byte) error {
	s, _, ok := unquote(b)
	if !ok {
		return scalarError("number", b)
	}
	v, ok := parseFloat(s)
	if !ok {
		return scalarError("number", s)
	}
	*f = FlexFloat(v)
	return nil
}

// UnmarshalXMLAttr implements xml.UnmarshalerAttr.
func (f *FlexFloat) UnmarshalXMLAttr(a xml.Attr) error {
	v, ok := parseFloat([]byte(a.Value))
	if !ok {
		return scalarError("number", []byte(a.Value))
	}
	*f = FlexFloat(v)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (v *FlexBool) UnmarshalJSON(b []byte) error {
	s, _, ok := unquote(b)
	if !ok {
		return scalarError("boolean", b)
	}
	t, ok := parseBool(s)
	if !ok {
		return scalarError("boolean", s)
	}
	*v = FlexBool(t)
	return nil
}

// UnmarshalXMLAttr implements xml.UnmarshalerAttr.
func (v *FlexBool) UnmarshalXMLAttr(a xml.Attr) error {
	t, ok := parseBool([]byte(a.Value))
	if !ok {
		return scalarError("boolean", []byte(a.Value))
	}
	*v = FlexBool(t)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler. Booleans are refused: no Plex identifier is one.
func (v *FlexString) UnmarshalJSON(b []byte) error {
	s, quoted, ok := unquote(b)
	if !ok || (!quoted && (string(s) == "true" || string(s) == "false")) {
		return scalarError("string or number", b)
	}
	*v = FlexString(s)
	return nil
}
