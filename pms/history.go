package pms

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// HistoryService lists what has been played.
type HistoryService service

// HistoryEntry is one play of an item.
type HistoryEntry struct {
	HistoryKey            string     `json:"historyKey" xml:"historyKey,attr"` // e.g. /status/sessions/history/12
	Key                   string     `json:"key" xml:"key,attr"`
	RatingKey             FlexString `json:"ratingKey" xml:"ratingKey,attr"`
	LibrarySectionID      FlexString `json:"librarySectionID" xml:"librarySectionID,attr"`
	Type                  string     `json:"type" xml:"type,attr"`
	Title                 string     `json:"title" xml:"title,attr"`
	ParentTitle           string     `json:"parentTitle,omitempty" xml:"parentTitle,attr"`
	GrandparentTitle      string     `json:"grandparentTitle,omitempty" xml:"grandparentTitle,attr"`
	Index                 FlexInt    `json:"index,omitempty" xml:"index,attr"`
	Thumb                 string     `json:"thumb,omitempty" xml:"thumb,attr"`
	OriginallyAvailableAt string     `json:"originallyAvailableAt,omitempty" xml:"originallyAvailableAt,attr"`
	ViewedAt              FlexInt    `json:"viewedAt" xml:"viewedAt,attr"` // Unix seconds
	AccountID             FlexInt    `json:"accountID" xml:"accountID,attr"`
	DeviceID              FlexInt    `json:"deviceID,omitempty" xml:"deviceID,attr"`
}

// Viewed returns ViewedAt as a time.
func (h *HistoryEntry) Viewed() time.Time { return unixTime(h.ViewedAt) }

// HistoryOptions filters and pages the history. The zero value lists everything the token may
// see: the owner sees every account's plays, a shared user only their own.
type HistoryOptions struct {
	// AccountID keeps the plays of one account (its plex.tv id); 0 keeps all.
	AccountID int
	// LibrarySectionID keeps the plays of one section; "" keeps all.
	LibrarySectionID string
	// MetadataItemID keeps the plays of one item (a show's covers its episodes); "" keeps all.
	MetadataItemID string
	// Since and Until keep plays viewed at or after Since and at or before Until (zero: no
	// bound).
	Since, Until time.Time
	// Sort orders the plays, e.g. "viewedAt:desc" or "viewedAt:desc,accountID" ("" is the
	// server's order).
	Sort string
	// PageSize, Start and Limit page the list as in ItemsOptions.
	PageSize, Start, Limit int
}

func (o HistoryOptions) query() (url.Values, error) {
	q := url.Values{}
	if o.AccountID < 0 {
		return nil, &ArgumentError{"AccountID", "is negative"}
	}
	if o.AccountID != 0 {
		q.Set("accountID", strconv.Itoa(o.AccountID))
	}
	for _, p := range []struct{ arg, name, v string }{
		{"LibrarySectionID", "librarySectionID", o.LibrarySectionID},
		{"MetadataItemID", "metadataItemID", o.MetadataItemID},
	} {
		if p.v == "" {
			continue
		}
		if err := checkKey(p.arg, p.v); err != nil {
			return nil, err
		}
		q.Set(p.name, p.v)
	}
	// The filters are viewedAt>=N and viewedAt<=N: query keys "viewedAt>" and "viewedAt<".
	if !o.Since.IsZero() {
		q.Set("viewedAt>", strconv.FormatInt(o.Since.Unix(), 10))
	}
	if !o.Until.IsZero() {
		q.Set("viewedAt<", strconv.FormatInt(o.Until.Unix(), 10))
	}
	if o.Sort != "" {
		q.Set("sort", o.Sort)
	}
	return q, nil
}

// List returns an iterator over the history (GET /status/sessions/history/all), fetched one
// page at a time. A failure ends the iteration with a non-nil error.
func (s *HistoryService) List(ctx context.Context, opts HistoryOptions) iter.Seq2[HistoryEntry, error] {
	q, err := opts.query()
	if err != nil {
		return func(yield func(HistoryEntry, error) bool) { yield(HistoryEntry{}, err) }
	}
	return paginate(ctx, s.client, pageQuery{
		path: "status/sessions/history/all", query: q,
		pageSize: opts.PageSize, start: opts.Start, limit: opts.Limit,
		childKeys: itemNames, names: itemNames,
	}, func(h *HistoryEntry, head *pageHead) {
		if h.LibrarySectionID == "" {
			h.LibrarySectionID = head.LibrarySectionID
		}
	})
}

// ListAll returns the whole history that opts selects, as a slice.
func (s *HistoryService) ListAll(ctx context.Context, opts HistoryOptions) ([]HistoryEntry, error) {
	out := []HistoryEntry{}
	for h, err := range s.List(ctx, opts) {
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
