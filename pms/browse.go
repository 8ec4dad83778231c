package pms

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
)

// Browsing a section beyond its items: its first characters, its sorts, and the library's tags.

// FirstCharacter is one entry of a section's index by first letter.
type FirstCharacter struct {
	// Title is the character: an upper-case letter, or "#" for titles that begin with
	// anything else.
	Title string `json:"title" xml:"title,attr"`
	// Key is what the server names the entry by, URL-escaped as it sends it ("%23" for "#").
	Key string `json:"key" xml:"key,attr"`
	// Size is how many items' sort titles begin with the character.
	Size FlexInt `json:"size" xml:"size,attr"`
}

// FirstCharacters returns the section's index by first letter, in order (GET
// /library/sections/{key}/firstCharacter): for each character that begins an item's sort title,
// how many items' do. The counts are of the section's top-level items (movies, shows, artists,
// photo albums).
func (s *LibraryService) FirstCharacters(ctx context.Context, sectionKey string) ([]FirstCharacter, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return nil, err
	}
	return list[FirstCharacter](ctx, s.client, get, "library/sections/"+sectionKey+"/firstCharacter", nil, "Directory")
}

// Sorts returns the sorts the section's top-level items can be listed by (GET
// /library/sections/{key}/sorts): the same as its Meta's, for clients that want only these. A
// sort's Key (or DescKey, for the other direction) is what Query.SortBy takes.
func (s *LibraryService) Sorts(ctx context.Context, sectionKey string) ([]MetaSort, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return nil, err
	}
	return list[MetaSort](ctx, s.client, get, "library/sections/"+sectionKey+"/sorts", nil, "Directory")
}

// TagType is a kind of tag, as PMS numbers them in /library/tags?type=.
type TagType int

// Tag types of the library.
const (
	TagGenre    TagType = 1
	TagDirector TagType = 4
	TagWriter   TagType = 5
	TagActor    TagType = 6
	TagCountry  TagType = 8
)

// LibraryTag is a tag the library uses: a genre, a person, a country.
type LibraryTag struct {
	ID      FlexInt `json:"id" xml:"id,attr"`
	Tag     string  `json:"tag" xml:"tag,attr"`
	TagType FlexInt `json:"tagType" xml:"tagType,attr"`
	// Filter selects the items that have the tag in a media query, e.g. "genre=1234".
	Filter string `json:"filter" xml:"filter,attr"`
}

// Tags returns the tags of one kind that the library's items use (GET /library/tags?type=N),
// across every section.
func (s *LibraryService) Tags(ctx context.Context, tagType TagType) ([]LibraryTag, error) {
	if tagType <= 0 {
		return nil, &ArgumentError{"tagType", strconv.Itoa(int(tagType)) + " is not a tag type"}
	}
	return list[LibraryTag](ctx, s.client, get, "library/tags", url.Values{"type": {strconv.Itoa(int(tagType))}}, "Directory")
}

// Managed hubs: which of a section's hubs are shown where, and in what order (admin only).

// ManagedHub is one of a section's hubs as the admin manages it.
type ManagedHub struct {
	Identifier string `json:"identifier" xml:"identifier,attr"` // e.g. movie.recentlyadded
	Title      string `json:"title" xml:"title,attr"`
	// PromotedToRecommended is whether the hub is on the section's Recommended page (and in
	// Library.Hubs of the section).
	PromotedToRecommended FlexBool `json:"promotedToRecommended" xml:"promotedToRecommended,attr"`
	// PromotedToOwnHome and PromotedToSharedHome are whether it is on the admin's home and on
	// the home of the users the server is shared with.
	PromotedToOwnHome    FlexBool `json:"promotedToOwnHome" xml:"promotedToOwnHome,attr"`
	PromotedToSharedHome FlexBool `json:"promotedToSharedHome" xml:"promotedToSharedHome,attr"`
	// RecommendationsVisibility and HomeVisibility say the same in words: all, none, admin or
	// shared.
	RecommendationsVisibility string `json:"recommendationsVisibility" xml:"recommendationsVisibility,attr"`
	HomeVisibility            string `json:"homeVisibility" xml:"homeVisibility,attr"`
	// Deletable is true for a custom hub (a promoted collection), which
	// DeleteManagedHub removes; built-in hubs can only be hidden.
	Deletable FlexBool `json:"deletable" xml:"deletable,attr"`
}

