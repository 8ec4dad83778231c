package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/plexkit/plexkit/internal/atomicfile"
)

// Store keeps a token between runs of a program, and between programs.
type Store interface {
	// Load returns the stored token, or an error matching ErrNoToken when there is none.
	Load(ctx context.Context) (*Token, error)
	// Save replaces the stored token; a reader sees the old token or the new one, never a mix.
	Save(ctx context.Context, t *Token) error
	// Delete removes the stored token; deleting nothing is not an error.
	Delete(ctx context.Context) error
	// Lock takes a lock that excludes every other holder of the same store, in this process or
	// another, until unlock is called; it waits until ctx is done. CachedSource holds it while
	// it refreshes, so that two programs sharing a store never both refresh.
	Lock(ctx context.Context) (unlock func(), err error)
}

// PermissionError says the token file, or its directory, can be read by other users than its
// owner: FileStore refuses to read it. Its Path, Mode and Want fields name the file, its mode and
// the mode it needs, and its message gives the chmod that fixes it. Match it with errors.As:
//
//	var pe *auth.PermissionError
//	if errors.As(err, &pe) { … pe.Path … }
//
// It is the same type as devicekey.PermissionError.
type PermissionError = atomicfile.PermissionError

// ErrNoToken is returned (wrapped) when there is no token: nothing stored, or a static source
// given none.
var ErrNoToken = errors.New("no token stored: log in first")

// File names inside a FileStore's directory.
const (
	TokenFileName = "token.json"
	LockFileName  = "token.lock"
)

// lockRetry is how often Lock retries a lock another process holds. A refresh takes a few
// hundred milliseconds, so a waiter learns of the release soon enough without spinning.
const lockRetry = 20 * time.Millisecond

// FileStore stores a token in Dir/token.json: a 0600 file in a 0700 directory, written
// atomically (a temporary file in Dir, fsynced, renamed over the old one), so a crash or a kill
// leaves the old token or the new one. Its lock is an advisory file lock on Dir/token.lock.
//
// A kill in the middle of Save can leave a temporary file named .token.json.tmp-* beside
// token.json, holding a token. Load never reads those; Lock removes those of processes that no
// longer run, and Delete removes them all.
type FileStore struct {
	// Dir is the directory of the token file, created by Save and Lock if missing.
	Dir string
}

// Path returns the token file's path.
func (s *FileStore) Path() string { return filepath.Join(s.Dir, TokenFileName) }

func (s *FileStore) check(ctx context.Context) error {
	if s == nil || s.Dir == "" {
		return errors.New("auth: FileStore has no directory")
	}
	return ctx.Err()
}

// Load reads the token. It returns an error matching ErrNoToken when there is no file, a
// *PermissionError when the file can be read by other users (it is not read), and a
// *CorruptError naming the file when its content is not a token.
func (s *FileStore) Load(ctx context.Context) (*Token, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	path := s.Path()
	if err := atomicfile.CheckPrivate(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("auth: %s: %w", path, ErrNoToken)
		}
		var perm *PermissionError
		if errors.As(err, &perm) {
			return nil, perm
		}
		return nil, fmt.Errorf("auth: read token: %w", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("auth: %s: %w", path, ErrNoToken)
		}
		return nil, fmt.Errorf("auth: read token: %w", err)
	}
	t, err := DecodeToken(data)
	if err != nil {
		var c *CorruptError
		if errors.As(err, &c) {
			c.Path = path
		}
		return nil, err
	}
	return t, nil
}

// Save writes t atomically with mode 0600, creating Dir (0700) if needed. A token that could
// not be loaded back (empty, unknown kind, a Plex JWT without expiry) is refused.
func (s *FileStore) Save(ctx context.Context, t *Token) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	data, err := EncodeToken(t)
	if err != nil {
		return err
	}
	if err := atomicfile.EnsureDir(s.Dir); err != nil {
		return fmt.Errorf("auth: save token: %w", err)
	}
	if err := atomicfile.WriteFile(s.Path(), data, atomicfile.FilePerm, false); err != nil {
		return fmt.Errorf("auth: save token: %w", err)
	}
	return nil
}

// Delete removes the token file and any temporary files a killed Save left. The lock file
// stays: removing it could let two processes lock different files of the same name.
func (s *FileStore) Delete(ctx context.Context) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if err := os.Remove(s.Path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("auth: delete token: %w", err)
	}
	if err := atomicfile.RemoveTemps(s.Path(), true); err != nil {
		return fmt.Errorf("auth: delete token: %w", err)
	}
	return nil
}

// Lock takes the exclusive lock on Dir/token.lock (creating Dir and the file if needed),
// retrying until it is free or ctx is done. The lock is held by an open file, so the operating
// system releases it when a process dies: a crashed refresher never blocks the others.
func (s *FileStore) Lock(ctx context.Context) (func(), error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if err := atomicfile.EnsureDir(s.Dir); err != nil {
		return nil, fmt.Errorf("auth: lock token store: %w", err)
	}
	fl := flock.New(filepath.Join(s.Dir, LockFileName), flock.SetPermissions(atomicfile.FilePerm))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil {
		return nil, fmt.Errorf("auth: lock token store %s: %w", s.Dir, err)
	}
	if !ok {
		return nil, fmt.Errorf("auth: lock token store %s: not acquired", s.Dir)
	}
	// Writers of the token hold this lock, so a temporary file whose writer no longer runs is
	// a leftover of a kill, holding a token: remove it. A failure here must not stop a refresh.
	_ = atomicfile.RemoveTemps(s.Path(), false)
	var once sync.Once
	return func() { once.Do(func() { _ = fl.Unlock() }) }, nil
}
