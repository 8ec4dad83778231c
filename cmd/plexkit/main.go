// Command plexkit signs in to Plex with a device key, keeps its Plex JWT fresh, lists servers
// and what they are doing, and explains refused calls. Run `plexkit --help`.
package main

import (
	"os"

	"github.com/plexkit/plexkit/internal/cli"
)

func main() {
	os.Exit(cli.Main())
}
