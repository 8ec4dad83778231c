package emulator_test

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// TestExampleFixture loads the fixture the README points to and checks that the emulator
// serves what it describes: its accounts on plex.tv, its server, shares, library, history
// and sessions on the PMS.
func TestExampleFixture(t *testing.T) {
	t.Parallel()
	fx, err := emulator.LoadFixture(filepath.Join("testdata", "example-fixture.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, emulator.Options{Fixture: fx})
	var names []string
	for _, u := range e.Users() {
		names = append(names, u.Username)
	}
	if !slices.Equal(names, []string{"erin", "frank", "gina"}) || len(e.Servers()) != 1 {
		t.Fatalf("users %v, servers %+v", names, e.Servers())
	}
	srv := serverURL(t, e, "erin-server")
	erin, frank, gina := accessTokens(t, e, "erin")["erin-server"], accessTokens(t, e, "frank")["erin-server"], accessTokens(t, e, "gina")["erin-server"]
	for _, tc := range []struct {
		who, token string
		want       []string
	}{{"erin", erin, []string{"1", "2", "3"}}, {"frank", frank, []string{"1", "2"}}, {"gina", gina, []string{"1"}}} {
		if status, keys := sectionKeys(t, e, srv, tc.token); status != 200 || !slices.Equal(keys, tc.want) {
			t.Errorf("%s sees sections %v (%d), want %v", tc.who, keys, status, tc.want)
		}
	}
	type items struct {
		MediaContainer struct {
			TotalSize int `json:"totalSize"`
			Metadata  []struct {
				RatingKey        string     `json:"ratingKey"`
				Title            string     `json:"title"`
				Type             string     `json:"type"`
				GrandparentTitle string     `json:"grandparentTitle"`
				AccountID        int        `json:"accountID"`
				Year             int        `json:"year"`
				Media            []struct{} `json:"Media"`
				User             *struct {
					ID string `json:"id"`
				} `json:"User"`
			} `json:"Metadata"`
		} `json:"MediaContainer"`
	}
	get := func(path, token string) items {
		t.Helper()
		return decode[items](t, do(t, e, req{method: "GET", url: srv + path, token: token}), http.StatusOK)
	}
	films := get("/library/sections/1/all?X-Plex-Container-Start=499&X-Plex-Container-Size=10", frank)
	if films.MediaContainer.TotalSize != 501 || len(films.MediaContainer.Metadata) != 2 || films.MediaContainer.Metadata[1].Title != "The Long Weekend" ||
		films.MediaContainer.Metadata[1].Year != 2019 || len(films.MediaContainer.Metadata[1].Media) != 1 {
		t.Errorf("films %+v", films.MediaContainer)
	}
	if first := get("/library/sections/1/all?X-Plex-Container-Size=1", erin); first.MediaContainer.Metadata[0].Title != "Elephants Dream" {
		t.Errorf("samples: %+v", first.MediaContainer.Metadata)
	}
	eps := get("/library/sections/2/all?type=4", erin)
	var titles []string
	for _, m := range eps.MediaContainer.Metadata {
		titles = append(titles, m.Title)
		if m.GrandparentTitle != "Night Shift" {
			t.Errorf("episode %+v", m)
		}
	}
	if !slices.Equal(titles, []string{"Arrival", "Handover", "Return"}) {
		t.Errorf("episodes %v", titles)
	}
	h := get("/status/sessions/history/all?sort=viewedAt", erin)
	if len(h.MediaContainer.Metadata) != 2 || h.MediaContainer.Metadata[0].Title != "Arrival" || h.MediaContainer.Metadata[1].Title != "Sita Sings the Blues" || h.MediaContainer.Metadata[1].AccountID != 1 {
		t.Errorf("history %+v", h.MediaContainer.Metadata)
	}
	weekend := films.MediaContainer.Metadata[1].RatingKey
	type state struct {
		MediaContainer struct {
			Metadata []struct {
				RatingKey  string `json:"ratingKey"`
				ViewCount  int    `json:"viewCount"`
				ViewOffset int    `json:"viewOffset"`
			} `json:"Metadata"`
		} `json:"MediaContainer"`
	}
	if m := decode[state](t, do(t, e, req{method: "GET", url: srv + "/library/metadata/" + weekend, token: erin}), 200).MediaContainer.Metadata[0]; m.ViewCount != 1 || m.ViewOffset != 0 {
		t.Errorf("erin's state of The Long Weekend: %+v", m)
	}
	if deck := decode[state](t, do(t, e, req{method: "GET", url: srv + "/library/onDeck", token: frank}), 200).MediaContainer.Metadata; len(deck) != 1 || deck[0].RatingKey != weekend || deck[0].ViewOffset != 1_200_000 {
		t.Errorf("frank's deck: %+v", deck)
	}
	s := get("/status/sessions", erin)
	if len(s.MediaContainer.Metadata) != 1 || s.MediaContainer.Metadata[0].Title != "Handover" || s.MediaContainer.Metadata[0].User == nil {
		t.Errorf("sessions %+v", s.MediaContainer.Metadata)
	}
	// The JSON form of the same fixture loads too.
	if _, err := emulator.ParseFixture([]byte(`{"servers":[{"name":"x","owner":"alice","sections":[{"key":"1","type":"movie","title":"M","items":[{"title":"A"}]}]}]}`), true); err != nil {
		t.Errorf("JSON fixture: %v", err)
	}
}

func TestFixtureErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", "servers:\n  - name: x\n    owner: alice\n    colour: red\n", "colour"},
		{"unknown owner", "servers:\n  - name: x\n    owner: zed\n", `no account "zed"`},
		{"bad section type", "servers:\n  - name: x\n    owner: alice\n    sections:\n      - {key: '1', type: podcast, title: P}\n", `type "podcast"`},
		{"share of a missing section", "servers:\n  - name: x\n    owner: alice\n    sections:\n      - {key: '1', type: movie, title: M}\n    shares:\n      - {user: bob, sections: ['2']}\n", `section "2"`},
		{"item without a title", "servers:\n  - name: x\n    owner: alice\n    sections:\n      - key: '1'\n        type: show\n        title: S\n        items:\n          - title: Show\n            children:\n              - year: 2001\n", "title is required"},
		{"watched by a stranger", "servers:\n  - name: x\n    owner: alice\n    sections:\n      - key: '1'\n        type: movie\n        title: M\n        items:\n          - {title: A, watchedBy: [zed]}\n", `watchedBy: no account "zed"`},
		{"duplicate user", "accounts:\n  - {username: a, password: p}\n  - {username: A, password: q}\n", "used twice"},
		{"bad kind", "accounts:\n  - {username: a, password: p, kind: admin}\n", `kind "admin"`},
		{"no password", "accounts:\n  - {username: a, kind: friend}\n", `account "a": a password is required`},
		{"managed user with a password", "accounts:\n  - {username: o, password: p, kind: owner}\n  - {username: m, password: p, kind: managed}\n", `account "m": a managed user has no password`},
		{"not yaml", "servers: [", "yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := emulator.ParseFixture([]byte(tc.yaml), false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one naming %q", err, tc.want)
			}
		})
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "fixture.txt")
	if err := os.WriteFile(bad, []byte("servers: []"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.LoadFixture(bad); err == nil || !strings.Contains(err.Error(), ".yaml") {
		t.Errorf("a .txt fixture: %v", err)
	}
	if _, err := emulator.LoadFixture(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a missing fixture loaded")
	}
}