// HubVisibility says where a managed hub is shown; a nil field leaves that place as it is (so
// UpdateManagedHub refuses the zero value, which changes nothing).
type HubVisibility struct {
	Recommended *bool // the section's Recommended page
	OwnHome     *bool // the admin's home
	SharedHome  *bool // the home of the users the server is shared with
}

func (v HubVisibility) query() url.Values {
	q := url.Values{}
	for name, b := range map[string]*bool{"promotedToRecommended": v.Recommended, "promotedToOwnHome": v.OwnHome, "promotedToSharedHome": v.SharedHome} {
		if b != nil {
			q.Set(name, map[bool]string{true: "1", false: "0"}[*b])
		}
	}
	return q
}

func managePath(sectionKey string) (string, error) {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return "", err
	}
	return "hubs/sections/" + sectionKey + "/manage", nil
}

func checkHubID(identifier string) error {
	if identifier == "" || identifier == "move" || identifier != url.PathEscape(identifier) {
		return &ArgumentError{"identifier", strconv.Quote(identifier) + " is not a hub identifier"}
	}
	return nil
}

// ManagedHubs returns the section's hubs in their managed order, built-in and custom, with
// where each is shown (GET /hubs/sections/{key}/manage; admin).
func (s *LibraryService) ManagedHubs(ctx context.Context, sectionKey string) ([]ManagedHub, error) {
	path, err := managePath(sectionKey)
	if err != nil {
		return nil, err
	}
	return list[ManagedHub](ctx, s.client, get, path, nil, "Hub")
}

// UpdateManagedHub changes where the hub is shown (PUT /hubs/sections/{key}/manage/{identifier};
// admin).
func (s *LibraryService) UpdateManagedHub(ctx context.Context, sectionKey, identifier string, v HubVisibility) error {
	path, err := managePath(sectionKey)
	if err != nil {
		return err
	}
	if err := checkHubID(identifier); err != nil {
		return err
	}
	q := v.query()
	if len(q) == 0 {
		return &ArgumentError{"HubVisibility", "changes nothing"}
	}
	return s.client.write(ctx, http.MethodPut, path+"/"+identifier, q)
}

// MoveManagedHub puts the hub after the hub after, or first when after is "" (PUT
// /hubs/sections/{key}/manage/move; admin).
func (s *LibraryService) MoveManagedHub(ctx context.Context, sectionKey, identifier, after string) error {
	path, err := managePath(sectionKey)
	if err != nil {
		return err
	}
	if err := checkHubID(identifier); err != nil {
		return err
	}
	q := url.Values{"identifier": {identifier}}
	if after != "" {
		q.Set("after", after)
	}
	return s.client.write(ctx, http.MethodPut, path+"/move", q)
}

// PromoteCollection makes a hub of a collection of the section, last in the order, shown as v
// says (POST /hubs/sections/{key}/manage?metadataItemId=; admin).
func (s *LibraryService) PromoteCollection(ctx context.Context, sectionKey, collectionKey string, v HubVisibility) error {
	path, err := managePath(sectionKey)
	if err != nil {
		return err
	}
	if err := checkKey("collectionKey", collectionKey); err != nil {
		return err
	}
	q := v.query()
	q.Set("metadataItemId", collectionKey)
	return s.client.write(ctx, http.MethodPost, path, q)
}

// DeleteManagedHub removes a custom hub (DELETE /hubs/sections/{key}/manage/{identifier};
// admin); PMS refuses to delete a built-in hub.
func (s *LibraryService) DeleteManagedHub(ctx context.Context, sectionKey, identifier string) error {
	path, err := managePath(sectionKey)
	if err != nil {
		return err
	}
	if err := checkHubID(identifier); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, path+"/"+identifier, nil)
}

// ResetManagedHubs gives the section its default hubs again, deleting its custom hubs (DELETE
// /hubs/sections/{key}/manage; admin).
func (s *LibraryService) ResetManagedHubs(ctx context.Context, sectionKey string) error {
	path, err := managePath(sectionKey)
	if err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, path, nil)
}
