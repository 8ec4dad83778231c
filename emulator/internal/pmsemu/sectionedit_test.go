package pmsemu

import (
	"net/url"
	"testing"
)

// python-plexapi's and @ctrl/plex's edit() address the item through its section.
func TestEditThroughSection(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	q := url.Values{"type": {"1"}, "id": {"1000000003"}, "title.value": {"Renamed Through Section"}, "title.locked": {"1"}}
	if s := f.do(t, req{method: "PUT", path: "/library/sections/1/all?" + q.Encode(), token: ownerToken}).status; s != 200 {
		t.Fatalf("edit: %d", s)
	}
	if got := getPage(t, f, ownerToken, "/library/metadata/1000000003").MediaContainer.Metadata[0].Title; got != "Renamed Through Section" {
		t.Errorf("title after the edit: %q", got)
	}
	// An id of another section is not an item of this one.
	q.Set("id", "2000000007")
	if s := f.do(t, req{method: "PUT", path: "/library/sections/1/all?" + q.Encode(), token: ownerToken}).status; s != 404 {
		t.Errorf("an item of section 2 edited through section 1: %d", s)
	}
	// A friend may call the operation (the spec says so) but changes nothing.
	f.do(t, req{method: "PUT", path: "/library/sections/1/all?id=1000000003&title.value=x", token: friendToken})
	if got := getPage(t, f, ownerToken, "/library/metadata/1000000003").MediaContainer.Metadata[0].Title; got != "Renamed Through Section" {
		t.Errorf("a friend's edit changed the title to %q", got)
	}
}
