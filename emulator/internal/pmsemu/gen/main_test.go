package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/plexkit/plexkit/internal/spec"
)

// TestGeneratedFileIsCurrent regenerates the table from the embedded spec and compares it with
// the committed file, so a new spec without go generate fails here.
func TestGeneratedFileIsCurrent(t *testing.T) {
	t.Parallel()
	got, err := generate(spec.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("..", "answers_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("answers_gen.go is stale: run go generate in emulator/internal/pmsemu")
	}
}

func TestMinimal(t *testing.T) {
	t.Parallel()
	doc := `{"components":{"schemas":{"MC":{"type":"object","properties":{"size":{"type":"integer"},"Metadata":{"type":"array"}}}}},
	"paths":{}}`
	tests := []struct {
		name, schema, want string
	}{
		{"wrapped container", `{"type":"object","properties":{"MediaContainer":{"$ref":"#/components/schemas/MC"}}}`, `{"MediaContainer":{"size":0}}`},
		{"container gets a size", `{"type":"object","properties":{"MediaContainer":{"type":"object","properties":{"Activity":{"type":"array"}}}}}`, `{"MediaContainer":{"size":0}}`},
		{"allOf merged", `{"type":"object","properties":{"MediaContainer":{"allOf":[{"$ref":"#/components/schemas/MC"},{"properties":{"title":{"type":"string"}}}]}}}`, `{"MediaContainer":{"size":0}}`},
		{"required kept", `{"type":"object","properties":{"X":{"type":"object","required":["on","kind"],"properties":{"on":{"type":"boolean"},"kind":{"enum":["a","b"]}}}}}`, `{"X":{"kind":"a","on":false}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resolver
			if err := json.Unmarshal([]byte(doc), &r.doc); err != nil {
				t.Fatal(err)
			}
			var s map[string]any
			if err := json.Unmarshal([]byte(tt.schema), &s); err != nil {
				t.Fatal(err)
			}
			v, err := r.minimal(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := json.Marshal(v)
			if string(got) != tt.want {
				t.Errorf("minimal = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestToXML(t *testing.T) {
	t.Parallel()
	got, err := toXML(map[string]any{"MediaContainer": map[string]any{
		"size": 1, "allowSync": true, "title": `a "b" & c`,
		"Directory": []any{map[string]any{"key": "1", "hidden": false}},
	}})
	want := `<MediaContainer allowSync="1" size="1" title="a &#34;b&#34; &amp; c"><Directory hidden="0" key="1"/></MediaContainer>`
	if err != nil || got != want {
		t.Errorf("toXML = %s, %v; want %s", got, err, want)
	}
	if _, err := toXML(map[string]any{"a": map[string]any{}, "b": map[string]any{}}); err == nil {
		t.Error("two roots accepted")
	}
}
