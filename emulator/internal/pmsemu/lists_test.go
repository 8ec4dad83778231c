package pmsemu

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// firstKeys returns the rating keys of the first n items of section sec, as a client finds
// them.
func firstKeys(t *testing.T, f *fixture, sec string, n int) []string {
	t.Helper()
	var body struct {
		MediaContainer struct{ Metadata []struct{ RatingKey string } }
	}
	decodeJSON(t, mustDo(t, f, req{path: "/library/sections/" + sec + "/all?X-Plex-Container-Size=" + strconv.Itoa(n), token: ownerToken, json: true}), &body)
	var out []string
	for _, m := range body.MediaContainer.Metadata {
		out = append(out, m.RatingKey)
	}
	if len(out) != n {
		t.Fatalf("section %s: %d items, want %d", sec, len(out), n)
	}
	return out
}

func itemsURI(keys ...string) string {
	return url.QueryEscape("server://" + testMachineID + "/com.plexapp.plugins.library/library/metadata/" + strings.Join(keys, ","))
}

type listJSON struct {
	MediaContainer struct {
		Size                            int
		TotalSize                       int
		PlayQueueID                     int
		PlayQueueSelectedItemID         int
		PlayQueueSelectedItemOffset     int
		PlayQueueSelectedMetadataItemID int
		PlayQueueShuffled               bool
		PlayQueueTotalCount             int
		PlayQueueVersion                int
		PlayQueueLastAddedItemID        string
		Metadata                        []struct {
			RatingKey, Title, Type, PlaylistType, Subtype string
			Smart                                         bool
			LeafCount, ChildCount                         int
			PlaylistItemID, PlayQueueItemID               int
		}
	}
}

func getList(t *testing.T, f *fixture, r req) listJSON {
	t.Helper()
	r.json = true
	if r.token == "" {
		r.token = ownerToken
	}
	var out listJSON
	decodeJSON(t, mustDo(t, f, r), &out)
	return out
}

func keysOf(l listJSON) []string {
	var out []string
	for _, m := range l.MediaContainer.Metadata {
		out = append(out, m.RatingKey)
	}
	return out
}

func entryOf(t *testing.T, l listJSON, rk string) int {
	t.Helper()
	for _, m := range l.MediaContainer.Metadata {
		if m.RatingKey == rk {
			return m.PlaylistItemID + m.PlayQueueItemID
		}
	}
	t.Fatalf("%s not in %v", rk, keysOf(l))
	return 0
}

