package pmsemu

// registerBrowse installs the handlers of section browsing (firstchar.go), managed hubs
// (managedhubs.go) and stream selection (streamselect.go).
func registerBrowse(h *handler) {
	h.managed = &managedHubs{}
	for id, fn := range map[string]func(*call){
		"librarySectionGetAutocomplete":             h.autocomplete,
		"hubsSectionsSectionManageGetSlash":         h.managedList,
		"hubsSectionsSectionManagePostSlash":        h.managedCreate,
		"hubsSectionsSectionManageDeleteSlash":      h.managedReset,
		"hubsSectionsSectionManagePutMove":          h.managedMove,
		"hubsSectionsSectionManagePutIdentifier":    h.managedUpdate,
		"hubsSectionsSectionManageDeleteIdentifier": h.managedDelete,
		"libraryPutPartsPart":                       h.selectStreams,
		"x.recentlyViewed":                          h.sectionRecentlyViewed,
	} {
		h.ops[id] = fn
	}
}

// sectionRecentlyViewed serves GET /library/sections/{id}/recentlyViewed: the caller's most
// recently played items of the section, latest first (the "more" of its Recently Played hub).
func (h *handler) sectionRecentlyViewed(c *call) {
	s := h.sectionFor(c, 2)
	if s == nil {
		return
	}
	h.listItems(c, s.container(0), h.recentlyViewed(c, s), h.viewOf(c, false), nil)
}
