package pmsemu

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/plexkit/plexkit/internal/spec"
)

// TestConformanceEveryOperation sends every operation of the official spec to the emulator, as
// the owner, asking for JSON, with a request built from the operation's own parameters (path
// parameters and the required query parameters and headers), and checks that the request follows
// the spec and that the answer is a success the spec's response description accepts. No
// operation may answer 501, or anything the spec does not describe.
func TestConformanceEveryOperation(t *testing.T) {
	t.Parallel()
	forEveryOperation(t, "application/json", func(t *testing.T, doc *openapi3.T, op spec.Operation, r *http.Request, resp *http.Response, body []byte) {
		if err := validate(t, doc, op, r, resp, body); err != nil {
			t.Errorf("%s %s does not follow the spec's %s: %v\nbody: %.2000s", r.Method, r.URL.RequestURI(), op.OperationID, err, body)
		}
	})
}

// TestEveryOperationInXML sends every operation as TestConformanceEveryOperation does, but the
// way python-plexapi and Tautulli do, without asking for JSON: the answer must be a success, and
// a body must be well-formed XML whose root is the element the JSON answer's top-level key names.
func TestEveryOperationInXML(t *testing.T) {
	t.Parallel()
	forEveryOperation(t, "", func(t *testing.T, _ *openapi3.T, op spec.Operation, _ *http.Request, resp *http.Response, body []byte) {
		ct := resp.Header.Get("Content-Type")
		if emptyAnswers[op.OperationID].contentType == "json" && ct != contentXML {
			t.Fatalf("Content-Type %q, want %q", ct, contentXML)
		}
		if ct != contentXML {
			return
		}
		dec := xml.NewDecoder(bytes.NewReader(body))
		var root string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed XML: %v\n%.1000s", err, body)
			}
			if se, ok := tok.(xml.StartElement); ok && root == "" {
				root = se.Name.Local
			}
		}
		// The root the spec's JSON answer is wrapped in (MediaContainer, ButlerTasks).
		want, _, _ := strings.Cut(strings.TrimPrefix(emptyAnswers[op.OperationID].json, `{"`), `"`)
		if root != want {
			t.Errorf("root element %q, want %q", root, want)
		}
	})
}

// forEveryOperation sends every operation of the spec to a server of its own (so that
// operations that change state, stopping every butler task say, cannot disturb another's
// precondition), in a parallel subtest, as the owner, with accept as the Accept header ("" for
// none) and a request built from the operation's own parameters after its setup; it fails a
// non-2xx answer and hands a success to check. The notification endpoints, whose answer is an
// endless stream, are checked by checkNotificationEndpoint instead.
func forEveryOperation(t *testing.T, accept string, check func(t *testing.T, doc *openapi3.T, op spec.Operation, r *http.Request, resp *http.Response, body []byte)) {
	doc, err := loadSpec()
	if err != nil {
		t.Fatalf("loading the embedded spec: %v", err)
	}
	for _, op := range spec.Operations() {
		t.Run(op.OperationID, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			var state map[string]string
			if setup := setups[op.OperationID]; setup != nil {
				state = setup(t, f)
			}
			if op.Tag == "Events" {
				checkNotificationEndpoint(t, f, op)
				return
			}
			r := specRequest(t, doc, f.http.URL, op, state)
			r.Header.Set("X-Plex-Token", ownerToken)
			if accept != "" {
				r.Header.Set("Accept", accept)
			}
			resp, body := f.send(t, r)
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				t.Fatalf("%s %s: status %d: %.500s", r.Method, r.URL.RequestURI(), resp.StatusCode, body)
			}
			check(t, doc, op, r, resp, body)
		})
	}
}

// TestEmptyAnswersHaveXML checks every generated answer with a body: its XML form is well-formed,
// and its root element is the JSON form's top-level key, as a PMS writes the same value in both.
func TestEmptyAnswersHaveXML(t *testing.T) {
	t.Parallel()
	if len(emptyAnswers) != len(spec.Operations()) {
		t.Errorf("%d generated answers for %d operations", len(emptyAnswers), len(spec.Operations()))
	}
	for id, a := range emptyAnswers {
		if a.contentType != "json" {
			continue
		}
		dec := xml.NewDecoder(strings.NewReader(a.xml))
		tok, err := dec.Token()
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		start, ok := tok.(xml.StartElement)
		if !ok || !strings.HasPrefix(a.json, `{"`+start.Name.Local+`":`) {
			t.Errorf("%s: XML %s does not match JSON %s", id, a.xml, a.json)
		}
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s: XML %s: %v", id, a.xml, err)
				break
			}
		}
	}
}

