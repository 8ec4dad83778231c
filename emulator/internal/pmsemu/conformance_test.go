package pmsemu

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/plexkit/plexkit/internal/spec"
)

// The conformance test checks every JSON answer the emulator gives against the response schema
// of its operation in the official PMS OpenAPI (the copy embedded in internal/spec), with
// kin-openapi's validator: the emulator follows Plex's contract, not our reading of it.

// loadSpec parses the embedded spec once for the whole test binary.
var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	var raw any
	if err := json.Unmarshal(spec.OpenAPI(), &raw); err != nil {
		return nil, err
	}
	dropMapExamples(raw)
	data, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	return openapi3.NewLoader().LoadFromData(data)
})

// dropMapExamples works around the one place the spec is broken for a validator. The responses
// of GET /livetv/sessions and GET /livetv/sessions/{sessionId} put an OpenAPI media-type
// "examples" map (name → {value}) inside the schema, next to its $ref; in a 3.1 schema
// "examples" is the JSON Schema keyword and must be an array, so kin-openapi refuses to load the
// document. Only an "examples" that is an object beside a "$ref" is dropped: it is documentation,
// never a constraint, and every other schema stays as Plex wrote it.
func dropMapExamples(v any) {
	switch o := v.(type) {
	case map[string]any:
		if _, isRef := o["$ref"]; isRef {
			if _, isMap := o["examples"].(map[string]any); isMap {
				delete(o, "examples")
			}
		}
		for _, c := range o {
			dropMapExamples(c)
		}
	case []any:
		for _, c := range o {
			dropMapExamples(c)
		}
	}
}

// validate checks one response against the spec's description of operation op.
func validate(t *testing.T, doc *openapi3.T, op spec.Operation, r *http.Request, resp *http.Response, body []byte) error {
	t.Helper()
	item := doc.Paths.Find(op.Path)
	if item == nil {
		t.Fatalf("the spec has no path %s", op.Path)
	}
	operation := item.GetOperation(op.Method)
	if operation == nil {
		t.Fatalf("the spec has no %s %s", op.Method, op.Path)
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r,
			Route:   &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation},
		},
		Status:  resp.StatusCode,
		Header:  resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), input)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	doc, err := loadSpec()
	if err != nil {
		t.Fatalf("loading the embedded spec: %v", err)
	}
	f := newFixture(t, nil)
	callers := map[string]string{"admin": ownerToken, "shared": friendToken, "managed": managedToken}
	everyone := []string{"admin", "shared", "managed"}
	tests := []struct {
		name       string
		method     string
		path       string
		as         string   // the spec path to validate against, for an alias
		who        []string // callers to send it as (default everyone)
		wantStatus int      // default 200
	}{
		{name: "identity", path: "/identity"},
		{name: "capabilities", path: "/"},
		{name: "sections", path: "/library/sections/all"},
		{name: "sections alias", path: "/library/sections", as: "/library/sections/all"},
		{name: "movies page", path: "/library/sections/1/all?X-Plex-Container-Start=10&X-Plex-Container-Size=5", who: []string{"admin", "shared"}},
		{name: "shows", path: "/library/sections/2/all?X-Plex-Container-Size=3", who: []string{"admin", "shared"}},
		{name: "artists", path: "/library/sections/3/all?X-Plex-Container-Size=3", who: []string{"admin", "managed"}},
		{name: "photos", path: "/library/sections/4/all", who: []string{"admin"}},
		{name: "total only", path: "/library/sections/1/all?X-Plex-Container-Size=0", who: []string{"admin", "shared"}},
		{name: "page past the end", path: "/library/sections/2/all?X-Plex-Container-Start=100", who: []string{"admin", "shared"}},
		{name: "end of a million items", path: "/library/sections/5/all?X-Plex-Container-Start=999990&X-Plex-Container-Size=50", who: []string{"admin"}},
		{name: "movie", path: "/library/metadata/1000000003", who: []string{"admin", "shared"}},
		{name: "show and episode", path: "/library/metadata/2000000001,2500000001", who: []string{"admin", "shared"}},
		{name: "artist and track", path: "/library/metadata/3000000001,3500000001", who: []string{"admin", "managed"}},
		{name: "photo", path: "/library/metadata/4000000002", who: []string{"admin"}},
		{name: "search", path: "/hubs/search?query=river&limit=3"},
		{name: "search one section", path: "/hubs/search?query=golden&sectionId=1", who: []string{"admin", "shared"}},
		{name: "search with numbers", path: "/hubs/search?query=river%202&limit=2"},
		{name: "sessions", path: "/status/sessions", who: []string{"admin"}},
		{name: "sessions page", path: "/status/sessions?X-Plex-Container-Start=1&X-Plex-Container-Size=1", who: []string{"admin"}},
		{name: "history", path: "/status/sessions/history/all"},
		{name: "history filtered and sorted", path: "/status/sessions/history/all?sort=viewedAt:desc,accountID&librarySectionID=1&X-Plex-Container-Size=2"},
		{name: "transient token", method: "POST", path: "/security/token?type=delegation&scope=all"},
		{name: "transient token, bad request", method: "POST", path: "/security/token?type=other&scope=all", wantStatus: 400},
		{name: "resources", path: "/security/resources?source=server://" + testMachineID, who: []string{"admin"}},
		{name: "resources refused to a shared user", path: "/security/resources?source=server://" + testMachineID, who: []string{"shared", "managed"}, wantStatus: 403},
	}
	for _, tt := range tests {
		who := tt.who
		if who == nil {
			who = everyone
		}
		for _, name := range who {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				t.Parallel()
				method := tt.method
				if method == "" {
					method = http.MethodGet
				}
				r, err := http.NewRequest(method, f.http.URL+tt.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				r.Header.Set("Accept", "application/json")
				r.Header.Set("X-Plex-Token", callers[name])
				resp, body := f.send(t, r)
				want := tt.wantStatus
				if want == 0 {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, want, body)
				}
				path := tt.path
				if tt.as != "" {
					path = tt.as
				}
				op, ok := spec.Lookup(method, strings.SplitN(path, "?", 2)[0])
				if !ok {
					t.Fatalf("no operation for %s %s", method, path)
				}
				if err := validate(t, doc, op, r, resp, body); err != nil {
					t.Errorf("%s %s does not follow the spec's %s: %v\nbody: %.2000s", method, tt.path, op.OperationID, err, body)
				}
			})
		}
	}
}