func TestPlaylists(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 4)

	created := getList(t, f, req{method: "POST", path: "/playlists?type=video&title=Road+trip&smart=0&uri=" + itemsURI(k[0], k[1], k[2])})
	pl := created.MediaContainer.Metadata[0]
	if pl.Title != "Road trip" || pl.Type != "playlist" || pl.PlaylistType != "video" || pl.Smart || pl.LeafCount != 3 {
		t.Fatalf("created: %+v", pl)
	}
	base := "/playlists/" + pl.RatingKey
	items := func() listJSON { return getList(t, f, req{path: base + "/items"}) }
	if got := keysOf(items()); !slices.Equal(got, k[:3]) {
		t.Fatalf("items %v, want %v", got, k[:3])
	}
	if x := mustDo(t, f, req{path: base + "/items", token: ownerToken}).body; !strings.Contains(x, `playlistItemID="`) || !strings.Contains(x, "<Video ") {
		t.Errorf("items in XML: %.400s", x)
	}

	if l := getList(t, f, req{path: "/playlists"}); len(l.MediaContainer.Metadata) != 1 {
		t.Errorf("the owner's playlists: %+v", l)
	}
	if l := getList(t, f, req{path: "/playlists", token: friendToken}); len(l.MediaContainer.Metadata) != 0 {
		t.Errorf("a friend sees the owner's playlists: %+v", l)
	}
	if resp := f.do(t, req{path: base, token: friendToken}); resp.status != 404 {
		t.Errorf("a friend opening the owner's playlist: %d, want 404", resp.status)
	}

	if l := getList(t, f, req{method: "PUT", path: base + "/items?uri=" + itemsURI(k[3])}); l.MediaContainer.Metadata[0].LeafCount != 4 {
		t.Errorf("after adding: %+v", l)
	}
	l := items()
	mustDo(t, f, req{method: "PUT", path: base + "/items/" + strconv.Itoa(entryOf(t, l, k[3])) + "/move", token: ownerToken})
	if got, want := keysOf(items()), []string{k[3], k[0], k[1], k[2]}; !slices.Equal(got, want) {
		t.Errorf("moved to the front: %v, want %v", got, want)
	}
	mustDo(t, f, req{method: "PUT", path: base + "/items/" + strconv.Itoa(entryOf(t, l, k[3])) + "/move?after=" + strconv.Itoa(entryOf(t, l, k[1])), token: ownerToken})
	if got, want := keysOf(items()), []string{k[0], k[1], k[3], k[2]}; !slices.Equal(got, want) {
		t.Errorf("moved after the second: %v, want %v", got, want)
	}
	mustDo(t, f, req{method: "DELETE", path: base + "/items/" + strconv.Itoa(entryOf(t, l, k[0])), token: ownerToken})
	if got, want := keysOf(items()), []string{k[1], k[3], k[2]}; !slices.Equal(got, want) {
		t.Errorf("after removing the first: %v, want %v", got, want)
	}
	if resp := f.do(t, req{method: "DELETE", path: base + "/items/999999", token: ownerToken}); resp.status != 404 {
		t.Errorf("removing an item not in the playlist: %d", resp.status)
	}

	if resp := mustDo(t, f, req{method: "PUT", path: base + "?title=Long+trip&summary=films", token: ownerToken}); resp.status != 204 {
		t.Errorf("edit: %d, want 204", resp.status)
	}
	if got := getList(t, f, req{path: base}).MediaContainer.Metadata[0]; got.Title != "Long trip" {
		t.Errorf("after the edit: %+v", got)
	}
	mustDo(t, f, req{method: "DELETE", path: base + "/items", token: ownerToken})
	if got := items(); got.MediaContainer.TotalSize != 0 {
		t.Errorf("after clearing: %+v", got)
	}
	if resp := mustDo(t, f, req{method: "DELETE", path: base, token: ownerToken}); resp.status != 204 {
		t.Errorf("delete: %d, want 204", resp.status)
	}
	if resp := f.do(t, req{path: base, token: ownerToken}); resp.status != 404 {
		t.Errorf("a deleted playlist: %d, want 404", resp.status)
	}

	for _, bad := range []struct{ path, why string }{
		{"/playlists?type=video&title=x&uri=junk", "uri: want"},
		{"/playlists?type=video&title=x", "uri or playQueueID is required"},
		{"/playlists?type=radio&title=x&uri=" + itemsURI(k[0]), "type must be video, audio or photo"},
	} {
		if resp := f.do(t, req{method: "POST", path: bad.path, token: ownerToken}); resp.status != 400 || !strings.Contains(resp.body, bad.why) {
			t.Errorf("POST %s: %d %q, want 400 with %q", bad.path, resp.status, resp.body, bad.why)
		}
	}
	// The managed user sees only the music section: movies are not theirs to list.
	if resp := f.do(t, req{method: "POST", path: "/playlists?type=video&title=x&uri=" + itemsURI(k[0]), token: managedToken}); resp.status != 400 {
		t.Errorf("a playlist of items the caller cannot see: %d, want 400", resp.status)
	}
}