// pathValues are the values given to path parameters, by name: items, sections and objects the
// fixture has, so that operations with real behaviour are exercised on real data. A parameter
// not listed gets a value from its schema (its example, its first enum value, or 1).
var pathValues = map[string]string{
	"ids":        "1000000003",
	"metadataId": "1000000003",
	"sectionId":  "1",
}

// queryValues are the values given to required query parameters, by operation and name, where
// the schema alone cannot give one the operation accepts.
var queryValues = map[string]map[string]string{
	"securityPostToken":    {"type": "delegation", "scope": "all"},
	"securityGetResources": {"source": "server://" + testMachineID},
	"preferencesGetGet":    {"id": "FriendlyName"},
	"putScrobble":          {"key": "1000000003", "identifier": libraryIdentifier},
	"putUnscrobble":        {"key": "1000000003", "identifier": libraryIdentifier},
	"putRate":              {"key": "1000000003", "identifier": libraryIdentifier, "rating": "7"},
	// The spec leaves guid optional, but a match without one matches to nothing (400).
	"libraryMetadataPutMatch": {"guid": "plex://movie/5d776846880197001ec967c6", "name": "Sita Sings the Blues"},
	// An upload needs an image (here by url); a selection one of the item's listed images (the
	// setup uploads it first).
	"libraryMetadataPostElement": {"url": artworkURL},
	"libraryMetadataPutElement":  {"url": artworkURL},
}

const artworkURL = "https://images.example.com/poster.jpg"

// unvalidatedRequests are the operations whose request the validator cannot check, with why.
var unvalidatedRequests = map[string]string{
	// prefs is a free-form object (no properties) in the default form style: each preference is
	// its own query parameter (?FriendlyName=…), as Plex takes them, and kin-openapi cannot
	// decode an object it has no property names for.
	"preferencesPutSlash":    "free-form object in form style",
	"librarySectionPutPrefs": "free-form object in form style",
}

// setups put a server in the state an operation needs to succeed, and return values for its
// path parameters that refer to what they made.
var setups = map[string]func(t *testing.T, f *fixture) map[string]string{
	"butlerDeleteTask": func(t *testing.T, f *fixture) map[string]string {
		mustDo(t, f, req{method: "POST", path: "/butler/BackupDatabase", token: ownerToken})
		return map[string]string{"task": "BackupDatabase"}
	},
	// The marker and the media operations name one of the item's markers and media.
	"libraryMetadataPutMarkerMarker":      itemMarker,
	"libraryMetadataDeleteMarkerMarker":   itemMarker,
	"libraryMetadataDeleteMediaMediaItem": itemMedia,
	"libraryMetadataPutElement": func(t *testing.T, f *fixture) map[string]string {
		mustDo(t, f, req{method: "POST", path: "/library/metadata/" + pathValues["ids"] + "/posters?url=" + url.QueryEscape(artworkURL), token: ownerToken})
		return nil
	},
	"activitiesDeleteActivity": func(t *testing.T, f *fixture) map[string]string {
		mustDo(t, f, req{method: "POST", path: "/butler/BackupDatabase", token: ownerToken})
		var body struct {
			MediaContainer struct{ Activity []struct{ UUID string } }
		}
		decodeJSON(t, mustDo(t, f, req{path: "/activities", token: ownerToken, json: true}), &body)
		if len(body.MediaContainer.Activity) != 1 {
			t.Fatalf("activities: %+v", body)
		}
		return map[string]string{"activityId": body.MediaContainer.Activity[0].UUID}
	},
}

// itemDetail is the item pathValues names, with its markers and media.
func itemDetail(t *testing.T, f *fixture) (marker, media string) {
	var body struct {
		MediaContainer struct {
			Metadata []struct {
				Marker []struct{ ID int }
				Media  []struct{ ID int }
			}
		}
	}
	decodeJSON(t, mustDo(t, f, req{path: "/library/metadata/" + pathValues["ids"] + "?includeMarkers=1", token: ownerToken, json: true}), &body)
	if len(body.MediaContainer.Metadata) != 1 || len(body.MediaContainer.Metadata[0].Marker) == 0 || len(body.MediaContainer.Metadata[0].Media) == 0 {
		t.Fatalf("item %s: %+v", pathValues["ids"], body)
	}
	m := body.MediaContainer.Metadata[0]
	return strconv.Itoa(m.Marker[0].ID), strconv.Itoa(m.Media[0].ID)
}

