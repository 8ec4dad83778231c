package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestEnsureDir(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	t.Run("creates with 0700", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(root, "a", "b")
		if err := EnsureDir(dir); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != DirPerm {
			t.Fatalf("%v %v", fi.Mode(), err)
		}
	})
	t.Run("leaves an existing directory alone", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(root, "existing")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := EnsureDir(dir); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o755 {
			t.Errorf("mode changed to %v", fi.Mode().Perm())
		}
	})
	t.Run("a file in the way", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(root, "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := EnsureDir(filepath.Join(file, "sub")); err == nil || !strings.Contains(err.Error(), "create config directory") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestWriteFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		existing  *string // contents of the file before, nil: absent
		exclusive bool
		perm      fs.FileMode
		wantData  string
		wantExist bool // the write must fail with fs.ErrExist
	}{
		{name: "new file", perm: FilePerm, wantData: "new"},
		{name: "new file exclusive", exclusive: true, perm: FilePerm, wantData: "new"},
		{name: "replace", existing: ptr("old"), perm: FilePerm, wantData: "new"},
		{name: "exclusive never replaces", existing: ptr("old"), exclusive: true, perm: FilePerm, wantData: "old", wantExist: true},
		{name: "permissions applied despite umask", perm: 0o640, wantData: "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "secret.json")
			if tt.existing != nil {
				if err := os.WriteFile(path, []byte(*tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFile(path, []byte("new"), tt.perm, tt.exclusive)
			if tt.wantExist {
				if !errors.Is(err, fs.ErrExist) {
					t.Fatalf("err = %v, want fs.ErrExist", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || string(b) != tt.wantData {
				t.Errorf("contents %q (%v), want %q", b, err, tt.wantData)
			}
			if !tt.wantExist {
				if fi, _ := os.Stat(path); fi.Mode().Perm() != tt.perm {
					t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.perm)
				}
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Errorf("directory holds %v; temporary files were left behind", entries)
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "nope", "f")
		if err := WriteFile(path, []byte("x"), FilePerm, false); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("err = %v, want one naming %s", err, path)
		}
	})
}

// TestWriteFileConcurrentReaders: a reader never sees a torn or empty file while writers
// replace it.
func TestWriteFileConcurrentReaders(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	payload := func(i int) []byte { return []byte(strings.Repeat(fmt.Sprintf("%04d", i), 4096)) }
	if err := WriteFile(path, payload(0), FilePerm, false); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Go(func() {
		defer close(done)
		for i := 1; i <= 50; i++ {
			if err := WriteFile(path, payload(i), FilePerm, false); err != nil {
				t.Error(err)
				return
			}
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
				return
			}
			if len(b) != 4*4096 || strings.Count(string(b), string(b[:4])) != 4096 {
				t.Errorf("torn read: %d bytes", len(b))
				return
			}
		}
	})
	wg.Wait()
}

// TestWriteFileExclusiveRace: of many exclusive writers, exactly one wins.
func TestWriteFileExclusiveRace(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "f")
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := range 16 {
		wg.Go(func() {
			err := WriteFile(path, []byte(fmt.Sprint(i)), FilePerm, true)
			switch {
			case err == nil:
				mu.Lock()
				wins++
				mu.Unlock()
			case !errors.Is(err, fs.ErrExist):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d exclusive writers succeeded, want 1", wins)
	}
}

func TestCheckPrivate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tests := []struct {
		name    string
		dir     bool
		mode    fs.FileMode
		wantErr bool
		want    string
	}{
		{name: "file 0600", mode: 0o600},
		{name: "file 0400", mode: 0o400},
		{name: "file 0644", mode: 0o644, wantErr: true, want: "chmod 600"},
		{name: "file 0640", mode: 0o640, wantErr: true, want: "chmod 600"},
		{name: "file 0602", mode: 0o602, wantErr: true, want: "chmod 600"},
		{name: "dir 0700", dir: true, mode: 0o700},
		{name: "dir 0755", dir: true, mode: 0o755, wantErr: true, want: "chmod 700"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(root, strings.ReplaceAll(tt.name, " ", "-"))
			var err error
			if tt.dir {
				err = os.Mkdir(path, 0o700)
			} else {
				err = os.WriteFile(path, nil, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			err = CheckPrivate(path)
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var pe *PermissionError
			if !errors.As(err, &pe) || pe.Path != path || pe.Mode.Perm() != tt.mode {
				t.Fatalf("err = %v, want *PermissionError for %s", err, path)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want+" "+path) || !strings.Contains(msg, fmt.Sprintf("%#o", tt.mode)) {
				t.Errorf("message %q lacks the fix %q", msg, tt.want)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		if err := CheckPrivate(filepath.Join(root, "nope")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("err = %v, want fs.ErrNotExist", err)
		}
	})
}

func ptr(s string) *string { return &s }

// RemoveTemps tells a killed writer's temporary file (its process is gone) from a write under
// way (this process's), and, for a name without a pid, goes by age.
func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret.json")
	gone := exec.Command(os.Args[0], "-test.run=^$")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{ // name → removed by RemoveTemps(path, false)
		".secret.json.tmp-" + strconv.Itoa(gone.Process.Pid) + "-123": true,
		".secret.json.tmp-" + strconv.Itoa(os.Getpid()) + "-456":      false,
		".secret.json.tmp-789": false, // no pid, young
		".secret.json.tmp-old": true,  // no pid, old
		".other.json.tmp-1-1":  false, // another file's
	}
	for name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("secret"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, ".secret.json.tmp-old"), old, old); err != nil {
		t.Fatal(err)
	}
	if !HasTemps(path) {
		t.Fatal("HasTemps = false")
	}
	if err := RemoveTemps(path, false); err != nil {
		t.Fatal(err)
	}
	for name, removed := range names {
		_, err := os.Stat(filepath.Join(dir, name))
		if gotRemoved := errors.Is(err, fs.ErrNotExist); gotRemoved != removed {
			t.Errorf("%s: removed = %v, want %v", name, gotRemoved, removed)
		}
	}
	if err := RemoveTemps(path, true); err != nil {
		t.Fatal(err)
	}
	if HasTemps(path) {
		t.Fatal("RemoveTemps(all) left temporary files")
	}
	if _, err := os.Stat(filepath.Join(dir, ".other.json.tmp-1-1")); err != nil {
		t.Fatal("another file's temporary file was removed")
	}
}
