package emulator_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/emulator"
)

// pmsXML reads path from a server in XML (no Accept, the PMS default) and returns the
// MediaContainer.
func pmsXML(t testing.TB, e *emulator.Emulator, serverURL, path, token string) *node {
	t.Helper()
	res := do(t, e, req{method: "GET", url: serverURL + path, token: token, accept: "-"})
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	return wantRoot(t, parseXML(t, res.body), "MediaContainer")
}

// pmsJSON reads path from a server in JSON and returns the MediaContainer object.
func pmsJSON(t testing.TB, e *emulator.Emulator, serverURL, path, token string) map[string]any {
	t.Helper()
	res := do(t, e, req{method: "GET", url: serverURL + path, token: token})
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, res.status, res.body)
	}
	return obj(t, obj(t, parseJSON(t, res.body))["MediaContainer"])
}

// jsonKids returns the objects of the array m[key].
func jsonKids(t testing.TB, m map[string]any, key string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, v := range arr(t, m[key]) {
		out = append(out, obj(t, v))
	}
	return out
}

// wantAttrValues checks attribute values of an XML element.
func wantAttrValues(t testing.TB, n *node, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if n.Attrs[k] != v {
			t.Errorf("<%s %s=%q>, want %q", n.Name, k, n.Attrs[k], v)
		}
	}
}

// wantJSONValues checks string values of a JSON object (numbers compared in their JSON form).
func wantJSONValues(t testing.TB, m map[string]any, what string, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s %q = %v (%T), want %v", what, k, m[k], m[k], v)
		}
	}
}

// TestSeededSections checks alice-nas's sections against the library python-plexapi's tests
// assume (reference C.1): four sections with their types, agents, scanners and languages.
func TestSeededSections(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	alice := e.LegacyToken("alice")
	want := []map[string]string{
		{"key": "1", "type": "movie", "title": "Movies", "agent": "tv.plex.agents.movie", "scanner": "Plex Movie", "language": "en-US"},
		{"key": "2", "type": "show", "title": "TV Shows", "agent": "tv.plex.agents.series", "scanner": "Plex TV Series", "language": "en-US"},
		{"key": "3", "type": "artist", "title": "Music", "agent": "tv.plex.agents.music", "scanner": "Plex Music", "language": "en-US"},
		{"key": "4", "type": "photo", "title": "Photos", "agent": "com.plexapp.agents.none", "scanner": "Plex Photo Scanner", "language": "en"},
	}
	paths := map[string]string{"3": "/data/Music", "4": "/data/Photos"}

	t.Run("XML", func(t *testing.T) {
		mc := pmsXML(t, e, nas, "/library/sections", alice)
		dirs := mc.kids("Directory")
		if mc.Attrs["size"] != "4" || len(dirs) != len(want) {
			t.Fatalf("size=%q with %d <Directory>, want 4", mc.Attrs["size"], len(dirs))
		}
		for i, d := range dirs {
			wantAttrValues(t, d, want[i])
			wantBools(t, d, "allowSync", "filters", "refreshing", "content", "directory")
			if len(d.Attrs["uuid"]) != 36 {
				t.Errorf("section %s uuid %q", d.Attrs["key"], d.Attrs["uuid"])
			}
			loc := d.kid(t, "Location")
			if p, ok := paths[d.Attrs["key"]]; ok && loc.Attrs["path"] != p {
				t.Errorf("section %s location %q, want %q", d.Attrs["key"], loc.Attrs["path"], p)
			}
		}
	})
	t.Run("JSON", func(t *testing.T) {
		dirs := jsonKids(t, pmsJSON(t, e, nas, "/library/sections", alice), "Directory")
		if len(dirs) != len(want) {
			t.Fatalf("%d sections, want 4", len(dirs))
		}
		for i, d := range dirs {
			w := map[string]any{}
			for k, v := range want[i] {
				w[k] = v
			}
			wantJSONValues(t, d, "section "+want[i]["key"], w)
			if loc := jsonKids(t, d, "Location"); len(loc) != 1 {
				t.Errorf("section %s has %d locations", want[i]["key"], len(loc))
			}
		}
	})
	t.Run("sizes", func(t *testing.T) {
		for key, size := range map[string]string{"1": "2000", "2": "350", "3": "120", "4": "24"} {
			mc := pmsXML(t, e, nas, "/library/sections/"+key+"/all?X-Plex-Container-Start=0&X-Plex-Container-Size=1", alice)
			if mc.Attrs["totalSize"] != size {
				t.Errorf("section %s totalSize %q, want %s", key, mc.Attrs["totalSize"], size)
			}
		}
	})
	t.Run("LibrarySize sets Movies only", func(t *testing.T) {
		e := start(t, emulator.Options{LibrarySize: 37})
		nas := serverURL(t, e, emulator.ServerAliceNAS)
		for key, size := range map[string]string{"1": "37", "3": "120", "4": "24"} {
			mc := pmsXML(t, e, nas, "/library/sections/"+key+"/all?X-Plex-Container-Start=0&X-Plex-Container-Size=1", e.LegacyToken("alice"))
			if mc.Attrs["totalSize"] != size {
				t.Errorf("section %s totalSize %q, want %s", key, mc.Attrs["totalSize"], size)
			}
		}
	})
}

