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

// child is plexkit running in a child process (this test binary).
type child struct {
	cmd    *exec.Cmd
	stderr strings.Builder // written by exec's copying goroutine until the process is waited for
	done   chan struct{}   // closed once Wait has returned: then err and stderr may be read
	err    error           // what Wait returned
}

// startPlexkit runs plexkit args in a child process and returns it with its stdout. The child
// is killed and waited for when the test ends.
func startPlexkit(t *testing.T, args ...string) (*child, *bufio.Reader) {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestPlexkitSubprocess$"), done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), envSubprocessArgs+"="+string(raw), EnvConfigDir+"="+t.TempDir())
	c.cmd.Stderr = &c.stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait closes the stdout pipe once the child has exited; the test reads the ready line while
	// the child runs.
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.stop() })
	return c, bufio.NewReader(out)
}

// stop kills the child unless it has exited, waits for it, and returns everything it wrote on
// stderr. Reading stderr is safe only once the child has been waited for.
func (c *child) stop() string {
	select {
	case <-c.done:
	default:
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	return c.stderr.String()
}

func TestEmulatorCommand(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			c, out := startPlexkit(t, "emulator", "--library-size", "25")
			line, err := out.ReadString('\n')
			if err != nil {
				t.Fatalf("no ready line: %v; stderr: %s", err, c.stop())
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
			if err := c.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-c.done:
			case <-time.After(10 * time.Second):
				t.Fatalf("still running 10 s after %s; stderr: %s", sig, c.stop())
			}
			stderr := c.stop() // the child has exited and been waited for
			if c.err != nil {
				t.Fatalf("exit after %s: %v; stderr: %s", sig, c.err, stderr)
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
			if !strings.Contains(stderr, "GET /api/v2/auth/keys") || !strings.Contains(stderr, "stopping") {
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