func TestSmartPlaylistAndShows(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	query := url.QueryEscape("server://" + testMachineID + "/com.plexapp.plugins.library/library/sections/1/all?type=1&sort=titleSort&limit=5")
	smart := getList(t, f, req{method: "POST", path: "/playlists?type=video&title=Five&smart=1&uri=" + query}).MediaContainer.Metadata[0]
	if !smart.Smart || smart.LeafCount != 5 {
		t.Fatalf("smart playlist: %+v", smart)
	}
	want := keysOf(getList(t, f, req{path: "/library/sections/1/all?type=1&sort=titleSort&limit=5"}))
	if got := keysOf(getList(t, f, req{path: "/playlists/" + smart.RatingKey + "/items"})); !slices.Equal(got, want) {
		t.Errorf("smart playlist items %v, want the query's %v", got, want)
	}
	if resp := f.do(t, req{method: "PUT", path: "/playlists/" + smart.RatingKey + "/items?uri=" + itemsURI(want[0]), token: ownerToken}); resp.status != 400 {
		t.Errorf("adding items to a smart playlist: %d, want 400", resp.status)
	}
	// A new query replaces the old (python-plexapi's updateFilters).
	two := url.QueryEscape("server://" + testMachineID + "/com.plexapp.plugins.library/library/sections/1/all?type=1&sort=titleSort:desc&limit=2")
	if l := getList(t, f, req{method: "PUT", path: "/playlists/" + smart.RatingKey + "/items?uri=" + two}); l.MediaContainer.Metadata[0].LeafCount != 2 {
		t.Errorf("after a new query: %+v", l)
	}
	want = keysOf(getList(t, f, req{path: "/library/sections/1/all?type=1&sort=titleSort:desc&limit=2"}))
	if got := keysOf(getList(t, f, req{path: "/playlists/" + smart.RatingKey + "/items"})); !slices.Equal(got, want) {
		t.Errorf("smart playlist items %v, want the new query's %v", got, want)
	}

	// A show stands for its episodes.
	show := firstKeys(t, f, "2", 1)[0]
	var leaves struct {
		MediaContainer struct{ Metadata []struct{ LeafCount int } }
	}
	decodeJSON(t, mustDo(t, f, req{path: "/library/metadata/" + show, token: ownerToken, json: true}), &leaves)
	pl := getList(t, f, req{method: "POST", path: "/playlists?title=Binge&smart=0&uri=" + itemsURI(show)}).MediaContainer.Metadata[0]
	if pl.LeafCount != leaves.MediaContainer.Metadata[0].LeafCount || pl.LeafCount == 0 {
		t.Errorf("a playlist of a show has %d items, want its %d episodes", pl.LeafCount, leaves.MediaContainer.Metadata[0].LeafCount)
	}
	for _, m := range getList(t, f, req{path: "/playlists/" + pl.RatingKey + "/items"}).MediaContainer.Metadata {
		if m.Type != "episode" {
			t.Fatalf("a show's playlist holds a %s", m.Type)
		}
	}
}

