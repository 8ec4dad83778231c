package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// A temporary file of WriteFile is named .<name>.tmp-<pid>-<random>: the process that writes
// it is known, so that one left by a killed process (a secret, in full) can be told from one
// being written right now, and removed.

// tempPrefix returns the prefix of the temporary files of path.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".tmp-" }

// staleAge is how old a temporary file must be to be removed when its writer cannot be known
// (a name without a pid, or a system where a pid cannot be checked). A write takes milliseconds.
const staleAge = time.Minute

// RemoveTemps removes the temporary files WriteFile left beside path. With all set it removes
// every one; otherwise only those of writers that no longer run. Call it while holding the lock
// that writers of path hold, so that no new temporary file appears meanwhile.
func RemoveTemps(path string, all bool) error {
	dir, prefix := filepath.Dir(path), tempPrefix(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("remove temporary files of %s: %w", path, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if !all && !stale(filepath.Join(dir, name), strings.TrimPrefix(name, prefix)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove temporary file %s: %w", name, err)
		}
	}
	return nil
}

// HasTemps reports whether temporary files of path exist, cheaply (one directory read).
func HasTemps(path string) bool {
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		return false
	}
	prefix := tempPrefix(path)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) {
			return true
		}
	}
	return false
}

// stale reports whether the temporary file at path, whose name ends in suffix
// ("<pid>-<random>"), was left by a writer that no longer runs.
func stale(path, suffix string) bool {
	pidText, _, ok := strings.Cut(suffix, "-")
	pid, err := strconv.Atoi(pidText)
	if ok && err == nil && pid > 0 {
		if pid == os.Getpid() {
			return false // a write of this process, under way
		}
		if alive, known := running(pid); known {
			return !alive
		}
	}
	fi, err := os.Stat(path)
	return err == nil && time.Since(fi.ModTime()) > staleAge
}

// Lock takes an exclusive advisory lock on the file at path (created 0600 if missing), waiting
// for it, and returns its release. The operating system releases it when the process dies.
func Lock(path string) (unlock func(), err error) {
	fl := flock.New(path, flock.SetPermissions(FilePerm))
	if err := fl.Lock(); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { _ = fl.Unlock() }, nil
}
