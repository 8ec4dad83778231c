package devicekey_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/devicekey"
)

// A program outside plexkit can match the error of a key file others can read by its public
// name, devicekey.PermissionError.
func TestPermissionErrorIsPublic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := devicekey.CreateDevice(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, devicekey.KeyFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := devicekey.LoadDevice(dir)
	var pe *devicekey.PermissionError
	if !errors.As(err, &pe) || pe.Path != path {
		t.Fatalf("LoadDevice = %v, want a *devicekey.PermissionError for %s", err, path)
	}
}

// A directory others can write to is refused: they could put a key of theirs in place.
func TestWorldWritableDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := devicekey.CreateDevice(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	_, err := devicekey.LoadDevice(dir)
	var pe *devicekey.PermissionError
	if !errors.As(err, &pe) || pe.Path != dir || !strings.Contains(err.Error(), "chmod 700 "+dir) {
		t.Fatalf("LoadDevice in a 0777 directory = %v; want a *devicekey.PermissionError with the chmod for the directory", err)
	}
}