func TestPlayQueues(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 4)

	q := getList(t, f, req{method: "POST", path: "/playQueues?type=video&key=%2Flibrary%2Fmetadata%2F" + k[1] + "&uri=" + itemsURI(k[0], k[1], k[2])})
	mc := q.MediaContainer
	if mc.PlayQueueID == 0 || mc.PlayQueueTotalCount != 3 || mc.PlayQueueSelectedItemOffset != 1 ||
		strconv.Itoa(mc.PlayQueueSelectedMetadataItemID) != k[1] || mc.PlayQueueSelectedItemID != entryOf(t, q, k[1]) || mc.PlayQueueVersion != 1 {
		t.Fatalf("created: %+v", mc)
	}
	base := "/playQueues/" + strconv.Itoa(mc.PlayQueueID)

	q = getList(t, f, req{method: "PUT", path: base + "?next=1&uri=" + itemsURI(k[3])})
	if got, want := keysOf(q), []string{k[0], k[1], k[3], k[2]}; !slices.Equal(got, want) {
		t.Errorf("added next: %v, want %v", got, want)
	}
	if q.MediaContainer.PlayQueueVersion != 2 || q.MediaContainer.PlayQueueLastAddedItemID != strconv.Itoa(entryOf(t, q, k[3])) {
		t.Errorf("after adding: %+v", q.MediaContainer)
	}

	q = getList(t, f, req{method: "PUT", path: base + "/shuffle"})
	if !q.MediaContainer.PlayQueueShuffled || keysOf(q)[0] != k[1] || q.MediaContainer.PlayQueueSelectedItemOffset != 0 {
		t.Errorf("shuffled: %v %+v", keysOf(q), q.MediaContainer)
	}
	if got := slices.Sorted(slices.Values(keysOf(q))); !slices.Equal(got, slices.Sorted(slices.Values(k))) {
		t.Errorf("shuffled items %v, want the same four", got)
	}
	q = getList(t, f, req{method: "PUT", path: base + "/unshuffle"})
	if got, want := keysOf(q), []string{k[0], k[1], k[3], k[2]}; q.MediaContainer.PlayQueueShuffled || !slices.Equal(got, want) {
		t.Errorf("unshuffled: %v, want %v", got, want)
	}

	q = getList(t, f, req{method: "PUT", path: base + "/items/" + strconv.Itoa(entryOf(t, q, k[2])) + "/move?after=" + strconv.Itoa(entryOf(t, q, k[0]))})
	if got, want := keysOf(q), []string{k[0], k[2], k[1], k[3]}; !slices.Equal(got, want) {
		t.Errorf("moved: %v, want %v", got, want)
	}
	// Removing the selected item selects the next one.
	q = getList(t, f, req{method: "DELETE", path: base + "/items/" + strconv.Itoa(entryOf(t, q, k[1]))})
	if got, want := keysOf(q), []string{k[0], k[2], k[3]}; !slices.Equal(got, want) || strconv.Itoa(q.MediaContainer.PlayQueueSelectedMetadataItemID) != k[3] {
		t.Errorf("removed the selected item: %v %+v", got, q.MediaContainer)
	}
	q = getList(t, f, req{method: "PUT", path: base + "/reset"})
	if q.MediaContainer.PlayQueueSelectedItemOffset != 0 || strconv.Itoa(q.MediaContainer.PlayQueueSelectedMetadataItemID) != k[0] {
		t.Errorf("reset: %+v", q.MediaContainer)
	}
	if w := getList(t, f, req{path: base + "?window=0&includeBefore=0"}); w.MediaContainer.Size != 1 || w.MediaContainer.PlayQueueTotalCount != 3 {
		t.Errorf("a window of one: %+v", w.MediaContainer)
	}
	if resp := f.do(t, req{path: base, token: friendToken}); resp.status != 404 {
		t.Errorf("a friend opening the owner's play queue: %d, want 404", resp.status)
	}
	q = getList(t, f, req{method: "DELETE", path: base + "/items"})
	if q.MediaContainer.PlayQueueTotalCount != 0 || len(q.MediaContainer.Metadata) != 0 {
		t.Errorf("cleared: %+v", q.MediaContainer)
	}
	if v := q.MediaContainer.PlayQueueVersion; v != 8 {
		t.Errorf("version after seven changes: %d, want 8", v)
	}

	pl := getList(t, f, req{method: "POST", path: "/playlists?type=video&title=L&uri=" + itemsURI(k[2], k[0])}).MediaContainer.Metadata[0]
	fromList := getList(t, f, req{method: "POST", path: "/playQueues?type=video&playlistID=" + pl.RatingKey})
	if got, want := keysOf(fromList), []string{k[2], k[0]}; !slices.Equal(got, want) {
		t.Errorf("from a playlist: %v, want %v", got, want)
	}
	for _, bad := range []string{"/playQueues?type=video", "/playQueues?uri=" + itemsURI(k[0]), "/playQueues?type=video&playlistID=999999"} {
		if resp := f.do(t, req{method: "POST", path: bad, token: ownerToken}); resp.status != 400 {
			t.Errorf("POST %s: %d, want 400", bad, resp.status)
		}
	}
}

