package devicekey_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plexkit/plexkit/devicekey"
)

// The tests in this file run the test binary itself as another process (the os/exec pattern):
// TestHelperProcess does its work when helperEnv names a role.
const (
	helperEnv    = "PLEXKIT_DEVICEKEY_TEST_HELPER"
	helperDirEnv = "PLEXKIT_DEVICEKEY_TEST_DIR"
)

func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		return // not a helper: this test only runs inside the processes the other tests start
	}
	dir := os.Getenv(helperDirEnv)
	var err error
	switch role {
	case "replace":
		// Replace the device again and again, as `key generate --force` does, until killed.
		for i := 0; err == nil; i++ {
			var d *devicekey.Device
			if d, err = devicekey.NewDevice(); err == nil {
				err = devicekey.SaveDevice(dir, d, true)
			}
			if i == 0 {
				fmt.Println("ready")
			}
		}
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	fmt.Fprintln(os.Stderr, "helper:", err)
	os.Exit(1)
}

// The attack on `key generate --force` and `key import --force`: kill the process that
// replaces the device at a random moment, many times. After every kill the directory must hold
// one whole device — the old one or the new one — and no copy of a key outside it.
func TestReplaceDeviceSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	kills := 60
	if n, err := strconv.Atoi(os.Getenv("PLEXKIT_KILLS")); err == nil {
		kills = n // for the figure in docs/benchmarks.md
	}
	dir := t.TempDir()
	if _, err := devicekey.CreateDevice(dir); err != nil {
		t.Fatal(err)
	}
	corrupt, temps := 0, 0
	var firstErr error
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), helperEnv+"=replace", helperDirEnv+"="+dir)
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
			t.Fatalf("kill %d: the helper did not start: %v", i, err)
		}
		time.Sleep(time.Duration(rand.N(12000)) * time.Microsecond) // the 0–12 ms window
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		var exitErr *exec.ExitError
		if err := cmd.Wait(); !errors.As(err, &exitErr) {
			t.Fatalf("kill %d: the helper ended with %v, want killed", i, err)
		}
		d, err := devicekey.LoadDevice(dir)
		if err != nil {
			corrupt++
			if firstErr == nil {
				firstErr = err
			}
			// Start the next round from a whole device, as a person would after the error.
			if err := devicekey.RemoveDevice(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := devicekey.CreateDevice(dir); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if d.Key == nil || d.ClientIdentifier == "" {
			t.Fatalf("kill %d: LoadDevice returned an empty device", i)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				temps++
			}
		}
	}
	t.Logf("%d kills: %d left no usable device, %d temporary files found after a load", kills, corrupt, temps)
	if corrupt > 0 {
		t.Fatalf("%d of %d kills left no usable device; the first: %v", corrupt, kills, firstErr)
	}
	if temps > 0 {
		t.Fatalf("%d temporary files (copies of private keys) were left after loads", temps)
	}
	if err := devicekey.RemoveDevice(dir); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*device*"))
	hidden, _ := filepath.Glob(filepath.Join(dir, ".*"))
	for _, p := range append(left, hidden...) {
		if filepath.Base(p) != "device.lock" {
			t.Fatalf("after RemoveDevice %s remains", p)
		}
	}
}
