package pms

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// PrefsService reads and sets the server's settings (GET and PUT /:/prefs; admin).
type PrefsService service

// Setting is one of the server's settings, as GET /:/prefs lists it and a preference
// notification reports it after a change.
type Setting struct {
	ID       string     `json:"id" xml:"id,attr"`
	Label    string     `json:"label" xml:"label,attr"`
	Summary  string     `json:"summary,omitempty" xml:"summary,attr"`
	Type     string     `json:"type" xml:"type,attr"` // bool, int, double, text
	Default  PrefString `json:"default" xml:"default,attr"`
	Value    PrefString `json:"value" xml:"value,attr"`
	Hidden   FlexBool   `json:"hidden" xml:"hidden,attr"`
	Advanced FlexBool   `json:"advanced" xml:"advanced,attr"`
	Group    string     `json:"group,omitempty" xml:"group,attr"`
	// EnumValues lists the values allowed, when they are restricted: "value:name|value:name".
	EnumValues string `json:"enumValues,omitempty" xml:"enumValues,attr"`
}

// PrefString is a setting's value as text, whatever JSON type the server gave it (a string,
// a number or a boolean: "true"/"false").
type PrefString string

// UnmarshalJSON implements json.Unmarshaler.
func (p *PrefString) UnmarshalJSON(b []byte) error {
	s, _, ok := unquote(b)
	if !ok {
		return scalarError("setting value", b)
	}
	*p = PrefString(s)
	return nil
}

// UnmarshalXMLAttr implements xml.UnmarshalerAttr.
func (p *PrefString) UnmarshalXMLAttr(a xml.Attr) error {
	*p = PrefString(a.Value)
	return nil
}

var _ json.Unmarshaler = (*PrefString)(nil)

// Enum returns the allowed values of a restricted setting, value → name; nil when any value
// of its type is allowed.
func (s *Setting) Enum() map[string]string {
	if s.EnumValues == "" {
		return nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(s.EnumValues, "|") {
		v, name, _ := strings.Cut(pair, ":")
		out[v] = name
	}
	return out
}

// List returns every setting (GET /:/prefs).
func (s *PrefsService) List(ctx context.Context) ([]Setting, error) {
	return list[Setting](ctx, s.client, get, ":/prefs", nil, "Setting")
}

// Get returns the setting with this id.
func (s *PrefsService) Get(ctx context.Context, id string) (*Setting, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, &NotFoundError{What: "setting", Key: id}
}

// Set sets a setting (PUT /:/prefs?{id}={value}) after checking value against the setting's
// type and allowed values: a bool is true/false (or 1/0), an int an integer, a double a number.
func (s *PrefsService) Set(ctx context.Context, id, value string) error {
	st, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	v, err := st.check(value)
	if err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, ":/prefs", url.Values{id: {v}})
}

// PrefError is a value refused for a setting before it was sent.
type PrefError struct {
	ID, Type, Value, Reason string
}

// Error implements error.
func (e *PrefError) Error() string {
	return fmt.Sprintf("pms: setting %s (%s): %q %s", e.ID, e.Type, e.Value, e.Reason)
}

// check returns value in the form the server takes for the setting's type.
func (s *Setting) check(value string) (string, error) {
	refuse := func(reason string) error { return &PrefError{ID: s.ID, Type: s.Type, Value: value, Reason: reason} }
	switch s.Type {
	case "bool":
		switch strings.ToLower(value) {
		case "true", "1":
			value = "true"
		case "false", "0":
			value = "false"
		default:
			return "", refuse("is not a boolean (true or false)")
		}
	case "int":
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return "", refuse("is not an integer")
		}
	case "double":
		if f, err := strconv.ParseFloat(value, 64); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return "", refuse("is not a number")
		}
	}
	if enum := s.Enum(); enum != nil {
		if _, ok := enum[value]; !ok {
			allowed := make([]string, 0, len(enum))
			for _, pair := range strings.Split(s.EnumValues, "|") {
				v, name, _ := strings.Cut(pair, ":")
				allowed = append(allowed, v+" ("+name+")")
			}
			return "", refuse("is not one of " + strings.Join(allowed, ", "))
		}
	}
	return value, nil
}
