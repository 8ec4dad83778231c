package pmsemu

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// account returns the seeded account with id, or a stand-in named for the id.
func (h *handler) account(id int) Account {
	if a, ok := h.accounts[id]; ok {
		return a
	}
	return Account{ID: id, Username: "account-" + strconv.Itoa(id)}
}

// historyEntry is a seeded history entry with its id (its position in Config.History, from 1).
type historyEntry struct {
	HistoryConfig
	id int
}

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
// shared user only their own. Entries come in seeded order unless sort says otherwise.
func (h *handler) historyAll(c *call) {
	q, ok := parseHistoryQuery(c)
	start, size, pok := c.paging()
	if !ok || !pok {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	var entries []historyEntry
	for _, e := range h.historySnapshot() {
		if h.historyMatches(c, q, e) {
			entries = append(entries, e)
		}
	}
	if len(q.sort) > 0 {
		slices.SortStableFunc(entries, func(a, b historyEntry) int { return h.compareHistory(q.sort, a, b) })
	}
	from, to := window(start, size, len(entries))
	total := len(entries)
	setPagingHeaders(c.w, start, total)
	head := metadataContainer{Size: to - from, TotalSize: &total, Offset: &start}
	list{head: head, childKey: "Metadata", n: to - from, child: func(i int) any {
		return h.historyItem(entries[from+i])
	}}.write(c.w, c.json)
}

func (h *handler) historyMatches(c *call, q historyQuery, e historyEntry) bool {
	s := h.byKey[e.Section]
	viewed := e.ViewedAt.Unix()
	switch {
	case c.caller.Role != RoleAdmin && e.AccountID != c.caller.AccountID,
		q.accountID != nil && e.AccountID != *q.accountID,
		q.sectionID != nil && e.Section != strconv.Itoa(*q.sectionID),
		q.viewedMin != nil && viewed < *q.viewedMin,
		q.viewedMax != nil && viewed > *q.viewedMax,
		q.viewedAt != nil && viewed != *q.viewedAt:
		return false
	case q.metadataID != nil:
		// A show's (or artist's) id covers its episodes (tracks).
		id := *q.metadataID
		return s.ratingKey(e.Index, s.hasChildren()) == id || s.ratingKey(e.Index, false) == id
	}
	return true
}

func (h *handler) compareHistory(keys []sortKey, a, b historyEntry) int {
	for _, k := range keys {
		var c int
		switch k.field {
		case "viewedAt":
			c = a.ViewedAt.Compare(b.ViewedAt)
		case "accountID":
			c = cmp.Compare(a.AccountID, b.AccountID)
		case "librarySectionID":
			c = cmp.Compare(h.byKey[a.Section].pos, h.byKey[b.Section].pos)
		case "ratingKey":
			sa, sb := h.byKey[a.Section], h.byKey[b.Section]
			c = cmp.Compare(sa.ratingKey(a.Index, sa.hasChildren()), sb.ratingKey(b.Index, sb.hasChildren()))
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

// historyItem renders a history entry with the fields a PMS gives history items.
func (h *handler) historyItem(e historyEntry) metadata {
	s := h.byKey[e.Section]
	full := s.item(e.Index, s.hasChildren())
	return metadata{
		element:               full.element,
		HistoryKey:            "/status/sessions/history/" + strconv.Itoa(e.id),
		Key:                   full.Key,
		RatingKey:             full.RatingKey,
		LibrarySectionID:      s.Key,
		Title:                 full.Title,
		GrandparentTitle:      full.GrandparentTitle,
		ParentTitle:           full.ParentTitle,
		Index:                 full.Index,
		Type:                  full.Type,
		Thumb:                 full.Thumb,
		OriginallyAvailableAt: full.OriginallyAvailableAt,
		ViewedAt:              e.ViewedAt.Unix(),
		AccountID:             e.AccountID,
		DeviceID:              1 + int(mix(uint64(e.AccountID), 7)%1000),
	}
}