// TestConformanceCatchesViolations proves the validator in TestConformance really checks: a body
// that breaks the schema of GET /identity, a non-integer paging header, and an undocumented
// status are all reported.
func TestConformanceCatchesViolations(t *testing.T) {
	t.Parallel()
	doc, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	identity, _ := spec.Lookup("GET", "/identity")
	sessions, _ := spec.Lookup("GET", "/status/sessions")
	tests := []struct {
		name   string
		op     spec.Operation
		status int
		header http.Header
		body   string
	}{
		{"claimed is not a boolean", identity, 200, http.Header{"Content-Type": {"application/json"}},
			`{"MediaContainer":{"size":0,"claimed":"yes","machineIdentifier":"m","version":"1"}}`},
		{"size is not an integer", identity, 200, http.Header{"Content-Type": {"application/json"}},
			`{"MediaContainer":{"size":"0","claimed":true}}`},
		{"paging header is not an integer", sessions, 200,
			http.Header{"Content-Type": {"application/json"}, "X-Plex-Container-Start": {"zero"}}, `{"MediaContainer":{"size":0}}`},
		{"session location outside the enum", sessions, 200, http.Header{"Content-Type": {"application/json"}},
			`{"MediaContainer":{"size":1,"Metadata":[{"Session":{"id":"x","bandwidth":1,"location":"moon"}}]}}`},
		{"undocumented status", identity, 418, http.Header{"Content-Type": {"text/plain"}}, "teapot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequest(tt.op.Method, "http://pms.invalid"+tt.op.Path, nil)
			resp := &http.Response{StatusCode: tt.status, Header: tt.header}
			if err := validate(t, doc, tt.op, r, resp, []byte(tt.body)); err == nil {
				t.Error("the validator accepted it")
			}
		})
	}
}
