package cli

import (
	"encoding/json"
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

// cliCase is one row of a command's table test: plexkit run with args under env exits with code,
// its stderr holding each of stderr, and then passes check if there is one.
type cliCase struct {
	name   string
	env    map[string]string
	args   []string
	code   int
	stderr []string
	check  func(t *testing.T, r cliResult)
}

// runCases runs each case in parallel with run; a case whose output shows one of secrets fails.
func runCases(t *testing.T, tests []cliCase, run func(t *testing.T, env map[string]string, args ...string) cliResult, secrets ...string) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := run(t, tc.env, tc.args...)
			r.expect(t, tc.code, tc.stderr...)
			if tc.check != nil && r.code == tc.code {
				tc.check(t, r)
			}
			for _, s := range secrets {
				if strings.Contains(r.stdout+r.stderr, s) {
					t.Errorf("the output shows a token")
				}
			}
		})
	}
}

// runAdding returns a run of plexkit (no stdin) that adds extra to every command line.
func runAdding(extra ...string) func(t *testing.T, env map[string]string, args ...string) cliResult {
	return func(t *testing.T, env map[string]string, args ...string) cliResult {
		t.Helper()
		return runCLI(t, env, "", append(args, extra...)...)
	}
}

// jsonErrorHas is a check that stderr is plexkit's --json error, with exit code 1 and an error
// that contains want.
func jsonErrorHas(want string) func(t *testing.T, r cliResult) {
	return func(t *testing.T, r cliResult) {
		var got struct {
			Error    string
			ExitCode int
		}
		if err := json.Unmarshal([]byte(r.stderr), &got); err != nil || got.ExitCode != 1 || !strings.Contains(got.Error, want) {
			t.Errorf("stderr %q (%v)", r.stderr, err)
		}
	}
}
