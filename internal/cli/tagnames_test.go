package cli

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// TestItemsFilterByTagName runs `plexkit items --filter` with a genre given by name against the
// emulator, which (as real servers) filters tags by id only: the CLI looks the name up among
// the section's genres, for alice and for bob (a friend she shares the movies with), and an
// unknown genre is a usage error that suggests the close ones.
func TestItemsFilterByTagName(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, aliceTok := srvLogin(t, e, "alice")
	bob, bobTok := srvLogin(t, e, "bob")
	run := runAdding("--server", "alice-nas")

	c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)),
		pms.WithClientInfo(plexkit.DefaultClientInfo("tagnames-test")))
	if err != nil {
		t.Fatal(err)
	}
	genres, err := c.Library.FilterChoices(context.Background(), "1", "genre", 0)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(genres, func(g pms.FilterChoice) bool { return g.Title == "Drama" })
	if i < 0 {
		t.Fatalf("no Drama among %+v", genres)
	}
	dramaID := string(genres[i].Key)
	// The dramas, by id, which the server takes as it is.
	dramas := column(t, run(t, alice, "items", "Movies", "--filter", "genre="+dramaID).mustSucceed(t).stdout, "RATING KEY")
	if len(dramas) == 0 {
		t.Fatal("no movie has the genre Drama")
	}
	sameKeys := func(t *testing.T, r cliResult) {
		if got := column(t, r.stdout, "RATING KEY"); !slices.Equal(got, dramas) {
			t.Errorf("listed %q, want the dramas %q", got, dramas)
		}
	}

	runCases(t, []cliCase{
		{name: "by name with ==", env: alice, args: []string{"items", "Movies", "--filter", "genre==Drama"}, check: sameKeys},
		{name: "by name in another case", env: alice, args: []string{"items", "Movies", "--filter", "genre=dRaMa"}, check: sameKeys},
		{name: "a friend on a shared section", env: bob, args: []string{"items", "Movies", "--filter", "genre==drama"}, check: sameKeys},
		{name: "by id", env: bob, args: []string{"items", "Movies", "--filter", "genre=" + dramaID}, check: sameKeys},
		{
			name: "an unknown genre", env: alice, args: []string{"items", "Movies", "--filter", "genre==Dramma"},
			code: 2, stderr: []string{`query: filter genre: no genre is named "Dramma" (close: Drama`},
		},
		{
			name: "a smart playlist by genre name", env: alice,
			args: []string{"playlists", "create", "Dramas", "--section", "Movies", "--filter", "genre==Drama", "--json"},
			check: func(t *testing.T, r cliResult) {
				var ps []pms.Playlist
				if err := json.Unmarshal([]byte(r.stdout), &ps); err != nil || len(ps) != 1 || !bool(ps[0].Smart) || int(ps[0].LeafCount) != len(dramas) {
					t.Errorf("the playlist does not hold the %d dramas (%v):\n%s", len(dramas), err, r.stdout)
				}
			},
		},
	}, run, aliceTok, bobTok)
}
