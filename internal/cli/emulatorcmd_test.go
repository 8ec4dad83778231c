package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envSubprocessArgs, when set, makes the test binary run plexkit with these (JSON) arguments
// instead of tests: a real process that can be signalled.
const envSubprocessArgs = "PLEXKIT_TEST_SUBPROCESS_ARGS"

func TestPlexkitSubprocess(t *testing.T) {
	raw := os.Getenv(envSubprocessArgs)
	if raw == "" {
		return // only a helper: see startPlexkit
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(Run(args, SystemIO(), os.Getenv))
}

// startPlexkit runs plexkit args in a child process (this test binary) and returns it with its
// stdout.
func startPlexkit(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader, *strings.Builder) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlexkitSubprocess$")
	cmd.Env = append(os.Environ(), envSubprocessArgs+"="+string(raw), EnvConfigDir+"="+t.TempDir())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd, bufio.NewReader(out), &stderr
}

func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			cmd, out, stderr := startPlexkit(t, "emulator", "--library-size", "25")
			line, err := out.ReadString('\n')
			if err != nil {
				t.Fatalf("no ready line: %v; stderr: %s", err, stderr)
			}
			var ready emulatorReady
			if err := json.Unmarshal([]byte(line), &ready); err != nil || !strings.HasPrefix(ready.PlexTV, "http://127.0.0.1:") {
				t.Fatalf("ready line %q: %v", line, err)
			}
			names := map[string]string{}
			for _, s := range ready.Servers {
				names[s.Name] = s.URL
			}
			if names["alice-nas"] == "" || names["alice-vault"] == "" || len(ready.Users) != 4 || ready.Users[0].Password == "" {
				t.Errorf("ready line lacks the seed: %s", line)
			}
			for _, u := range []string{ready.PlexTV + "/api/v2/auth/keys", names["alice-nas"] + "/identity"} {
				resp, err := http.Get(u)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s: %v %v", u, err, resp)
				}
				if resp != nil {
					resp.Body.Close()
				}
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after %s: %v; stderr: %s", sig, err, stderr)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10 s after %s", sig)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ready.PlexTV+"/api/v2/auth/keys", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Error("plex.tv still answers after the emulator stopped")
			} else if errors.Is(err, context.DeadlineExceeded) {
				t.Error("plex.tv's port still accepts connections after the emulator stopped")
			}
			if !strings.Contains(stderr.String(), "GET /api/v2/auth/keys") || !strings.Contains(stderr.String(), "stopping") {
				t.Errorf("stderr lacks the request log: %s", stderr)
			}
		})
	}
	t.Run("a port in use", func(t *testing.T) {
		t.Parallel()
		e := startCLIEmulator(t)
		r := runCLIWith(t, map[string]string{}, false, "emulator", "--listen", strings.TrimPrefix(e.URL(), "http://"))
		r.expect(t, 1, "address already in use")
	})
	t.Run("a negative library size", func(t *testing.T) {
		t.Parallel()
		runCLIWith(t, map[string]string{}, false, "emulator", "--library-size", "-1").expect(t, 2, "--library-size")
	})
}
