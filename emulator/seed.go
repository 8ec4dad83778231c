package emulator

import (
	"cmp"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/plexkit/plexkit/emulator/internal/pmsemu"
)

// account is a plex.tv account.
type account struct {
	id           int
	uuid         string
	username     string
	password     string
	email        string
	friendlyName string
	kind         string
	joinedAt     time.Time
	restricted   bool // a managed user with restrictions
	home         bool // member of a Plex Home
	homeAdmin    bool
	// legacy is the account-wide legacy token; "" once a JWT invalidated it (see accountToken).
	legacy string
}

// legacyToken is a 20-character token plex.tv issued: the account's own, or one given to a
// device (clientID) when it linked a pin without a JWK.
type legacyToken struct {
	acct     *account
	clientID string
}

// server is a seeded Plex Media Server and the plex.tv side of its sharing.
type server struct {
	name              string
	machineID         string
	owner             *account
	acceptsAccountJWT bool
	ownerToken        string
	shares            map[int]*share // by account id
	cfg               pmsemu.Config
	url               string // live local connection, after Start
	remoteURL         string // live remote connection, after Start
	pms               *pmsemu.Server
	dead              []deadConnection
}

// share is a server shared with an account: a friend, or a managed user of the owner's home.
type share struct {
	acct     *account
	sections []string // nil: all sections
	managed  bool
	token    string
}

// serverToken is an access token plex.tv lists for one account on one server; every other
// server refuses it.
type serverToken struct {
	srv  *server
	acct *account
}

// Seed passwords, documented in the package documentation. carol, a managed user, has none:
// Plex's managed users have no credentials of their own (no email, username or password) and
// are reached only by switching to them in the Home (POST /api/home/users/{id}/switch, with
// their Home PIN).
const (
	AlicePassword = "alice-password"
	BobPassword   = "bob-password"
	DavePassword  = "dave-password"
)

// serverVersion is the Plex Media Server version every seeded server reports.
const serverVersion = "1.42.2.10156-f737b826c"

// Seed server names.
const (
	ServerAliceNAS   = "alice-nas"
	ServerAliceVault = "alice-vault"
)

// seed creates the accounts, servers and shares described in the package documentation, or
// those of Options.Fixture.
func (e *Emulator) seed() {
	if e.opts.Fixture != nil {
		e.seedFixture(e.opts.Fixture)
		return
	}
	alice, bob, carol := e.seedAccounts()
	e.seedServers(alice, bob, carol)
}

// seedAccounts creates the seeded accounts.
func (e *Emulator) seedAccounts() (alice, bob, carol *account) {
	start := e.opts.Start
	alice = e.addAccount(&account{id: 21384601, username: "alice", password: AlicePassword,
		friendlyName: "Alice", kind: "owner", home: true, homeAdmin: true,
		joinedAt: start.AddDate(-6, 0, 0)})
	bob = e.addAccount(&account{id: 21384602, username: "bob", password: BobPassword,
		friendlyName: "Bob", kind: "friend", joinedAt: start.AddDate(-4, -2, 0)})
	carol = e.addAccount(&account{id: 21384603, username: "carol",
		friendlyName: "Carol", kind: "managed", home: true, restricted: true,
		joinedAt: start.AddDate(-2, -5, 0)})
	e.addAccount(&account{id: 21384604, username: "dave", password: DavePassword,
		friendlyName: "", kind: "none", joinedAt: start.AddDate(-1, 0, 0)})
	return alice, bob, carol
}

// seedServers creates the seeded servers and their shares.
func (e *Emulator) seedServers(alice, bob, carol *account) {
	start := e.opts.Start

	// alice-nas's sections are those of python-plexapi's test bootstrap, in its order, and
	// start with the items its integration tests expect (Elephants Dream, Sita Sings the Blues,
	// …; Game of Thrones and The 100; Broke For Free; the Cats album), generated beyond.
	nas := e.addServer(ServerAliceNAS, alice, true, []pmsemu.SectionConfig{
		{Key: "1", Type: "movie", Title: "Movies", Size: e.opts.LibrarySize, Samples: true},
		{Key: "2", Type: "show", Title: "TV Shows", Size: 350, Samples: true},
		{Key: "3", Type: "artist", Title: "Music", Size: 120, Samples: true},
		{Key: "4", Type: "photo", Title: "Photos", Size: 24, Samples: true},
	})
	// bob gets two of the four sections, not adjacent in library order, so that what a friend
	// sees is visibly the share and not a prefix of the library.
	e.share(nas, bob, []string{"1", "3"}, false)
	e.share(nas, carol, nil, true)
	nas.cfg.Sessions = []pmsemu.SessionConfig{
		{AccountID: alice.id, Section: "1", Index: 7, State: "playing"},
		{AccountID: bob.id, Section: "1", Index: 42, State: "paused"},
	}
	nas.cfg.History = []pmsemu.HistoryConfig{
		{AccountID: alice.id, Section: "1", Index: 1, ViewedAt: start.Add(-26 * time.Hour)},
		{AccountID: alice.id, Section: "1", Index: 2, ViewedAt: start.Add(-5 * time.Hour)},
		{AccountID: alice.id, Section: "2", Index: 3, ViewedAt: start.Add(-3 * time.Hour)},
		{AccountID: bob.id, Section: "1", Index: 42, ViewedAt: start.Add(-50 * time.Hour)},
		{AccountID: bob.id, Section: "1", Index: 5, ViewedAt: start.Add(-2 * time.Hour)},
		{AccountID: carol.id, Section: "2", Index: 5, ViewedAt: start.Add(-4 * time.Hour)},
	}

	vault := e.addServer(ServerAliceVault, alice, false, []pmsemu.SectionConfig{
		{Key: "1", Type: "movie", Title: "Movies", Size: 150},
		{Key: "2", Type: "show", Title: "TV Shows", Size: 220},
	})
	vault.cfg.History = []pmsemu.HistoryConfig{
		{AccountID: alice.id, Section: "1", Index: 3, ViewedAt: start.Add(-7 * time.Hour)},
	}
	for _, s := range e.servers {
		for _, sh := range s.sharesInOrder() {
			s.cfg.Accounts = append(s.cfg.Accounts, pmsAccount(sh.acct))
		}
	}
}

