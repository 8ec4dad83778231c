package cli

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/pms"
)

// hmsPattern is a time as the item commands print it.
var hmsPattern = regexp.MustCompile(`^\d+:\d\d:\d\d(\.\d\d\d)?$`)

// itemKeys lists the rating keys of a section's items (with extra args, e.g. --type episode).
func itemKeys(t *testing.T, env map[string]string, section string, n int, extra ...string) []string {
	t.Helper()
	args := append([]string{"items", section, "--server", "alice-nas", "--limit", "100"}, extra...)
	keys := column(t, runCLI(t, env, "", args...).mustSucceed(t).stdout, "RATING KEY")
	if len(keys) < n {
		t.Fatalf("section %s has %d items, the test needs %d", section, len(keys), n)
	}
	return keys[:n]
}

// itemJSON reads an item with `plexkit item KEY --json`.
func itemJSON(t *testing.T, env map[string]string, key string) pms.Item {
	t.Helper()
	r := runCLI(t, env, "", "item", key, "--server", "alice-nas", "--json").mustSucceed(t)
	var it pms.Item
	if err := json.Unmarshal([]byte(r.stdout), &it); err != nil {
		t.Fatalf("item --json: %v\n%s", err, r.stdout)
	}
	return it
}

// streamsOf returns the audio and subtitle stream ids of an item's first part, and the ones
// selected, from `plexkit item streams KEY --json`.
func streamsOf(t *testing.T, env map[string]string, key string) (audio, sub, selAudio, selSub string) {
	t.Helper()
	r := runCLI(t, env, "", "item", "streams", key, "--server", "alice-nas", "--json").mustSucceed(t)
	var parts []struct {
		Part    int
		Streams []pms.Stream
	}
	if err := json.Unmarshal([]byte(r.stdout), &parts); err != nil || len(parts) == 0 || parts[0].Part == 0 {
		t.Fatalf("item streams --json = %v (%v)\n%s", parts, err, r.stdout)
	}
	for _, s := range parts[0].Streams {
		id := string(mustJSON(t, s.ID))
		switch s.StreamType {
		case 2:
			audio = id
			if s.Selected {
				selAudio = id
			}
		case 3:
			sub = id
			if s.Selected {
				selSub = id
			}
		}
	}
	return
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shortLine checks that a failure said itself in one line a person reads at a glance.
func shortLine(t *testing.T, r cliResult) {
	t.Helper()
	oneLine(t, r)
	if n := utf8.RuneCountInString(strings.TrimSpace(r.stderr)); n > 160 {
		t.Errorf("stderr is %d characters, want at most 160: %s", n, r.stderr)
	}
}

// oneLine checks that a failure said itself in one line.
func oneLine(t *testing.T, r cliResult) {
	t.Helper()
	if n := len(lines(r.stderr)); n != 1 {
		t.Errorf("stderr has %d lines, want 1:\n%s", n, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q", r.stdout)
	}
}

// TestItemCommands runs `plexkit item` and its subcommands against the emulator as alice (the
// owner of alice-nas) and bob (a friend she shares the movies with). Each case that changes
// something has items of its own, so the cases run in parallel.
func TestItemCommands(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, aliceTok := srvLogin(t, e, "alice")
	bob, bobTok := srvLogin(t, e, "bob")
	secrets := []string{aliceTok, bobTok}
	movies := itemKeys(t, alice, "1", 12)
	shows := itemKeys(t, alice, "2", 1)
	episodes := itemKeys(t, alice, "2", 4, "--type", "episode")
	srv := []string{"--server", "alice-nas"}
	run := runAdding(srv...)

	tests := []cliCase{
		{
			name: "a movie's details", env: alice, args: []string{"item", movies[0]},
			check: func(t *testing.T, r cliResult) {
				it := itemJSON(t, alice, movies[0])
				blocks := strings.Split(r.stdout, "\n\n")
				if len(blocks) != 5 {
					t.Fatalf("%d blocks, want fields, media, streams, markers, extras:\n%s", len(blocks), r.stdout)
				}
				fields := map[string]string{}
				for _, row := range tsv(blocks[0]) {
					fields[row[0]] = row[1]
				}
				if fields["title"] != it.Title+" ("+string(mustJSON(t, it.Year))+")" || fields["type"] != "movie" ||
					fields["summary"] != it.Summary || fields["watched"] != "no" || !hmsPattern.MatchString(fields["duration"]) ||
					!strings.HasPrefix(fields["rating"], strings.TrimRight(string(mustJSON(t, it.Rating)), "0")) {
					t.Errorf("fields %q for %+v", fields, it)
				}
				if got := column(t, blocks[1], "FILE"); len(got) != 1 || got[0] != it.Media[0].Parts[0].File {
					t.Errorf("files %q", got)
				}
				if got := column(t, blocks[2], "KIND"); !slices.Equal(got, []string{"audio", "subtitle"}) {
					t.Errorf("stream kinds %q", got)
				}
				if got := column(t, blocks[2], "SELECTED"); !slices.Equal(got, []string{"yes", ""}) {
					t.Errorf("selected %q: the audio plays, no subtitles", got)
				}
				if got := column(t, blocks[3], "TYPE"); !slices.Equal(got, []string{"credits"}) {
					t.Errorf("markers %q", got)
				}
				if end := column(t, blocks[3], "END"); end[0] != fields["duration"] {
					t.Errorf("the credits end at %s, the film at %s", end[0], fields["duration"])
				}
				if got := column(t, blocks[4], "KIND"); !slices.Equal(got, []string{"trailer"}) {
					t.Errorf("extras %q", got)
				}
			},
		},
		{
			name: "an episode's markers in h:mm:ss", env: alice, args: []string{"item", "markers", episodes[0]},
			check: func(t *testing.T, r cliResult) {
				it := itemJSON(t, alice, episodes[0])
				if got := column(t, r.stdout, "TYPE"); !slices.Equal(got, []string{"intro", "credits"}) {
					t.Errorf("types %q", got)
				}
				starts, ends := column(t, r.stdout, "START"), column(t, r.stdout, "END")
				for i, m := range it.Markers {
					if starts[i] != hms(int64(m.StartTimeOffset)) || ends[i] != hms(int64(m.EndTimeOffset)) || !hmsPattern.MatchString(starts[i]) {
						t.Errorf("marker %d: %s–%s, the item's %+v", i, starts[i], ends[i], m)
					}
				}
			},
		},
		{
			name: "item --json is the pms.Item", env: alice, args: []string{"item", movies[1], "--json"},
			check: func(t *testing.T, r cliResult) {
				var it pms.Item
				if err := json.Unmarshal([]byte(r.stdout), &it); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, r.stdout)
				}
				if string(it.RatingKey) != movies[1] || len(it.Media) != 1 || len(it.Markers) != 1 || len(it.Media[0].Parts[0].Streams) < 3 {
					t.Errorf("item %+v", it)
				}
			},
		},
		{
			name: "an unknown rating key", env: alice, args: []string{"item", "999999"},
			code: 1, stderr: []string{"alice-nas has no item 999999 that this account sees", "plexkit items SECTION"},
			check: oneLine,
		},
		{
			name: "an unknown rating key with --json", env: alice, args: []string{"item", "markers", "999999", "--json"},
			code:  1,
			check: jsonErrorHas("has no item 999999"),
		},
		{
			name: "a marker added to an unknown item", env: alice, args: []string{"item", "markers", "add", "999999", "--type", "intro", "--start", "0:10", "--end", "0:20"},
			code: 1, stderr: []string{"alice-nas has no item 999999 that this account sees"},
			check: oneLine,
		},
		{
			name: "an episode bob is not shared", env: bob, args: []string{"item", episodes[0]},
			code: 1, stderr: []string{"alice-nas has no item " + episodes[0] + " that this account sees"},
			check: oneLine,
		},
		{
			name: "a malformed rating key", env: alice, args: []string{"item", "../1"},
			code: 2, stderr: []string{"no Plex key has"},
		},
		{
			name: "a mistyped subcommand", env: alice, args: []string{"item", "marker", movies[0]},
			code: 2, stderr: []string{`unknown command "marker" for "plexkit item"`},
		},
		{
			name: "match candidates", env: alice, args: []string{"item", "match", movies[2]},
			check: func(t *testing.T, r cliResult) {
				it := itemJSON(t, alice, movies[2])
				scores, guids := column(t, r.stdout, "SCORE"), column(t, r.stdout, "GUID")
				if len(scores) < 2 || scores[0] != "100" || guids[0] != it.GUID || column(t, r.stdout, "NAME")[0] != it.Title {
					t.Errorf("candidates\n%s\nfor %s %s", r.stdout, it.Title, it.GUID)
				}
			},
		},
		{
			name: "match --json", env: alice, args: []string{"item", "match", movies[2], "--title", "A Different Film", "--year", "1971", "--json"},
			check: func(t *testing.T, r cliResult) {
				var got []pms.SearchResult
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) == 0 || got[0].Name != "A Different Film" || got[0].Year != 1971 || got[0].GUID == "" {
					t.Errorf("candidates %+v (%v)", got, err)
				}
			},
		},
		{
			name: "match with --guid, then unmatch", env: alice, args: []string{"item", "match", movies[3], "--title", "A Different Film", "--year", "1971", "--json"},
			check: func(t *testing.T, r cliResult) {
				var cands []pms.SearchResult
				if err := json.Unmarshal([]byte(r.stdout), &cands); err != nil || len(cands) == 0 {
					t.Fatalf("candidates %s (%v)", r.stdout, err)
				}
				m := run(t, alice, "item", "match", movies[3], "--title", "A Different Film", "--year", "1971", "--guid", cands[0].GUID).mustSucceed(t)
				if got := column(t, m.stdout, "GUID"); !slices.Equal(got, []string{cands[0].GUID}) || column(t, m.stdout, "TITLE")[0] != "A Different Film" {
					t.Errorf("after match:\n%s", m.stdout)
				}
				if it := itemJSON(t, alice, movies[3]); it.GUID != cands[0].GUID || it.Year != 1971 {
					t.Errorf("the item after match: %s %d", it.GUID, it.Year)
				}
				u := run(t, alice, "item", "unmatch", movies[3]).mustSucceed(t)
				if got := column(t, u.stdout, "GUID"); !slices.Equal(got, []string{"local://" + movies[3]}) {
					t.Errorf("after unmatch:\n%s", u.stdout)
				}
			},
		},
		{
			name: "bob's match search is refused by role", env: bob, args: []string{"item", "match", movies[2]},
			code: 1, stderr: []string{"plexkit: listing the matches of item " + movies[2] + " needs the admin role on alice-nas, which only its owner, alice, has", "shared user"},
			check: shortLine,
		},
		{
			name: "bob's match with --guid is refused by role, named as a match", env: bob, args: []string{"item", "match", movies[2], "--guid", "plex://movie/x"},
			code: 1, stderr: []string{"plexkit: matching item " + movies[2] + " needs the admin role on alice-nas, which only its owner, alice, has"},
			check: shortLine,
		},
		{
			name: "bob's unmatch is refused by role", env: bob, args: []string{"item", "unmatch", movies[2]},
			code: 1, stderr: []string{"plexkit: unmatching item " + movies[2] + " needs the admin role on alice-nas", "shared user"},
			check: shortLine,
		},
		{
			name: "--debug adds the refused call", env: bob, args: []string{"item", "unmatch", movies[2], "--debug"},
			code: 1, stderr: []string{"plexkit: unmatching item " + movies[2] + " needs the admin role",
				"plexkit: detail: PUT /library/metadata/" + movies[2] + "/unmatch needs the admin role on alice-nas", "plexkit doctor --server alice-nas"},
		},
		{
			name: "a guid that is no candidate", env: alice, args: []string{"item", "match", movies[9], "--guid", "bogus"},
			code: 2, stderr: []string{`plexkit: "bogus" is not among the matches of item ` + movies[9] + "; list them with `plexkit item match " + movies[9] + "`, or add --force"},
			check: func(t *testing.T, r cliResult) {
				if it := itemJSON(t, alice, movies[9]); it.GUID == "bogus" {
					t.Errorf("the refused guid was applied")
				}
				ts := run(t, alice, "item", "match", movies[9], "--title", "A Different Film", "--year", "1971", "--guid", "bogus")
				ts.expect(t, 2, `is not among the matches of item `+movies[9]+` for "A Different Film" (1971); list them with `+
					"`plexkit item match "+movies[9]+` --title "A Different Film" --year 1971`+"`")
				run(t, alice, "item", "match", movies[9], "--guid", "plex://movie/forced", "--force").mustSucceed(t)
				if it := itemJSON(t, alice, movies[9]); it.GUID != "plex://movie/forced" {
					t.Errorf("--force did not apply the guid: %s", it.GUID)
				}
				run(t, alice, "item", "match", movies[9], "--force").expect(t, 2, "--force applies a --guid")
			},
		},
		{
			name: "the streams of a show", env: alice, args: []string{"item", "streams", shows[0]},
			code: 2, stderr: []string{"plexkit: a show has no streams of its own; pick an episode: `plexkit items 'TV Shows' --type episode --filter 'show.title=="},
			check: func(t *testing.T, r cliResult) {
				hint := r.stderr[strings.Index(r.stderr, "`")+1 : strings.LastIndex(r.stderr, "`")]
				args := []string{"items", "TV Shows", "--type", "episode", "--filter", strings.Trim(strings.SplitN(hint, "--filter ", 2)[1], "'")}
				eps := column(t, run(t, alice, args...).mustSucceed(t).stdout, "TYPE")
				if len(eps) == 0 || eps[0] != "episode" {
					t.Errorf("the hint %q lists %q", hint, eps)
				}
			},
		},
		{
			name: "a show's details say where its media are", env: alice, args: []string{"item", shows[0]},
			check: func(t *testing.T, r cliResult) {
				if !strings.HasSuffix(r.stdout, "\n\nA show has no media of its own; pick an episode: `plexkit items 'TV Shows' --type episode --filter 'show.title=="+itemJSON(t, alice, shows[0]).Title+"'`.\n") {
					t.Errorf("stdout:\n%s", r.stdout)
				}
			},
		},
		{
			name: "where playback stopped, to the second", env: alice, args: []string{"item", movies[10], "--json"},
			check: func(t *testing.T, r cliResult) {
				c, err := pms.NewClient(serverURL(t, e, emulator.ServerAliceNAS), pms.WithToken(aliceNASToken(t, e)),
					pms.WithClientInfo(plexkit.DefaultClientInfo("item-test-player")))
				if err != nil {
					t.Fatal(err)
				}
				if err := c.Watch.SetProgress(context.Background(), movies[10], 49*time.Minute+20999*time.Millisecond); err != nil {
					t.Fatal(err)
				}
				out := run(t, alice, "item", movies[10]).mustSucceed(t).stdout
				if !strings.Contains(out, "watched\tin progress, at 0:49:20\n") {
					t.Errorf("stdout:\n%s", out)
				}
			},
		},
		{
			name: "add, edit and remove a marker", env: alice,
			args: []string{"item", "markers", "add", episodes[1], "--type", "commercial", "--start", "0:05:00", "--end", "5:30.250"},
			check: func(t *testing.T, r cliResult) {
				said, list, _ := strings.Cut(r.stdout, "\n")
				types := column(t, list, "TYPE")
				i := slices.Index(types, "commercial")
				if len(types) != 3 || i < 0 || column(t, list, "START")[i] != "0:05:00" || column(t, list, "END")[i] != "0:05:30.250" {
					t.Fatalf("after add:\n%s", r.stdout)
				}
				id := column(t, list, "MARKER")[i]
				if want := "Added marker " + id + " (commercial 0:05:00–0:05:30.250)."; said != want {
					t.Errorf("add said %q, want %q", said, want)
				}
				ed := run(t, alice, "item", "markers", "edit", episodes[1], id, "--end", "0:06:00", "--json").mustSucceed(t)
				var ms []pms.Marker
				if err := json.Unmarshal([]byte(ed.stdout), &ms); err != nil || len(ms) != 3 {
					t.Fatalf("after edit: %s (%v)", ed.stdout, err)
				}
				for _, m := range ms {
					if string(mustJSON(t, m.ID)) == id && (m.StartTimeOffset != 300_000 || m.EndTimeOffset != 360_000) {
						t.Errorf("edited marker %+v", m)
					}
				}
				rm := run(t, alice, "item", "markers", "rm", episodes[1], id).mustSucceed(t)
				said, list, _ = strings.Cut(rm.stdout, "\n")
				if got := column(t, list, "TYPE"); said != "Removed marker "+id+"." || !slices.Equal(got, []string{"intro", "credits"}) {
					t.Errorf("after rm: %q, %q", said, got)
				}
				again := run(t, alice, "item", "markers", "rm", episodes[1], id)
				again.expect(t, 1, "has no marker "+id, "intro")
			},
		},
		{
			name: "a bookmark is a point: no --end", env: alice,
			args: []string{"item", "markers", "add", episodes[3], "--type", "bookmark", "--start", "0:12:34"},
			check: func(t *testing.T, r cliResult) {
				said, list, _ := strings.Cut(r.stdout, "\n")
				i := slices.Index(column(t, list, "TYPE"), "bookmark")
				if i < 0 || column(t, list, "START")[i] != "0:12:34" || column(t, list, "END")[i] != "0:12:34" || !strings.HasSuffix(said, "(bookmark 0:12:34–0:12:34).") {
					t.Errorf("after adding a bookmark:\n%s", r.stdout)
				}
			},
		},
		{
			name: "any other marker needs --end", env: alice, args: []string{"item", "markers", "add", episodes[3], "--type", "intro", "--start", "0:00:10"},
			code: 2, stderr: []string{"--end is required (only a bookmark is a point)"},
		},
		{
			name: "a marker past the item's end", env: alice, args: []string{"item", "markers", "add", episodes[2], "--type", "intro", "--start", "0:00:10", "--end", "9:00:00"},
			code: 1, stderr: []string{"alice-nas refused the marker (400)", "within the item"},
			check: oneLine,
		},
		{
			name: "a marker time that is no time", env: alice, args: []string{"item", "markers", "add", episodes[2], "--type", "intro", "--start", "1:75", "--end", "2:00"},
			code: 2, stderr: []string{`--start "1:75" is not a time`},
		},
		{
			name: "a marker type that is none", env: alice, args: []string{"item", "markers", "add", episodes[2], "--type", "outro", "--start", "1:00", "--end", "2:00"},
			code: 2, stderr: []string{`--type "outro" is not a marker type: intro, credits, commercial, bookmark`},
		},
		{
			name: "bob's marker is not kept", env: bob, args: []string{"item", "markers", "add", movies[4], "--type", "intro", "--start", "0:00:01", "--end", "0:00:02"},
			code: 1, stderr: []string{"alice-nas did not add the marker", "only the markers of its owner, alice", "shared user"},
			check: func(t *testing.T, r cliResult) {
				oneLine(t, r)
				if it := itemJSON(t, alice, movies[4]); len(it.Markers) != 1 {
					t.Errorf("markers after bob's add: %+v", it.Markers)
				}
			},
		},
		{
			name: "bob's marker removal is not kept", env: bob, args: []string{"item", "markers", movies[5]},
			check: func(t *testing.T, r cliResult) {
				id := column(t, r.stdout, "MARKER")[0]
				rm := run(t, bob, "item", "markers", "rm", movies[5], id)
				rm.expect(t, 1, "alice-nas kept marker "+id, "shared user")
				if got := column(t, run(t, alice, "item", "markers", movies[5]).mustSucceed(t).stdout, "MARKER"); !slices.Equal(got, []string{id}) {
					t.Errorf("alice's markers after bob's rm: %q", got)
				}
			},
		},
		{
			name: "choose subtitles, then turn them off", env: alice, args: []string{"item", "streams", movies[6]},
			check: func(t *testing.T, r cliResult) {
				audio, sub, selAudio, selSub := streamsOf(t, alice, movies[6])
				if audio == "" || sub == "" || selAudio != audio || selSub != "" {
					t.Fatalf("streams %s %s, selected %s %s", audio, sub, selAudio, selSub)
				}
				on := run(t, alice, "item", "streams", movies[6], "--audio", audio, "--subtitle", sub).mustSucceed(t)
				if got := column(t, on.stdout, "SELECTED"); !slices.Equal(got, []string{"yes", "yes"}) {
					t.Errorf("after choosing subtitles:\n%s", on.stdout)
				}
				if _, _, _, bobSub := streamsOf(t, bob, movies[6]); bobSub != "" {
					t.Errorf("bob sees alice's subtitles %s", bobSub)
				}
				run(t, alice, "item", "streams", movies[6], "--subtitle", "off").mustSucceed(t)
				if _, _, a, s := streamsOf(t, alice, movies[6]); a != audio || s != "" {
					t.Errorf("after --subtitle off: audio %s subtitle %s", a, s)
				}
			},
		},
		{
			name: "bob chooses his own subtitles", env: bob, args: []string{"item", "streams", movies[7], "--json"},
			check: func(t *testing.T, r cliResult) {
				_, sub, _, _ := streamsOf(t, bob, movies[7])
				run(t, bob, "item", "streams", movies[7], "--subtitle", sub).mustSucceed(t)
				if _, _, _, s := streamsOf(t, bob, movies[7]); s != sub {
					t.Errorf("bob's subtitle %q, want %s", s, sub)
				}
				if _, _, _, s := streamsOf(t, alice, movies[7]); s != "" {
					t.Errorf("alice sees bob's subtitle %s", s)
				}
			},
		},
		{
			name: "a subtitle stream given as audio", env: alice, args: []string{"item", "streams", movies[8]},
			check: func(t *testing.T, r cliResult) {
				_, sub, _, _ := streamsOf(t, alice, movies[8])
				run(t, alice, "item", "streams", movies[8], "--audio", sub).expect(t, 2, "stream "+sub+" of item "+movies[8]+" is subtitle, not audio")
				run(t, alice, "item", "streams", movies[8], "--audio", "12").expect(t, 2, "has no audio stream 12; its streams: ")
				run(t, alice, "item", "streams", movies[8], "--subtitle", "english").expect(t, 2, `--subtitle "english" is not a stream ID`)
			},
		},
	}
	runCases(t, tests, run, secrets...)
}

// On a terminal, an item's details are aligned columns, block by block, with no tab left.
func TestItemOnTerminal(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	env, _ := srvLogin(t, e, "alice")
	key := itemKeys(t, env, "1", 1)[0]
	streams, _, out, errOut := TestIO()
	streams.OutTTY = true
	if code := Run([]string{"item", key, "--server", "alice-nas"}, streams, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(out.String(), "\t") {
		t.Errorf("tabs on a terminal:\n%s", out)
	}
	var header string
	for _, l := range lines(out.String()) {
		if strings.HasPrefix(l, "MARKER") {
			header = l
		}
	}
	if !regexp.MustCompile(`^MARKER +TYPE +START +END$`).MatchString(header) {
		t.Errorf("marker header %q in\n%s", header, out)
	}
}
