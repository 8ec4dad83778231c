package pmsemu

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"
)

func TestSessions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	resp := f.do(t, req{path: "/status/sessions", token: ownerToken, json: true})
	if resp.status != 200 {
		t.Fatalf("status %d", resp.status)
	}
	var body struct {
		MediaContainer struct {
			Size     int
			Metadata []struct {
				Type, Title, GrandparentTitle, RatingKey, SessionKey string
				ViewOffset, Duration                                 int
				User                                                 struct{ ID, Title string }
				Player                                               struct {
					State  string
					UserID int
				}
				Session struct {
					ID       string
					Location string
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(resp.body), &body); err != nil {
		t.Fatal(err)
	}
	if h := resp.header.Get("X-Plex-Container-Total-Size"); h != "3" || resp.header.Get("X-Plex-Container-Start") != "0" {
		t.Errorf("paging headers %q %q", h, resp.header.Get("X-Plex-Container-Start"))
	}
	want := []struct {
		typ, user, state, grandparent string
		account                       int
	}{
		{"movie", "alice", "playing", "", OwnerLocalID}, // the owner is account 1 on their server
		{"episode", "bob", "paused", title(3), friendID},
		{"track", "kid", "playing", title(1), managedID},
	}
	mc := body.MediaContainer
	if mc.Size != len(want) || len(mc.Metadata) != len(want) {
		t.Fatalf("size %d, %d sessions; want %d (the session of a missing section is dropped)", mc.Size, len(mc.Metadata), len(want))
	}
	for i, w := range want {
		m := mc.Metadata[i]
		if m.Type != w.typ || m.User.Title != w.user || m.User.ID != strconv.Itoa(w.account) || m.Player.State != w.state ||
			m.Player.UserID != w.account || m.GrandparentTitle != w.grandparent || m.SessionKey != strconv.Itoa(i+1) ||
			m.Session.Location != "lan" || m.Session.ID == "" || m.ViewOffset <= 0 || m.ViewOffset >= m.Duration {
			t.Errorf("session %d = %+v, want %+v", i, m, w)
		}
		// The item playing is one a client can fetch.
		one, r := getItems(t, f, req{path: "/library/metadata/" + m.RatingKey, token: ownerToken})
		if r.status != 200 || one.MediaContainer.Metadata[0].Title != m.Title {
			t.Errorf("session %d plays %s, which /library/metadata answers with %d", i, m.RatingKey, r.status)
		}
	}
	t.Run("unknown account", func(t *testing.T) {
		t.Parallel()
		g := newFixture(t, func(c *Config) { c.Sessions = []SessionConfig{{AccountID: 555, Section: "4", Index: 0}} })
		resp := g.do(t, req{path: "/status/sessions", token: ownerToken, json: true})
		var b struct {
			MediaContainer struct {
				Metadata []struct {
					Type string
					User struct{ ID, Title string }
				}
			}
		}
		if err := json.Unmarshal([]byte(resp.body), &b); err != nil || len(b.MediaContainer.Metadata) != 1 {
			t.Fatalf("%v %s", err, resp.body)
		}
		if m := b.MediaContainer.Metadata[0]; m.Type != "photo" || m.User.ID != "555" || m.User.Title != "account-555" {
			t.Errorf("session %+v", m)
		}
	})
}

type historyPage struct {
	MediaContainer struct {
		Size, TotalSize, Offset int
		Metadata                []struct {
			HistoryKey, RatingKey, LibrarySectionID, Type, Title, GrandparentTitle string
			ViewedAt                                                               int64
			AccountID, DeviceID                                                    int
		}
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	// Seeded ids: 1 owner s1, 2 friend s2 (episode of show 3), 3 owner s5, 4 friend s1,
	// 5 managed s3 (track of artist 2), 6 friend s2 (episode of show 4); 7 is out of range.
	ts := func(d time.Duration) string { return strconv.FormatInt(epoch.Add(d).Unix(), 10) }
	tests := []struct {
		name, query, token string
		wantStatus         int
		wantIDs            []int
		wantTotal          int
	}{
		{"admin sees everyone's", "", ownerToken, 200, []int{1, 2, 3, 4, 5, 6}, 6},
		{"friend sees only their own", "", friendToken, 200, []int{2, 4, 6}, 3},
		{"managed user sees only their own", "", managedToken, 200, []int{5}, 1},
		{"friend cannot ask for another account", "?accountID=" + strconv.Itoa(ownerID), friendToken, 200, nil, 0},
		{"admin filters by account", "?accountID=" + strconv.Itoa(friendID), ownerToken, 200, []int{2, 4, 6}, 3},
		{"by section", "?librarySectionID=1", ownerToken, 200, []int{1, 4}, 2},
		{"by show covers its episodes", "?metadataItemID=" + strconv.Itoa(2*ratingKeyStride+3), ownerToken, 200, []int{2}, 1},
		{"by episode", "?metadataItemID=" + strconv.Itoa(firstLeaf(2, 4)), ownerToken, 200, []int{6}, 1},
		{"by movie", "?metadataItemID=" + strconv.Itoa(5*ratingKeyStride+999_999), ownerToken, 200, []int{3}, 1},
		{"viewed since", "?viewedAt>=" + ts(-3*time.Hour), ownerToken, 200, []int{3, 4, 5}, 3},
		{"viewed until", "?viewedAt<=" + ts(-4*time.Hour), ownerToken, 200, []int{1, 2, 6}, 3},
		{"viewed at", "?viewedAt=" + ts(-2*time.Hour), ownerToken, 200, []int{4}, 1},
		{"sorted newest first", "?sort=viewedAt:desc", ownerToken, 200, []int{5, 4, 3, 2, 1, 6}, 6},
		{"sorted by account then time", "?sort=accountID,viewedAt:asc", ownerToken, 200, []int{1, 3, 6, 2, 4, 5}, 6},
		{"sorted by section descending", "?sort=librarySectionID:desc", ownerToken, 200, []int{3, 5, 2, 6, 1, 4}, 6},
		{"sorted by rating key", "?sort=ratingKey", ownerToken, 200, []int{1, 4, 3, 2, 6, 5}, 6},
		{"paged", "?sort=viewedAt:desc&X-Plex-Container-Start=2&X-Plex-Container-Size=2", ownerToken, 200, []int{3, 2}, 6},
		{"paged past the end", "?X-Plex-Container-Start=10", friendToken, 200, nil, 3},
		{"filters combine", "?accountID=" + strconv.Itoa(friendID) + "&librarySectionID=2&sort=viewedAt:desc", ownerToken, 200, []int{2, 6}, 2},
		{"bad account", "?accountID=bob", ownerToken, 400, nil, 0},
		{"bad section", "?librarySectionID=one", ownerToken, 400, nil, 0},
		{"bad time", "?viewedAt>=yesterday", ownerToken, 400, nil, 0},
		{"unknown sort field", "?sort=title", ownerToken, 400, nil, 0},
		{"bad sort direction", "?sort=viewedAt:up", ownerToken, 400, nil, 0},
		{"bad paging", "?X-Plex-Container-Size=-3", ownerToken, 400, nil, 0},
		{"needs a token", "", "", 401, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := f.do(t, req{path: "/status/sessions/history/all" + tt.query, token: tt.token, json: true})
			if resp.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.status, tt.wantStatus, resp.body)
			}
			if resp.status != 200 {
				return
			}
			var p historyPage
			if err := json.Unmarshal([]byte(resp.body), &p); err != nil {
				t.Fatal(err)
			}
			var ids []int
			for _, m := range p.MediaContainer.Metadata {
				id, err := strconv.Atoi(m.HistoryKey[len("/status/sessions/history/"):])
				if err != nil {
					t.Fatalf("historyKey %q", m.HistoryKey)
				}
				ids = append(ids, id)
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("entries %v, want %v", ids, tt.wantIDs)
			}
			if p.MediaContainer.TotalSize != tt.wantTotal || p.MediaContainer.Size != len(ids) {
				t.Errorf("totalSize %d size %d, want %d and %d", p.MediaContainer.TotalSize, p.MediaContainer.Size, tt.wantTotal, len(ids))
			}
			if h := resp.header.Get("X-Plex-Container-Total-Size"); h != strconv.Itoa(tt.wantTotal) {
				t.Errorf("X-Plex-Container-Total-Size %q", h)
			}
		})
	}
	t.Run("entry fields", func(t *testing.T) {
		t.Parallel()
		resp := f.do(t, req{path: "/status/sessions/history/all?librarySectionID=2", token: ownerToken, json: true})
		var p historyPage
		if err := json.Unmarshal([]byte(resp.body), &p); err != nil {
			t.Fatal(err)
		}
		m := p.MediaContainer.Metadata[0]
		if m.Type != "episode" || m.GrandparentTitle != title(3) || m.LibrarySectionID != "2" || m.AccountID != friendID ||
			m.ViewedAt != epoch.Add(-4*time.Hour).Unix() || m.DeviceID == 0 ||
			m.RatingKey != strconv.Itoa(firstLeaf(2, 3)) {
			t.Errorf("entry %+v", m)
		}
	})
}
