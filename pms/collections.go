package pms

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// CollectionsService manages a section's collections (creating and changing them needs the
// admin role for most operations).
type CollectionsService service

// Collection is a group of a section's items: of items added to it, or smart (a media query).
type Collection struct {
	RatingKey           FlexString `json:"ratingKey" xml:"ratingKey,attr"`
	Key                 string     `json:"key" xml:"key,attr"` // /library/collections/{id}/children
	GUID                string     `json:"guid,omitempty" xml:"guid,attr"`
	Type                string     `json:"type" xml:"type,attr"` // collection
	Title               string     `json:"title" xml:"title,attr"`
	TitleSort           string     `json:"titleSort,omitempty" xml:"titleSort,attr"`
	Summary             string     `json:"summary,omitempty" xml:"summary,attr"`
	Subtype             string     `json:"subtype,omitempty" xml:"subtype,attr"` // movie, show, …
	Smart               FlexBool   `json:"smart" xml:"smart,attr"`
	ChildCount          FlexInt    `json:"childCount" xml:"childCount,attr"`
	LibrarySectionID    FlexString `json:"librarySectionID,omitempty" xml:"librarySectionID,attr"`
	LibrarySectionTitle string     `json:"librarySectionTitle,omitempty" xml:"librarySectionTitle,attr"`
	Thumb               string     `json:"thumb,omitempty" xml:"thumb,attr"`
	AddedAt             FlexInt    `json:"addedAt,omitempty" xml:"addedAt,attr"`
	UpdatedAt           FlexInt    `json:"updatedAt,omitempty" xml:"updatedAt,attr"`
}

// collectionNames are a collection's names as a child of a container.
var collectionNames = []string{"Metadata", "Directory"}

// List returns an iterator over the section's collections (GET
// /library/sections/{key}/collections).
func (s *CollectionsService) List(ctx context.Context, sectionKey string, opts ItemsOptions) iter.Seq2[Collection, error] {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return errSeq[Collection](err)
	}
	return paginate[Collection](ctx, s.client, pageQuery{
		path: "library/sections/" + sectionKey + "/collections", pageSize: opts.PageSize, start: opts.Start, limit: opts.Limit,
		childKeys: collectionNames, names: collectionNames,
	}, nil)
}

// Get returns the collection with this rating key (GET /library/metadata/{id}).
func (s *CollectionsService) Get(ctx context.Context, id string) (*Collection, error) {
	if err := checkKey("collectionID", id); err != nil {
		return nil, err
	}
	return first[Collection](ctx, s.client, get, "library/metadata/"+id, nil, "collection", collectionNames...)
}

// NewCollection is a collection to create in a section: of items (RatingKeys), or smart
// (Query).
type NewCollection struct {
	SectionKey string
	Title      string
	// Type is the type of the items (TypeMovie, TypeShow, …).
	Type       MediaType
	RatingKeys []string
	Query      *Query
}

// Create creates a collection (POST /library/collections) and returns it.
func (s *CollectionsService) Create(ctx context.Context, n NewCollection) (*Collection, error) {
	if n.Title == "" {
		return nil, &ArgumentError{"Title", "is empty"}
	}
	if n.Type <= 0 {
		return nil, &ArgumentError{"Type", "is not a metadata type"}
	}
	if err := checkKey("SectionKey", n.SectionKey); err != nil {
		return nil, err
	}
	var uri string
	var smart bool
	var err error
	if len(n.RatingKeys) > 0 {
		uri, smart, err = s.client.sourceURI(ctx, n.RatingKeys, "", n.Query)
	} else {
		uri, smart, err = s.client.sourceURI(ctx, nil, n.SectionKey, n.Query)
	}
	if err != nil {
		return nil, err
	}
	q := url.Values{"uri": {uri}, "type": {strconv.Itoa(int(n.Type))}, "title": {n.Title}, "smart": {Bool(smart)}, "sectionId": {n.SectionKey}}
	return first[Collection](ctx, s.client, http.MethodPost, "library/collections", q, "collection", collectionNames...)
}

// Items returns an iterator over the collection's items (GET /library/collections/{id}/items).
func (s *CollectionsService) Items(ctx context.Context, id string, opts ItemsOptions) iter.Seq2[Item, error] {
	if err := checkKey("collectionID", id); err != nil {
		return errSeq[Item](err)
	}
	return s.client.items(ctx, "library/collections/"+id+"/items", nil, opts)
}

// Add adds items to a collection (PUT /library/collections/{id}/items; admin).
func (s *CollectionsService) Add(ctx context.Context, id string, ratingKeys ...string) error {
	return s.client.addItems(ctx, "collectionID", "library/collections/", id, ratingKeys)
}

// Remove removes an item from a collection (PUT /library/collections/{id}/items/{ratingKey},
// as the spec has it; admin).
func (s *CollectionsService) Remove(ctx context.Context, id, ratingKey string) error {
	if err := checkKey("collectionID", id); err != nil {
		return err
	}
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodPut, "library/collections/"+id+"/items/"+ratingKey, nil)
}

// Move moves an item of a collection with a custom order after another (PUT
// /library/collections/{id}/items/{ratingKey}/move; admin); after "" moves it to the top.
func (s *CollectionsService) Move(ctx context.Context, id, ratingKey, after string) error {
	if err := checkKey("collectionID", id); err != nil {
		return err
	}
	if err := checkKey("ratingKey", ratingKey); err != nil {
		return err
	}
	q := url.Values{}
	if after != "" {
		if err := checkKey("after", after); err != nil {
			return err
		}
		q.Set("after", after)
	}
	return s.client.write(ctx, http.MethodPut, "library/collections/"+id+"/items/"+ratingKey+"/move", q)
}

// Delete deletes a collection of a section (DELETE /library/sections/{key}/collection/{id};
// admin). Its items stay.
func (s *CollectionsService) Delete(ctx context.Context, sectionKey, id string) error {
	if err := checkKey("sectionKey", sectionKey); err != nil {
		return err
	}
	if err := checkKey("collectionID", id); err != nil {
		return err
	}
	return s.client.write(ctx, http.MethodDelete, "library/sections/"+sectionKey+"/collection/"+id, nil)
}
