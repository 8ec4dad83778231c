package plextv_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// Login with a 4-character PIN. A real program shows the code and the URL to a person and waits;
// here the emulator's ClaimPin approves it as the seeded user alice.
func ExampleLogin() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	dir, err := os.MkdirTemp("", "plexkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(
		plextv.WithBaseURL(e.URL()), // omit for plex.tv
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		Link:   true,
		Scopes: []string{"username", "email"},
		OnPin: func(pin *plextv.Pin, url string) {
			fmt.Printf("Enter the %d-character code at the link page\n", len(pin.Code))
			if err := e.ClaimPin(pin.Code, "alice"); err != nil {
				log.Fatal(err)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	me, err := c.Users.Me(ctx, tok.Value)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in as", me.Username, "with a Plex JWT valid for", tok.Expiry.Sub(tok.IssuedAt))
	// Output:
	// Enter the 4-character code at the link page
	// signed in as alice with a Plex JWT valid for 168h0m0s
}

// TokenSource keeps a program supplied with a valid Plex JWT: the saved token is reused until
// less than a day remains, then refreshed (a nonce and an exchange) and saved again.
func ExampleTokenSource() {
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	dir, err := os.MkdirTemp("", "plexkit-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	dev, err := devicekey.CreateDevice(dir)
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(
		plextv.WithBaseURL(e.URL()),
		plextv.WithClientInfo(plexkit.DefaultClientInfo(dev.ClientIdentifier)),
		plextv.WithClock(e.Now), // the emulator's clock, which this example moves forward
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	first, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		OnPin: func(pin *plextv.Pin, _ string) { _ = e.ClaimPin(pin.Code, "alice") },
	})
	if err != nil {
		log.Fatal(err)
	}
	store := &auth.FileStore{Dir: dir}
	if err := store.Save(ctx, first); err != nil {
		log.Fatal(err)
	}

	src, err := plextv.TokenSource(ctx, c, dev, store, plextv.SourceOptions{})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fresh token reused:", tok.Value == first.Value)

	e.Advance(6*24*time.Hour + time.Hour) // under a day left
	tok, err = src.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	saved, err := store.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refreshed and saved:", tok.Value != first.Value && saved.Value == tok.Value)

	servers, err := c.WithTokenSource(src).Resources.Servers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	names := make([]string, 0, len(servers))
	for _, s := range servers {
		names = append(names, s.Name)
	}
	slices.Sort(names)
	fmt.Println("servers:", names)
	// Output:
	// fresh token reused: true
	// refreshed and saved: true
	// servers: [alice-nas alice-vault]
}

// A program that starts often (a CLI) keeps plex.tv's key set in a file: the first run fetches
// it, the next ones verify tokens without a request until it is a day old, and a refresh costs
// two requests instead of three.
func ExampleKeyFile() {
	dir, err := os.UserConfigDir()
	if err != nil {
		log.Fatal(err)
	}
	c, err := plextv.NewClient(
		plextv.WithClientInfo(plexkit.DefaultClientInfo("my-client-id")),
		plextv.WithVerifierOptions(plextv.VerifierOptions{
			Store: &plextv.KeyFile{Path: filepath.Join(dir, "myapp", "plextv-keys.json"), URL: plextv.DefaultBaseURL},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c // c.Verifier() now reads the kept set before it fetches one
}
