package auth_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/auth"
)

// A program outside plexkit can match the error of a token file others can read by its public
// name, auth.PermissionError.
func TestPermissionErrorIsPublic(t *testing.T) {
	t.Parallel()
	s := &auth.FileStore{Dir: t.TempDir()}
	tok := &auth.Token{Value: "legacyTokenValue1234", Kind: auth.KindLegacy}
	if err := s.Save(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(s.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(context.Background())
	var pe *auth.PermissionError
	if !errors.As(err, &pe) || pe.Path != s.Path() || pe.Mode.Perm() != 0o644 {
		t.Fatalf("Load = %v, want an *auth.PermissionError for %s", err, s.Path())
	}
}

// A directory others can write to is refused like a file others can read: they could replace
// the token. One others can only list is accepted.
func TestWorldWritableDirectoryIsRefused(t *testing.T) {
	t.Parallel()
	s := &auth.FileStore{Dir: t.TempDir()}
	if err := s.Save(context.Background(), &auth.Token{Value: "legacyTokenValue1234", Kind: auth.KindLegacy}); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o777, 0o770, 0o1777} {
		if err := os.Chmod(s.Dir, mode); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load(context.Background())
		var pe *auth.PermissionError
		if !errors.As(err, &pe) || pe.Path != s.Dir || !strings.Contains(err.Error(), "chmod 700 "+s.Dir) {
			t.Fatalf("Load in a %#o directory = %v; want an *auth.PermissionError with the chmod for the directory", mode, err)
		}
	}
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background()); err != nil {
		t.Fatalf("Load in a 0755 directory: %v", err)
	}
}
