package devicekey_test

import (
	"errors"
	"os"
	"path/filepath"
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