func TestCollections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 3)
	col := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=Test+Collection&smart=0&type=1&uri=" + itemsURI(k[0])}).MediaContainer.Metadata[0]
	if col.Type != "collection" || col.Subtype != "movie" || col.ChildCount != 1 || col.Title != "Test Collection" {
		t.Fatalf("created: %+v", col)
	}
	if x := mustDo(t, f, req{path: "/library/metadata/" + k[0], token: ownerToken}).body; !strings.Contains(x, `tag="Test Collection"`) {
		t.Errorf("the item does not carry the collection's tag: %.600s", x)
	}
	base := "/library/collections/" + col.RatingKey
	getList(t, f, req{method: "PUT", path: base + "/items?uri=" + itemsURI(k[1], k[2], k[0])})
	if got := keysOf(getList(t, f, req{path: base + "/items", token: friendToken})); !slices.Equal(got, k) {
		t.Errorf("items seen by a friend: %v, want %v", got, k)
	}
	getList(t, f, req{method: "PUT", path: base + "/items/" + k[2] + "/move"})
	if got, want := keysOf(getList(t, f, req{path: base + "/items"})), []string{k[2], k[0], k[1]}; !slices.Equal(got, want) {
		t.Errorf("moved: %v, want %v", got, want)
	}
	getList(t, f, req{method: "PUT", path: base + "/items/" + k[0]})
	if got, want := keysOf(getList(t, f, req{path: base + "/items"})), []string{k[2], k[1]}; !slices.Equal(got, want) {
		t.Errorf("removed: %v, want %v", got, want)
	}
	if x := mustDo(t, f, req{path: "/library/metadata/" + k[0], token: ownerToken}).body; strings.Contains(x, `tag="Test Collection"`) {
		t.Errorf("a removed item keeps the collection's tag")
	}
	if l := getList(t, f, req{path: "/library/sections/1/collections"}); len(l.MediaContainer.Metadata) != 1 || l.MediaContainer.Metadata[0].ChildCount != 2 {
		t.Errorf("the section's collections: %+v", l)
	}
	if resp := f.do(t, req{path: base + "/items", token: managedToken}); resp.status != 404 {
		t.Errorf("a user without the section: %d, want 404", resp.status)
	}
	mustDo(t, f, req{method: "DELETE", path: "/library/sections/1/collection/" + col.RatingKey, token: ownerToken})
	if resp := f.do(t, req{path: base + "/items", token: ownerToken}); resp.status != 404 {
		t.Errorf("a deleted collection: %d, want 404", resp.status)
	}
	if x := mustDo(t, f, req{path: "/library/metadata/" + k[1], token: ownerToken}).body; strings.Contains(x, `tag="Test Collection"`) {
		t.Errorf("an item of a deleted collection keeps its tag")
	}
}