func (e *Emulator) addAccount(a *account) *account {
	sum := sha256.Sum256([]byte("plexkit-emulator/account/" + a.username))
	a.uuid = hex.EncodeToString(sum[:8])
	a.email = a.username + "@example.com"
	e.accounts = append(e.accounts, a)
	e.byName[a.username] = a
	e.byID[a.id] = a
	e.accountToken(a)
	return a
}

func (e *Emulator) addServer(name string, owner *account, acceptsJWT bool, sections []pmsemu.SectionConfig) *server {
	// Machine identifiers are derived from the name so they are stable from run to run, which
	// keeps golden files of CLI tests stable.
	sum := sha1.Sum([]byte("plexkit-emulator/server/" + name))
	s := &server{
		name:              name,
		machineID:         hex.EncodeToString(sum[:]),
		owner:             owner,
		acceptsAccountJWT: acceptsJWT,
		ownerToken:        randomToken(),
		shares:            map[int]*share{},
	}
	s.cfg = pmsemu.Config{
		MachineIdentifier:          s.machineID,
		Name:                       name,
		Version:                    serverVersion,
		OwnerAccountID:             owner.id,
		Accounts:                   []pmsemu.Account{pmsAccount(owner)},
		Sections:                   sections,
		Now:                        e.Now,
		SharedAdminStatus:          e.opts.SharedAdminStatus,
		OwnerControlsAllPlayers:    e.opts.OwnerControlsAllPlayers,
		SessionKeyKeptOnItemChange: e.opts.SessionKeyKeptOnItemChange,
		TagFilterByName:            e.opts.TagFilterByName,
		OnRequest:                  func(pattern string) { e.count("pms:" + name + " " + pattern) },
	}
	e.serverTokens[s.ownerToken] = &serverToken{srv: s, acct: owner}
	e.servers = append(e.servers, s)
	return s
}

func (e *Emulator) share(s *server, a *account, sections []string, managed bool) {
	sh := &share{acct: a, sections: sections, managed: managed, token: randomToken()}
	s.shares[a.id] = sh
	e.serverTokens[sh.token] = &serverToken{srv: s, acct: a}
}

// sharesInOrder returns the server's shares ordered by account id, for deterministic output.
func (s *server) sharesInOrder() []*share {
	out := make([]*share, 0, len(s.shares))
	for _, sh := range s.shares {
		out = append(out, sh)
	}
	slices.SortFunc(out, func(a, b *share) int { return cmp.Compare(a.acct.id, b.acct.id) })
	return out
}

func pmsAccount(a *account) pmsemu.Account {
	return pmsemu.Account{ID: a.id, UUID: a.uuid, Username: a.username, Thumb: a.thumb(), Email: a.email,
		PlexPass: a.kind == "owner", Home: a.restricted}
}

// thumb is the avatar URL plex.tv gives an account.
func (a *account) thumb() string { return "https://plex.tv/users/" + a.uuid + "/avatar?c=1" }

// title is the display name plex.tv gives an account: its friendly name, else its username.
func (a *account) title() string {
	if a.friendlyName != "" {
		return a.friendlyName
	}
	return a.username
}

// findAccount looks an account up by username or email, as plex.tv's sign-in does.
func (e *Emulator) findAccount(login string) *account {
	login = strings.ToLower(strings.TrimSpace(login))
	if a := e.byName[login]; a != nil {
		return a
	}
	for _, a := range e.accounts {
		if a.email == login {
			return a
		}
	}
	return nil
}
