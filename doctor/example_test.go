package doctor_test

import (
	"context"
	"fmt"
	"time"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/devicekey"
	"github.com/plexkit/plexkit/doctor"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// bob, a friend alice shares her server with, asks it for the playing sessions and is
// refused. The doctor says why: the operation needs the admin role, which only the server's
// owner has.
func ExampleRun() {
	ctx := context.Background()
	e := emulator.New(emulator.Options{LibrarySize: 10})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	key, _ := devicekey.Generate()
	id, _ := devicekey.NewClientIdentifier()
	dev := &devicekey.Device{Key: key, ClientIdentifier: id}
	c, _ := plextv.NewClient(plextv.WithBaseURL(e.URL()), plextv.WithClientInfo(plexkit.DefaultClientInfo(id)))
	tok, err := plextv.Login(ctx, c, dev, plextv.LoginOptions{
		OnPin:        func(p *plextv.Pin, _ string) { _ = e.ClaimPin(p.Code, "bob") },
		PollInterval: 10 * time.Millisecond,
	})
	if err != nil {
		panic(err)
	}

	rep := doctor.Run(ctx, doctor.Input{
		PlexTV:       c,
		Device:       dev,
		Token:        tok.Value,
		Server:       "alice-nas",
		Path:         "/status/sessions",
		ProbeTimeout: time.Second, // the emulator lists connections that never answer
	})
	f := rep.FirstFailure()
	fmt.Println(rep.OK, f.Check, f.Detail["needs"], f.Detail["has"])
	// Output: false role admin shared user
}
