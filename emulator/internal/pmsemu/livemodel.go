package pmsemu

import (
	"slices"
	"time"
)

// What playback writes into the media model: an account's resume point and, past the played
// threshold, a view with its history row. The caller holds h.live.mu.

type viewKey struct {
	account int
	rk      int
}

// setViewOffset records how far account got into ref (milliseconds).
func (h *handler) setViewOffset(account int, ref itemRef, offset int, _ time.Time) {
	h.live.offsets[viewKey{account, ref.s.ratingKey(ref.index, ref.child)}] = offset
}

// markPlayed counts a view of ref for account, clears its resume point and writes a history
// row, as a PMS does when playback passes the played threshold.
func (h *handler) markPlayed(account int, ref itemRef, now time.Time) {
	delete(h.live.offsets, viewKey{account, ref.s.ratingKey(ref.index, ref.child)})
	h.histMu.Lock()
	defer h.histMu.Unlock()
	h.history = append(h.history, historyEntry{
		HistoryConfig: HistoryConfig{AccountID: account, Section: ref.s.Key, Index: ref.index, ViewedAt: now},
		id:            len(h.cfg.History) + len(h.history) + 1,
	})
}

// historySnapshot returns the history rows; playback appends to them concurrently.
func (h *handler) historySnapshot() []historyEntry {
	h.histMu.Lock()
	defer h.histMu.Unlock()
	return slices.Clone(h.history)
}

// ViewOffset returns account's resume point in the item with rating key rk, as playback last
// stored it (zero when none).
func (s *Server) ViewOffset(account int, rk int) time.Duration {
	h := s.impl()
	h.live.mu.Lock()
	defer h.live.mu.Unlock()
	return time.Duration(h.live.offsets[viewKey{account, rk}]) * time.Millisecond
}
