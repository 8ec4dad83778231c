package pmsemu

import "strconv"

// webhookMetadata is an item as webhook payloads carry it: the library's metadata plus
// librarySectionType, with librarySectionID a number, as in every captured payload (reference
// plex-live.md §4.4, §4.5); the library API itself sends the id as a string. The outer
// LibrarySectionID hides the embedded one in JSON, being shallower.
type webhookMetadata struct {
	LibrarySectionType string `json:"librarySectionType,omitempty"`
	metadata
	LibrarySectionID int `json:"librarySectionID,omitempty"`
}

// webhookMetadataOf returns m in its webhook form.
func (h *handler) webhookMetadataOf(m metadata) webhookMetadata {
	w := webhookMetadata{metadata: m}
	w.LibrarySectionID, _ = strconv.Atoi(m.LibrarySectionID)
	if sec := h.store.Section(m.LibrarySectionID); sec != nil {
		w.LibrarySectionType = sec.Type
	}
	return w
}