func itemMarker(t *testing.T, f *fixture) map[string]string {
	marker, _ := itemDetail(t, f)
	return map[string]string{"marker": marker}
}

func itemMedia(t *testing.T, f *fixture) map[string]string {
	_, media := itemDetail(t, f)
	return map[string]string{"mediaItem": media}
}

// The lists the list operations work on: a playlist, a play queue and a collection of the
// owner's, each of two movies.
const listURI = "server://" + testMachineID + "/com.plexapp.plugins.library/library/metadata/1000000003,1000000004"

func init() {
	uri := map[string]string{"uri": listURI}
	for id, q := range map[string]map[string]string{
		"playlistPostSlash":                   {"type": "video", "title": "conformance", "smart": "0", "uri": listURI},
		"playlistPutItems":                    uri,
		"playQueuePostSlash":                  {"type": "video", "uri": listURI},
		"playQueueQueuePutSlash":              uri,
		"libraryCollectionPostSlash":          {"sectionId": "1", "title": "conformance", "type": "1", "uri": listURI},
		"libraryCollectionCollectionPutItems": uri,
	} {
		queryValues[id] = q
	}
	playlist := func(t *testing.T, f *fixture) map[string]string {
		l := getList(t, f, req{method: "POST", path: "/playlists?type=video&title=c&uri=" + url.QueryEscape(listURI)})
		pl := l.MediaContainer.Metadata[0].RatingKey
		items := getList(t, f, req{path: "/playlists/" + pl + "/items"}).MediaContainer.Metadata
		id := strconv.Itoa(items[1].PlaylistItemID)
		return map[string]string{"playlistId": pl, "generatorId": id, "playlistItemId": id}
	}
	queue := func(t *testing.T, f *fixture) map[string]string {
		l := getList(t, f, req{method: "POST", path: "/playQueues?type=video&uri=" + url.QueryEscape(listURI)})
		return map[string]string{
			"playQueueId":     strconv.Itoa(l.MediaContainer.PlayQueueID),
			"playQueueItemId": strconv.Itoa(l.MediaContainer.Metadata[1].PlayQueueItemID),
		}
	}
	collection := func(t *testing.T, f *fixture) map[string]string {
		l := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=c&uri=" + url.QueryEscape(listURI)})
		return map[string]string{"collectionId": l.MediaContainer.Metadata[0].RatingKey, "itemId": "1000000004"}
	}
	for _, id := range []string{"playlistGetPlaylist", "playlistPutPlaylist", "playlistDeletePlaylist", "playlistGetItems",
		"playlistPutItems", "playlistDeleteItems", "playlistDeleteItemsGenerator", "playlistPutItemsMove"} {
		setups[id] = playlist
	}
	for _, id := range []string{"playQueueQueueGetSlash", "playQueueQueuePutSlash", "playQueueQueueDeleteItems", "playQueueQueueDeleteItemsItem",
		"playQueueQueuePutItemsMove", "playQueuePlayQueueReset", "playQueueQueuePutItemsShuffle", "playQueueQueuePutItemsUnshuffle"} {
		setups[id] = queue
	}
	for _, id := range []string{"libraryCollectionCollectionGetItems", "libraryCollectionCollectionPutItems", "libraryCollectionCollectionPutItemsItem",
		"libraryCollectionCollectionPutItemsItemMove", "librarySectionDeleteCollectionCollection"} {
		setups[id] = collection
	}
}

// mustDo sends r and fails the test unless it succeeds.
func mustDo(t *testing.T, f *fixture, r req) response {
	t.Helper()
	resp := f.do(t, r)
	if resp.status < 200 || resp.status > 299 {
		t.Fatalf("%s %s: status %d: %s", r.method, r.path, resp.status, resp.body)
	}
	return resp
}

func decodeJSON(t *testing.T, resp response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(resp.body), v); err != nil {
		t.Fatalf("%v: %s", err, resp.body)
	}
}

