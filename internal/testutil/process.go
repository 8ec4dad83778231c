package testutil

import (
	"bufio"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"
)

// HelperProcess returns a command that runs the test binary again with only its
// TestHelperProcess selected and env added to the environment: the os/exec pattern for a test
// that needs another process (TestHelperProcess does the work when env names a role).
func HelperProcess(ctx context.Context, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// KillMidway starts cmd, waits for the first line it prints on stdout (its sign that the work
// has begun), lets it run for a random time below window, and kills it with SIGKILL. It fails t
// unless the process started, printed, and ended by that kill; round numbers the attempt in
// the messages.
func KillMidway(t testing.TB, cmd *exec.Cmd, window time.Duration, round int) {
	t.Helper()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("kill %d: the helper did not start: %v", round, err)
	}
	time.Sleep(rand.N(window))
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exitErr) {
		t.Fatalf("kill %d: the helper ended with %v, want killed", round, err)
	}
}