// TestSeededMusic walks artist → album → track of the sample (reference C.4) in XML and JSON,
// with the element names of reference B.5: Directory for artists and albums, Track with
// Media/Part/Stream for tracks.
func TestSeededMusic(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	alice := e.LegacyToken("alice")

	t.Run("XML", func(t *testing.T) {
		artists := pmsXML(t, e, nas, "/library/sections/3/all", alice)
		if n := len(artists.kids("Directory")); n != 120 || len(artists.Kids) != n {
			t.Fatalf("Music lists %d <Directory> of %d children, want 120 artists", n, len(artists.Kids))
		}
		artist := artists.Kids[0]
		// A PMS numbers every artist 1 (reference C.4).
		wantAttrValues(t, artist, map[string]string{"type": "artist", "title": "Broke For Free", "index": "1",
			"guid": "plex://artist/5d07bdaf403c64029060f8c4", "librarySectionID": "3", "librarySectionTitle": "Music"})
		if !strings.HasSuffix(artist.Attrs["key"], "/children") {
			t.Errorf("artist key %q, want …/children", artist.Attrs["key"])
		}

		albums := pmsXML(t, e, nas, "/library/metadata/"+artist.Attrs["ratingKey"]+"/children", alice)
		album := albums.kid(t, "Directory")
		if len(albums.Kids) != 1 {
			t.Fatalf("the artist has %d children, want the album Layers", len(albums.Kids))
		}
		wantAttrValues(t, album, map[string]string{"type": "album", "title": "Layers", "parentTitle": "Broke For Free",
			"parentRatingKey": artist.Attrs["ratingKey"], "guid": "plex://album/5d07c7e5403c640290bb5bfc", "studio": "[no label]",
			"leafCount": "1"})

		tracks := pmsXML(t, e, nas, "/library/metadata/"+album.Attrs["ratingKey"]+"/children", alice)
		track := tracks.kid(t, "Track")
		if len(tracks.Kids) != 1 {
			t.Fatalf("the album has %d children, want one track", len(tracks.Kids))
		}
		wantAttrValues(t, track, map[string]string{"type": "track", "title": "As Colourful as Ever",
			"guid": "plex://track/5d07e453403c6402907b80aa", "index": "1", "parentIndex": "1",
			"parentTitle": "Layers", "grandparentTitle": "Broke For Free",
			"parentRatingKey": album.Attrs["ratingKey"], "grandparentRatingKey": artist.Attrs["ratingKey"]})
		// The sample track's file, as python-plexapi's tests assert it (reference C.4).
		media := track.kid(t, "Media")
		wantAttrValues(t, media, map[string]string{"audioCodec": "mp3", "bitrate": "128", "audioChannels": "2"})
		part := media.kid(t, "Part")
		wantAttrValues(t, part, map[string]string{"size": "3761053", "file": "/data/Music/Broke For Free/1 - As Colorful As Ever.mp3"})
		// Lists leave streams out, as PMS does; the track's own metadata has them.
		detail := pmsXML(t, e, nas, "/library/metadata/"+track.Attrs["ratingKey"], alice).kid(t, "Track")
		stream := detail.kid(t, "Media").kid(t, "Part").kid(t, "Stream")
		wantAttrValues(t, stream, map[string]string{"streamType": "2", "index": "0", "codec": "mp3",
			"audioChannelLayout": "stereo", "samplingRate": "48000"})
		// The artist's detail view has its one folder.
		artistDetail := pmsXML(t, e, nas, "/library/metadata/"+artist.Attrs["ratingKey"], alice).kid(t, "Directory")
		if locs := artistDetail.kids("Location"); len(locs) != 1 {
			t.Errorf("the artist's detail view has %d <Location>, want 1", len(locs))
		}

		// The artist's leaves are the same one track.
		leaves := pmsXML(t, e, nas, "/library/metadata/"+artist.Attrs["ratingKey"]+"/allLeaves", alice)
		if l := leaves.kid(t, "Track"); l.Attrs["ratingKey"] != track.Attrs["ratingKey"] {
			t.Errorf("allLeaves %v, want the album's track", l.Attrs)
		}
	})
	t.Run("JSON", func(t *testing.T) {
		artist := jsonKids(t, pmsJSON(t, e, nas, "/library/sections/3/all", alice), "Metadata")[0]
		wantJSONValues(t, artist, "artist", map[string]any{"type": "artist", "title": "Broke For Free"})
		albums := jsonKids(t, pmsJSON(t, e, nas, "/library/metadata/"+artist["ratingKey"].(string)+"/children", alice), "Metadata")
		if len(albums) != 1 {
			t.Fatalf("%d albums, want 1", len(albums))
		}
		wantJSONValues(t, albums[0], "album", map[string]any{"type": "album", "title": "Layers", "parentTitle": "Broke For Free"})
		tracks := jsonKids(t, pmsJSON(t, e, nas, "/library/metadata/"+albums[0]["ratingKey"].(string)+"/children", alice), "Metadata")
		if len(tracks) != 1 {
			t.Fatalf("%d tracks, want 1", len(tracks))
		}
		wantJSONValues(t, tracks[0], "track", map[string]any{"type": "track", "title": "As Colourful as Ever",
			"index": float64(1), "parentIndex": float64(1), "grandparentTitle": "Broke For Free"})
		detail := jsonKids(t, pmsJSON(t, e, nas, "/library/metadata/"+tracks[0]["ratingKey"].(string), alice), "Metadata")
		if len(detail) != 1 || detail[0]["type"] != "track" {
			t.Fatalf("the track's metadata: %v", detail)
		}
		media := jsonKids(t, detail[0], "Media")
		if len(media) != 1 {
			t.Fatalf("track has %d Media", len(media))
		}
		parts := jsonKids(t, media[0], "Part")
		if len(parts) != 1 {
			t.Fatalf("track has %d Part", len(parts))
		}
		if streams := jsonKids(t, parts[0], "Stream"); len(streams) != 1 || streams[0]["streamType"] != float64(2) {
			t.Errorf("track streams %v, want one audio stream", streams)
		}
	})
}

