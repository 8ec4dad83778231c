package cli

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestItemArt lists an item's posters and art, uploads a file and a URL, chooses one, and is
// refused what the server refuses, against the emulator.
func TestItemArt(t *testing.T) {
	t.Parallel()
	e := srvEmulator(t)
	alice, _ := srvLogin(t, e, "alice")
	bob, _ := srvLogin(t, e, "bob")
	movies := itemKeys(t, alice, "1", 3)
	run := runAdding("--server", "alice-nas")

	// table reads the listing after an optional first line of what was done.
	table := func(t *testing.T, out, did string) string {
		t.Helper()
		if did != "" {
			first, rest, _ := strings.Cut(out, "\n")
			if !strings.Contains(first, did) {
				t.Fatalf("first line %q, want %q", first, did)
			}
			return rest
		}
		return out
	}
	selectedKey := func(t *testing.T, out string) string {
		t.Helper()
		keys, sel := column(t, out, "KEY"), column(t, out, "SELECTED")
		i := slices.Index(sel, "yes")
		if i < 0 || slices.Index(sel[i+1:], "yes") >= 0 {
			t.Fatalf("not one selected: %q", sel)
		}
		return keys[i]
	}

	out := run(t, alice, "item", "art", movies[0]).mustSucceed(t).stdout
	keys := column(t, out, "KEY")
	if len(keys) != 2 || selectedKey(t, out) != keys[0] || !slices.Equal(column(t, out, "PROVIDER"), []string{"tv.plex.agents.movie", "tv.plex.agents.movie"}) {
		t.Fatalf("posters:\n%s", out)
	}

	// Upload a file: it is listed, selected, with no provider.
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "poster.png")
	if err := os.WriteFile(file, img.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out = table(t, run(t, alice, "item", "art", movies[0], "--upload", file).mustSucceed(t).stdout, "Uploaded "+file)
	if up := selectedKey(t, out); !strings.HasPrefix(up, "upload://posters/") || len(column(t, out, "KEY")) != 3 {
		t.Errorf("after the upload:\n%s", out)
	}
	// Choose the agent's second.
	out = table(t, run(t, alice, "item", "art", movies[0], "--select", keys[1]).mustSucceed(t).stdout, "The item shows "+keys[1])
	if selectedKey(t, out) != keys[1] {
		t.Errorf("after --select:\n%s", out)
	}
	// Background art by URL, read back as JSON.
	link := "https://images.example.com/backdrop.jpg"
	r := run(t, alice, "item", "art", movies[1], "--kind", "art", "--upload", link, "--json").mustSucceed(t)
	var arts []struct {
		RatingKey string `json:"ratingKey"`
		Selected  bool   `json:"selected"`
		Provider  string `json:"provider"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &arts); err != nil || len(arts) != 3 || arts[2].RatingKey != link || !arts[2].Selected || arts[0].Selected {
		t.Errorf("--kind art --upload URL --json: %v\n%s", err, r.stdout)
	}

	// Refusals.
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(notImage, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []cliCase{
		{name: "bob may list", env: bob, args: []string{"item", "art", movies[0]}},
		{name: "bob may not upload", env: bob, args: []string{"item", "art", movies[0], "--upload", link}, code: ExitFailure,
			stderr: []string{"uploading a poster needs the admin role on alice-nas", "shared user"}},
		{name: "bob may not choose", env: bob, args: []string{"item", "art", movies[0], "--select", keys[0]}, code: ExitFailure,
			stderr: []string{"choosing a poster needs the admin role"}},
		{name: "a file that is no image", env: alice, args: []string{"item", "art", movies[2], "--upload", notImage}, code: ExitFailure,
			stderr: []string{"alice-nas refused the image", "PNG, JPEG or WebP"}},
		{name: "a missing file", env: alice, args: []string{"item", "art", movies[2], "--upload", filepath.Join(t.TempDir(), "none.png")}, code: ExitUsage,
			stderr: []string{"--upload:"}},
		{name: "an unlisted key", env: alice, args: []string{"item", "art", movies[2], "--select", "upload://posters/none"}, code: ExitUsage,
			stderr: []string{"lists no poster", "its KEYs: metadata://posters/tv.plex.agents.movie_"}},
		{name: "both changes", env: alice, args: []string{"item", "art", movies[2], "--select", keys[0], "--upload", link}, code: ExitUsage,
			stderr: []string{"give one"}},
		{name: "an unknown kind", env: alice, args: []string{"item", "art", movies[2], "--kind", "banner"}, code: ExitUsage,
			stderr: []string{`--kind "banner"`}},
		{name: "an unknown item", env: alice, args: []string{"item", "art", "999999"}, code: ExitFailure,
			stderr: []string{"has no item 999999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, tc.env, tc.args...).expect(t, tc.code, tc.stderr...)
		})
	}
	// Nothing refused changed the third movie's poster, nor bob's attempts the first's.
	if out := run(t, alice, "item", "art", movies[2]).mustSucceed(t).stdout; len(column(t, out, "KEY")) != 2 {
		t.Errorf("after the refusals:\n%s", out)
	}
	if out := run(t, alice, "item", "art", movies[0]).mustSucceed(t).stdout; selectedKey(t, out) != keys[1] {
		t.Errorf("after bob's attempts:\n%s", out)
	}
}
