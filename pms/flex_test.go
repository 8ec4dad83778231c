package pms

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

func TestFlexIntJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want FlexInt
		bad  bool
	}{
		{"number", `42`, 42, false},
		{"negative", `-7`, -7, false},
		{"quoted", `"42"`, 42, false},
		{"empty string", `""`, 0, false},
		{"null", `null`, 0, false},
		{"integral float", `2.0`, 2, false},
		{"exponent", `1e3`, 1000, false},
		{"large", `9007199254740993`, 9007199254740993, false},
		{"max int64", `9223372036854775807`, 9223372036854775807, false},
		{"escaped digits", `"\u0034\u0032"`, 42, false},
		{"fraction", `1.5`, 0, true},
		{"word", `"abc"`, 0, true},
		{"bool", `true`, 0, true},
		{"object", `{}`, 0, true},
		{"overflow", `1e30`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				N FlexInt `json:"n"`
			}
			err := json.Unmarshal([]byte(`{"n":`+tt.in+`}`), &v)
			if tt.bad {
				var se *ScalarError
				if !errors.As(err, &se) || se.Want != "integer" {
					t.Fatalf("Unmarshal(%s) error = %v, want a *ScalarError for an integer", tt.in, err)
				}
				return
			}
			if err != nil || v.N != tt.want {
				t.Fatalf("Unmarshal(%s) = %d, %v; want %d", tt.in, v.N, err, tt.want)
			}
		})
	}
}

func TestFlexBoolJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want FlexBool
		bad  bool
	}{
		{`true`, true, false}, {`false`, false, false}, {`1`, true, false}, {`0`, false, false},
		{`"1"`, true, false}, {`"0"`, false, false}, {`"true"`, true, false}, {`"false"`, false, false},
		{`""`, false, false}, {`null`, false, false},
		{`2`, false, true}, {`"yes"`, false, true}, {`[]`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var v struct {
				B FlexBool `json:"b"`
			}
			err := json.Unmarshal([]byte(`{"b":`+tt.in+`}`), &v)
			if tt.bad {
				var se *ScalarError
				if !errors.As(err, &se) {
					t.Fatalf("Unmarshal(%s) error = %v, want a *ScalarError", tt.in, err)
				}
				return
			}
			if err != nil || v.B != tt.want {
				t.Fatalf("Unmarshal(%s) = %v, %v; want %v", tt.in, v.B, err, tt.want)
			}
		})
	}
}

func TestFlexStringAndFloatJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		str   FlexString
		float FlexFloat
		bad   bool
	}{
		{"string id", `"1234"`, "1234", 1234, false},
		{"numeric id", `1234`, "1234", 1234, false},
		{"null", `null`, "", 0, false},
		{"fraction", `"7.5"`, "7.5", 7.5, false},
		{"bool", `true`, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				S FlexString `json:"s"`
				F FlexFloat  `json:"f"`
			}
			err := json.Unmarshal([]byte(`{"s":`+tt.in+`,"f":`+tt.in+`}`), &v)
			if tt.bad {
				if err == nil {
					t.Fatalf("Unmarshal(%s) = %+v, want an error", tt.in, v)
				}
				return
			}
			if err != nil || v.S != tt.str || v.F != tt.float {
				t.Fatalf("Unmarshal(%s) = %q, %v, %v; want %q, %v", tt.in, v.S, v.F, err, tt.str, tt.float)
			}
		})
	}
}

func TestFlexXMLAttrs(t *testing.T) {
	t.Parallel()
	type attrs struct {
		N FlexInt    `xml:"n,attr"`
		F FlexFloat  `xml:"f,attr"`
		B FlexBool   `xml:"b,attr"`
		S FlexString `xml:"s,attr"`
	}
	tests := []struct {
		name string
		in   string
		want attrs
		bad  bool
	}{
		{"all set", `<x n="12" f="1.78" b="1" s="99"/>`, attrs{12, 1.78, true, "99"}, false},
		{"words", `<x b="true" n="-3"/>`, attrs{N: -3, B: true}, false},
		{"empty values", `<x n="" f="" b="" s=""/>`, attrs{}, false},
		{"absent", `<x/>`, attrs{}, false},
		{"bad int", `<x n="twelve"/>`, attrs{}, true},
		{"bad bool", `<x b="maybe"/>`, attrs{}, true},
		{"bad float", `<x f="NaN"/>`, attrs{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got attrs
			err := xml.Unmarshal([]byte(tt.in), &got)
			if tt.bad {
				var se *ScalarError
				if !errors.As(err, &se) {
					t.Fatalf("Unmarshal(%s) error = %v, want a *ScalarError", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Unmarshal(%s) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestScalarErrorShortensValue(t *testing.T) {
	t.Parallel()
	long := `"` + strings.Repeat("abcdefghij", 6) + `"`
	var n FlexInt
	err := n.UnmarshalJSON([]byte(long))
	var se *ScalarError
	if !errors.As(err, &se) || len(se.Value) > 45 {
		t.Fatalf("error = %v, want a *ScalarError with a value shortened to ~40 bytes", err)
	}
}
