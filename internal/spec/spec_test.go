package spec

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path string
		wantOK             bool
		wantID             string
		wantPath           string
		wantRole           Role
	}{
		{"sessions are admin-only", "GET", "/status/sessions", true, "statusGetSlash", "/status/sessions", RoleAdmin},
		{"identity needs no token", "GET", "/identity", true, "getIdentity", "/identity", RoleNone},
		{"root", "GET", "/", true, "getSlash", "/", RoleShared},
		{"list sections is shared", "GET", "/library/sections/all", true, "libraryGetSections", "/library/sections/all", RoleShared},
		{"add a section is admin", "POST", "/library/sections/all", true, "libraryPostSection", "/library/sections/all", RoleAdmin},
		{"literal beats parameter", "GET", "/library/sections/all", true, "libraryGetSections", "/library/sections/all", RoleShared},
		{"one section", "GET", "/library/sections/12", true, "librarySectionGetSection", "/library/sections/{sectionId}", RoleShared},
		{"section items", "GET", "/library/sections/12/all", true, "librarySectionGetAll", "/library/sections/{sectionId}/all", RoleShared},
		{"metadata get is shared", "GET", "/library/metadata/123", true, "libraryMetadataGetSlash", "/library/metadata/{ids}", RoleShared},
		{"metadata put is admin", "PUT", "/library/metadata/123", true, "libraryMetadataPutSlash", "/library/metadata/{ids}", RoleAdmin},
		{"metadata delete is admin", "DELETE", "/library/metadata/1,2,3", true, "libraryMetadataDeleteSlash", "/library/metadata/{ids}", RoleAdmin},
		{"history", "GET", "/status/sessions/history/all", true, "statusGetHistoryAll", "/status/sessions/history/all", RoleShared},
		{"one history entry is admin", "GET", "/status/sessions/history/7", true, "statusGetHistory", "/status/sessions/history/{historyId}", RoleAdmin},
		{"transient token", "POST", "/security/token", true, "securityPostToken", "/security/token", RoleShared},
		{"literal path segment with colon", "GET", "/:/prefs", true, "preferencesGetSlash", "/:/prefs", RoleShared},
		{"literal wins at the earlier segment", "GET", "/library/metadata/augmentations/9", true, "libraryGetMetadataAugmentationsAugmentation", "/library/metadata/augmentations/{augmentationId}", RoleShared},
		{"method missing on literal falls back to parameter", "PUT", "/library/metadata/augmentations/9", true, "libraryMetadataPutElement", "/library/metadata/{ids}/{element}", RoleShared},
		{"delete all falls back to section id", "DELETE", "/library/sections/all", true, "libraryDeleteSection", "/library/sections/{sectionId}", RoleAdmin},
		{"literal move beats identifier", "PUT", "/hubs/sections/3/manage/move", true, "hubsSectionsSectionManagePutMove", "/hubs/sections/{sectionId}/manage/move", RoleAdmin},
		{"pattern with two parameters", "GET", "/library/streams/42.srt", true, "libraryGetStreamsStream", "/library/streams/{streamId}.{ext}", RoleShared},
		{"pattern needs its literal", "GET", "/library/streams/42", false, "", "", 0},
		{"pattern with prefix", "GET", "/tv.plex.providers.epg.cloud:7/grid", true, "mediaProviderEpgGrid", "/tv.plex.providers.epg.{identifier}:{deviceId}/grid", RoleShared},
		{"star stands for any extension", "GET", "/video/:/transcode/universal/start.m3u8", true, "transcodeStart", "/{transcodeType}/:/transcode/universal/start.*", RoleShared},
		{"star needs a character", "GET", "/video/:/transcode/universal/start.", false, "", "", 0},
		{"HEAD routes like GET", "HEAD", "/identity", true, "getIdentity", "/identity", RoleNone},
		{"trailing slash ignored", "GET", "/status/sessions/", true, "statusGetSlash", "/status/sessions", RoleAdmin},
		{"unknown path", "GET", "/no/such/thing", false, "", "", 0},
		{"unknown method on known path", "PATCH", "/status/sessions", false, "", "", 0},
		{"unsupported method", "BREW", "/identity", false, "", "", 0},
		{"method is case-sensitive", "get", "/identity", false, "", "", 0},
		{"relative path", "GET", "identity", false, "", "", 0},
		{"empty path", "GET", "", false, "", "", 0},
		{"empty parameter segment", "GET", "/library/sections//all", false, "", "", 0},
		{"too many segments", "GET", "/identity/extra", false, "", "", 0},
		{"prefix of a template", "GET", "/library", false, "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			op, ok := Lookup(tt.method, tt.path)
			if ok != tt.wantOK {
				t.Fatalf("Lookup(%q, %q) ok = %v (%+v), want %v", tt.method, tt.path, ok, op, tt.wantOK)
			}
			if !ok {
				if op != (Operation{}) {
					t.Errorf("Lookup(%q, %q) = %+v with ok false, want the zero Operation", tt.method, tt.path, op)
				}
				return
			}
			if op.OperationID != tt.wantID || op.Path != tt.wantPath || op.Role != tt.wantRole {
				t.Errorf("Lookup(%q, %q) = %s %s (%s), want %s %s (%s)",
					tt.method, tt.path, op.OperationID, op.Path, op.Role, tt.wantID, tt.wantPath, tt.wantRole)
			}
			wantMethod := tt.method
			if wantMethod == "HEAD" {
				wantMethod = "GET"
			}
			if op.Method != wantMethod {
				t.Errorf("Lookup(%q, %q).Method = %q, want %q", tt.method, tt.path, op.Method, wantMethod)
			}
		})
	}
}

