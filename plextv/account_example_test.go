package plextv_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// exampleClient returns a client of the emulator e for a device of its own; a real program uses
// its stored client identifier and no base URL.
func exampleClient(e *emulator.Emulator, clientID string) *plextv.Client {
	c, err := plextv.NewClient(
		plextv.WithBaseURL(e.URL()),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(clientID)),
	)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

// Password sign-in is the legacy path, for a program that must take a password; Login, where a
// person approves the device in a browser, is the default. An account with two-factor
// authentication needs its current code.
func ExampleUsersService_SignIn() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	c := exampleClient(e, "example-signin")
	ctx := context.Background()

	_, _, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "dave", Password: emulator.DavePassword})
	if errors.Is(err, plextv.ErrVerificationCodeRequired) {
		fmt.Println("dave has two-factor authentication")
	}
	u, tok, err := c.Users.SignIn(ctx, plextv.SignInOptions{
		Login:            "dave",
		Password:         emulator.DavePassword,
		VerificationCode: emulator.DaveVerificationCode,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", u.Username, "with a", tok.Kind)
	// Output:
	// dave has two-factor authentication
	// signed in as dave with a legacy token
}

// Switching to a Home user gives that user's token; a client made with it acts as that user.
func ExampleHomeService_Switch() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	alice := exampleClient(e, "example-home").WithTokenSource(auth.StaticTokenSource(
		&auth.Token{Value: e.LegacyToken("alice"), Kind: auth.KindLegacy}))

	users, err := alice.Home.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range users {
		if !u.Managed() {
			continue
		}
		sw, err := alice.Home.Switch(ctx, u.UUID, emulator.CarolHomePin)
		if err != nil {
			log.Fatal(err)
		}
		me, err := alice.WithTokenSource(sw.TokenSource()).Users.Me(ctx, "")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("acting as", me.Title, "restricted:", me.Restricted)
	}
	// Output:
	// acting as Carol restricted: true
}

// Removing the device a program runs as would end its own access, so Remove refuses it unless
// RemoveOptions.ThisDevice confirms.
func ExampleDevicesService_Remove() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	c := exampleClient(e, "example-devices")
	_, tok, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "alice", Password: emulator.AlicePassword})
	if err != nil {
		log.Fatal(err)
	}
	c = c.WithTokenSource(auth.StaticTokenSource(tok))

	devices, err := c.Devices.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range devices {
		if d.ClientIdentifier != "example-devices" {
			continue
		}
		err := c.Devices.Remove(ctx, d.ID, plextv.RemoveOptions{})
		fmt.Println("refused:", errors.Is(err, plextv.ErrThisDevice))
	}
	// Output:
	// refused: true
}

// Webhooks need Plex Pass; Add and Remove return the list plex.tv keeps.
func ExampleWebhooksService_Add() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	alice := exampleClient(e, "example-webhooks").WithTokenSource(auth.StaticTokenSource(
		&auth.Token{Value: e.LegacyToken("alice"), Kind: auth.KindLegacy}))

	if _, err := alice.Webhooks.Set(ctx, nil); err != nil {
		log.Fatal(err)
	}
	urls, err := alice.Webhooks.Add(ctx, "https://hooks.example.com/plex")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(urls)
	// Output:
	// [https://hooks.example.com/plex]
}

// The friends list says which of the account's servers each friend or Home user has; Sharing
// says which libraries they see there.
func ExampleFriendsService_List() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	alice := exampleClient(e, "example-friends").WithTokenSource(auth.StaticTokenSource(
		&auth.Token{Value: e.LegacyToken("alice"), Kind: auth.KindLegacy}))

	friends, err := alice.Friends.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range friends {
		for _, s := range f.Servers {
			shares, err := alice.Sharing.List(ctx, s.MachineIdentifier)
			if err != nil {
				log.Fatal(err)
			}
			for _, sh := range shares {
				if sh.UserID != f.ID {
					continue
				}
				var titles []string
				for _, sec := range sh.SharedSections() {
					titles = append(titles, sec.Title)
				}
				fmt.Println(f.Name(), "sees", s.Name, titles)
			}
		}
	}
	// Output:
	// bob sees alice-nas [Movies]
	// Carol sees alice-nas [Movies TV Shows]
}

// Sharing a server names its sections by plex.tv's ids for them (Sections); the share applies
// to the server at once.
func ExampleSharingService_Invite() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	alice := exampleClient(e, "example-sharing").WithTokenSource(auth.StaticTokenSource(
		&auth.Token{Value: e.LegacyToken("alice"), Kind: auth.KindLegacy}))

	var nas string
	for _, s := range e.Servers() {
		if s.Name == emulator.ServerAliceNAS {
			nas = s.MachineIdentifier
		}
	}
	sections, err := alice.Sharing.Sections(ctx, nas)
	if err != nil {
		log.Fatal(err)
	}
	var tv []int64
	for _, s := range sections {
		if s.Type == "show" {
			tv = append(tv, s.ID)
		}
	}
	if err := alice.Sharing.Invite(ctx, nas, plextv.Invitee{Email: "dave@example.com"}, plextv.Share{SectionIDs: tv}); err != nil {
		log.Fatal(err)
	}
	shares, err := alice.Sharing.List(ctx, nas)
	if err != nil {
		log.Fatal(err)
	}
	for _, sh := range shares {
		if sh.Username == "dave" {
			fmt.Println(sh)
		}
	}
	// Output:
	// alice-nas shared with dave (1 section)
}
