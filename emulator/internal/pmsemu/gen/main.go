// Command gen writes emulator/internal/pmsemu/answers_gen.go: for every operation of the
// official Plex Media Server OpenAPI specification, the answer a server gives when it has nothing
// to show for it (no tuner, no DVR, no download queue, no such media…): the operation's success
// status and the smallest body its success response schema accepts, in JSON and in XML. The
// emulator serves it for every operation it has no handler for, so no operation answers 501.
//
// It reads the copy of the specification embedded in internal/spec. Run it with go generate in
// emulator/internal/pmsemu.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/plexkit/plexkit/internal/spec"
)

func main() {
	out := flag.String("out", "answers_gen.go", "the Go file to write")
	flag.Parse()
	src, err := generate(spec.OpenAPI())
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// answer is one row of the generated table.
type answer struct {
	id          string
	status      int
	contentType string // "json" for a MediaContainer-like body; otherwise the media type, or "" for none
	json, xml   string
}

// successOrder is the order in which an operation's success statuses are considered.
var successOrder = []string{"200", "201", "202", "204"}

func generate(data []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not an OpenAPI JSON document: %w", err)
	}
	r := resolver{doc: doc}
	paths, _ := doc["paths"].(map[string]any)
	var rows []answer
	for _, op := range spec.Operations() {
		item, _ := paths[op.Path].(map[string]any)
		o, _ := item[strings.ToLower(op.Method)].(map[string]any)
		if o == nil {
			return nil, fmt.Errorf("%s %s: not in the document", op.Method, op.Path)
		}
		a, err := r.answerOf(o)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", op.Method, op.Path, err)
		}
		a.id = op.OperationID
		rows = append(rows, a)
	}
	return render(rows)
}

type resolver struct{ doc map[string]any }

// deref follows $ref pointers into the document's components.
func (r resolver) deref(v any) (map[string]any, error) {
	m, _ := v.(map[string]any)
	for range 32 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, fmt.Errorf("external $ref %q", ref)
		}
		var cur any = r.doc
		for p := range strings.SplitSeq(ref[2:], "/") {
			cur = cur.(map[string]any)[strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")]
		}
		m, _ = cur.(map[string]any)
		if m == nil {
			return nil, fmt.Errorf("$ref %q resolves to nothing", ref)
		}
	}
	return nil, errors.New("$ref chain too long")
}

func (r resolver) answerOf(op map[string]any) (answer, error) {
	responses, _ := op["responses"].(map[string]any)
	var code string
	for _, c := range successOrder {
		if _, ok := responses[c]; ok {
			code = c
			break
		}
	}
	if code == "" {
		return answer{}, errors.New("no 200, 201, 202 or 204 response")
	}
	status, _ := strconv.Atoi(code)
	resp, err := r.deref(responses[code])
	if err != nil {
		return answer{}, err
	}
	content, _ := resp["content"].(map[string]any)
	a := answer{status: status}
	if mt, ok := content["application/json"].(map[string]any); ok {
		schema, err := r.deref(mt["schema"])
		if err != nil {
			return answer{}, err
		}
		body, err := r.minimal(schema, 0)
		if err != nil {
			return answer{}, err
		}
		if m, _ := body.(map[string]any); len(m) == 0 {
			// The schema describes the container itself, not the body that holds it (the spec
			// does this for GET /tv.plex.providers.epg.{identifier}:{deviceId}/watchnow, whose
			// own example is wrapped): answer as Plex does, inside a MediaContainer, which the
			// schema also accepts.
			if body, err = r.minimal(schema, 1); err != nil {
				return answer{}, err
			}
			body = map[string]any{"MediaContainer": body}
		}
		j, err := json.Marshal(body)
		if err != nil {
			return answer{}, err
		}
		a.contentType, a.json = "json", string(j)
		a.xml, err = toXML(body)
		return a, err
	}
	// Without JSON the body is a file, a stream or nothing. An image is given as one (the
	// emulator draws it); text and streams are given empty, with the first media type the spec
	// lists, as a server with no such item does.
	types := slices.Sorted(func(yield func(string) bool) {
		for t := range content {
			if !yield(t) {
				return
			}
		}
	})
	for _, t := range types {
		if strings.HasPrefix(t, "image/") {
			a.contentType = t
			return a, nil
		}
	}
	if len(types) > 0 {
		a.contentType = types[0]
	}
	return a, nil
}

// minimal returns the smallest value schema accepts, the way a server with nothing to list
// answers: the wrapping element (MediaContainer, ButlerTasks) is present, a MediaContainer says
// size 0, lists are left out, and properties the schema requires get their own smallest value.
func (r resolver) minimal(schema map[string]any, depth int) (any, error) {
	if depth > 16 {
		return nil, errors.New("schema nests too deep")
	}
	schema, err := r.flatten(schema)
	if err != nil {
		return nil, err
	}
	if c, ok := schema["const"]; ok {
		return c, nil
	}
	if e, ok := schema["enum"].([]any); ok && len(e) > 0 {
		return e[0], nil
	}
	props, _ := schema["properties"].(map[string]any)
	switch typeOf(schema) {
	case "object":
		out := map[string]any{}
		required, _ := schema["required"].([]any)
		for name, p := range props {
			ps, err := r.deref(p)
			if err != nil {
				return nil, err
			}
			fs, err := r.flatten(ps)
			if err != nil {
				return nil, err
			}
			switch {
			case slices.Contains(required, any(name)),
				depth == 0 && typeOf(fs) == "object",
				depth == 1 && name == "size" && typeOf(fs) == "integer":
				if out[name], err = r.minimal(ps, depth+1); err != nil {
					return nil, err
				}
				// A PMS gives every MediaContainer a size, also where a schema leaves it out.
				if mc, ok := out[name].(map[string]any); ok && depth == 0 && name == "MediaContainer" && fs["additionalProperties"] != false {
					if _, has := mc["size"]; !has {
						mc["size"] = 0
					}
				}
			}
		}
		return out, nil
	case "array":
		return []any{}, nil
	case "integer", "number":
		return 0, nil
	case "boolean":
		return false, nil
	case "string":
		return "", nil
	}
	return map[string]any{}, nil
}