// TestSeededPhotos walks the Cats album (reference C.4) in XML and JSON: photo albums are
// Directory type="photo", photos are Photo type="photo" (reference B.5).
func TestSeededPhotos(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	alice := e.LegacyToken("alice")

	t.Run("XML", func(t *testing.T) {
		all := pmsXML(t, e, nas, "/library/sections/4/all", alice)
		if n := len(all.kids("Directory")); n != 24 || len(all.Kids) != n {
			t.Fatalf("Photos lists %d <Directory> of %d children, want 24 albums", n, len(all.Kids))
		}
		cats := all.Kids[0]
		wantAttrValues(t, cats, map[string]string{"type": "photo", "title": "Cats", "librarySectionID": "4"})
		if !strings.HasSuffix(cats.Attrs["key"], "/children") {
			t.Errorf("photo album key %q, want …/children", cats.Attrs["key"])
		}
		kids := pmsXML(t, e, nas, "/library/metadata/"+cats.Attrs["ratingKey"]+"/children", alice)
		var albums, photos []string
		var inBed string
		for _, k := range kids.Kids {
			if k.Attrs["type"] != "photo" {
				t.Errorf("<%s type=%q> in a photo album", k.Name, k.Attrs["type"])
			}
			switch k.Name {
			case "Directory":
				albums = append(albums, k.Attrs["title"])
				if k.Attrs["title"] == "Cats in bed" {
					inBed = k.Attrs["ratingKey"]
				}
			case "Photo":
				photos = append(photos, k.Attrs["title"])
				wantAttrValues(t, k, map[string]string{"parentTitle": "Cats", "parentRatingKey": cats.Attrs["ratingKey"]})
				k.kid(t, "Media").kid(t, "Part")
			default:
				t.Errorf("<%s> in a photo album", k.Name)
			}
		}
		if !slices.Equal(albums, []string{"Cats in bed", "Cats not in bed", "Not cats in bed"}) || !slices.Equal(photos, []string{"photo1", "photo2", "photo3"}) {
			t.Fatalf("Cats holds albums %v and photos %v", albums, photos)
		}
		seven := pmsXML(t, e, nas, "/library/metadata/"+inBed+"/children", alice)
		if n := len(seven.kids("Photo")); n != 7 || len(seven.Kids) != 7 {
			t.Errorf("Cats in bed holds %d photos of %d children, want 7", n, len(seven.Kids))
		}
	})
	t.Run("JSON", func(t *testing.T) {
		cats := jsonKids(t, pmsJSON(t, e, nas, "/library/sections/4/all", alice), "Metadata")[0]
		wantJSONValues(t, cats, "album", map[string]any{"type": "photo", "title": "Cats"})
		var titles []string
		for _, k := range jsonKids(t, pmsJSON(t, e, nas, "/library/metadata/"+cats["ratingKey"].(string)+"/children", alice), "Metadata") {
			title, _ := k["title"].(string)
			if _, isPhoto := k["Media"]; isPhoto {
				title += " (photo)"
			}
			titles = append(titles, title)
		}
		want := []string{"Cats in bed", "Cats not in bed", "Not cats in bed", "photo1 (photo)", "photo2 (photo)", "photo3 (photo)"}
		if !slices.Equal(titles, want) {
			t.Errorf("Cats holds %v, want %v", titles, want)
		}
	})
}

