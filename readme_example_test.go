package plexkit_test

// The examples of README.md, which TestREADMESnippets keeps in step with it: every Go snippet of
// the README appears, line for line, in one of these functions, so it compiles. Those that talk
// to the real plex.tv only compile; the others run against the emulator and check their output.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
	"github.com/plexkit/plexkit/pms"
)

// Log in to plex.tv once: a person approves the sign-in in a browser, and the program keeps a
// device key and a Plex JWT in its config directory.
func Example_login() {
	ctx := context.Background()
	base, err := os.UserConfigDir()
	if err != nil {
		log.Fatal(err)
	}
	dir := filepath.Join(base, "myapp") // created 0700; the key and the token are 0600 files

	// The device: an Ed25519 key and a client identifier, made once and then reused.
	dev, err := devicekey.LoadDevice(dir)
	if errors.Is(err, devicekey.ErrNoDevice) {
		dev, err = devicekey.CreateDevice(dir)
	}
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Scopes: []string{"username", "email"},
		OnPin: func(pin *plextv.Pin, url string) {
			fmt.Println("Open", url, "and approve the sign-in")
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := (&auth.FileStore{Dir: dir}).Save(ctx, tok); err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", tok) // the kind and the expiry; a Token never prints its value
}

// A token for scripts and programs: the saved Plex JWT while more than a day remains, else a new
// one (a nonce and an exchange, no person involved), saved for the next run.
func Example_tokenSource() {
	ctx := context.Background()
	e, c, dev, dir := signedIn(ctx, "alice")
	defer e.Close()
	defer os.RemoveAll(dir)

	src, err := plextv.TokenSource(ctx, c, dev, &auth.FileStore{Dir: dir}, plextv.SourceOptions{})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := src.Token(ctx) // valid now; refreshed first when under a day remains
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Kind, "valid:", tok.Valid(c.Now()))

	// Or let an http.Client put it in the X-Plex-Token header (and refresh once on a 498).
	hc := auth.NewClient(src, nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL()+"/api/v2/user", nil)
	if err != nil {
		log.Fatal(err)
	}
	c.ClientInfo().SetHeaders(req.Header)
	resp, err := hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output:
	// Plex JWT valid: true
	// 200 OK
}

// Sessions on each of the account's servers: plex.tv's resources give each server's connections
// and the access token this account must present to it; Connect races the connections.
func Example_sessions() {
	ctx := context.Background()
	e, c, dev, dir := signedIn(ctx, "alice")
	defer e.Close()
	defer os.RemoveAll(dir)
	src, err := plextv.TokenSource(ctx, c, dev, &auth.FileStore{Dir: dir}, plextv.SourceOptions{})
	if err != nil {
		log.Fatal(err)
	}

	servers, err := c.WithTokenSource(src).Resources.Servers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range servers {
		ref := pms.ServerRef{Name: r.Name, MachineIdentifier: r.ClientIdentifier, AccessToken: r.AccessToken, Owned: r.Owned}
		for _, cn := range r.Connections {
			ref.Connections = append(ref.Connections, pms.Connection{URI: cn.URI, Local: cn.Local, Relay: cn.Relay})
		}
		pc, err := pms.Connect(ctx, ref, pms.WithClientInfo(c.ClientInfo()))
		if err != nil {
			log.Fatal(err)
		}
		sessions, err := pc.Sessions.List(ctx)
		if errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrForbidden) {
			fmt.Println(r.Name, "refused: only the server's owner (the admin role) sees sessions")
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Name, "has", len(sessions), "playing sessions")
	}
	// Output:
	// alice-nas has 2 playing sessions
	// alice-vault has 0 playing sessions
}

