package auth_test

import (
	"context"
	"errors"
	"os"
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
