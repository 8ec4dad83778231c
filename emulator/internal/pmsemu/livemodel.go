package pmsemu

import "time"

// What playback writes into the media model: an account's resume point and, past the played
// threshold, a view with its history row. Accounts are plex.tv ids here; the model keeps state
// under server-local ids.

// setViewOffset records how far account got into rk (milliseconds).
func (h *handler) setViewOffset(account, rk, offset int) {
	h.store.SetViewOffset(h.store.LocalAccountID(account), rk, offset)
}

// markPlayed counts a view of rk for account, clears its resume point and writes a history
// row, as a PMS does when playback passes the played threshold.
func (h *handler) markPlayed(account, rk int) {
	h.store.Watched(h.store.LocalAccountID(account), rk)
}

// ViewOffset returns account's (plex.tv id) resume point in the item with rating key rk.
func (s *Server) ViewOffset(account, rk int) time.Duration {
	h := s.impl()
	return time.Duration(h.store.State(h.store.LocalAccountID(account), rk).ViewOffset) * time.Millisecond
}

// registerLive adds the playback and notification operations to h and starts the seeded
// sessions.
func registerLive(h *handler) {
	for id, fn := range map[string]func(*call){
		"statusGetSlash":      h.statusSessions,
		"timelinePostSlash":   h.timeline,
		"statusPostTerminate": h.terminate,
		"websocketGetSlash":   h.websocketNotifications,
		"eventsourceGetSlash": h.eventSourceNotifications,
		"transcodeDecision":   h.transcodeDecision,
		"transcodeStart":      h.transcodeStart,
		"x.progress":          h.progress,
		"x.transcodeSessions": h.transcodeSessions,
		"x.playerPlayback":    h.playerPlayback,
		"x.playerNoop":        h.playerNoop,
		"x.playerTimeline":    h.playerTimeline,
	} {
		h.ops[id] = fn
	}
	h.seedSessions(h.sessions)
	h.store.Subscribe(h.modelEvent)
}
