package pms_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// These tests check what each service sends — method, path, query — and that it reads answers
// in the shapes of the reference (plex-beyond-spec.md, plex-api-shapes.md), in JSON and XML,
// from a stand-in server. The end-to-end tests against the emulator are in e2e_test.go.

const fakeMachineID = "0123456789abcdef0123456789abcdef01234567"

// canned is an answer in both encodings.
type canned struct{ json, xml string }

// fakePMS answers "METHOD /path" with a canned body (JSON or XML as asked), anything else with
// an empty 200, and records every request.
type fakePMS struct {
	srv     *httptest.Server
	answers map[string]canned
	mu      sync.Mutex
	reqs    []*http.Request
}

func newFakePMS(t *testing.T, answers map[string]canned) *fakePMS {
	t.Helper()
	f := &fakePMS{answers: answers}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r)
		f.mu.Unlock()
		path := strings.TrimPrefix(r.URL.Path, "/plex") // a client may sit behind a proxy path
		if path == "/identity" {
			_, _ = w.Write([]byte(`{"MediaContainer":{"size":0,"claimed":true,"machineIdentifier":"` + fakeMachineID + `","version":"1.42.2"}}`))
			return
		}
		if path == "/security/token" {
			_, _ = w.Write([]byte(`{"MediaContainer":{"size":0,"token":"transient-90904684-f91a-4391-8bf7-e0dfa7240285"}}`))
			return
		}
		a, ok := f.answers[r.Method+" "+path]
		if !ok {
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "json") {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(a.json))
			return
		}
		w.Header().Set("Content-Type", "text/xml;charset=utf-8")
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + a.xml))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// last returns the last request other than GET /identity and the transient token's.
func (f *fakePMS) last(t *testing.T) *http.Request {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.reqs) - 1; i >= 0; i-- {
		if p := f.reqs[i].URL.Path; p != "/identity" && p != "/security/token" {
			return f.reqs[i]
		}
	}
	t.Fatal("no request was made")
	return nil
}

// clients returns a JSON client and an XML client of the fake server.
func (f *fakePMS) clients(t *testing.T) map[string]*pms.Client {
	return map[string]*pms.Client{
		"JSON": newClient(t, f.srv.URL, pms.WithToken("abcdefghij0123456789")),
		"XML":  newClient(t, f.srv.URL, pms.WithToken("abcdefghij0123456789"), pms.WithXML()),
	}
}

// wantRequest checks a request's method, path and decoded query.
func wantRequest(t *testing.T, name string, r *http.Request, method, path string, query url.Values) {
	t.Helper()
	if r.Method != method || r.URL.Path != path {
		t.Errorf("%s: sent %s %s, want %s %s", name, r.Method, r.URL.Path, method, path)
	}
	got := r.URL.Query()
	for k, v := range query {
		if strings.Join(got[k], "|") != strings.Join(v, "|") {
			t.Errorf("%s: query %s = %q, want %q (query %s)", name, k, got[k], v, r.URL.RawQuery)
		}
	}
	for k := range got {
		if _, ok := query[k]; !ok {
			t.Errorf("%s: unexpected query parameter %s=%q", name, k, got.Get(k))
		}
	}
}

