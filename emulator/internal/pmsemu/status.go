package pmsemu

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// historyQuery is what GET /status/sessions/history/all was asked for.
type historyQuery struct {
	accountID, sectionID, metadataID *int
	viewedMin, viewedMax, viewedAt   *int64
	sort                             []sortKey
}

type sortKey struct {
	field string
	desc  bool
}

var historySortFields = []string{"viewedAt", "accountID", "librarySectionID", "ratingKey"}

// parseHistoryQuery reads the filters and sort of a history request; ok is false when one is
// malformed. viewedAt filters come as viewedAt>=N and viewedAt<=N (which URL parsing reads as
// keys "viewedAt>" and "viewedAt<") or viewedAt=N.
func parseHistoryQuery(c *call) (q historyQuery, ok bool) {
	ints := []struct {
		name string
		dst  **int
	}{{"accountID", &q.accountID}, {"librarySectionID", &q.sectionID}, {"metadataItemID", &q.metadataID}}
	for _, p := range ints {
		if v := c.query.Get(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return q, false
			}
			*p.dst = &n
		}
	}
	times := []struct {
		name string
		dst  **int64
	}{{"viewedAt>", &q.viewedMin}, {"viewedAt<", &q.viewedMax}, {"viewedAt", &q.viewedAt}}
	for _, p := range times {
		if v := c.query.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return q, false
			}
			*p.dst = &n
		}
	}
	if v := c.query.Get("sort"); v != "" {
		for f := range strings.SplitSeq(v, ",") {
			name, dir, _ := strings.Cut(f, ":")
			if !slices.Contains(historySortFields, name) || (dir != "" && dir != "asc" && dir != "desc") {
				return q, false
			}
			q.sort = append(q.sort, sortKey{name, dir == "desc"})
		}
	}
	return q, true
}

// historyAll serves GET /status/sessions/history/all. The admin sees everyone's history, a
// shared user only their own, and only in the sections shared with them. Entries come in the
// order they were recorded unless sort says otherwise. Account ids are the server's (the owner
// is 1).
func (h *handler) historyAll(c *call) {
	q, ok := parseHistoryQuery(c)
	start, size, pok := c.paging()
	if !ok || !pok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	type entry struct {
		HistoryEntry
		item Item
	}
	var entries []entry
	for _, e := range h.store.History() {
		it, ok := h.store.Item(e.RatingKey)
		if ok && h.historyMatches(c, q, e, it) {
			entries = append(entries, entry{e, it})
		}
	}
	if len(q.sort) > 0 {
		slices.SortStableFunc(entries, func(a, b entry) int { return h.compareHistory(q.sort, a.HistoryEntry, a.item, b.HistoryEntry, b.item) })
	}
	from, to := window(start, size, len(entries))
	total := len(entries)
	setPagingHeaders(c.w, start, total)
	head := metadataContainer{Size: to - from, TotalSize: &total, Offset: &start}
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		e := entries[from+i]
		return h.historyItem(e.HistoryEntry, e.item)
	}}.write(c.w, c.json)
}

func (h *handler) historyMatches(c *call, q historyQuery, e HistoryEntry, it Item) bool {
	viewed := e.ViewedAt
	switch {
	case c.caller.Role != RoleAdmin && e.AccountID != h.account(c),
		!c.canSee(h.store.Section(it.SectionKey)),
		q.accountID != nil && e.AccountID != *q.accountID,
		q.sectionID != nil && it.SectionKey != strconv.Itoa(*q.sectionID),
		q.viewedMin != nil && viewed < *q.viewedMin,
		q.viewedMax != nil && viewed > *q.viewedMax,
		q.viewedAt != nil && viewed != *q.viewedAt:
		return false
	case q.metadataID != nil:
		// A show's (or season's, artist's, album's) id covers its leaves.
		id := *q.metadataID
		return e.RatingKey == id || it.ParentRatingKey == id || it.GrandparentRatingKey == id
	}
	return true
}

func (h *handler) compareHistory(keys []sortKey, a HistoryEntry, ai Item, b HistoryEntry, bi Item) int {
	for _, k := range keys {
		var c int
		switch k.field {
		case "viewedAt":
			c = cmp.Compare(a.ViewedAt, b.ViewedAt)
		case "accountID":
			c = cmp.Compare(a.AccountID, b.AccountID)
		case "librarySectionID":
			c = cmp.Compare(h.sectionPos(ai.SectionKey), h.sectionPos(bi.SectionKey))
		case "ratingKey":
			c = cmp.Compare(a.RatingKey, b.RatingKey)
		}
		if k.desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func (h *handler) sectionPos(key string) int {
	if s := h.store.Section(key); s != nil {
		return s.pos
	}
	return -1
}

// historyItem renders a history entry with the fields a PMS gives history items.
func (h *handler) historyItem(e HistoryEntry, it Item) metadata {
	full := h.render(it, view{account: e.AccountID})
	return metadata{
		element:               full.element,
		HistoryKey:            "/status/sessions/history/" + strconv.Itoa(e.ID),
		Key:                   full.Key,
		RatingKey:             full.RatingKey,
		ParentKey:             full.ParentKey,
		GrandparentKey:        full.GrandparentKey,
		LibrarySectionID:      it.SectionKey,
		Title:                 full.Title,
		GrandparentTitle:      full.GrandparentTitle,
		ParentTitle:           full.ParentTitle,
		Index:                 full.Index,
		ParentIndex:           full.ParentIndex,
		Type:                  full.Type,
		Thumb:                 full.Thumb,
		OriginallyAvailableAt: full.OriginallyAvailableAt,
		ViewedAt:              e.ViewedAt,
		AccountID:             e.AccountID,
		DeviceID:              e.DeviceID,
	}
}