// flatten dereferences schema and merges an allOf into one schema; of a oneOf or anyOf it keeps
// the first choice.
func (r resolver) flatten(schema map[string]any) (map[string]any, error) {
	schema, err := r.deref(schema)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts, ok := schema[k].([]any); ok && len(alts) > 0 {
			first, err := r.deref(alts[0])
			if err != nil {
				return nil, err
			}
			return r.flatten(first)
		}
	}
	parts, ok := schema["allOf"].([]any)
	if !ok {
		return schema, nil
	}
	merged := map[string]any{}
	props := map[string]any{}
	var required []any
	for _, p := range append([]any{withoutAllOf(schema)}, parts...) {
		ps, err := r.deref(p)
		if err != nil {
			return nil, err
		}
		fs, err := r.flatten(ps)
		if err != nil {
			return nil, err
		}
		for k, v := range fs {
			switch k {
			case "properties":
				for pk, pv := range v.(map[string]any) {
					props[pk] = pv
				}
			case "required":
				rs, _ := v.([]any)
				required = append(required, rs...)
			default:
				merged[k] = v
			}
		}
	}
	if len(props) > 0 {
		merged["properties"] = props
		merged["type"] = "object"
	}
	if len(required) > 0 {
		merged["required"] = required
	}
	return merged, nil
}

func withoutAllOf(schema map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range schema {
		if k != "allOf" {
			out[k] = v
		}
	}
	return out
}

// typeOf returns the schema's type; of a 3.1 type list, the first that is not "null".
func typeOf(schema map[string]any) string {
	switch t := schema["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s != "" && s != "null" {
				return s
			}
		}
	}
	if _, ok := schema["properties"]; ok {
		return "object"
	}
	return ""
}

// toXML renders a body the way a PMS writes the same value in XML: the one top-level key is the
// root element, scalars are attributes (booleans "1"/"0"), objects are child elements and every
// element of a list is a child element named by the list's key.
func toXML(body any) (string, error) {
	root, ok := body.(map[string]any)
	if !ok || len(root) != 1 {
		return "", fmt.Errorf("a body with %d top-level keys has no XML form", len(root))
	}
	var b bytes.Buffer
	for name, v := range root {
		if err := element(&b, name, v); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func element(b *bytes.Buffer, name string, v any) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("element %s: not an object", name)
	}
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range obj {
			if !yield(k) {
				return
			}
		}
	})
	b.WriteString("<" + name)
	var children []string
	for _, k := range keys {
		switch x := obj[k].(type) {
		case map[string]any, []any:
			children = append(children, k)
		case bool:
			fmt.Fprintf(b, ` %s="%s"`, k, map[bool]string{false: "0", true: "1"}[x])
		default:
			var esc bytes.Buffer
			if err := xml.EscapeText(&esc, []byte(fmt.Sprint(x))); err != nil {
				return err
			}
			fmt.Fprintf(b, ` %s="%s"`, k, esc.String())
		}
	}
	if len(children) == 0 {
		b.WriteString("/>")
		return nil
	}
	b.WriteString(">")
	for _, k := range children {
		items, isList := obj[k].([]any)
		if !isList {
			items = []any{obj[k]}
		}
		for _, it := range items {
			if err := element(b, k, it); err != nil {
				return err
			}
		}
	}
	b.WriteString("</" + name + ">")
	return nil
}

func render(rows []answer) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`// The table below is derived from the Plex Media Server OpenAPI specification embedded in
// internal/spec, licensed under the Apache License, Version 2.0 (the "License"); you may not use
// this file except in compliance with the License. You may obtain a copy of the License at
//
//	https://www.apache.org/licenses/LICENSE-2.0.html
//
// Unless required by applicable law or agreed to in writing, software distributed under the
// License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
// either express or implied. See the License for the specific language governing permissions
// and limitations under the License. See internal/spec/NOTICE.

// Code generated by emulator/internal/pmsemu/gen from the embedded spec; DO NOT EDIT.

package pmsemu

`)
	fmt.Fprintf(&b, "// emptyAnswers holds, by operationId, what each of the spec's %d operations answers when the\n// server has nothing to show for it.\nvar emptyAnswers = map[string]emptyAnswer{\n", len(rows))
	for _, a := range rows {
		fmt.Fprintf(&b, "\t%q: {status: %d, contentType: %q, json: %q, xml: %q},\n", a.id, a.status, a.contentType, a.json, a.xml)
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
