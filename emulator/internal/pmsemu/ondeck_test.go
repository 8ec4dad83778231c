package pmsemu

import "testing"

func TestNextOnDeck(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	h := f.srv.impl()
	leaves := h.store.Leaves(2_000_000_003)
	if len(leaves) < 3 {
		t.Fatalf("show has %d episodes", len(leaves))
	}
	if next, ok := h.nextOnDeck(OwnerLocalID, leaves[0]); !ok || next != leaves[1] {
		t.Errorf("after episode 1: %d %v, want %d", next, ok, leaves[1])
	}
	// An episode already watched is not new on deck: the one after it is.
	h.store.Scrobble(OwnerLocalID, leaves[1])
	if next, ok := h.nextOnDeck(OwnerLocalID, leaves[0]); !ok || next != leaves[2] {
		t.Errorf("after episode 1 with 2 watched: %d %v, want %d", next, ok, leaves[2])
	}
	if _, ok := h.nextOnDeck(OwnerLocalID, leaves[len(leaves)-1]); ok {
		t.Error("the last episode put something on deck")
	}
	if _, ok := h.nextOnDeck(OwnerLocalID, 1_000_000_001); ok {
		t.Error("a movie put something on deck")
	}
}