// TestSeededShares checks what bob and carol see of the new sections: bob has Movies and Music,
// not TV Shows or Photos; carol, a managed user, sees everything.
func TestSeededShares(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Options{})
	nas := serverURL(t, e, emulator.ServerAliceNAS)
	tokens := map[string]string{"bob": accessTokens(t, e, "bob")[emulator.ServerAliceNAS], "carol": accessTokens(t, e, "carol")[emulator.ServerAliceNAS]}
	for _, tt := range []struct {
		user string
		sees []string
	}{
		{"bob", []string{"1", "3"}},
		{"carol", []string{"1", "2", "3", "4"}},
	} {
		t.Run(tt.user, func(t *testing.T) {
			tok := tokens[tt.user]
			var types []string
			for _, d := range pmsXML(t, e, nas, "/library/sections", tok).kids("Directory") {
				types = append(types, d.Attrs["key"]+" "+d.Attrs["type"])
			}
			var want []string
			for _, k := range tt.sees {
				want = append(want, k+" "+map[string]string{"1": "movie", "2": "show", "3": "artist", "4": "photo"}[k])
			}
			if !slices.Equal(types, want) {
				t.Errorf("%s sees %v, want %v", tt.user, types, want)
			}
			for _, key := range []string{"1", "2", "3", "4"} {
				res := do(t, e, req{method: "GET", url: nas + "/library/sections/" + key + "/all", token: tok, accept: "-"})
				if wantOK := slices.Contains(tt.sees, key); (res.status == http.StatusOK) != wantOK {
					t.Errorf("%s lists section %s: %d, shared: %v", tt.user, key, res.status, wantOK)
				}
			}
		})
	}
	t.Run("bob walks the shared music, not the photos", func(t *testing.T) {
		alice := e.LegacyToken("alice")
		artist := pmsXML(t, e, nas, "/library/sections/3/all", alice).Kids[0].Attrs["ratingKey"]
		cats := pmsXML(t, e, nas, "/library/sections/4/all", alice).Kids[0].Attrs["ratingKey"]
		pmsXML(t, e, nas, "/library/metadata/"+artist+"/children", tokens["bob"]).kid(t, "Directory")
		if res := do(t, e, req{method: "GET", url: nas + "/library/metadata/" + cats + "/children", token: tokens["bob"], accept: "-"}); res.status == http.StatusOK {
			t.Errorf("bob reads the children of a photo album in an unshared section: %d %s", res.status, res.body)
		}
	})
}
