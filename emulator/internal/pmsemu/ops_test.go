package pmsemu

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestPrefs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	xmlList := mustDo(t, f, req{path: "/:/prefs", token: ownerToken}).body
	for _, want := range []string{
		`<Setting id="FriendlyName" label="Friendly name" summary="This name will be used`,
		`type="text" default="" value="emulated-nas" hidden="0" advanced="0" group="general"`,
		`<Setting id="sendCrashReports" label="Send crash reports to Plex" summary="This helps us improve your experience." type="bool" default="1" value="1"`,
		`id="ScheduledLibraryUpdateInterval"`, `enumValues="900:every 15 minutes|1800:every 30 minutes|3600:hourly`,
	} {
		if !strings.Contains(xmlList, want) {
			t.Errorf("GET /:/prefs lacks %s", want)
		}
	}

	type setting struct {
		ID, Type, EnumValues string
		Default, Value       any
	}
	get := func(id string) setting {
		t.Helper()
		var body struct{ MediaContainer struct{ Setting []setting } }
		decodeJSON(t, mustDo(t, f, req{path: "/:/prefs/get?id=" + id, token: friendToken, json: true}), &body)
		if len(body.MediaContainer.Setting) != 1 || body.MediaContainer.Setting[0].ID != id {
			t.Fatalf("GET /:/prefs/get?id=%s: %+v", id, body)
		}
		return body.MediaContainer.Setting[0]
	}
	if s := get("sendCrashReports"); s.Value != true || s.Default != true || s.Type != "bool" {
		t.Errorf("sendCrashReports in JSON = %+v, want boolean true", s)
	}
	if s := get("OnDeckWindow"); s.Value != 16.0 || s.Type != "int" {
		t.Errorf("OnDeckWindow in JSON = %+v, want the number 16", s)
	}

	mustDo(t, f, req{method: "PUT", path: "/:/prefs?sendCrashReports=false&OnDeckWindow=4&FriendlyName=attic", token: ownerToken})
	if s := get("sendCrashReports"); s.Value != false || s.Default != true {
		t.Errorf("after setting false: %+v", s)
	}
	if s := get("OnDeckWindow"); s.Value != 4.0 {
		t.Errorf("after setting 4: %+v", s)
	}
	if s := get("FriendlyName"); s.Value != "attic" {
		t.Errorf("after setting attic: %+v", s)
	}

	for _, tt := range []struct {
		query, token string
		status       int
		why          string
	}{
		{"foo=1", ownerToken, 400, "cannot set preference value for unknown preference foo"},
		{"OnDeckWindow=7&sendCrashReports=maybe", ownerToken, 400, `preference sendCrashReports is a bool: "maybe" is not 0, 1, true or false`},
		{"OnDeckWindow=seven", ownerToken, 400, `preference OnDeckWindow is an int: "seven" is not an integer`},
		{"TranscoderH264MinimumCRF=soft", ownerToken, 400, `preference TranscoderH264MinimumCRF is a double`},
		{"ScheduledLibraryUpdateInterval=60", ownerToken, 400, `"60" is not one of 900, 1800, 3600`},
		{"", ownerToken, 200, ""},
		{"OnDeckWindow=7", friendToken, 403, ""},
	} {
		resp := f.do(t, req{method: "PUT", path: "/:/prefs?" + tt.query, token: tt.token})
		if resp.status != tt.status || !strings.Contains(resp.body, tt.why) {
			t.Errorf("PUT /:/prefs?%s: %d %q, want %d with %q", tt.query, resp.status, resp.body, tt.status, tt.why)
		}
	}
	if s := get("OnDeckWindow"); s.Value != 4.0 {
		t.Errorf("a refused PUT changed OnDeckWindow: %+v", s)
	}
	// The server's name and media deletion follow the preferences; deletion off is an absent
	// attribute, as on a PMS.
	root := mustDo(t, f, req{path: "/", token: ownerToken}).body
	if !strings.Contains(root, `friendlyName="attic"`) || !strings.Contains(root, `allowMediaDeletion="1"`) {
		t.Errorf("GET / after renaming: %.300s", root)
	}
	mustDo(t, f, req{method: "PUT", path: "/:/prefs?allowMediaDeletion=0", token: ownerToken})
	if root := mustDo(t, f, req{path: "/", token: ownerToken}).body; strings.Contains(root, "allowMediaDeletion") {
		t.Errorf("GET / with deletion off still has allowMediaDeletion: %.300s", root)
	}
	if resp := f.do(t, req{path: "/:/prefs/get?id=nope", token: ownerToken}); resp.status != 404 {
		t.Errorf("unknown preference: status %d, want 404", resp.status)
	}
}

type activityJSON struct {
	UUID, Type, Title string
	UserID            int
	Progress          int
	Cancellable       bool
	Context           map[string]string
}

func activities(t *testing.T, f *fixture, token string) []activityJSON {
	t.Helper()
	var body struct {
		MediaContainer struct {
			Size     int
			Activity []activityJSON
		}
	}
	decodeJSON(t, mustDo(t, f, req{path: "/activities", token: token, json: true}), &body)
	if body.MediaContainer.Size != len(body.MediaContainer.Activity) {
		t.Errorf("size %d for %d activities", body.MediaContainer.Size, len(body.MediaContainer.Activity))
	}
	return body.MediaContainer.Activity
}

