package pmsemu

import (
	"cmp"
	"encoding/xml"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Managed hubs: what an admin chooses to show of a section's hubs (the spec's
// /hubs/sections/{id}/manage; python-plexapi's LibrarySection.managedHubs and ManagedHub).
// Each section has built-in hubs and, once an admin promotes a collection, custom hubs; each
// managed hub is shown or not on the section's Recommended page (GET /hubs/sections/{id}), the
// admin's home and the shared users' home (GET /hubs), in the managed order. A section nobody
// managed has its defaults; DELETE …/manage goes back to them. The Continue Watching hub leads
// the section's hubs and is not managed, as on a PMS (the spec's example list has no
// inprogress hub).

// managedHub is one hub of a section as the admin manages it.
type managedHub struct {
	identifier, title                string
	recommended, ownHome, sharedHome bool
	collection                       int // a custom hub's collection (rating key); 0 for built-in hubs
}

// managedHubs holds the managed hubs of the sections that were managed, by section key.
type managedHubs struct {
	mu        sync.Mutex
	bySection map[string][]managedHub
}

// builtinHubs are a section's manageable hubs, in their default order and visibility.
func builtinHubs(s *Section) []managedHub {
	t := typeTitles[s.Type]
	return []managedHub{
		{identifier: s.Type + ".recentlyadded", title: "Recently Added " + t, recommended: true, ownHome: true, sharedHome: true},
		{identifier: s.Type + ".recentlyviewed", title: "Recently Played " + t, recommended: true},
	}
}

// customHubID is the identifier of a collection's hub: python-plexapi takes the part after the
// last dot as the collection's rating key.
func customHubID(s *Section, col int) string {
	return "custom.collection." + s.Key + "." + strconv.Itoa(col)
}

// managedOf returns the section's managed hubs now: its saved list (or the defaults), without
// the custom hubs whose collection is gone.
func (h *handler) managedOf(s *Section) []managedHub {
	h.managed.mu.Lock()
	defer h.managed.mu.Unlock()
	return h.managedLocked(s)
}

func (h *handler) managedLocked(s *Section) []managedHub {
	saved, ok := h.managed.bySection[s.Key]
	if !ok {
		return builtinHubs(s)
	}
	live := map[int]bool{}
	for _, col := range h.lists.inSection(s) {
		live[col.id] = true
	}
	return slices.DeleteFunc(slices.Clone(saved), func(mh managedHub) bool {
		return mh.collection != 0 && !live[mh.collection]
	})
}

// changeManaged applies change to the section's managed hubs (the defaults when it has none
// saved) and saves the result; change answers the status to send (0 for 200).
func (h *handler) changeManaged(s *Section, change func(hubs []managedHub) ([]managedHub, int)) int {
	m := h.managed
	m.mu.Lock()
	defer m.mu.Unlock()
	next, status := change(h.managedLocked(s))
	if status == 0 {
		if m.bySection == nil {
			m.bySection = map[string][]managedHub{}
		}
		m.bySection[s.Key] = next
	}
	return status
}

// managedHubElem is a managed hub as GET /hubs/sections/{id}/manage lists it.
type managedHubElem struct {
	XMLName                   xml.Name `json:"-" xml:"Hub"`
	Identifier                string   `json:"identifier" xml:"identifier,attr"`
	Title                     string   `json:"title" xml:"title,attr"`
	RecommendationsVisibility string   `json:"recommendationsVisibility" xml:"recommendationsVisibility,attr"`
	HomeVisibility            string   `json:"homeVisibility" xml:"homeVisibility,attr"`
	PromotedToRecommended     xbool    `json:"promotedToRecommended" xml:"promotedToRecommended,attr"`
	PromotedToOwnHome         xbool    `json:"promotedToOwnHome" xml:"promotedToOwnHome,attr"`
	PromotedToSharedHome      xbool    `json:"promotedToSharedHome" xml:"promotedToSharedHome,attr"`
	Deletable                 xbool    `json:"deletable" xml:"deletable,attr"`
}

func (mh managedHub) element() managedHubElem {
	rec, home := "none", "none"
	if mh.recommended {
		rec = "all"
	}
	switch {
	case mh.ownHome && mh.sharedHome:
		home = "all"
	case mh.ownHome:
		home = "admin"
	case mh.sharedHome:
		home = "shared"
	}
	return managedHubElem{Identifier: mh.identifier, Title: mh.title, RecommendationsVisibility: rec, HomeVisibility: home,
		PromotedToRecommended: xbool(mh.recommended), PromotedToOwnHome: xbool(mh.ownHome),
		PromotedToSharedHome: xbool(mh.sharedHome), Deletable: xbool(mh.collection != 0)}
}

func writeManaged(c *call, hubs []managedHub) {
	total := len(hubs)
	setPagingHeaders(c.w, 0, total)
	list{head: hubsContainer{Size: total}, childKey: "Hub", n: total, child: func(i int) any { return hubs[i].element() }}.write(c.w, c.json)
}

// managedList serves GET /hubs/sections/{id}/manage[?metadataItemId=N]: the section's managed
// hubs in order, or only the hub of collection N (none when it has no hub).
func (h *handler) managedList(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	hubs := h.managedOf(s)
	if v := c.query.Get("metadataItemId"); v != "" {
		col, ok := ParseRatingKey(v)
		if !ok {
			writeText(c, http.StatusBadRequest, "Bad Request: metadataItemId must be a rating key")
			return
		}
		hubs = slices.DeleteFunc(hubs, func(mh managedHub) bool { return mh.collection != col })
	}
	writeManaged(c, hubs)
}

// visibility reads the promotedTo… parameters onto mh; ok is false for a value other than 0 or 1.
func visibility(c *call, mh *managedHub) bool {
	for name, dst := range map[string]*bool{"promotedToRecommended": &mh.recommended, "promotedToOwnHome": &mh.ownHome, "promotedToSharedHome": &mh.sharedHome} {
		switch c.query.Get(name) {
		case "":
		case "0":
			*dst = false
		case "1":
			*dst = true
		default:
			return false
		}
	}
	return true
}

// managedCreate serves POST /hubs/sections/{id}/manage?metadataItemId=N[&promotedTo…]: a custom
// hub of collection N, last in the order (400 when N is no collection of the section, or
// already has its hub).
func (h *handler) managedCreate(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	col, ok := ParseRatingKey(c.query.Get("metadataItemId"))
	var title string
	for _, cl := range h.lists.inSection(s) {
		if cl.id == col {
			title = cl.title
		}
	}
	if !ok || title == "" {
		writeText(c, http.StatusBadRequest, "Bad Request: metadataItemId must be a collection of this section")
		return
	}
	mh := managedHub{identifier: customHubID(s, col), title: title, collection: col}
	if !visibility(c, &mh) {
		writeText(c, http.StatusBadRequest, "Bad Request: promotedTo… must be 0 or 1")
		return
	}
	status := h.changeManaged(s, func(hubs []managedHub) ([]managedHub, int) {
		if slices.ContainsFunc(hubs, func(o managedHub) bool { return o.collection == col }) {
			return nil, http.StatusBadRequest
		}
		return append(hubs, mh), 0
	})
	answerStatus(c, status)
}

func answerStatus(c *call, status int) {
	if status != 0 {
		writeError(c.w, status)
		return
	}
	writeOK(c)
}

// changeHub is changeManaged for the one hub of s with identifier id, at index i of its
// managed hubs: 404 when it has none.
func (h *handler) changeHub(s *Section, id string, change func(hubs []managedHub, i int) ([]managedHub, int)) int {
	return h.changeManaged(s, func(hubs []managedHub) ([]managedHub, int) {
		i := slices.IndexFunc(hubs, func(o managedHub) bool { return o.identifier == id })
		if i < 0 {
			return nil, http.StatusNotFound
		}
		return change(hubs, i)
	})
}

// managedUpdate serves PUT /hubs/sections/{id}/manage/{identifier}?promotedTo…: changes where
// the hub is shown; a parameter left out keeps its value.
func (h *handler) managedUpdate(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	status := h.changeHub(s, pathSegment(c.r.URL.Path, 4), func(hubs []managedHub, i int) ([]managedHub, int) {
		if !visibility(c, &hubs[i]) {
			return nil, http.StatusBadRequest
		}
		return hubs, 0
	})
	answerStatus(c, status)
}

// managedDelete serves DELETE /hubs/sections/{id}/manage/{identifier}: removes a custom hub
// (400 for a built-in one, 404 for none).
func (h *handler) managedDelete(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	status := h.changeHub(s, pathSegment(c.r.URL.Path, 4), func(hubs []managedHub, i int) ([]managedHub, int) {
		if hubs[i].collection == 0 {
			return nil, http.StatusBadRequest
		}
		return slices.Delete(hubs, i, i+1), 0
	})
	answerStatus(c, status)
}

// managedReset serves DELETE /hubs/sections/{id}/manage: the defaults again, custom hubs gone.
func (h *handler) managedReset(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	h.managed.mu.Lock()
	delete(h.managed.bySection, s.Key)
	h.managed.mu.Unlock()
	writeOK(c)
}

// managedMove serves PUT /hubs/sections/{id}/manage/move?identifier=X[&after=Y] (the spec's
// form) and PUT /hubs/sections/{id}/manage/{X}/move[?after=Y] (python-plexapi's): X goes after
// Y, or first without after. It answers the new order, as the spec documents.
func (h *handler) managedMove(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	id := c.query.Get("identifier")
	if pathSegment(c.r.URL.Path, 4) != "move" {
		id = pathSegment(c.r.URL.Path, 4)
	}
	after := c.query.Get("after")
	status := h.changeHub(s, id, func(hubs []managedHub, i int) ([]managedHub, int) {
		mh := hubs[i]
		hubs = slices.Delete(hubs, i, i+1)
		at := 0
		if after != "" {
			j := slices.IndexFunc(hubs, func(o managedHub) bool { return o.identifier == after })
			if j < 0 {
				return nil, http.StatusBadRequest
			}
			at = j + 1
		}
		return slices.Insert(hubs, at, mh), 0
	})
	if status != 0 {
		writeError(c.w, status)
		return
	}
	writeManaged(c, h.managedOf(s))
}

// managedContent renders one managed hub of section s for c's caller; ok is false when it has
// nothing to show from (a custom hub whose collection went away meanwhile).
func (h *handler) managedContent(c *call, s *Section, mh managedHub) (homeHub, bool) {
	top := wireType(sectionTypes[s.Type][0])
	switch {
	case mh.collection != 0:
		for _, col := range h.lists.inSection(s) {
			if col.id == mh.collection {
				hb := h.makeHub(c, mh.identifier, mh.title, top, "/library/collections/"+strconv.Itoa(col.id)+"/children", h.lists.collectionKeys(c, col))
				hb.Promoted = true
				return hb, true
			}
		}
		return homeHub{}, false
	case strings.HasSuffix(mh.identifier, ".recentlyviewed"):
		return h.makeHub(c, mh.identifier, mh.title, top, s.sectionKey+"/recentlyViewed", h.recentlyViewed(c, s)), true
	default:
		return h.makeHub(c, mh.identifier, mh.title, top, s.sectionKey+"/recentlyAdded", h.recent(c, []*Section{s}, "", hubItems+1)), true
	}
}

// recentlyViewed returns the caller's most recently played items of s, latest first.
func (h *handler) recentlyViewed(c *call, s *Section) []int {
	type seen struct {
		rk   int
		last int64
	}
	var out []seen
	for rk, st := range h.store.States(h.account(c)) {
		if st.LastViewedAt == 0 {
			continue
		}
		if it, ok := h.store.Item(rk); ok && it.SectionKey == s.Key && len(h.store.Children(rk)) == 0 {
			out = append(out, seen{rk, st.LastViewedAt})
		}
	}
	slices.SortFunc(out, func(a, b seen) int {
		if c := cmp.Compare(b.last, a.last); c != 0 {
			return c
		}
		return cmp.Compare(a.rk, b.rk)
	})
	keys := make([]int, 0, min(len(out), hubItems+1))
	for _, e := range out[:min(len(out), hubItems+1)] {
		keys = append(keys, e.rk)
	}
	return keys
}

// hubsSection serves GET /hubs/sections/{id}: the section's Continue Watching hub, then its
// managed hubs promoted to the Recommended page, in the managed order.
func (h *handler) hubsSection(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	top := wireType(sectionTypes[s.Type][0])
	hubs := []homeHub{h.makeHub(c, s.Type+".inprogress", "Continue Watching", top, "/hubs/sections/"+s.Key+"/continueWatching/items", h.deck(c, []*Section{s}))}
	for _, mh := range h.managedOf(s) {
		if !mh.recommended {
			continue
		}
		if hb, ok := h.managedContent(c, s, mh); ok {
			hubs = append(hubs, hb)
		}
	}
	h.writeHubs(c, hubs)
}

// hubsHome serves GET /hubs: Continue Watching, then per visible section the managed hubs
// promoted to the caller's home (the admin's own, or the shared users'), in the managed order.
// A section's Recently Added hub is "Recently Added in <section>" there.
func (h *handler) hubsHome(c *call) {
	secs := h.visibleSections(c)
	hubs := []homeHub{h.makeHub(c, "home.continue", "Continue Watching", "mixed", "/hubs/continueWatching/items", h.deck(c, secs))}
	for _, s := range secs {
		for _, mh := range h.managedOf(s) {
			if c.caller.Role == RoleAdmin && !mh.ownHome || c.caller.Role != RoleAdmin && !mh.sharedHome {
				continue
			}
			if mh.identifier == s.Type+".recentlyadded" {
				hubs = append(hubs, h.makeHub(c, "home."+s.Type+".recent", "Recently Added in "+s.Title, wireType(sectionTypes[s.Type][0]),
					s.sectionKey+"/recentlyAdded", h.recent(c, []*Section{s}, "", hubItems+1)))
			} else if hb, ok := h.managedContent(c, s, mh); ok {
				hubs = append(hubs, hb)
			}
		}
	}
	h.writeHubs(c, hubs)
}
