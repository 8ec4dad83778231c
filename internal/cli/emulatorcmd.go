package cli

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit/emulator"
)

func init() { register(newEmulatorCmd) }

// emulatorReady is the line `plexkit emulator` prints on stdout once it serves.
type emulatorReady struct {
	PlexTV  string                `json:"plextv"`
	Servers []emulator.ServerInfo `json:"servers"`
	Users   []emulator.UserInfo   `json:"users"`
}

func newEmulatorCmd(f *Factory) *cobra.Command {
	var listen, fixture string
	var librarySize int
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run plex.tv and Plex Media Servers locally, for tests",
		Long: `Run the emulator of plex.tv and of the seeded Plex Media Servers (alice-nas, alice-vault) on
loopback. When it serves, it prints one JSON line on stdout:

  {"plextv": "<base URL>", "servers": [...], "users": [...]}

with each server's live URL and each seeded account's username and password (for the sign-in
pages at <base URL>/link and /auth). Point plexkit at it with --plextv <base URL> (or
` + EnvPlexTVURL + `). Requests are logged on stderr. It serves until SIGINT or SIGTERM,
then closes every listener. The control API is under <base URL>/__emulator/.

With --fixture FILE (YAML or JSON) the emulator starts with the accounts, servers, shares,
libraries and plays the file describes instead of the seeded ones; see
emulator/testdata/example-fixture.yaml for the format.`,
		Example: `  plexkit emulator
  plexkit emulator --listen 127.0.0.1:8080 --library-size 100000
  plexkit emulator --fixture my-library.yaml`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if librarySize < 0 {
				return usageErrorf("--library-size must not be negative, got %d", librarySize)
			}
			// Registered before the line is printed: whoever waits for the line may signal.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logger := log.New(f.IO.ErrOut, "emulator: ", log.LstdFlags)
			opts := emulator.Options{LibrarySize: librarySize, Logf: logger.Printf}
			if fixture != "" {
				fx, err := emulator.LoadFixture(fixture)
				if err != nil {
					return err
				}
				opts.Fixture = fx
			}
			e := emulator.New(opts)
			if err := e.StartOn(listen); err != nil {
				return err
			}
			defer e.Close()
			st := e.State()
			line, err := json.Marshal(emulatorReady{PlexTV: st.URL, Servers: st.Servers, Users: st.Users})
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(f.IO.Out, "%s\n", line); err != nil {
				return err
			}
			<-ctx.Done()
			logger.Print("stopping")
			return e.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address of the plex.tv listener (servers use random loopback ports)")
	cmd.Flags().IntVar(&librarySize, "library-size", 2000, "items in alice's Movies section on alice-nas")
	cmd.Flags().StringVar(&fixture, "fixture", "", "start with the accounts, servers and libraries of this YAML or JSON `file`")
	return cmd
}