// The emulator in a program's own tests: plex.tv and two servers on loopback, a person's
// approval with ClaimPin, and a clock that moves a week in an instant.
func Example_emulator() {
	ctx := context.Background()
	e := emulator.New(emulator.Options{LibrarySize: 100})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	dir, err := os.MkdirTemp("", "myapp-test")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(
		plextv.WithBaseURL(e.URL()), // instead of https://clients.plex.tv
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(e.Now), // judge expiry by the emulator's clock, which Advance moves
	)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		OnPin: func(pin *plextv.Pin, url string) {
			if err := e.ClaimPin(pin.Code, "alice"); err != nil { // alice approves
				log.Fatal(err)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	src, err := plextv.TokenSource(ctx, c, dev, nil, plextv.SourceOptions{})
	if err != nil {
		log.Fatal(err)
	}
	e.Advance(7 * 24 * time.Hour) // a week later the first token has expired
	fresh, err := src.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first token valid:", tok.Valid(e.Now()), "- new one valid:", fresh.Valid(e.Now()))
	fmt.Println("exchanges:", e.Stats()["POST /api/v2/auth/token"])
	// Output:
	// first token valid: false - new one valid: true
	// exchanges: 1
}

// signedIn starts an emulator and logs a new device in as user, as Example_login does with
// plex.tv; the caller closes the emulator and removes dir.
func signedIn(ctx context.Context, user string) (*emulator.Emulator, *plextv.Client, *devicekey.Device, string) {
	e := emulator.New(emulator.Options{LibrarySize: 100})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "plexkit-example")
	if err != nil {
		log.Fatal(err)
	}
	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)))
	if err != nil {
		log.Fatal(err)
	}
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		OnPin:        func(pin *plextv.Pin, _ string) { _ = e.ClaimPin(pin.Code, user) },
		PollInterval: 10 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := (&auth.FileStore{Dir: dir}).Save(ctx, tok); err != nil {
		log.Fatal(err)
	}
	return e, c, dev, dir
}

// Now playing: a tracker keeps the server's sessions from its notifications (re-reading
// /status/sessions when it connects, after a gap, and for details a notification lacks) and
// says what changed. Here a player on the emulator starts, pauses and stops an episode.
func Example_nowPlaying() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := emulator.New(emulator.Options{LibrarySize: 100, FreezeClock: true})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	pc, err := pms.NewClient(e.Servers()[0].URL, pms.WithToken(nowPlayingToken(e)))
	if err != nil {
		log.Fatal(err)
	}
	go nowPlayingPlayer(e, pc, cancel) // it ends the loop when it is done

	tr := pms.NewTracker(pc, pms.TrackerOptions{})
	for ev, err := range tr.Events(ctx) {
		if err != nil {
			log.Println(err) // the tracker reconnects by itself
			continue
		}
		s := ev.Session
		fmt.Printf("%s: %s plays %s on %s (%s)\n", ev.Kind, s.User.Title, s.DisplayTitle(), s.Player.Title, s.Player.State)
	}
	// Output:
	// started: alice plays Frozen River on Chrome (playing)
	// started: bob plays Midnight Empire on Chrome (paused)
	// started: alice plays The 100 – Pilot on living-room (playing)
	// paused: alice plays The 100 – Pilot on living-room (paused)
	// stopped: alice plays The 100 – Pilot on living-room (stopped)
}

// nowPlayingToken is alice's access token for alice-nas, as plex.tv's resources list it.
func nowPlayingToken(e *emulator.Emulator) string {
	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/api/v2/resources", nil)
	req.Header.Set("X-Plex-Token", e.LegacyToken("alice"))
	req.Header.Set("X-Plex-Client-Identifier", "plexkit-example")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Name        string `json:"name"`
		AccessToken string `json:"accessToken"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		log.Fatal(err)
	}
	for _, r := range list {
		if r.Name == emulator.ServerAliceNAS {
			return r.AccessToken
		}
	}
	log.Fatal("alice-nas is not among alice's resources")
	return ""
}

// nowPlayingPlayer plays the first episode of alice-nas's second show, once the tracker has
// read the seeded sessions, then cancels the tracker's context.
func nowPlayingPlayer(e *emulator.Emulator, pc *pms.Client, done context.CancelFunc) {
	defer done()
	ctx := context.Background()
	var show string
	for it, err := range pc.Library.Items(ctx, "2", pms.ItemsOptions{Start: 1, Limit: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		show = string(it.RatingKey)
	}
	resp, err := pc.Raw(ctx, http.MethodGet, "/library/metadata/"+show+"/allLeaves")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var leaves struct {
		MediaContainer struct{ Metadata []struct{ RatingKey string } }
	}
	if err := json.NewDecoder(resp.Body).Decode(&leaves); err != nil || len(leaves.MediaContainer.Metadata) == 0 {
		log.Fatal("no episode: ", err)
	}
	episode := leaves.MediaContainer.Metadata[0].RatingKey
	time.Sleep(200 * time.Millisecond) // let the tracker list the seeded sessions first
	for _, state := range []string{"playing", "paused", "stopped"} {
		err := e.Play(emulator.Playback{Server: emulator.ServerAliceNAS, User: "alice", Player: "living-room", Item: episode, State: state, Offset: time.Minute})
		if err != nil {
			log.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond) // a player reports every few seconds
	}
}