// specRequest builds a request for op from its parameters in the spec; state gives values to
// path parameters ahead of pathValues.
func specRequest(t *testing.T, doc *openapi3.T, base string, op spec.Operation, state map[string]string) *http.Request {
	t.Helper()
	item := doc.Paths.Find(op.Path)
	operation := item.GetOperation(op.Method)
	params := append(append(openapi3.Parameters{}, item.Parameters...), operation.Parameters...)
	path := strings.ReplaceAll(op.Path, "*", "m3u8")
	query := url.Values{}
	header := http.Header{}
	for _, ref := range params {
		p := ref.Value
		switch {
		case p.In == openapi3.ParameterInPath:
			v, ok := state[p.Name]
			if !ok {
				v, ok = pathValues[p.Name]
			}
			if !ok {
				v = valueOf(p)
			}
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
		case p.Required && p.In == openapi3.ParameterInQuery:
			v, ok := state["query:"+p.Name] // a value only the operation's setup knows
			if !ok {
				v, ok = queryValues[op.OperationID][p.Name]
			}
			if !ok {
				v = valueOf(p)
			}
			if ex, isMap := p.Example.(map[string]any); isMap && p.Schema != nil && p.Schema.Value.Type.Is("object") {
				// A free-form object in the default form style: each property its own parameter.
				for k, x := range ex {
					query.Set(k, exampleText(x))
				}
				continue
			}
			query.Set(p.Name, v)
		case p.Required && p.In == openapi3.ParameterInHeader:
			header.Set(p.Name, valueOf(p))
		}
	}
	for k, v := range queryValues[op.OperationID] {
		query.Set(k, v)
	}
	var body io.Reader
	if operation.RequestBody != nil {
		body = strings.NewReader("level=3&source=conformance&message=ok")
		header.Set("Content-Type", "text/plain")
	}
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	r, err := http.NewRequest(op.Method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header[k] = v
	}
	// The request itself must follow the spec, or the test proves nothing about the answer.
	rr, err := http.NewRequest(op.Method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	rr.Header = r.Header.Clone()
	if body != nil {
		rr.Body = io.NopCloser(strings.NewReader("level=3&source=conformance&message=ok"))
	}
	route := &routers.Route{Spec: doc, Path: op.Path, PathItem: item, Method: op.Method, Operation: operation}
	pathParams := map[string]string{}
	for _, ref := range params {
		if ref.Value.In == openapi3.ParameterInPath {
			pathParams[ref.Value.Name] = pathValue(op.Path, path, ref.Value.Name)
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request: rr, PathParams: pathParams, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	if _, skip := unvalidatedRequests[op.OperationID]; skip {
		return r
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		t.Fatalf("the test's own request %s %s breaks the spec: %v", op.Method, u, err)
	}
	return r
}

// valueOf gives a parameter a value from its schema.
func valueOf(p *openapi3.Parameter) string {
	if p.Example != nil {
		return exampleText(p.Example)
	}
	if p.Schema == nil || p.Schema.Value == nil {
		return "1"
	}
	s := p.Schema.Value
	if s.Type.Is("array") && s.Items != nil && s.Items.Value != nil {
		s = s.Items.Value
	}
	switch {
	case s.Example != nil:
		return exampleText(s.Example)
	case len(s.Enum) > 0:
		return fmt.Sprint(s.Enum[0])
	case s.Min != nil:
		return fmt.Sprint(int64(*s.Min))
	case s.Type.Is("boolean"):
		return "1"
	}
	return "1"
}

func exampleText(v any) string {
	if l, ok := v.([]any); ok && len(l) > 0 {
		v = l[0]
	}
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return fmt.Sprint(int64(f))
	}
	return fmt.Sprint(v)
}

// pathValue returns the text that stands for parameter name in path, an instance of template.
func pathValue(template, path, name string) string {
	tsegs, psegs := strings.Split(template, "/"), strings.Split(path, "/")
	for i, seg := range tsegs {
		if i >= len(psegs) || !strings.Contains(seg, "{"+name+"}") {
			continue
		}
		var pat strings.Builder
		pat.WriteString("^")
		for rest := seg; rest != ""; {
			j := strings.IndexAny(rest, "{*")
			if j < 0 {
				pat.WriteString(regexp.QuoteMeta(rest))
				break
			}
			pat.WriteString(regexp.QuoteMeta(rest[:j]))
			if rest[j] == '*' {
				pat.WriteString(".+?")
				rest = rest[j+1:]
				continue
			}
			end := strings.IndexByte(rest[j:], '}') + j
			pat.WriteString("(?P<" + rest[j+1:end] + ">.+?)")
			rest = rest[end+1:]
		}
		pat.WriteString("$")
		re := regexp.MustCompile(pat.String())
		m := re.FindStringSubmatch(psegs[i])
		if m == nil {
			return ""
		}
		v := m[re.SubexpIndex(name)]
		if u, err := url.PathUnescape(v); err == nil {
			return u
		}
		return v
	}
	return ""
}