// instantiate turns a template into a concrete path by giving every parameter the value "1",
// which no literal segment of the spec equals.
func instantiate(template string) string {
	var b strings.Builder
	for i := 0; i < len(template); i++ {
		switch template[i] {
		case '{':
			i += strings.IndexByte(template[i:], '}')
			b.WriteByte('1')
		case '*':
			b.WriteByte('1')
		default:
			b.WriteByte(template[i])
		}
	}
	return b.String()
}

func TestEveryOperationRoutesToItself(t *testing.T) {
	t.Parallel()
	for _, want := range Operations() {
		path := instantiate(want.Path)
		got, ok := Lookup(want.Method, path)
		if !ok || got != want {
			t.Errorf("Lookup(%q, %q) = %+v, %v; want %+v", want.Method, path, got, ok, want)
		}
	}
}

func TestRoleCounts(t *testing.T) {
	t.Parallel()
	counts := map[Role]int{}
	ids := map[string]bool{}
	for _, op := range Operations() {
		counts[op.Role]++
		if ids[op.OperationID] {
			t.Errorf("operationId %q appears twice", op.OperationID)
		}
		ids[op.OperationID] = true
		if op.Role == RoleNone && (op.Method != "GET" || op.Path != "/identity") {
			t.Errorf("%s %s needs no token; only GET /identity should", op.Method, op.Path)
		}
		if op.Tag == "" || op.Method == "" || !strings.HasPrefix(op.Path, "/") {
			t.Errorf("incomplete operation %+v", op)
		}
	}
	for _, tt := range []struct {
		role Role
		want int
	}{{RoleAdmin, 96}, {RoleShared, 161}, {RoleNone, 1}} {
		t.Run(tt.role.String(), func(t *testing.T) {
			if counts[tt.role] != tt.want {
				t.Errorf("%d operations with role %s, want %d", counts[tt.role], tt.role, tt.want)
			}
		})
	}
	if n := len(Operations()); n != 258 {
		t.Errorf("%d operations, want 258", n)
	}
}

func TestOperationsIsACopy(t *testing.T) {
	t.Parallel()
	ops := Operations()
	first := ops[0]
	ops[0].Role = RoleNone
	ops[0].Path = "/changed"
	if again := Operations()[0]; again != first {
		t.Errorf("changing the returned slice changed the table: %+v, want %+v", again, first)
	}
}

func TestRoleString(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		role Role
		want string
	}{{RoleNone, "none"}, {RoleShared, "shared"}, {RoleAdmin, "admin"}, {Role(9), "Role(9)"}} {
		if got := tt.role.String(); got != tt.want {
			t.Errorf("Role(%d).String() = %q, want %q", tt.role, got, tt.want)
		}
	}
}

func TestOpenAPIIsTheEmbeddedSpec(t *testing.T) {
	t.Parallel()
	doc := OpenAPI()
	var head struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title   string                `json:"title"`
			License struct{ Name string } `json:"license"`
		} `json:"info"`
		Paths map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		t.Fatalf("embedded document is not JSON: %v", err)
	}
	if head.OpenAPI != "3.1.0" || head.Info.Title != "Plex Media Server" || head.Info.License.Name != "Apache 2.0" {
		t.Errorf("embedded document: openapi %q, title %q, licence %q", head.OpenAPI, head.Info.Title, head.Info.License.Name)
	}
	for _, op := range Operations() {
		if _, ok := head.Paths[op.Path]; !ok {
			t.Errorf("table path %q is not in the embedded document", op.Path)
		}
	}
	doc[0] = 'x'
	if OpenAPI()[0] != '{' {
		t.Error("changing the returned document changed the embedded copy")
	}
}

var sink Operation

func BenchmarkLookup(b *testing.B) {
	for _, bb := range []struct{ name, method, path string }{
		{"identity", "GET", "/identity"},
		{"sectionItems", "GET", "/library/sections/12/all"},
		{"metadataFallback", "PUT", "/library/metadata/augmentations/9"},
		{"transcodePattern", "GET", "/video/:/transcode/universal/start.m3u8"},
		{"notFound", "GET", "/no/such/thing/at/all"},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = Lookup(bb.method, bb.path)
			}
		})
	}
}

// TestLookupServed: the match search, PUT in the specification, is found for GET as servers
// answer it (with the request's method and the operation's admin role); everything Lookup finds
// is found alike, and what nothing serves stays unknown.
func TestLookupServed(t *testing.T) {
	t.Parallel()
	if _, ok := Lookup("GET", "/library/metadata/7/matches"); ok {
		t.Fatal("the specification now lists GET for the match search: servedAsGet is no longer needed")
	}
	for _, m := range []string{"GET", "HEAD"} {
		op, ok := LookupServed(m, "/library/metadata/7/matches")
		if !ok || op.OperationID != "libraryMetadataGetMatches" || op.Method != m || op.Role != RoleAdmin {
			t.Errorf("%s matches: %+v %v", m, op, ok)
		}
	}
	if op, ok := LookupServed("PUT", "/library/metadata/7/matches"); !ok || op.Method != "PUT" {
		t.Errorf("PUT matches: %+v %v", op, ok)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/status/sessions"}, {"DELETE", "/library/sections/1"}, {"GET", "/nothing/here"}, {"GET", "/library/metadata/7/unmatch"},
	} {
		want, wok := Lookup(c.method, c.path)
		got, gok := LookupServed(c.method, c.path)
		if got != want || gok != wok {
			t.Errorf("%s %s: LookupServed %+v %v, Lookup %+v %v", c.method, c.path, got, gok, want, wok)
		}
	}
}
