package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// tvState is the plex.tv account state beyond pins and tokens: Home PINs, two-factor codes,
// devices, shares' settings, friends, webhooks, account settings and the sign-in limiter. It lives in
// Emulator.tv, under e.mu like everything else.
type tvState struct {
	homePins  map[int]string // account id → Home PIN (4 digits)
	twoFactor map[int]string // account id → the verification code sign-in requires
	records   map[recordKey]*deviceRecord
	nextDevID int
	shareMeta map[*share]*shareMeta
	nextShare int
	friends   map[int]map[int]bool      // account id → friend ids (symmetric)
	webhooks  map[int][]string          // account id → webhook URLs
	settings  map[int]map[string]string // account id → opt-outs, privacy, view-state sync
	signin    signinLimiter
}

// Seeded plex.tv extras, documented in the package documentation.
const (
	// CarolHomePin is the Home PIN of carol, the managed user: switching to her needs it.
	CarolHomePin = "1234"
	// DaveVerificationCode is the two-factor code dave's password sign-in requires.
	DaveVerificationCode = "424242"
)

// seedTV seeds the plex.tv state: carol's Home PIN and dave's two-factor code (unless a fixture
// replaced the seeded accounts), and every share's owner and invitee (not a managed user) as
// friends. It runs after seed.
func (e *Emulator) seedTV() {
	e.tv = tvState{
		homePins:  map[int]string{},
		twoFactor: map[int]string{},
		records:   map[recordKey]*deviceRecord{},
		nextDevID: 200001,
		shareMeta: map[*share]*shareMeta{},
		nextShare: 3000001,
		friends:   map[int]map[int]bool{},
		webhooks:  map[int][]string{},
		settings:  map[int]map[string]string{},
		signin:    newSigninLimiter(),
	}
	if f := e.opts.Fixture; f == nil || len(f.Accounts) == 0 { // the seeded accounts, not a fixture's
		if a := e.byName["carol"]; a != nil {
			e.tv.homePins[a.id] = CarolHomePin
		}
		if a := e.byName["dave"]; a != nil {
			e.tv.twoFactor[a.id] = DaveVerificationCode
		}
	}
	for _, s := range e.servers {
		for _, sh := range s.sharesInOrder() {
			m := e.meta(sh)
			m.invitedAt = e.opts.Start.Add(-30 * 24 * time.Hour)
			if !sh.managed {
				e.befriend(s.owner, sh.acct)
			}
		}
	}
}

// befriend makes a and b friends. The caller holds e.mu (or is seeding).
func (e *Emulator) befriend(a, b *account) {
	for _, p := range [][2]*account{{a, b}, {b, a}} {
		if e.tv.friends[p[0].id] == nil {
			e.tv.friends[p[0].id] = map[int]bool{}
		}
		e.tv.friends[p[0].id][p[1].id] = true
	}
}

// homeMembers lists the accounts of the (one) Plex Home, admin first. The caller holds e.mu.
func (e *Emulator) homeMembers() []*account {
	var out []*account
	for _, a := range e.accounts {
		if a.home && a.homeAdmin {
			out = append(out, a)
		}
	}
	for _, a := range e.accounts {
		if a.home && !a.homeAdmin {
			out = append(out, a)
		}
	}
	return out
}

// hashPin is the hashed Home PIN plex.tv shows in the user's pin attribute.
func hashPin(pin string) string {
	sum := sha256.Sum256([]byte("plexkit-emulator/home-pin/" + pin))
	return hex.EncodeToString(sum[:20])
}
