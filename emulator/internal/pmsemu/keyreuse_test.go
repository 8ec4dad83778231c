package pmsemu

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestItemChangeWithoutStop plays one item, then reports another without a stop, for both
// settings of Config.SessionKeyKeptOnItemChange: by default the old session stops (a "stopped"
// notification) and the new item gets the next sessionKey; with the switch the new item plays
// under the same sessionKey and Session.id with no "stopped" in between. Either way the old
// item's scrobble and history stay and the new item is scrobbled on its own.
func TestItemChangeWithoutStop(t *testing.T) {
	t.Parallel()
	for _, kept := range []bool{false, true} {
		name := "new key"
		if kept {
			name = "key kept"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *Config) { c.SessionKeyKeptOnItemChange = kept })
			first, second := episodeOf(f, 3), episodeOf(f, 4)
			ws := dialWS(t, f, "/:/websockets/notifications?filters=playing", ownerToken)
			p := testPlayer{f: f, token: ownerToken, clientID: "pht"}
			frame := func() (key, rk, state string) {
				t.Helper()
				e := decodePlaying(t, readFrame(t, ws))
				return e["sessionKey"].(string), e["ratingKey"].(string), e["state"].(string)
			}
			want := func(what, key, rk, state string) {
				t.Helper()
				if k, r, s := frame(); k != key || r != rk || s != state {
					t.Errorf("%s: frame %s %s %s, want %s %s %s", what, k, r, s, key, rk, state)
				}
			}
			history := historyCount(t, f)
			near := func(rk string) int { // 95 % of the item
				it, _ := f.srv.impl().store.Item(mustAtoi(rk))
				return it.Duration * 95 / 100
			}

			p.report(t, http.MethodGet, first, "playing", 0)
			want("first item", "4", first, "playing")
			id := sessionID(t, f, "4")
			p.report(t, http.MethodGet, first, "playing", near(first)) // past 90 %: scrobbled
			want("first item near its end", "4", first, "playing")

			p.report(t, http.MethodGet, second, "playing", 0) // the next item, no stop
			newKey := "5"
			if kept {
				newKey = "4"
			} else {
				want("the old session's end", "4", first, "stopped")
			}
			want("second item", newKey, second, "playing")
			s := f.srv.Sessions()
			var listed []string
			for _, ss := range s {
				if ss.Player == p.clientID {
					listed = append(listed, ss.SessionKey+":"+ss.RatingKey+":"+ss.State)
				}
			}
			if len(listed) != 1 || listed[0] != newKey+":"+second+":playing" {
				t.Errorf("the player's sessions %v, want %s:%s:playing", listed, newKey, second)
			}
			if got := sessionID(t, f, newKey); (got == id) != kept || got == "" {
				t.Errorf("Session.id %q after the item change (was %q); kept %v", got, id, kept)
			}
			if got := historyCount(t, f); got != history+1 {
				t.Errorf("history %d after the first item's scrobble, want %d", got, history+1)
			}
			views := func(rk string) int {
				st := f.srv.impl().store
				return st.State(st.LocalAccountID(ownerID), mustAtoi(rk)).ViewCount
			}
			if views(first) != 1 || views(second) != 0 {
				t.Errorf("views: first %d, second %d; want 1, 0", views(first), views(second))
			}
			p.report(t, http.MethodGet, second, "paused", near(second)) // the new item is scrobbled on its own
			want("second item paused", newKey, second, "paused")
			p.report(t, http.MethodGet, second, "playing", near(second))
			want("second item resumed", newKey, second, "playing")
			if got := historyCount(t, f); got != history+2 || views(second) != 1 {
				t.Errorf("history %d after the second item's scrobble, want %d (views %d)", got, history+2, views(second))
			}

			// A "stopped" for yet another item ends the session, with its "stopped", either way.
			p.report(t, http.MethodGet, first, "stopped", 5000)
			want("stop of another item", newKey, second, "stopped")
			if got := sessionOffset(f, newKey); got != -1 {
				t.Errorf("session %s still listed after the stop", newKey)
			}
			// The next playback gets the next key.
			p.report(t, http.MethodGet, first, "playing", 0)
			next := "6"
			if kept {
				next = "5"
			}
			want("next playback", next, first, "playing")
		})
	}
}

// sessionID returns the Session.id of the session with key in /status/sessions.
func sessionID(t *testing.T, f *fixture, key string) string {
	t.Helper()
	r := f.do(t, req{path: "/status/sessions", token: ownerToken, json: true})
	var mc struct {
		MediaContainer struct {
			Metadata []struct {
				SessionKey string
				Session    struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal([]byte(r.body), &mc); err != nil {
		t.Fatal(err)
	}
	for _, m := range mc.MediaContainer.Metadata {
		if m.SessionKey == key {
			return m.Session.ID
		}
	}
	return ""
}
