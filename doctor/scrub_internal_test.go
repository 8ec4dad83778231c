package doctor

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestAddScrubsDetail checks that every string of a finding's Detail, however deeply nested, is
// scrubbed of the run's secrets, and that the caller's map is left unchanged.
func TestAddScrubsDetail(t *testing.T) {
	t.Parallel()
	const secret = "qQ7legacyTok3nValue9"
	type named string
	r := &run{in: Input{Token: secret}, outcome: map[string]Status{}}
	when := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	detail := map[string]any{
		"url":          "https://pms:32400/status/sessions?X-Plex-Token=" + secret,
		"plain":        "token " + secret,
		"list":         []string{"a", secret},
		"anyList":      []any{1, "x" + secret, map[string]any{"deep": []any{secret}}},
		"nested":       map[string]any{"inner": map[string]string{"k": secret}},
		"named":        named(secret),
		"ptr":          &[]named{named(secret)},
		"bytes":        []byte(secret),
		"key" + secret: true,
		"n":            42,
		"when":         when,
		"nil":          nil,
	}
	r.add(Finding{Check: CheckCall, Status: Pass, Cause: "c " + secret, Detail: detail})
	js, err := json.Marshal(r.out[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(js), secret) {
		t.Fatalf("the finding holds the secret: %s", js)
	}
	if got := r.out[0].Detail; got["n"] != 42 || got["when"] != when {
		t.Errorf("non-string values changed: n=%v when=%v", got["n"], got["when"])
	}
	if !strings.Contains(detail["plain"].(string), secret) {
		t.Error("add changed the caller's map")
	}
}