// TestWritesSendTheSpecsRequests checks each write's method, path and query.
func TestWritesSendTheSpecsRequests(t *testing.T) {
	t.Parallel()
	f := newFakePMS(t, map[string]canned{
		"GET /library/metadata/7": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"7","key":"/library/metadata/7","type":"movie","title":"Alien","librarySectionID":1,"duration":7020000}]}}`,
			xml:  `<MediaContainer size="1"><Video ratingKey="7" key="/library/metadata/7" type="movie" title="Alien" librarySectionID="1" duration="7020000"/></MediaContainer>`,
		},
		"POST /library/metadata/7/marker": {
			json: `{"MediaContainer":{"size":1,"Marker":[{"id":6,"type":"intro","startTimeOffset":1000,"endTimeOffset":61000}]}}`,
			xml:  `<MediaContainer size="1"><Marker id="6" type="intro" startTimeOffset="1000" endTimeOffset="61000"/></MediaContainer>`,
		},
		"PUT /library/metadata/7/marker/6": {
			json: `{"MediaContainer":{"size":1,"Marker":[{"id":6,"type":"credits","startTimeOffset":2000,"endTimeOffset":62000,"final":true}]}}`,
			xml:  `<MediaContainer size="1"><Marker id="6" type="credits" startTimeOffset="2000" endTimeOffset="62000" final="1"/></MediaContainer>`,
		},
		"GET /:/prefs": {
			json: `{"MediaContainer":{"size":3,"Setting":[{"id":"FriendlyName","type":"text","value":"nas","default":""},{"id":"allowMediaDeletion","type":"bool","value":false,"default":true},{"id":"TranscoderQuality","type":"int","value":0,"default":0,"enumValues":"0:automatic|1:prefer speed|2:prefer quality"}]}}`,
			xml:  `<MediaContainer size="3"><Setting id="FriendlyName" type="text" value="nas" default=""/><Setting id="allowMediaDeletion" type="bool" value="0" default="1"/><Setting id="TranscoderQuality" type="int" value="0" default="0" enumValues="0:automatic|1:prefer speed|2:prefer quality"/></MediaContainer>`,
		},
	})
	ctx := context.Background()
	lib := "com.plexapp.plugins.library"
	metaURI := "server://" + fakeMachineID + "/" + lib + "/library/metadata/"
	for enc, c := range f.clients(t) {
		for _, tt := range []struct {
			name   string
			call   func() error
			method string
			path   string
			query  url.Values
		}{
			{"scan", func() error { return c.Library.Refresh(ctx, "1", pms.RefreshOptions{}) }, "POST", "/library/sections/1/refresh", nil},
			{"scan a path, forced", func() error {
				return c.Library.Refresh(ctx, "1", pms.RefreshOptions{Path: "/data/Movies/Alien (1979)", Force: true})
			}, "POST", "/library/sections/1/refresh", url.Values{"path": {"/data/Movies/Alien (1979)"}, "force": {"1"}}},
			{"scan all", func() error { return c.Library.RefreshAll(ctx, true) }, "POST", "/library/sections/refresh", url.Values{"force": {"1"}}},
			{"cancel a scan", func() error { return c.Library.CancelRefresh(ctx, "1") }, "DELETE", "/library/sections/1/refresh", nil},
			{"empty trash", func() error { return c.Library.EmptyTrash(ctx, "1") }, "PUT", "/library/sections/1/emptyTrash", nil},
			{"analyze", func() error { return c.Library.Analyze(ctx, "2") }, "PUT", "/library/sections/2/analyze", nil},
			{"edit", func() error {
				return c.Metadata.Edit(ctx, pms.Edit{Fields: map[string]string{"title": "Alien (Director's Cut)"},
					AddTags: map[string][]string{"genre": {"Horror", "Sci-Fi"}}, RemoveTags: map[string][]string{"label": {"old", "older"}}, Lock: true}, "7")
			}, "PUT", "/library/metadata/7", url.Values{
				"title.value": {"Alien (Director's Cut)"}, "title.locked": {"1"},
				"genre[0].tag.tag": {"Horror"}, "genre[1].tag.tag": {"Sci-Fi"}, "genre.locked": {"1"},
				"label[].tag.tag-": {"old,older"}, "label.locked": {"1"}}},
			{"unlock two items", func() error { return c.Metadata.Edit(ctx, pms.Edit{Unlock: []string{"title"}}, "7", "8") },
				"PUT", "/library/metadata/7,8", url.Values{"title.locked": {"0"}}},
			{"delete", func() error { return c.Metadata.Delete(ctx, "7") }, "DELETE", "/library/metadata/7", nil},
			{"delete a media", func() error { return c.Metadata.DeleteMedia(ctx, "7", 31) }, "DELETE", "/library/metadata/7/media/31", nil},
			{"refresh an item", func() error { return c.Metadata.Refresh(ctx, "7") }, "PUT", "/library/metadata/7/refresh", nil},
			{"match", func() error { return c.Metadata.Match(ctx, "7", "plex://movie/5d776", "Alien", 1979) },
				"PUT", "/library/metadata/7/match", url.Values{"guid": {"plex://movie/5d776"}, "name": {"Alien"}, "year": {"1979"}}},
			{"unmatch", func() error { return c.Metadata.Unmatch(ctx, "7") }, "PUT", "/library/metadata/7/unmatch", nil},
			{"add a marker", func() error {
				m, err := c.Metadata.AddMarker(ctx, "7", pms.Marker{Type: "intro", StartTimeOffset: 1000, EndTimeOffset: 61000})
				if err == nil && (m.ID != 6 || m.Type != "intro" || m.EndTimeOffset != 61000) {
					return fmt.Errorf("AddMarker answered %+v", m)
				}
				return err
			}, "POST", "/library/metadata/7/marker", url.Values{"type": {"intro"}, "startTimeOffset": {"1000"}, "endTimeOffset": {"61000"}}},
			{"edit a marker", func() error {
				m, err := c.Metadata.EditMarker(ctx, "7", pms.Marker{ID: 6, Type: "credits", StartTimeOffset: 2000, EndTimeOffset: 62000})
				if err == nil && (m.ID != 6 || m.Type != "credits" || !bool(m.Final)) {
					return fmt.Errorf("EditMarker answered %+v", m)
				}
				return err
			}, "PUT", "/library/metadata/7/marker/6", url.Values{"type": {"credits"}, "startTimeOffset": {"2000"}, "endTimeOffset": {"62000"}}},
			{"delete a marker", func() error { return c.Metadata.DeleteMarker(ctx, "7", 4) }, "DELETE", "/library/metadata/7/marker/4", nil},
			{"watched", func() error { return c.Watch.MarkWatched(ctx, "7") }, "PUT", "/:/scrobble", url.Values{"key": {"7"}, "identifier": {lib}}},
			{"unwatched", func() error { return c.Watch.MarkUnwatched(ctx, "7") }, "PUT", "/:/unscrobble", url.Values{"key": {"7"}, "identifier": {lib}}},
			{"rate", func() error { return c.Watch.Rate(ctx, "7", 8.5) }, "PUT", "/:/rate", url.Values{"key": {"7"}, "identifier": {lib}, "rating": {"8.5"}}},
			{"clear a rating", func() error { return c.Watch.ClearRating(ctx, "7") }, "PUT", "/:/rate", url.Values{"key": {"7"}, "identifier": {lib}, "rating": {"-1"}}},
			{"progress", func() error { return c.Watch.SetProgress(ctx, "7", 90*time.Second) }, "POST", "/:/timeline",
				url.Values{"ratingKey": {"7"}, "key": {"/library/metadata/7"}, "identifier": {lib}, "state": {"stopped"}, "time": {"90000"}, "duration": {"7020000"}}},
			{"add to a playlist", func() error { return c.Playlists.Add(ctx, "90", "7", "8") }, "PUT", "/playlists/90/items", url.Values{"uri": {metaURI + "7,8"}}},
			{"move in a playlist", func() error { return c.Playlists.Move(ctx, "90", 3, 1) }, "PUT", "/playlists/90/items/3/move", url.Values{"after": {"1"}}},
			{"move to the top", func() error { return c.Playlists.Move(ctx, "90", 3, 0) }, "PUT", "/playlists/90/items/3/move", nil},
			{"remove from a playlist", func() error { return c.Playlists.Remove(ctx, "90", 3) }, "DELETE", "/playlists/90/items/3", nil},
			{"clear a playlist", func() error { return c.Playlists.Clear(ctx, "90") }, "DELETE", "/playlists/90/items", nil},
			{"rename a playlist", func() error { return c.Playlists.Edit(ctx, "90", "Road trip", "") }, "PUT", "/playlists/90", url.Values{"title": {"Road trip"}}},
			{"delete a playlist", func() error { return c.Playlists.Delete(ctx, "90") }, "DELETE", "/playlists/90", nil},
			{"add to a collection", func() error { return c.Collections.Add(ctx, "60", "7") }, "PUT", "/library/collections/60/items", url.Values{"uri": {metaURI + "7"}}},
			{"remove from a collection", func() error { return c.Collections.Remove(ctx, "60", "7") }, "PUT", "/library/collections/60/items/7", nil},
			{"move in a collection", func() error { return c.Collections.Move(ctx, "60", "7", "8") }, "PUT", "/library/collections/60/items/7/move", url.Values{"after": {"8"}}},
			{"delete a collection", func() error { return c.Collections.Delete(ctx, "1", "60") }, "DELETE", "/library/sections/1/collection/60", nil},
			{"set a pref", func() error { return c.Prefs.Set(ctx, "allowMediaDeletion", "1") }, "PUT", "/:/prefs", url.Values{"allowMediaDeletion": {"true"}}},
			{"set an enum pref", func() error { return c.Prefs.Set(ctx, "TranscoderQuality", "2") }, "PUT", "/:/prefs", url.Values{"TranscoderQuality": {"2"}}},
			{"start a task", func() error { return c.Butler.Start(ctx, "BackupDatabase") }, "POST", "/butler/BackupDatabase", nil},
			{"stop a task", func() error { return c.Butler.Stop(ctx, "BackupDatabase") }, "DELETE", "/butler/BackupDatabase", nil},
			{"start all tasks", func() error { return c.Butler.StartAll(ctx) }, "POST", "/butler", nil},
			{"stop all tasks", func() error { return c.Butler.StopAll(ctx) }, "DELETE", "/butler", nil},
			{"cancel an activity", func() error { return c.Activities.Cancel(ctx, "5e6a4c2b-1d3f-4a5b-9c8d-7e6f5a4b3c2d") },
				"DELETE", "/activities/5e6a4c2b-1d3f-4a5b-9c8d-7e6f5a4b3c2d", nil},
			{"terminate", func() error { return c.Sessions.Terminate(ctx, "x9y8z7", "Server maintenance") },
				"POST", "/status/sessions/terminate", url.Values{"sessionId": {"x9y8z7"}, "reason": {"Server maintenance"}}},
			{"check for updates", func() error { return c.Server.CheckForUpdates(ctx) }, "PUT", "/updater/check", nil},
			{"log a line", func() error { return c.Server.Log(ctx, pms.LogInfo, "my-script", "scan done") },
				"PUT", "/log", url.Values{"level": {"2"}, "source": {"my-script"}, "message": {"scan done"}}},
		} {
			if err := tt.call(); err != nil {
				t.Errorf("%s %s: %v", enc, tt.name, err)
				continue
			}
			wantRequest(t, enc+" "+tt.name, f.last(t), tt.method, tt.path, tt.query)
		}
	}
}

// TestWritesRefuseBadArguments checks that arguments that cannot be right fail before a
// request, with an error naming them.
func TestWritesRefuseBadArguments(t *testing.T) {
	t.Parallel()
	f := newFakePMS(t, map[string]canned{
		"GET /:/prefs": {json: `{"MediaContainer":{"Setting":[{"id":"n","type":"int","value":1},{"id":"b","type":"bool","value":true},{"id":"d","type":"double","value":1.5},{"id":"e","type":"text","value":"a","enumValues":"a:A|b:B"}]}}`},
	})
	c := newClient(t, f.srv.URL, pms.WithToken("abcdefghij0123456789"))
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"a section key with a slash": func() error { return c.Library.Refresh(ctx, "1/../2", pms.RefreshOptions{}) },
		"an edit of nothing":         func() error { return c.Metadata.Edit(ctx, pms.Edit{}, "7") },
		"an edit of no item":         func() error { return c.Metadata.Edit(ctx, pms.Edit{Fields: map[string]string{"title": "x"}}) },
		"a rating above 10":          func() error { return c.Watch.Rate(ctx, "7", 11) },
		"a timeline state":           func() error { return c.Watch.Report(ctx, pms.Timeline{RatingKey: "7", State: "rewinding"}) },
		"an empty marker": func() error {
			_, err := c.Metadata.AddMarker(ctx, "7", pms.Marker{Type: "intro", StartTimeOffset: 5, EndTimeOffset: 5})
			return err
		},
		"a marker running backwards": func() error {
			_, err := c.Metadata.AddMarker(ctx, "7", pms.Marker{Type: "bookmark", StartTimeOffset: 50, EndTimeOffset: 5})
			return err
		},
		"a marker without an id": func() error {
			_, err := c.Metadata.EditMarker(ctx, "7", pms.Marker{Type: "intro", StartTimeOffset: 5, EndTimeOffset: 50})
			return err
		},
		"a marker id": func() error { return c.Metadata.DeleteMarker(ctx, "7", 0) },
		"a stream selection of nothing": func() error {
			return c.Metadata.SelectStreams(ctx, 7, pms.StreamSelection{AllParts: true})
		},
		"a hub update of nothing": func() error {
			return c.Library.UpdateManagedHub(ctx, "1", "movie.recentlyadded", pms.HubVisibility{})
		},
		"a match year":      func() error { _, err := c.Metadata.Matches(ctx, "7", pms.MatchOptions{Year: -1}); return err },
		"no playlist items": func() error { return c.Playlists.Add(ctx, "90") },
		"a playlist type": func() error {
			_, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "x", Type: "film", RatingKeys: []string{"1"}})
			return err
		},
		"items and a query": func() error {
			_, err := c.Playlists.Create(ctx, pms.NewPlaylist{Title: "x", Type: "video", RatingKeys: []string{"1"}, SectionKey: "1"})
			return err
		},
		"no timespan":   func() error { _, err := c.Statistics.Bandwidth(ctx, 0); return err },
		"a log level":   func() error { return c.Server.Log(ctx, 9, "x", "y") },
		"no session":    func() error { return c.Sessions.Terminate(ctx, "", "bye") },
		"an image size": func() error { _, err := c.Metadata.ImageURL(ctx, "/library/metadata/7/thumb/1", 0, 10); return err },
	} {
		var ae *pms.ArgumentError
		if err := call(); !errors.As(err, &ae) {
			t.Errorf("%s: %v, want an *ArgumentError", name, err)
		}
	}
	for name, v := range map[string][2]string{
		"a word for an int": {"n", "many"}, "a word for a bool": {"b", "yes"}, "a word for a double": {"d", "x"}, "a value outside the enum": {"e", "c"},
	} {
		var pe *pms.PrefError
		if err := c.Prefs.Set(ctx, v[0], v[1]); !errors.As(err, &pe) {
			t.Errorf("%s: Set = %v, want a *PrefError", name, err)
		}
	}
	var nf *pms.NotFoundError
	if err := c.Prefs.Set(ctx, "nosuch", "1"); !errors.As(err, &nf) {
		t.Errorf("Set of an unknown pref = %v, want a *NotFoundError", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.reqs {
		if r.Method != http.MethodGet {
			t.Errorf("a refused call still sent %s %s", r.Method, r.URL.Path)
		}
	}
}

// TestReadsDecodeBothEncodings checks that the services read reference-shaped answers, the
// same from JSON and from XML.
func TestReadsDecodeBothEncodings(t *testing.T) {
	t.Parallel()
	f := newFakePMS(t, map[string]canned{
		"GET /library/metadata/20/children": {
			json: `{"MediaContainer":{"size":2,"totalSize":2,"offset":0,"librarySectionID":2,"librarySectionTitle":"TV Shows","Metadata":[{"ratingKey":"21","type":"season","title":"Season 1","index":1,"leafCount":10},{"ratingKey":"22","type":"season","title":"Season 2","index":2,"leafCount":10}]}}`,
			xml:  `<MediaContainer size="2" totalSize="2" offset="0" librarySectionID="2" librarySectionTitle="TV Shows"><Directory ratingKey="21" type="season" title="Season 1" index="1" leafCount="10"/><Directory ratingKey="22" type="season" title="Season 2" index="2" leafCount="10"/></MediaContainer>`,
		},
		"GET /library/metadata/7": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"7","type":"movie","title":"Alien","librarySectionID":1,"Marker":[{"id":4,"type":"intro","startTimeOffset":1000,"endTimeOffset":61000,"final":true}],"Field":[{"name":"title","locked":true}],"Label":[{"tag":"kept"}]}]}}`,
			xml:  `<MediaContainer size="1"><Video ratingKey="7" type="movie" title="Alien" librarySectionID="1"><Marker id="4" type="intro" startTimeOffset="1000" endTimeOffset="61000" final="1"/><Field name="title" locked="1"/><Label tag="kept"/></Video></MediaContainer>`,
		},
		"GET /playlists": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"90","key":"/playlists/90/items","type":"playlist","title":"Test Playlist","playlistType":"video","smart":false,"leafCount":3}]}}`,
			xml:  `<MediaContainer size="1"><Playlist ratingKey="90" key="/playlists/90/items" type="playlist" title="Test Playlist" playlistType="video" smart="0" leafCount="3"/></MediaContainer>`,
		},
		"POST /playQueues": {
			json: `{"MediaContainer":{"size":1,"playQueueID":5,"playQueueSelectedItemID":11,"playQueueShuffled":false,"playQueueTotalCount":1,"playQueueVersion":1,"Metadata":[{"ratingKey":"7","type":"movie","title":"Alien","playQueueItemID":11}]}}`,
			xml:  `<MediaContainer size="1" playQueueID="5" playQueueSelectedItemID="11" playQueueShuffled="0" playQueueTotalCount="1" playQueueVersion="1"><Video ratingKey="7" type="movie" title="Alien" playQueueItemID="11"/></MediaContainer>`,
		},
		"GET /butler": {
			json: `{"ButlerTasks":{"ButlerTask":[{"name":"BackupDatabase","title":"Backup Database","interval":3,"enabled":true,"scheduleRandomized":false}]}}`,
			xml:  `<ButlerTasks><ButlerTask name="BackupDatabase" title="Backup Database" interval="3" enabled="1" scheduleRandomized="0"/></ButlerTasks>`,
		},
		"GET /activities": {
			json: `{"MediaContainer":{"size":1,"Activity":[{"uuid":"5e6a","type":"library.update.section","title":"Scanning Movies","progress":40,"cancellable":true}]}}`,
			xml:  `<MediaContainer size="1"><Activity uuid="5e6a" type="library.update.section" title="Scanning Movies" progress="40" cancellable="1"/></MediaContainer>`,
		},
		"GET /statistics/bandwidth": {
			json: `{"MediaContainer":{"size":3,"Device":[{"id":12,"name":"Chrome","platform":"Chrome","clientIdentifier":"abc","createdAt":1700000000}],"Account":[{"id":1,"key":"/accounts/1","name":"alice"}],"StatisticsBandwidth":[{"accountID":1,"deviceID":12,"timespan":6,"at":1735800000,"lan":true,"bytes":123456}]}}`,
			xml:  `<MediaContainer size="3"><Device id="12" name="Chrome" platform="Chrome" clientIdentifier="abc" createdAt="1700000000"/><Account id="1" key="/accounts/1" name="alice"/><StatisticsBandwidth accountID="1" deviceID="12" timespan="6" at="1735800000" lan="1" bytes="123456"/></MediaContainer>`,
		},
		"GET /statistics/resources": {
			json: `{"MediaContainer":{"size":1,"StatisticsResources":[{"timespan":6,"at":1735800000,"hostCpuUtilization":"64.946","processCpuUtilization":3.2,"hostMemoryUtilization":40,"processMemoryUtilization":5}]}}`,
			xml:  `<MediaContainer size="1"><StatisticsResources timespan="6" at="1735800000" hostCpuUtilization="64.946" processCpuUtilization="3.2" hostMemoryUtilization="40" processMemoryUtilization="5"/></MediaContainer>`,
		},
		"GET /accounts": {
			json: `{"MediaContainer":{"size":2,"identifier":"com.plexapp.system.accounts","Account":[{"id":0,"key":"/accounts/0","name":""},{"id":1,"key":"/accounts/1","name":"alice","defaultAudioLanguage":"en"}]}}`,
			xml:  `<MediaContainer size="2" identifier="com.plexapp.system.accounts"><Account id="0" key="/accounts/0" name=""/><Account id="1" key="/accounts/1" name="alice" defaultAudioLanguage="en"/></MediaContainer>`,
		},
		"GET /clients": {
			json: `{"MediaContainer":{"size":1,"Server":[{"name":"Living Room","host":"192.168.1.20","address":"192.168.1.20","port":32500,"machineIdentifier":"tv1","protocol":"plex","product":"Plex for Android (TV)"}]}}`,
			xml:  `<MediaContainer size="1"><Server name="Living Room" host="192.168.1.20" address="192.168.1.20" port="32500" machineIdentifier="tv1" protocol="plex" product="Plex for Android (TV)"/></MediaContainer>`,
		},
		"GET /updater/status": {
			json: `{"MediaContainer":{"size":1,"canInstall":false,"checkedAt":1735800000,"status":0,"Release":[{"key":"https://plex.tv/updater/releases/1","version":"1.42.3","state":"notify"}]}}`,
			xml:  `<MediaContainer size="1" canInstall="0" checkedAt="1735800000" status="0"><Release key="https://plex.tv/updater/releases/1" version="1.42.3" state="notify"/></MediaContainer>`,
		},
	})
	ctx := context.Background()
	for enc, c := range f.clients(t) {
		seasons := collectItems(t, c.Library.Children(ctx, "20", pms.ItemsOptions{}))
		if len(seasons) != 2 || seasons[1].Title != "Season 2" || seasons[0].LibrarySectionTitle != "TV Shows" {
			t.Errorf("%s: Children = %+v", enc, seasons)
		}
		wantRequest(t, enc+" children", f.last(t), "GET", "/library/metadata/20/children", url.Values{"excludeAllLeaves": {"1"}})

		it, err := c.Metadata.Get(ctx, "7")
		if err != nil || len(it.Markers) != 1 || it.Markers[0].EndTimeOffset != 61000 || !bool(it.Markers[0].Final) ||
			len(it.LockedFields) != 1 || !bool(it.LockedFields[0].Locked) || len(it.Labels) != 1 {
			t.Errorf("%s: Metadata.Get = %+v, %v", enc, it, err)
		}

		pls, err := c.Playlists.List(ctx, pms.PlaylistsOptions{Type: "video"})
		if err != nil || len(pls) != 1 || pls[0].Title != "Test Playlist" || pls[0].LeafCount != 3 || bool(pls[0].Smart) {
			t.Errorf("%s: Playlists.List = %+v, %v", enc, pls, err)
		}
		wantRequest(t, enc+" playlists", f.last(t), "GET", "/playlists", url.Values{"playlistType": {"video"}})

		pq, err := c.PlayQueues.Create(ctx, pms.PlayQueueSource{RatingKey: "7", Type: "video", Shuffle: true})
		if err != nil || pq.ID != 5 || pq.SelectedItemID != 11 || len(pq.Items) != 1 || pq.Items[0].PlayQueueItemID != 11 {
			t.Errorf("%s: PlayQueues.Create = %+v, %v", enc, pq, err)
		}
		wantRequest(t, enc+" play queue", f.last(t), "POST", "/playQueues", url.Values{
			"uri": {"server://" + fakeMachineID + "/com.plexapp.plugins.library/library/metadata/7"}, "type": {"video"}, "shuffle": {"1"}})

		tasks, err := c.Butler.List(ctx)
		if err != nil || len(tasks) != 1 || tasks[0].Name != "BackupDatabase" || tasks[0].Interval != 3 || !bool(tasks[0].Enabled) {
			t.Errorf("%s: Butler.List = %+v, %v", enc, tasks, err)
		}
		acts, err := c.Activities.List(ctx)
		if err != nil || len(acts) != 1 || acts[0].Progress != 40 || !bool(acts[0].Cancellable) {
			t.Errorf("%s: Activities.List = %+v, %v", enc, acts, err)
		}
		bw, err := c.Statistics.Bandwidth(ctx, pms.TimespanSeconds)
		if err != nil || len(bw.Samples) != 1 || bw.Samples[0].Bytes != 123456 || !bool(bw.Samples[0].LAN) || len(bw.Devices) != 1 || len(bw.Accounts) != 1 {
			t.Errorf("%s: Statistics.Bandwidth = %+v, %v", enc, bw, err)
		}
		wantRequest(t, enc+" bandwidth", f.last(t), "GET", "/statistics/bandwidth", url.Values{"timespan": {"6"}})
		res, err := c.Statistics.Resources(ctx, pms.TimespanSeconds)
		if err != nil || len(res) != 1 || res[0].HostCPUUtilization != 64.946 {
			t.Errorf("%s: Statistics.Resources = %+v, %v", enc, res, err)
		}
		accts, err := c.Server.Accounts(ctx)
		if err != nil || len(accts) != 2 || accts[1].ID != 1 || accts[1].Name != "alice" {
			t.Errorf("%s: Server.Accounts = %+v, %v", enc, accts, err)
		}
		clients, err := c.Server.Clients(ctx)
		if err != nil || len(clients) != 1 || clients[0].Host != "192.168.1.20" || clients[0].Port != 32500 {
			t.Errorf("%s: Server.Clients = %+v, %v", enc, clients, err)
		}
		st, err := c.Server.UpdaterStatus(ctx)
		if err != nil || bool(st.CanInstall) || len(st.Releases) != 1 || st.Releases[0].Version != "1.42.3" {
			t.Errorf("%s: Server.UpdaterStatus = %+v, %v", enc, st, err)
		}
	}
}

// TestURLsCarryATransientToken checks that URLs for other programs carry a transient token,
// never the client's, and that one token serves several URLs.
func TestURLsCarryATransientToken(t *testing.T) {
	t.Parallel()
	const own = "abcdefghij0123456789"
	f := newFakePMS(t, nil)
	c := newClient(t, f.srv.URL+"/plex", pms.WithToken(own))
	ctx := context.Background()
	thumb, err := c.Metadata.URL(ctx, "/library/metadata/7/thumb/1700000000", nil)
	must(t, err)
	img, err := c.Metadata.ImageURL(ctx, "/library/metadata/7/thumb/1700000000", 300, 450)
	must(t, err)
	stream, err := c.Metadata.StreamURL(ctx, pms.Part{Key: "/library/parts/31/1700000000/file.mkv"})
	must(t, err)
	for _, u := range []string{thumb, img, stream} {
		if strings.Contains(u, own) || !strings.Contains(u, "X-Plex-Token=transient-") || !strings.HasPrefix(u, f.srv.URL+"/plex/") {
			t.Errorf("URL %s: want the base URL and a transient token, never the client's", u)
		}
	}
	if !strings.Contains(img, "/plex/photo/:/transcode?") || !strings.Contains(img, "width=300") || !strings.Contains(img, "url=%2Flibrary%2Fmetadata%2F7%2Fthumb") {
		t.Errorf("ImageURL = %s", img)
	}
	f.mu.Lock()
	minted := 0
	for _, r := range f.reqs {
		if r.URL.Path == "/plex/security/token" {
			minted++
		}
	}
	f.mu.Unlock()
	if minted != 1 {
		t.Errorf("%d transient tokens minted for 3 URLs, want 1", minted)
	}
	if _, err := c.Metadata.URL(ctx, "/x?X-Plex-Token=abc", nil); err == nil {
		t.Error("a path with a token was accepted")
	}
}

// TestDownloadLogs checks that the log archive is written as the server sent it.
func TestDownloadLogs(t *testing.T) {
	t.Parallel()
	zip := "PK\x03\x04 not really a zip"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/diagnostics/logs" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/zip")
		_, _ = w.Write([]byte(zip))
	}))
	t.Cleanup(srv.Close)
	var buf bytes.Buffer
	must(t, newClient(t, srv.URL, pms.WithToken("abcdefghij0123456789")).Server.DownloadLogs(context.Background(), &buf))
	if buf.String() != zip {
		t.Errorf("DownloadLogs wrote %q", buf.String())
	}
	if err := newClient(t, srv.URL+"/elsewhere", pms.WithToken("abcdefghij0123456789")).Server.DownloadLogs(context.Background(), &buf); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("DownloadLogs from a 404 = %v", err)
	}
}

// TestMoreReadsDecodeBothEncodings covers the reads the emulator does not model yet, from
// reference-shaped answers (plex-beyond-spec B.2, B.8).
func TestMoreReadsDecodeBothEncodings(t *testing.T) {
	t.Parallel()
	f := newFakePMS(t, map[string]canned{
		"GET /library/metadata/7/related": {
			json: `{"MediaContainer":{"size":1,"Hub":[{"hubIdentifier":"movie.similar","context":"hub.movie.similar","title":"Related Movies","type":"movie","size":1,"more":true,"Metadata":[{"ratingKey":"8","type":"movie","title":"Aliens"}]}]}}`,
			xml:  `<MediaContainer size="1"><Hub hubIdentifier="movie.similar" context="hub.movie.similar" title="Related Movies" type="movie" size="1" more="1"><Video ratingKey="8" type="movie" title="Aliens"/></Hub></MediaContainer>`,
		},
		"GET /library/metadata/7/similar": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"9","type":"movie","title":"Alien 3"}]}}`,
			xml:  `<MediaContainer size="1"><Video ratingKey="9" type="movie" title="Alien 3"/></MediaContainer>`,
		},
		"GET /library/metadata/7/extras": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"70","type":"clip","subtype":"trailer","extraType":1,"title":"Trailer","duration":120000}]}}`,
			xml:  `<MediaContainer size="1"><Video ratingKey="70" type="clip" subtype="trailer" extraType="1" title="Trailer" duration="120000"/></MediaContainer>`,
		},
		"GET /transcode/sessions": {
			json: `{"MediaContainer":{"size":1,"TranscodeSession":[{"key":"vv3w","throttled":false,"progress":12.5,"speed":3.1,"videoDecision":"transcode","audioDecision":"copy","container":"mpegts","videoCodec":"h264","audioCodec":"aac"}]}}`,
			xml:  `<MediaContainer size="1"><TranscodeSession key="vv3w" throttled="0" progress="12.5" speed="3.1" videoDecision="transcode" audioDecision="copy" container="mpegts" videoCodec="h264" audioCodec="aac"/></MediaContainer>`,
		},
		"GET /library/metadata/60": {
			json: `{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":"60","key":"/library/collections/60/children","type":"collection","title":"Test Collection","subtype":"movie","smart":false,"childCount":1,"librarySectionID":1,"librarySectionTitle":"Movies"}]}}`,
			xml:  `<MediaContainer size="1"><Directory ratingKey="60" key="/library/collections/60/children" type="collection" title="Test Collection" subtype="movie" smart="0" childCount="1" librarySectionID="1" librarySectionTitle="Movies"/></MediaContainer>`,
		},
		"GET /statistics/media": {
			json: `{"MediaContainer":{"size":2,"Account":[{"id":1,"name":"alice"}],"StatisticsMedia":[{"accountID":1,"deviceID":12,"timespan":4,"at":1735800000,"metadataType":4,"count":2,"duration":5400}]}}`,
			xml:  `<MediaContainer size="2"><Account id="1" name="alice"/><StatisticsMedia accountID="1" deviceID="12" timespan="4" at="1735800000" metadataType="4" count="2" duration="5400"/></MediaContainer>`,
		},
	})
	ctx := context.Background()
	for enc, c := range f.clients(t) {
		hubs, err := c.Library.Related(ctx, "7")
		if err != nil || len(hubs) != 1 || hubs[0].HubIdentifier != "movie.similar" || !bool(hubs[0].More) || len(hubs[0].Items) != 1 || hubs[0].Items[0].Title != "Aliens" {
			t.Errorf("%s: Related = %+v, %v", enc, hubs, err)
		}
		sim, err := c.Library.Similar(ctx, "7")
		if err != nil || len(sim) != 1 || sim[0].Title != "Alien 3" {
			t.Errorf("%s: Similar = %+v, %v", enc, sim, err)
		}
		extras, err := c.Metadata.Extras(ctx, "7")
		if err != nil || len(extras) != 1 || extras[0].Subtype != "trailer" || extras[0].ExtraType != 1 {
			t.Errorf("%s: Extras = %+v, %v", enc, extras, err)
		}
		ts, err := c.Server.TranscodeSessions(ctx)
		if err != nil || len(ts) != 1 || ts[0].VideoDecision != "transcode" || ts[0].Progress != 12.5 {
			t.Errorf("%s: TranscodeSessions = %+v, %v", enc, ts, err)
		}
		col, err := c.Collections.Get(ctx, "60")
		if err != nil || col.Title != "Test Collection" || col.ChildCount != 1 || col.Subtype != "movie" {
			t.Errorf("%s: Collections.Get = %+v, %v", enc, col, err)
		}
		ms, err := c.Statistics.Media(ctx, pms.TimespanHours)
		if err != nil || len(ms.Samples) != 1 || ms.Samples[0].Duration != 5400 || len(ms.Accounts) != 1 {
			t.Errorf("%s: Statistics.Media = %+v, %v", enc, ms, err)
		}
	}
}
