package compat

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// EnvRequireCompat, set to 1, makes the compatibility tests fail instead of skip when Node.js or
// the npm packages are missing; so does CI=true.
const EnvRequireCompat = "PLEXKIT_REQUIRE_COMPAT"

// node returns the path of Node.js once the npm packages are installed; otherwise the test is
// skipped, or fails where CI requires it.
func node(t *testing.T) string {
	t.Helper()
	required := os.Getenv("CI") == "true" || os.Getenv(EnvRequireCompat) == "1"
	miss := func(format string, args ...any) {
		t.Helper()
		if required {
			t.Fatalf(format+" (CI=true or "+EnvRequireCompat+"=1 require the compatibility tests)", args...)
		}
		t.Skipf(format+" ("+EnvRequireCompat+"=1 makes this a failure)", args...)
	}
	path, err := exec.LookPath("node")
	if err != nil {
		miss("Node.js not found: install Debian's nodejs and npm to run the compatibility tests")
	}
	if _, err := os.Stat(filepath.Join("testdata", "node_modules", ".package-lock.json")); err != nil {
		miss("the npm packages are not installed: run npm ci --prefix compat/testdata")
	}
	return path
}

// harnessEnv is what the node tests read from PLEXKIT_EMULATOR (see testdata/env.mjs).
type harnessEnv struct {
	emulator.State
	// Tokens holds each seeded user's legacy account token.
	Tokens map[string]string `json:"tokens"`
}

// runSuite starts an emulator with opts and runs testdata/<suite>/*.test.mjs against it with
// node's test runner, the plex.tv hosts redirected to the emulator by testdata/redirect.mjs.
func runSuite(t *testing.T, suite string, opts emulator.Options) {
	t.Helper()
	nodePath := node(t)
	files, err := filepath.Glob(filepath.Join("testdata", suite, "*.test.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no tests in testdata/%s", suite)
	}
	sort.Strings(files)
	for i, f := range files {
		files[i], _ = filepath.Rel("testdata", f)
	}

	e := emulator.New(opts)
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	env := harnessEnv{State: e.State(), Tokens: map[string]string{}}
	for _, u := range env.Users {
		env.Tokens[u.Username] = e.LegacyToken(u.Username)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := append([]string{"--import", "./redirect.mjs", "--test", "--test-reporter=spec", "--test-concurrency=1"}, files...)
	cmd := exec.CommandContext(ctx, nodePath, args...)
	cmd.Dir = "testdata"
	cmd.Env = append(os.Environ(),
		"PLEXKIT_PLEXTV_URL="+e.URL(),
		"PLEXKIT_EMULATOR="+string(raw),
		"NO_COLOR=1",
	)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test %s:\n%s", suite, out)
	if err != nil {
		t.Fatalf("%s against the emulator: %v (output above)", suite, err)
	}
}

// TestHarness checks the harness itself: plex.tv requests reach the emulator.
func TestHarness(t *testing.T) {
	runSuite(t, ".", emulator.Options{LibrarySize: 100})
}