func TestSectionScanIsAnActivity(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	scannedAt := func() int64 {
		var body struct {
			MediaContainer struct {
				Directory []struct {
					Key       string
					ScannedAt int64
				}
			}
		}
		decodeJSON(t, mustDo(t, f, req{path: "/library/sections/all", token: ownerToken, json: true}), &body)
		for _, d := range body.MediaContainer.Directory {
			if d.Key == "1" {
				return d.ScannedAt
			}
		}
		t.Fatal("no section 1")
		return 0
	}
	before := scannedAt()
	mustDo(t, f, req{method: "POST", path: "/library/sections/1/refresh", token: ownerToken})
	mustDo(t, f, req{method: "POST", path: "/library/sections/1/refresh?force=1", token: ownerToken}) // one scan at a time
	acts := activities(t, f, ownerToken)
	if len(acts) != 1 || acts[0].Type != "library.update.section" || acts[0].Title != "Scanning Movies" || acts[0].Context["librarySectionID"] != "1" {
		t.Fatalf("activities during a scan: %+v", acts)
	}
	if got := scannedAt(); got != before {
		t.Errorf("scannedAt changed before the scan ended: %d → %d", before, got)
	}
	f.clock.Advance(scanDuration)
	if acts := activities(t, f, ownerToken); len(acts) != 0 {
		t.Errorf("activities after the scan: %+v", acts)
	}
	if got, want := scannedAt(), epoch.Add(scanDuration).Unix(); got != want {
		t.Errorf("scannedAt after the scan = %d, want %d", got, want)
	}

	// A cancelled scan changes nothing.
	mustDo(t, f, req{method: "POST", path: "/library/sections/2/refresh", token: ownerToken})
	mustDo(t, f, req{method: "DELETE", path: "/library/sections/2/refresh", token: ownerToken})
	if acts := activities(t, f, ownerToken); len(acts) != 0 {
		t.Errorf("activities after cancelling: %+v", acts)
	}

	mustDo(t, f, req{method: "PUT", path: "/library/sections/3/analyze", token: ownerToken})
	mustDo(t, f, req{method: "PUT", path: "/library/sections/4/emptyTrash", token: ownerToken})
	mustDo(t, f, req{method: "POST", path: "/library/sections/refresh", token: ownerToken})
	if acts := activities(t, f, ownerToken); len(acts) != 2+5 {
		t.Errorf("analysis, trash and a scan of all five sections: %d activities: %+v", len(acts), acts)
	}
	mustDo(t, f, req{method: "DELETE", path: "/library/sections/all/refresh", token: ownerToken})
	if acts := activities(t, f, ownerToken); len(acts) != 2 {
		t.Errorf("after cancelling every scan: %+v", acts)
	}
}

// TestListPathsBeyondTheSpec checks the methods and paths clients use for lists that the spec
// does not have: @ctrl/plex analyzes with POST, python-plexapi reads a collection's children.
func TestListPathsBeyondTheSpec(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 2)
	col := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=C&uri=" + itemsURI(k...)}).MediaContainer.Metadata[0]
	if got := keysOf(getList(t, f, req{path: "/library/collections/" + col.RatingKey + "/children"})); !slices.Equal(got, k) {
		t.Errorf("children: %v, want %v", got, k)
	}
	// A collection is a library item: python-plexapi reloads it, removes items with DELETE and
	// deletes it at /library/metadata/{id}.
	if got := getList(t, f, req{path: "/library/metadata/" + col.RatingKey}).MediaContainer.Metadata; len(got) != 1 || got[0].Type != "collection" || got[0].ChildCount != 2 {
		t.Errorf("GET /library/metadata/{collection}: %+v", got)
	}
	mustDo(t, f, req{method: "DELETE", path: "/library/collections/" + col.RatingKey + "/items/" + k[0], token: ownerToken})
	if got := keysOf(getList(t, f, req{path: "/library/collections/" + col.RatingKey + "/children"})); !slices.Equal(got, k[1:]) {
		t.Errorf("after DELETE of an item: %v, want %v", got, k[1:])
	}
	mustDo(t, f, req{method: "DELETE", path: "/library/metadata/" + col.RatingKey, token: ownerToken})
	if resp := f.do(t, req{path: "/library/metadata/" + col.RatingKey, token: ownerToken}); resp.status != 404 {
		t.Errorf("a deleted collection: %d, want 404", resp.status)
	}
	if resp := f.do(t, req{path: "/library/metadata/" + k[0], token: ownerToken}); resp.status != 200 {
		t.Errorf("an item after its collection was deleted: %d, want 200", resp.status)
	}
	mustDo(t, f, req{method: "POST", path: "/library/sections/1/analyze", token: ownerToken})
	if acts := activities(t, f, ownerToken); len(acts) != 1 || acts[0].Title != "Analyzing Movies" {
		t.Errorf("after POST analyze: %+v", acts)
	}
	if resp := f.do(t, req{method: "POST", path: "/library/sections/1/analyze", token: friendToken}); resp.status != 401 {
		t.Errorf("a friend analyzing: %d, want 401", resp.status)
	}
}

