// Package atomicfile writes secret files so that a crash, a kill or a full disk leaves either
// the old file or the new one, never a torn one, and checks that such files are private.
// Both the device key (devicekey) and the token store (auth) use it.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// DirPerm and FilePerm are the permissions of plexkit's config directory and secret files.
const (
	DirPerm  fs.FileMode = 0o700
	FilePerm fs.FileMode = 0o600
)

// EnsureDir creates dir (and parents) with DirPerm if it does not exist. An existing directory
// is left as it is; callers that hold secrets check it with CheckPrivate.
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, DirPerm); err != nil {
		return fmt.Errorf("create config directory %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes data to path atomically: a temporary file in the same directory is written,
// fsynced, given perm, and renamed over path; then the directory is fsynced. If exclusive is
// true and path already exists, it returns an error matching fs.ErrExist and writes nothing.
func WriteFile(path string, data []byte, perm fs.FileMode, exclusive bool) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPrefix(path)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if exclusive {
		// A hard link fails if path exists, so an existing file is never replaced.
		if err = os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("write %s: %w", path, fs.ErrExist)
			}
			return fmt.Errorf("write %s: %w", path, err)
		}
		os.Remove(tmp.Name())
	} else if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // best effort: some platforms cannot open directories
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

// PermissionError says a secret file or directory can be read by others than its owner.
type PermissionError struct {
	Path string
	Mode fs.FileMode
	Want fs.FileMode
}

// Error implements error; it says how to fix the problem.
func (e *PermissionError) Error() string {
	if e.Mode.IsDir() && e.Mode.Perm()&0o022 != 0 {
		return fmt.Sprintf("directory %s has permissions %#o, so other users can replace the files in it; they hold secrets: run `chmod %o %s` and try again",
			e.Path, e.Mode.Perm(), e.Want, e.Path)
	}
	return fmt.Sprintf("%s has permissions %#o, so other users can read it; it holds secrets: run `chmod %o %s` and try again",
		e.Path, e.Mode.Perm(), e.Want, e.Path)
}

// CheckPrivate returns a *PermissionError if path is accessible to group or others, or if the
// directory that holds it can be written by them: whoever can write to the directory can
// replace a private file with one of theirs (a token or device key they know) or take the
// place of the temporary file the next write renames.
func CheckPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		if fi.Mode().Perm()&0o077 != 0 {
			return &PermissionError{Path: path, Mode: fi.Mode(), Want: DirPerm}
		}
		return nil
	}
	if err := CheckDir(filepath.Dir(path)); err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return &PermissionError{Path: path, Mode: fi.Mode(), Want: FilePerm}
	}
	return nil
}

// CheckDir returns a *PermissionError if users other than the owner can write to dir. A
// directory others may only read or list is accepted (its files are checked one by one).
func CheckDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return &PermissionError{Path: dir, Mode: fi.Mode(), Want: DirPerm}
	}
	return nil
}
