package testutil

import (
	"os"
	"os/exec"
	"testing"
)

// EnvRequireBrowser, set to 1, makes the browser tests fail instead of skip when Chromium is
// missing; so does CI=true, as CI runs set it.
const EnvRequireBrowser = "PLEXKIT_REQUIRE_BROWSER"

// Chromium returns the path of Debian's Chromium (or another Chrome on PATH). Without one the
// calling test is skipped, or fails where CI=true or PLEXKIT_REQUIRE_BROWSER=1 require it.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" || os.Getenv(EnvRequireBrowser) == "1" {
		t.Fatalf("Chromium not found, and CI=true or %s=1 require the browser tests: install Debian's chromium", EnvRequireBrowser)
	}
	t.Skipf("Chromium not found: install Debian's chromium to run the real-browser tests (%s=1 makes this a failure)", EnvRequireBrowser)
	return ""
}
