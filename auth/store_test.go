package auth

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFileStoreRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		toks []*Token // saved in order; the last is loaded
	}{
		{"Plex JWT", []*Token{jwt("a", 7*24*time.Hour)}},
		{"legacy token", []*Token{{Value: "AbCdEfGh12345678", Kind: KindLegacy}}},
		{"replacing a token", []*Token{jwt("a", time.Hour), jwt("b", 7*24*time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := &FileStore{Dir: filepath.Join(t.TempDir(), "a", "b")}
			if _, err := s.Load(ctx); !errors.Is(err, ErrNoToken) {
				t.Fatalf("Load before Save = %v, want ErrNoToken", err)
			}
			for _, tok := range tt.toks {
				if err := s.Save(ctx, tok); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Load(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.toks[len(tt.toks)-1]
			if got.Value != want.Value || got.Kind != want.Kind || !got.Expiry.Equal(want.Expiry) || got.ClientIdentifier != want.ClientIdentifier {
				t.Fatalf("Load = %v, want %v", got, want)
			}
		})
	}
}

func TestFileStorePermissions(t *testing.T) {
	t.Parallel()
	s := &FileStore{Dir: filepath.Join(t.TempDir(), "config", "plexkit")}
	if err := s.Save(context.Background(), jwt("a", time.Hour)); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{s.Dir: 0o700, s.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %#o, want %#o", path, got, want)
		}
	}
	// Replacing the file must not widen its mode, whatever the umask.
	if err := s.Save(context.Background(), jwt("b", time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("after a second Save: %v, %v", fi.Mode(), err)
	}
}

func TestFileStoreRefusesReadableFile(t *testing.T) {
	t.Parallel()
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			s := &FileStore{Dir: t.TempDir()}
			tok := jwt("a", time.Hour)
			if err := s.Save(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(s.Path(), mode); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load(context.Background())
			var pe *PermissionError
			if !errors.As(err, &pe) {
				t.Fatalf("Load = %v, %v; want *PermissionError", got, err)
			}
			if pe.Path != s.Path() || !strings.Contains(err.Error(), "chmod 600 "+s.Path()) {
				t.Fatalf("error %q does not tell how to fix %s", err, s.Path())
			}
			if strings.Contains(err.Error(), tok.Value) {
				t.Fatalf("error %q contains the token", err)
			}
		})
	}
}

func TestFileStoreCorruptFile(t *testing.T) {
	t.Parallel()
	const secret = "eyJzZWNyZXQ.eyJzZWNyZXQ.c2VjcmV0"
	tests := []struct {
		name string
		data string
	}{
		{"truncated", `{"kind":"plex_jwt","token":"` + secret},
		{"empty", ""},
		{"binary", "\x00\x01\x02" + secret},
		{"wrong document", `{"clientIdentifier":"x","kid":"` + secret + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &FileStore{Dir: t.TempDir()}
			if err := os.WriteFile(s.Path(), []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load(context.Background())
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Load error = %v, want *CorruptError", err)
			}
			if ce.Path != s.Path() || !strings.Contains(err.Error(), s.Path()) {
				t.Fatalf("error %q does not name %s", err, s.Path())
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("error %q quotes the file", err)
			}
			after, err := os.ReadFile(s.Path())
			if err != nil || !bytes.Equal(after, []byte(tt.data)) {
				t.Fatalf("Load changed the file: %q, %v", after, err)
			}
		})
	}
}

func TestFileStoreDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := &FileStore{Dir: t.TempDir()}
	if err := s.Save(ctx, jwt("a", time.Hour)); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	stray := filepath.Join(s.Dir, ".token.json.tmp-123456")
	other := filepath.Join(s.Dir, "device.json")
	for _, p := range []string{stray, other} {
		if err := os.WriteFile(p, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Load after Delete = %v, want ErrNoToken", err)
	}
	for path, exists := range map[string]bool{s.Path(): false, stray: false, other: true, filepath.Join(s.Dir, LockFileName): true} {
		if _, err := os.Stat(path); (err == nil) != exists {
			t.Errorf("%s: exists = %v, want %v", filepath.Base(path), err == nil, exists)
		}
	}
	if err := s.Delete(ctx); err != nil {
		t.Fatalf("second Delete = %v", err)
	}
	if err := (&FileStore{Dir: filepath.Join(s.Dir, "missing")}).Delete(ctx); err != nil {
		t.Fatalf("Delete in a missing directory = %v", err)
	}
}

func TestFileStoreRefusesBadInput(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	tests := []struct {
		name string
		run  func() error
		want error // when set, the error must match it
		text string
	}{
		{"Save of an empty token", func() error { return (&FileStore{Dir: dir}).Save(context.Background(), &Token{Kind: KindLegacy}) }, nil, "empty"},
		{"Save of nil", func() error { return (&FileStore{Dir: dir}).Save(context.Background(), nil) }, nil, "no token"},
		{"store without directory", func() error { _, err := (&FileStore{}).Load(context.Background()); return err }, nil, "no directory"},
		{"nil store", func() error { return (*FileStore)(nil).Delete(context.Background()) }, nil, "no directory"},
		{"Load with a cancelled context", func() error { _, err := (&FileStore{Dir: dir}).Load(cancelled); return err }, context.Canceled, ""},
		{"Save with a cancelled context", func() error { return (&FileStore{Dir: dir}).Save(cancelled, jwt("a", time.Hour)) }, context.Canceled, ""},
		{"Lock with a cancelled context", func() error { _, err := (&FileStore{Dir: dir}).Lock(cancelled); return err }, context.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error %q does not say %q", err, tt.text)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, TokenFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused Save wrote the file: %v", err)
	}
}

func TestFileStoreLockWaitsAndHonoursContext(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := &FileStore{Dir: dir}, &FileStore{Dir: dir}
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Lock(ctxTimeout(t, 60*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while held = %v, want context.DeadlineExceeded", err)
	}
	got := make(chan error, 1)
	go func() {
		unlockB, err := b.Lock(ctxTimeout(t, 10*time.Second))
		if err == nil {
			unlockB()
		}
		got <- err
	}()
	time.Sleep(30 * time.Millisecond)
	unlock()
	unlock() // unlocking twice is harmless
	if err := <-got; err != nil {
		t.Fatalf("Lock after release = %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, LockFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("lock file: %v, %v", fi.Mode(), err)
	}
}
