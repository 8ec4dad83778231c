package cli_test

import (
	"encoding/base64"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/plexkit/plexkit/internal/cli"
)

// Run drives plexkit as a program would, with buffers for its streams and its own environment:
// here importing python-plexapi's raw key files (the RFC 8037 example key) and showing the kid.
func ExampleRun() {
	tmp, err := os.MkdirTemp("", "plexkit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	seed, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	pub, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	os.WriteFile(filepath.Join(tmp, "private.key"), seed, 0o600)
	os.WriteFile(filepath.Join(tmp, "public.key"), pub, 0o600)
	env := func(k string) string {
		if k == cli.EnvConfigDir {
			return filepath.Join(tmp, "config")
		}
		return ""
	}

	streams, _, out, _ := cli.TestIO()
	code := cli.Run([]string{"key", "import", "--private", filepath.Join(tmp, "private.key"), "--public", filepath.Join(tmp, "public.key")}, streams, env)
	fmt.Println("import:", code)
	out.Reset()
	code = cli.Run([]string{"key", "show", "--kid"}, streams, env)
	fmt.Print("show: ", code, " ", out.String())
	// Output:
	// import: 0
	// show: 0 kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
}
