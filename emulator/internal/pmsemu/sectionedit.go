package pmsemu

import (
	"net/http"
	"strings"
)

// editSectionItems serves PUT /library/sections/{sectionId}/all?type=…&id=<ids>&field.value=…,
// the edit python-plexapi's and @ctrl/plex's edit() send: the same edit as
// PUT /library/metadata/{ids} (editMetadata), for those of the ids that are items of the
// section. Edits addressed by the spec's filters instead of ids are not modelled: they get the
// spec's empty answer and change nothing.
func (h *handler) editSectionItems(c *call) {
	// The spec lets shared users call this operation (the role matrix holds the server to
	// that), but editing items is the admin's, as PUT /library/metadata/{ids} is: a shared
	// user's edit gets the spec's empty answer and changes nothing.
	ids := c.query.Get("id")
	if ids == "" || c.caller.Role != RoleAdmin {
		serveEmpty(c, c.op)
		return
	}
	sec := pathSegment(c.r.URL.Path, 2)
	var keys []string
	for key := range strings.SplitSeq(ids, ",") {
		if it, ok := h.visibleItem(c, key); ok && it.SectionKey == sec {
			keys = append(keys, key)
		}
	}
	if len(keys) == 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	r := c.r.Clone(c.r.Context())
	r.URL.Path = "/library/metadata/" + strings.Join(keys, ",")
	byItem := *c
	byItem.r = r
	h.editMetadata(&byItem)
}
