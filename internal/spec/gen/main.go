// Command gen writes internal/spec/operations_gen.go, the table of every operation of the
// official Plex Media Server OpenAPI specification with the role it requires. Run it with
// go generate in internal/spec: by default it reads the module's embedded copy,
// internal/spec/pms-openapi.json, so it needs nothing outside the module.
//
// To import a new version of the specification, name it with -spec and have it copied over the
// embedded one with -copy:
//
//	go run ./gen -spec /path/to/new/pms-openapi.json -copy pms-openapi.json
//
// The role of an operation comes from its security requirement: an explicit `[{}]` needs no
// token, an explicit user_token ["admin"] needs the owner's, and an operation with no security
// key inherits the document's default, user_token ["shared user","admin"].
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"slices"
	"strings"
)

// The flag defaults, relative to internal/spec where go generate runs: read the embedded copy,
// copy nothing.
const (
	defaultSpec = "pms-openapi.json"
	defaultCopy = ""
)

func main() {
	specPath := flag.String("spec", defaultSpec, "the official PMS OpenAPI document (JSON); default: the embedded copy")
	out := flag.String("out", "operations_gen.go", "the Go file to write")
	copyPath := flag.String("copy", defaultCopy, "where to copy the document for go:embed, e.g. pms-openapi.json when importing a new version with -spec (empty: don't)")
	flag.Parse()
	if err := run(*specPath, *out, *copyPath); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(specPath, out, copyPath string) error {
	doc, err := os.ReadFile(specPath)
	if err != nil {
		return err
	}
	src, counts, err := generate(doc)
	if err != nil {
		return fmt.Errorf("%s: %w", specPath, err)
	}
	if err := os.WriteFile(out, src, 0o644); err != nil {
		return err
	}
	if copyPath != "" {
		if err := os.WriteFile(copyPath, doc, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: %d operations: %d admin, %d shared user, %d no token\n",
		counts.total(), counts.admin, counts.shared, counts.none)
	return nil
}

// document is the part of an OpenAPI document the generator reads.
type document struct {
	Info struct {
		Title   string `json:"title"`
		Version string `json:"version"`
		License struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"license"`
	} `json:"info"`
	Security []map[string][]string                 `json:"security"`
	Paths    map[string]map[string]json.RawMessage `json:"paths"`
}

type operation struct {
	OperationID string   `json:"operationId"`
	Tags        []string `json:"tags"`
	// Security is nil when the key is absent: the operation inherits the document's default.
	Security *[]map[string][]string `json:"security"`
}

type row struct {
	method, path, id, tag, role string
}

type roleCounts struct{ none, shared, admin int }

func (c roleCounts) total() int { return c.none + c.shared + c.admin }

// methods are the operation keys of an OpenAPI path item, in the order the table lists them.
var methods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// tableOrder is how rows of one path are ordered in the generated table.
var tableOrder = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"}

func generate(data []byte) ([]byte, roleCounts, error) {
	var doc document
	var counts roleCounts
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, counts, fmt.Errorf("not an OpenAPI JSON document: %w", err)
	}
	if !strings.Contains(doc.Info.License.Name, "Apache") || !strings.Contains(doc.Info.License.Name, "2.0") {
		return nil, counts, fmt.Errorf("info.license.name is %q: the notice this generator writes is for Apache 2.0", doc.Info.License.Name)
	}
	if len(doc.Paths) == 0 {
		return nil, counts, errors.New("the document has no paths")
	}
	defaultRole, err := roleOf(doc.Security)
	if err != nil {
		return nil, counts, fmt.Errorf("document security: %w", err)
	}
	var rows []row
	ids := map[string]string{}
	for path, item := range doc.Paths {
		if err := checkTemplate(path); err != nil {
			return nil, counts, err
		}
		for key, raw := range item {
			if !slices.Contains(methods, key) {
				continue // parameters, summary, servers…
			}
			where := strings.ToUpper(key) + " " + path
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, counts, fmt.Errorf("%s: %w", where, err)
			}
			if op.OperationID == "" {
				return nil, counts, fmt.Errorf("%s: no operationId", where)
			}
			if prev, dup := ids[op.OperationID]; dup {
				return nil, counts, fmt.Errorf("%s: operationId %q already used by %s", where, op.OperationID, prev)
			}
			ids[op.OperationID] = where
			if len(op.Tags) != 1 {
				return nil, counts, fmt.Errorf("%s: %d tags, want exactly one", where, len(op.Tags))
			}
			role := defaultRole
			if op.Security != nil {
				if role, err = roleOf(*op.Security); err != nil {
					return nil, counts, fmt.Errorf("%s: %w", where, err)
				}
			}
			switch role {
			case "RoleNone":
				counts.none++
			case "RoleShared":
				counts.shared++
			case "RoleAdmin":
				counts.admin++
			}
			rows = append(rows, row{strings.ToUpper(key), path, op.OperationID, op.Tags[0], role})
		}
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return slices.Index(tableOrder, a.method) - slices.Index(tableOrder, b.method)
	})

	var b bytes.Buffer
	fmt.Fprintf(&b, `// The table below is derived from the %s OpenAPI specification, version %s,
// licensed under the Apache License, Version 2.0 (the "License"); you may not use this file
// except in compliance with the License. You may obtain a copy of the License at
//
//	%s
//
// Unless required by applicable law or agreed to in writing, software distributed under the
// License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND,
// either express or implied. See the License for the specific language governing permissions
// and limitations under the License. See NOTICE in this directory.

// Code generated by internal/spec/gen from pms-openapi.json; DO NOT EDIT.

package spec

// operations is every operation of the specification (%d: %d admin, %d shared user, %d no token).
var operations = [...]Operation{
`, strings.TrimSpace(doc.Info.Title), strings.TrimSpace(doc.Info.Version),
		strings.TrimSpace(doc.Info.License.URL),
		counts.total(), counts.admin, counts.shared, counts.none)
	for _, r := range rows {
		fmt.Fprintf(&b, "\t{Method: %q, Path: %q, OperationID: %q, Tag: %q, Role: %s},\n",
			r.method, r.path, r.id, r.tag, r.role)
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, counts, fmt.Errorf("formatting the generated table: %w", err)
	}
	return src, counts, nil
}

// roleOf maps a security requirement to the name of a spec.Role constant. The shapes the PMS
// document uses are the only ones accepted, so a new shape fails generation instead of being
// guessed at.
func roleOf(req []map[string][]string) (string, error) {
	if len(req) != 1 {
		return "", fmt.Errorf("security has %d requirement objects, want 1", len(req))
	}
	if len(req[0]) == 0 {
		return "RoleNone", nil
	}
	scopes, ok := req[0]["user_token"]
	if !ok || len(req[0]) != 1 {
		return "", fmt.Errorf("security requirement %v: want only the user_token scheme", req[0])
	}
	s := slices.Sorted(slices.Values(scopes))
	switch {
	case slices.Equal(s, []string{"admin"}):
		return "RoleAdmin", nil
	case slices.Equal(s, []string{"admin", "shared user"}):
		return "RoleShared", nil
	}
	return "", fmt.Errorf("user_token scopes %q: want [admin] or [shared user admin]", scopes)
}

// checkTemplate refuses path templates the matcher in package spec cannot route: every segment
// must be non-empty with balanced braces, and no two parameters may touch.
func checkTemplate(path string) error {
	if path == "/" {
		return nil
	}
	if !strings.HasPrefix(path, "/") || strings.HasSuffix(path, "/") {
		return fmt.Errorf("path %q: want a leading and no trailing slash", path)
	}
	for seg := range strings.SplitSeq(path[1:], "/") {
		if seg == "" {
			return fmt.Errorf("path %q: empty segment", path)
		}
		prevParam, open := false, false
		for i := 0; i < len(seg); i++ {
			switch c := seg[i]; {
			case c == '{' && open, c == '}' && !open:
				return fmt.Errorf("path %q: unbalanced braces in %q", path, seg)
			case c == '{' || c == '*':
				if prevParam {
					return fmt.Errorf("path %q: adjacent parameters in %q", path, seg)
				}
				open = c == '{'
				prevParam = c == '*'
			case c == '}':
				open, prevParam = false, true
			case !open:
				prevParam = false
			}
		}
		if open {
			return fmt.Errorf("path %q: unbalanced braces in %q", path, seg)
		}
	}
	return nil
}
