package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cliResult is what one run of plexkit produced.
type cliResult struct {
	code        int
	stdout      string
	stderr      string
	configDir   string
	environment map[string]string
}

// runCLI runs plexkit with args, stdin and env (PLEXKIT_CONFIG_DIR defaults to a fresh temporary
// directory; HOME and XDG_CONFIG_HOME point into it, so nothing can reach the real home).
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) cliResult {
	t.Helper()
	e := map[string]string{}
	for k, v := range env {
		e[k] = v
	}
	if _, ok := e[EnvConfigDir]; !ok {
		e[EnvConfigDir] = filepath.Join(t.TempDir(), "plexkit")
	}
	if _, ok := e["HOME"]; !ok {
		e["HOME"] = filepath.Join(t.TempDir(), "home")
	}
	streams, in, out, errOut := TestIO()
	in.WriteString(stdin)
	code := Run(args, streams, func(k string) string { return e[k] })
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String(), configDir: e[EnvConfigDir], environment: e}
}

// withConfig returns an environment whose config directory is dir.
func withConfig(dir string) map[string]string { return map[string]string{EnvConfigDir: dir} }

func (r cliResult) mustSucceed(t testing.TB) cliResult {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

func (r cliResult) expect(t testing.TB, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr %q lacks %q", r.stderr, s)
		}
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