func TestSmartCollection(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	query := func(sec string) string {
		return url.QueryEscape("server://" + testMachineID + "/com.plexapp.plugins.library/library/sections/" + sec + "/all?type=1&sort=year:desc,titleSort&limit=3")
	}
	col := getList(t, f, req{method: "POST", path: "/library/collections?sectionId=1&title=Newest&smart=1&uri=" + query("1")}).MediaContainer.Metadata[0]
	if !col.Smart || col.ChildCount != 3 {
		t.Fatalf("smart collection: %+v", col)
	}
	want := keysOf(getList(t, f, req{path: "/library/sections/1/all?type=1&sort=year:desc,titleSort&limit=3"}))
	if got := keysOf(getList(t, f, req{path: "/library/collections/" + col.RatingKey + "/items"})); !slices.Equal(got, want) {
		t.Errorf("items %v, want the query's %v", got, want)
	}
	if resp := f.do(t, req{method: "PUT", path: "/library/collections/" + col.RatingKey + "/items?uri=" + itemsURI(want[0]), token: ownerToken}); resp.status != 400 {
		t.Errorf("adding to a smart collection: %d, want 400", resp.status)
	}
	if resp := f.do(t, req{method: "POST", path: "/library/collections?sectionId=1&title=X&smart=1&uri=" + query("5"), token: ownerToken}); resp.status != 400 {
		t.Errorf("a smart collection of another section's query: %d, want 400", resp.status)
	}
}

func TestOldPlayQueuesAreForgotten(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	k := firstKeys(t, f, "1", 1)
	var ids []int
	for range maxQueuesPerAccount + 2 {
		ids = append(ids, getList(t, f, req{method: "POST", path: "/playQueues?type=video&uri=" + itemsURI(k[0])}).MediaContainer.PlayQueueID)
	}
	friends := getList(t, f, req{method: "POST", path: "/playQueues?type=video&uri=" + itemsURI(k[0]), token: friendToken}).MediaContainer.PlayQueueID
	for i, id := range ids {
		want := 200
		if i < 2 {
			want = 404
		}
		if resp := f.do(t, req{path: "/playQueues/" + strconv.Itoa(id), token: ownerToken}); resp.status != want {
			t.Errorf("play queue %d of %d: %d, want %d", i+1, len(ids), resp.status, want)
		}
	}
	if resp := f.do(t, req{path: "/playQueues/" + strconv.Itoa(friends), token: friendToken}); resp.status != 200 {
		t.Errorf("the friend's one play queue: %d, want 200", resp.status)
	}
}

// FuzzListURI feeds the uri parser of playlists, play queues and collections arbitrary text: it
// never panics, and what it accepts names only items and sections the caller can see.
func FuzzListURI(f *testing.F) {
	for _, s := range []string{
		"server://" + testMachineID + "/com.plexapp.plugins.library/library/metadata/1000000003,1000000004",
		"library:///directory/%2Flibrary%2Fmetadata%2F1000000003",
		"library://uuid/item/library/metadata/2000000001",
		"server://x/com.plexapp.plugins.library/library/sections/1/all?type=1&year>>=2000&sort=titleSort",
		"library://x/directory/%2Flibrary%2Fsections%2F3%2Fall%3Ftype%3D8",
		"/library/metadata/,", "%zz/library/", "",
	} {
		f.Add(s)
	}
	h := newHandler(testConfig(&clock{t: epoch}), testAuth())
	f.Fuzz(func(t *testing.T, uri string) {
		c := &call{caller: friend}
		src, err := h.lists.parseURI(c, uri)
		if err != nil {
			return
		}
		if src.section != nil && !c.canSee(src.section) {
			t.Fatalf("%q: a section the friend cannot see", uri)
		}
		for _, rk := range src.keys {
			if !c.canSee(h.store.SectionOf(rk)) {
				t.Fatalf("%q: item %d the friend cannot see", uri, rk)
			}
		}
	})
}
