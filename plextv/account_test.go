package plextv_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// End-to-end tests of the account services against the in-process emulator: what a call
// writes, a later read shows, and refusals are the typed errors.

// account logs a new device in as username (a Plex JWT, by PIN) and returns a client that
// carries that token, with the device.
func account(t *testing.T, e *emulator.Emulator, username string, opts ...plextv.Option) (*plextv.Client, *devicekey.Device) {
	t.Helper()
	dev := newDevice(t)
	c := newClient(t, e, dev, opts...)
	tok := login(t, e, c, dev, username)
	return c.WithTokenSource(auth.StaticTokenSource(tok)), dev
}

// xmlOnly is a transport that drops the Accept header, as python-plexapi does, so that plex.tv
// answers XML.
type xmlOnly struct{}

func (xmlOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Del("Accept")
	return http.DefaultTransport.RoundTrip(r)
}

// plex.tv answers its v2 endpoints in XML to a client that does not ask for JSON (as
// python-plexapi does not); the client decodes either into the same values.
func TestAccountIsTheSameInJSONAndXML(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	dev := newDevice(t)
	tok := login(t, e, newClient(t, e, dev), dev, "alice")
	c := newClient(t, e, dev, plextv.WithTokenSource(auth.StaticTokenSource(tok)))
	xc := newClient(t, e, dev, plextv.WithTokenSource(auth.StaticTokenSource(tok)), plextv.WithHTTPClient(&http.Client{Transport: xmlOnly{}}))

	fromJSON, err := c.Users.Me(ctx, "")
	if err != nil {
		t.Fatalf("Me (JSON): %v", err)
	}
	fromXML, err := xc.Users.Me(ctx, "")
	if err != nil {
		t.Fatalf("Me (XML): %v", err)
	}
	if fromJSON.Username != "alice" || !fromJSON.HasPlexPass() || fromJSON.Profile == nil || len(fromJSON.Subscription.Features) == 0 {
		t.Errorf("alice = %+v; want her Plex Pass with its features, and her profile", fromJSON)
	}
	// What the encodings carry differently (plex-beyond-spec.md A.2): anonymous is "" in XML,
	// certificateVersion, queueEmail and queueUid are JSON's alone, and dates are written as
	// each encoding writes them.
	fromJSON.Anonymous, fromJSON.CertificateVersion, fromJSON.QueueEmail, fromJSON.QueueUID = nil, 0, "", ""
	for _, u := range []*plextv.User{fromJSON, fromXML} {
		if u.Subscription.Since().IsZero() {
			t.Errorf("subscribedAt %q is not a date", u.Subscription.SubscribedAt)
		}
		u.Subscription.SubscribedAt = u.Subscription.Since().String()
		for i := range u.Subscriptions {
			u.Subscriptions[i].SubscribedAt = u.Subscriptions[i].Since().String()
		}
	}
	if !reflect.DeepEqual(fromJSON, fromXML) {
		t.Errorf("Me differs between the encodings:\nJSON %+v\nXML  %+v", fromJSON, fromXML)
	}

	pj, err := c.Pins.Create(ctx, plextv.PinOptions{Strong: true})
	if err != nil {
		t.Fatalf("Pins.Create (JSON): %v", err)
	}
	px, err := xc.Pins.Create(ctx, plextv.PinOptions{Strong: true})
	if err != nil {
		t.Fatalf("Pins.Create (XML): %v", err)
	}
	if px.ID == 0 || len(px.Code) != len(pj.Code) || px.ExpiresAt.Sub(px.CreatedAt) != pj.ExpiresAt.Sub(pj.CreatedAt) || px.Location == nil || *px.Location != *pj.Location {
		t.Errorf("a PIN read from XML = %+v; from JSON %+v", px, pj)
	}
	if _, err := c.Webhooks.Add(ctx, "https://hooks.example.com/a?b=1&c=2"); err != nil {
		t.Fatalf("Webhooks.Add: %v", err)
	}
	for _, call := range []struct {
		name string
		get  func(*plextv.Client) (any, error)
	}{
		{"Resources.List", func(c *plextv.Client) (any, error) { return c.Resources.List(ctx) }},
		{"Home.List", func(c *plextv.Client) (any, error) { return c.Home.List(ctx) }},
		{"Webhooks.List", func(c *plextv.Client) (any, error) { return c.Webhooks.List(ctx) }},
	} {
		j, err := call.get(c)
		if err != nil {
			t.Fatalf("%s (JSON): %v", call.name, err)
		}
		x, err := call.get(xc)
		if err != nil {
			t.Fatalf("%s (XML): %v", call.name, err)
		}
		if reflect.ValueOf(j).Len() == 0 {
			t.Errorf("%s is empty: nothing compared", call.name)
		}
		if !reflect.DeepEqual(j, x) {
			t.Errorf("%s differs between the encodings:\nJSON %+v\nXML  %+v", call.name, j, x)
		}
	}
}

func TestSignInEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c := newClient(t, e, newDevice(t))

	u, tok, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "bob", Password: emulator.BobPassword})
	if err != nil {
		t.Fatalf("SignIn(bob): %v", err)
	}
	if u.Username != "bob" || tok.Kind != auth.KindLegacy {
		t.Errorf("SignIn = %s with a %v token", u.Username, tok.Kind)
	}
	me, err := c.Users.Me(ctx, tok.Value)
	if err != nil || me.Username != "bob" {
		t.Fatalf("Me with the signed-in token = %+v, %v", me, err)
	}

	if _, _, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "bob@example.com", Password: "wrong"}); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("wrong password: %v; want ErrUnauthorized", err)
	}
	_, _, err = c.Users.SignIn(ctx, plextv.SignInOptions{Login: "dave", Password: emulator.DavePassword})
	if !errors.Is(err, plextv.ErrVerificationCodeRequired) {
		t.Errorf("dave without his code: %v; want ErrVerificationCodeRequired", err)
	}
	if u, _, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "dave", Password: emulator.DavePassword, VerificationCode: emulator.DaveVerificationCode}); err != nil || u.Username != "dave" {
		t.Errorf("dave with his code = %v, %v", u, err)
	}

	// Signing out ends the signed-in token.
	if err := c.WithTokenSource(auth.StaticTokenSource(tok)).Users.SignOut(ctx); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if _, err := c.Users.Me(ctx, tok.Value); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("Me after the sign-out: %v; want ErrUnauthorized", err)
	}
}

func TestSignInLockedOutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c := newClient(t, e, newDevice(t))
	var err error
	for range 50 {
		_, _, err = c.Users.SignIn(ctx, plextv.SignInOptions{Login: "bob", Password: "guess"})
		if errors.Is(err, plextv.ErrSignInLockedOut) {
			break
		}
		if !errors.Is(err, plexkit.ErrUnauthorized) {
			t.Fatalf("a wrong password: %v; want ErrUnauthorized", err)
		}
	}
	if !errors.Is(err, plextv.ErrSignInLockedOut) {
		t.Fatalf("50 wrong passwords and no lock-out; last error %v", err)
	}
	// The right password does not get through a lock-out either, or guessing would go on.
	if _, _, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "bob", Password: emulator.BobPassword}); !errors.Is(err, plextv.ErrSignInLockedOut) {
		t.Errorf("the right password during the lock-out: %v; want ErrSignInLockedOut", err)
	}
}

func TestHomeEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c, _ := account(t, e, "alice")
	users, err := c.Home.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	i := slices.IndexFunc(users, func(u plextv.HomeUser) bool { return u.Title == "Carol" })
	if i < 0 || !users[i].Managed() || !users[i].Protected || !users[0].Admin {
		t.Fatalf("Home users = %+v; want alice the admin and carol managed, with a PIN", users)
	}
	carol := users[i]

	if _, err := c.Home.Switch(ctx, carol.UUID, "0000"); !errors.Is(err, plextv.ErrHomePINRequired) {
		t.Errorf("Switch with a wrong PIN: %v; want ErrHomePINRequired", err)
	}
	if _, err := c.Home.Switch(ctx, carol.UUID, ""); !errors.Is(err, plextv.ErrHomePINRequired) {
		t.Errorf("Switch without the PIN: %v; want ErrHomePINRequired", err)
	}
	sw, err := c.Home.Switch(ctx, carol.UUID, emulator.CarolHomePin)
	if err != nil {
		t.Fatalf("Switch: %v", err)
	}
	asCarol := c.WithTokenSource(sw.TokenSource())
	me, err := asCarol.Users.Me(ctx, "")
	if err != nil || me.UUID != carol.UUID || !me.Restricted {
		t.Fatalf("Me as the switched user = %+v, %v; want carol", me, err)
	}
	// The switch leaves the client's own token as it was.
	if me, err := c.Users.Me(ctx, ""); err != nil || me.Username != "alice" {
		t.Errorf("Me after the switch = %+v, %v; want alice still", me, err)
	}
	// carol sees alice-nas, shared with her, and nothing of alice-vault.
	servers, err := asCarol.Resources.Servers(ctx)
	if err != nil || len(servers) != 1 || servers[0].Name != emulator.ServerAliceNAS || servers[0].Owned {
		t.Errorf("carol's servers = %v, %v; want alice-nas, shared", servers, err)
	}
}

func TestFriendsAndSharingEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	alice, _ := account(t, e, "alice")
	dave, _ := account(t, e, "dave")

	friends, err := alice.Friends.List(ctx)
	if err != nil {
		t.Fatalf("Friends.List: %v", err)
	}
	byName := map[string]plextv.Friend{}
	for _, f := range friends {
		byName[f.Name()] = f
	}
	bob, ok := byName["bob"]
	if !ok || len(bob.Servers) != 1 || bob.Servers[0].Name != emulator.ServerAliceNAS || bob.Servers[0].AllLibraries || bob.Servers[0].NumLibraries != 2 {
		t.Fatalf("friends = %+v; want bob with alice-nas, two libraries (Movies and Music)", friends)
	}
	if carol, ok := byName["Carol"]; !ok || !carol.Home || carol.Username != "" {
		t.Errorf("friends = %+v; want carol as a Home user without username", friends)
	}
	nasID := bob.Servers[0].MachineIdentifier

	sections, err := alice.Sharing.Sections(ctx, nasID)
	if err != nil || len(sections) != 4 {
		t.Fatalf("Sections = %+v, %v; want alice-nas's four", sections, err)
	}
	shares, err := alice.Sharing.List(ctx, nasID)
	if err != nil {
		t.Fatalf("Sharing.List: %v", err)
	}
	if sh := shareOf(shares, "bob"); sh == nil || sh.ID != bob.Servers[0].ID || titles(sh.SharedSections()) != "Movies, Music" {
		t.Errorf("bob's share = %v; want Movies, Music, with the id the friends list gives", sh)
	}

	// Share Movies with dave: his resources list alice-nas at once.
	movies := sections[slices.IndexFunc(sections, func(s plextv.ServerSection) bool { return s.Title == "Movies" })]
	if err := alice.Sharing.Invite(ctx, nasID, plextv.Invitee{Email: "dave@example.com"}, plextv.Share{SectionIDs: []int64{movies.ID}}); err != nil {
		t.Fatalf("Invite: %v", err)
	}
	if err := alice.Sharing.Invite(ctx, nasID, plextv.Invitee{Email: "dave"}, plextv.Share{}); !errors.Is(err, plexkit.ErrBadRequest) {
		t.Errorf("a second invitation: %v; want plex.tv's refusal", err)
	}
	shares, _ = alice.Sharing.List(ctx, nasID)
	sh := shareOf(shares, "dave")
	if sh == nil || titles(sh.SharedSections()) != "Movies" {
		t.Fatalf("dave's share after the invitation = %v", sh)
	}
	if servers, err := dave.Resources.Servers(ctx); err != nil || len(servers) != 1 || servers[0].ClientIdentifier != nasID {
		t.Errorf("dave's servers after the invitation = %v, %v; want alice-nas", servers, err)
	}

	// Every section, then no share at all.
	if err := alice.Sharing.Update(ctx, nasID, sh.ID, plextv.Share{SectionIDs: []int64{sections[0].ID, sections[1].ID}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	shares, _ = alice.Sharing.List(ctx, nasID)
	if got := titles(shareOf(shares, "dave").SharedSections()); got != "Movies, TV Shows" {
		t.Errorf("dave's sections after the update = %q", got)
	}
	if err := alice.Sharing.Remove(ctx, nasID, sh.ID); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	shares, _ = alice.Sharing.List(ctx, nasID)
	if shareOf(shares, "dave") != nil {
		t.Error("dave's share is still listed after its removal")
	}
	if servers, err := dave.Resources.Servers(ctx); err != nil || len(servers) != 0 {
		t.Errorf("dave's servers after the removal = %v, %v; want none", servers, err)
	}
	if err := alice.Sharing.Remove(ctx, nasID, sh.ID); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("removing it again: %v; want ErrNotFound", err)
	}
	// bob owns no server: plex.tv refuses him alice's.
	bobc, _ := account(t, e, "bob")
	if _, err := bobc.Sharing.List(ctx, nasID); err == nil {
		t.Error("bob listed the shares of alice's server")
	}

	// Ending the friendship ends every share with bob.
	if err := alice.Friends.Remove(ctx, bob.ID); err != nil {
		t.Fatalf("Friends.Remove: %v", err)
	}
	friends, _ = alice.Friends.List(ctx)
	if slices.ContainsFunc(friends, func(f plextv.Friend) bool { return f.ID == bob.ID }) {
		t.Error("bob is still a friend after his removal")
	}
	if servers, err := bobc.Resources.Servers(ctx); err != nil || len(servers) != 0 {
		t.Errorf("bob's servers after the friendship ended = %v, %v; want none", servers, err)
	}
	if err := alice.Friends.Remove(ctx, bob.ID); !errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("removing bob again: %v; want ErrNotFound", err)
	}
}

// find returns the first element of xs that match accepts, or nil.
func find[T any](xs []T, match func(*T) bool) *T {
	for i := range xs {
		if match(&xs[i]) {
			return &xs[i]
		}
	}
	return nil
}