func TestButlerRunsAsActivities(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)

	var tasks struct {
		ButlerTasks struct {
			ButlerTask []struct {
				Name     string
				Enabled  bool
				Interval int
			}
		}
	}
	decodeJSON(t, mustDo(t, f, req{path: "/butler", token: ownerToken, json: true}), &tasks)
	if n := len(tasks.ButlerTasks.ButlerTask); n != 22 {
		t.Fatalf("%d butler tasks, want the spec's 22", n)
	}
	if x := mustDo(t, f, req{path: "/butler", token: ownerToken}).body; !strings.Contains(x, `<ButlerTasks><ButlerTask name="AutomaticUpdates" interval="1" scheduleRandomized="0" enabled="0"`) {
		t.Errorf("GET /butler in XML: %.300s", x)
	}

	step := func(method, path string, want int) {
		t.Helper()
		if resp := f.do(t, req{method: method, path: path, token: ownerToken}); resp.status != want {
			t.Fatalf("%s %s: status %d, want %d", method, path, resp.status, want)
		}
	}
	step("POST", "/butler/BackupDatabase", 200)
	step("POST", "/butler/BackupDatabase", 202)
	step("POST", "/butler/NoSuchTask", 404)
	step("DELETE", "/butler/OptimizeDatabase", 404) // not running

	acts := activities(t, f, ownerToken)
	if len(acts) != 1 || acts[0].Title != "Backup Database" || acts[0].Progress != 0 || acts[0].UserID != 1 || !acts[0].Cancellable {
		t.Fatalf("activities after starting a task: %+v", acts)
	}
	f.clock.Advance(butlerDuration / 2)
	if acts := activities(t, f, ownerToken); len(acts) != 1 || acts[0].Progress != 50 {
		t.Fatalf("half way: %+v", acts)
	}
	if acts := activities(t, f, friendToken); len(acts) != 0 {
		t.Errorf("a shared user sees the owner's activities: %+v", acts)
	}
	if resp := f.do(t, req{method: "DELETE", path: "/activities/" + acts[0].UUID, token: friendToken}); resp.status != 401 {
		t.Errorf("a shared user cancelling an activity (admin only in the spec): %d, want 401", resp.status)
	}
	f.clock.Advance(butlerDuration / 2)
	if acts := activities(t, f, ownerToken); len(acts) != 0 {
		t.Fatalf("after the task's duration: %+v", acts)
	}
	step("POST", "/butler/BackupDatabase", 200) // over, so it starts again
	step("DELETE", "/butler/BackupDatabase", 200)
	if acts := activities(t, f, ownerToken); len(acts) != 0 {
		t.Fatalf("after stopping the task: %+v", acts)
	}

	step("POST", "/butler", 200)
	enabled := 0
	for _, task := range tasks.ButlerTasks.ButlerTask {
		if task.Enabled {
			enabled++
		}
	}
	acts = activities(t, f, ownerToken)
	if len(acts) != enabled {
		t.Errorf("POST /butler started %d tasks, want the %d enabled", len(acts), enabled)
	}
	step("DELETE", "/activities/"+acts[0].UUID, 200)
	step("DELETE", "/activities/"+acts[0].UUID, 404)
	step("DELETE", "/butler", 200)
	if acts := activities(t, f, ownerToken); len(acts) != 0 {
		t.Errorf("after DELETE /butler: %+v", acts)
	}
}

func TestUpdaterAndLog(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	status := func() string { return mustDo(t, f, req{path: "/updater/status", token: ownerToken}).body }
	if s := status(); !strings.Contains(s, `<MediaContainer size="0" canInstall="0" autoUpdateVersion="1" status="0">`) {
		t.Errorf("before a check: %s", s)
	}
	f.clock.Advance(time.Hour)
	mustDo(t, f, req{method: "PUT", path: "/updater/check?download=1", token: ownerToken})
	if s, want := status(), `checkedAt="`+strconv.FormatInt(epoch.Add(time.Hour).Unix(), 10)+`"`; !strings.Contains(s, want) {
		t.Errorf("after a check: %s, want %s", s, want)
	}
	for _, tt := range []struct {
		method, path, body string
		status             int
		why                string
	}{
		{"PUT", "/updater/check?download=2", "", 400, "download must be 0 or 1"},
		{"PUT", "/log?level=2&source=test&message=hello", "", 200, ""},
		{"PUT", "/log?level=9&message=hello", "", 400, `level must be 0 (error) to 4 (verbose), not "9"`},
		{"POST", "/log", "level=3&source=a&message=one\nlevel=1&source=a&message=two\n", 200, ""},
		{"POST", "/log", "level=3&message=one\nlevel=x&message=two", 400, `line 2: level must be`},
	} {
		hr, _ := http.NewRequest(tt.method, f.http.URL+tt.path, strings.NewReader(tt.body))
		hr.Header.Set("X-Plex-Token", ownerToken)
		resp, err := f.http.Client().Do(hr)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.why) {
			t.Errorf("%s %s: %d %q, want %d with %q", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.why)
		}
	}
}
