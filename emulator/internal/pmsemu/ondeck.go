package pmsemu

import "slices"

// library.on.deck (reference plex-live.md §4.3) is sent when "a new item appears in the user's
// On Deck". A finished episode is what puts a new item there: the next episode of the show that
// the account has not watched, as /library/onDeck then lists it.

// nextOnDeck returns the episode a view of rk puts on the On Deck of account (a server-local
// id), if any.
func (h *handler) nextOnDeck(account, rk int) (int, bool) {
	it, ok := h.store.Item(rk)
	if !ok || it.Type != "episode" {
		return 0, false
	}
	leaves := h.store.Leaves(it.GrandparentRatingKey)
	i := slices.Index(leaves, rk)
	if i < 0 {
		return 0, false
	}
	for _, next := range leaves[i+1:] {
		if h.store.State(account, next).ViewCount == 0 {
			return next, true
		}
	}
	return 0, false
}

// onDeckWebhook sends library.on.deck for what finishing ps's item put on its account's On Deck.
func (h *handler) onDeckWebhook(ps *playSession) {
	if next, ok := h.nextOnDeck(h.store.LocalAccountID(ps.accountID), ps.rk); ok {
		h.itemWebhook(Event{RatingKey: next}, "library.on.deck", ps.accountID, nil)
	}
}
