package cli

import "os"

// Main runs plexkit with the process's arguments, streams and environment, and returns the exit
// code; cmd/plexkit exits with it.
func Main() int {
	return Run(os.Args[1:], SystemIO(), os.Getenv)
}
