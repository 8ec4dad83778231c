package cli

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/plexkit/plexkit/pms"
)

// TestHubsCommand lists, hides, shows and resets a section's managed hubs as alice, the owner,
// and has bob, a friend, refused with the admin role named. The case that changes hubs has a
// section of its own (TV Shows), so the cases run in parallel.
func TestHubsCommand(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, _ := srvLogin(t, e, "alice")
	bob, _ := srvLogin(t, e, "bob")
	run := runAdding("--server", "alice-nas")
	hubsJSON := func(t *testing.T, section string) []pms.ManagedHub {
		t.Helper()
		r := run(t, alice, "hubs", section, "--json").mustSucceed(t)
		var hubs []pms.ManagedHub
		if err := json.Unmarshal([]byte(r.stdout), &hubs); err != nil || len(hubs) < 2 {
			t.Fatalf("hubs --json: %v (%v)\n%s", hubs, err, r.stdout)
		}
		return hubs
	}

	tests := []cliCase{
		{
			name: "a section's hubs by title", env: alice, args: []string{"hubs", "Movies"},
			check: func(t *testing.T, r cliResult) {
				hubs := hubsJSON(t, "1")
				ids := column(t, r.stdout, "IDENTIFIER")
				if len(ids) != len(hubs) || ids[0] != hubs[0].Identifier || column(t, r.stdout, "TITLE")[0] != hubs[0].Title {
					t.Errorf("table\n%s\nJSON %+v", r.stdout, hubs)
				}
				if got := column(t, r.stdout, "RECOMMENDED")[0]; got != "yes" {
					t.Errorf("the first hub is on the Recommended page: %q", got)
				}
			},
		},
		{
			name: "hide, show and reset", env: alice, args: []string{"hubs", "TV Shows", "--json"},
			check: func(t *testing.T, r cliResult) {
				var def []pms.ManagedHub
				if err := json.Unmarshal([]byte(r.stdout), &def); err != nil || len(def) == 0 {
					t.Fatalf("hubs --json: %v\n%s", err, r.stdout)
				}
				first := def[0].Identifier
				if !def[0].PromotedToRecommended || !def[0].PromotedToOwnHome || !def[0].PromotedToSharedHome {
					t.Fatalf("the default first hub: %+v", def[0])
				}
				hid := run(t, alice, "hubs", "TV Shows", "--hide", first, "--where", "shared,recommended").mustSucceed(t)
				row := tsv(hid.stdout)[1]
				if !slices.Equal(row, []string{first, def[0].Title, "no", "yes", "no"}) {
					t.Errorf("after --hide: %q", row)
				}
				run(t, alice, "hubs", "2", "--show", first, "--where", "recommended").mustSucceed(t)
				if h := hubsJSON(t, "2")[0]; !h.PromotedToRecommended || h.PromotedToSharedHome {
					t.Errorf("after --show --where recommended: %+v", h)
				}
				run(t, alice, "hubs", "2", "--hide", first).mustSucceed(t)
				if h := hubsJSON(t, "2")[0]; h.PromotedToRecommended || h.PromotedToOwnHome || h.PromotedToSharedHome {
					t.Errorf("after --hide everywhere: %+v", h)
				}
				run(t, alice, "hubs", "2", "--reset").mustSucceed(t)
				if got := hubsJSON(t, "2"); !slices.Equal(got, def) {
					t.Errorf("after --reset %+v, want %+v", got, def)
				}
			},
		},
		{
			name: "bob is refused by role", env: bob, args: []string{"hubs", "Movies"},
			code: 1, stderr: []string{"plexkit: managing the hubs of Movies needs the admin role on alice-nas, which only its owner, alice, has", "shared user"},
			check: shortLine,
		},
		{
			name: "bob's reset is refused by role", env: bob, args: []string{"hubs", "1", "--reset"},
			code: 1, stderr: []string{"needs the admin role on alice-nas", "shared user"},
			check: oneLine,
		},
		{
			name: "a hub that is not there", env: alice, args: []string{"hubs", "1", "--hide", "movie.nosuchhub"},
			code: 2, stderr: []string{`section 1 on alice-nas has no hub "movie.nosuchhub"; its hubs: movie.`},
		},
		{
			name: "a place that is none", env: alice, args: []string{"hubs", "1", "--hide", "movie.recentlyadded", "--where", "lobby"},
			code: 2, stderr: []string{`--where "lobby" is not a place: recommended, home, shared`},
		},
		{
			name: "--where alone", env: alice, args: []string{"hubs", "1", "--where", "home"},
			code: 2, stderr: []string{"--where says where --hide or --show change a hub"},
		},
		{
			name: "two changes at once", env: alice, args: []string{"hubs", "1", "--hide", "a", "--reset"},
			code: 2, stderr: []string{"--hide and --reset cannot go together"},
		},
		{
			name: "a section that is not there", env: alice, args: []string{"hubs", "9"},
			code: 2, stderr: []string{"alice-nas has no library section 9 that this account sees; its sections: Movies (1)"},
		},
		{
			name: "bob's hide names what he asked", env: bob, args: []string{"hubs", "Movies", "--hide", "movie.recentlyadded"},
			code: 1, stderr: []string{"plexkit: hiding hub movie.recentlyadded of Movies needs the admin role on alice-nas, which only its owner, alice, has"},
			check: shortLine,
		},
		{
			name: "--json errors", env: bob, args: []string{"hubs", "1", "--json"},
			code:  1,
			check: jsonErrorHas("needs the admin role"),
		},
	}
	runCases(t, tests, run)
}

func TestHMS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		ms   int64
		back string
	}{
		{"0:00:30", 30_000, "0:00:30"},
		{"1:30", 90_000, "0:01:30"},
		{"90", 90_000, "0:01:30"},
		{"90.5", 90_500, "0:01:30.500"},
		{"1:02:03.004", 3_723_004, "1:02:03.004"},
		{"12:00:00", 43_200_000, "12:00:00"},
		{"62:30", 3_750_000, "1:02:30"},
		{"1m30s", 90_000, "0:01:30"},
		{"1m", 60_000, "0:01:00"},
		{"1h02m30s", 3_750_000, "1:02:30"},
		{"1500ms", 1_500, "0:00:01.500"},
		{" 90s ", 90_000, "0:01:30"},
	} {
		ms, err := parseHMS(tc.in)
		if err != nil || ms != tc.ms || hms(ms) != tc.back {
			t.Errorf("parseHMS(%q) = %d, %v; hms = %q, want %d, %q", tc.in, ms, err, hms(ms), tc.ms, tc.back)
		}
	}
	for _, bad := range []string{"", ":30", "1:75", "1:5", "-1", "+5", "1:00:00:00", "1.5:00", "0:30.", "0:30.1234", "ten", "1:3x", "-1m", "+1m", "1x", "1m30", "soon", "1000000h"} {
		if ms, err := parseHMS(bad); err == nil {
			t.Errorf("parseHMS(%q) = %d, want an error", bad, ms)
		}
	}
	for ms, want := range map[int64]string{2_960_999: "0:49:20", 90_000: "0:01:30", 999: "0:00:00"} {
		if got := hmsSeconds(ms); got != want {
			t.Errorf("hmsSeconds(%d) = %q, want %q", ms, got, want)
		}
	}
}