func shareOf(shares []plextv.SharedServer, username string) *plextv.SharedServer {
	return find(shares, func(s *plextv.SharedServer) bool { return s.Username == username })
}

func titles(secs []plextv.ServerSection) string {
	out := ""
	for i, s := range secs {
		if i > 0 {
			out += ", "
		}
		out += s.Title
	}
	return out
}

func TestDevicesEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c, self := account(t, e, "alice")
	other, otherDev := account(t, e, "alice")

	devices, err := c.Devices.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	mine := deviceOf(devices, self.ClientIdentifier)
	theirs := deviceOf(devices, otherDev.ClientIdentifier)
	if mine == nil || theirs == nil {
		t.Fatalf("devices = %+v; want both of alice's logins", devices)
	}

	err = c.Devices.Remove(ctx, mine.ID, plextv.RemoveOptions{})
	var te *plextv.ThisDeviceError
	if !errors.As(err, &te) || !errors.Is(err, plextv.ErrThisDevice) {
		t.Fatalf("Remove(this device) = %v; want a *ThisDeviceError", err)
	}
	if _, err := c.Users.Me(ctx, ""); err != nil {
		t.Fatalf("this device no longer works after a refused removal: %v", err)
	}

	if err := c.Devices.Rename(ctx, theirs.ID, "old laptop"); err != nil {
		t.Fatalf("Rename: %v", err)
	}
	devices, _ = c.Devices.List(ctx)
	if d := deviceOf(devices, otherDev.ClientIdentifier); d == nil || d.Name != "old laptop" {
		t.Errorf("after the rename: %+v", d)
	}

	if err := c.Devices.Remove(ctx, theirs.ID, plextv.RemoveOptions{}); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	devices, _ = c.Devices.List(ctx)
	if deviceOf(devices, otherDev.ClientIdentifier) != nil {
		t.Error("the removed device is still listed")
	}
	if _, err := other.Users.Me(ctx, ""); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("the removed device's token: %v; want ErrUnauthorized", err)
	}
	if err := c.Devices.Remove(ctx, theirs.ID, plextv.RemoveOptions{}); !errors.Is(err, plextv.ErrNoSuchDevice) {
		t.Errorf("removing it again: %v; want ErrNoSuchDevice", err)
	}

	// Confirmed, this device goes too, and its token with it.
	if err := c.Devices.Remove(ctx, mine.ID, plextv.RemoveOptions{ThisDevice: true}); err != nil {
		t.Fatalf("Remove(this device, confirmed): %v", err)
	}
	if _, err := c.Users.Me(ctx, ""); !errors.Is(err, plexkit.ErrUnauthorized) {
		t.Errorf("this device's token after its removal: %v; want ErrUnauthorized", err)
	}
}

func deviceOf(devices []plextv.Device, cid string) *plextv.Device {
	return find(devices, func(d *plextv.Device) bool { return d.ClientIdentifier == cid })
}

func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	ctx := context.Background()
	c, _ := account(t, e, "alice")
	before, err := c.Webhooks.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	const hook = "https://hooks.example.com/plex?id=1"
	got, err := c.Webhooks.Add(ctx, hook)
	if err != nil || !slices.Contains(got, hook) || len(got) != len(before)+1 {
		t.Fatalf("Add = %q, %v", got, err)
	}
	if again, err := c.Webhooks.Add(ctx, hook); err != nil || len(again) != len(got) {
		t.Errorf("adding it twice = %q, %v; want it once", again, err)
	}
	if listed, err := c.Webhooks.List(ctx); err != nil || !reflect.DeepEqual(listed, got) {
		t.Errorf("List after Add = %q, %v; want %q", listed, err, got)
	}
	if !slices.Contains(e.Webhooks("alice"), hook) {
		t.Errorf("the emulator keeps %q for alice", e.Webhooks("alice"))
	}
	after, err := c.Webhooks.Remove(ctx, hook)
	if err != nil || !reflect.DeepEqual(after, before) && !(len(after) == 0 && len(before) == 0) {
		t.Errorf("Remove = %q, %v; want %q", after, err, before)
	}
	if _, err := c.Webhooks.Remove(ctx, hook); !errors.Is(err, plextv.ErrNoSuchWebhook) {
		t.Errorf("removing it again: %v; want ErrNoSuchWebhook", err)
	}
	if cleared, err := c.Webhooks.Set(ctx, nil); err != nil || len(cleared) != 0 {
		t.Errorf("Set(nil) = %q, %v; want no webhooks", cleared, err)
	}

	bob, _ := account(t, e, "bob")
	_, err = bob.Webhooks.List(ctx)
	if err == nil || errors.Is(err, plexkit.ErrUnauthorized) || errors.Is(err, plexkit.ErrNotFound) {
		t.Errorf("webhooks of bob, without Plex Pass: %v; want a refusal that is neither 401 nor 404", err)
	}
}
