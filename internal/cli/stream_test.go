package cli

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer that a test reads while a stream writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls until out holds want; a stream that kept its rows until close would never get
// there (the deadline is only the bound of a broken stream).
func waitFor(t *testing.T, out *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output %q still lacks %q while the listing waits", out.String(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestStreamShowsRowsWhileWaiting: rows (and JSON elements) added before the listing waits for
// its next page are written out during the wait, not at the end.
func TestStreamShowsRowsWhileWaiting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		json bool
		tty  bool
		want string
	}{
		{"piped", false, false, "1\tone\n2\ttwo\n"},
		{"terminal", false, true, "1    one\n2    two\n"},
		{"json", true, false, `[` + "\n  " + `{"K":"1"},` + "\n  " + `{"K":"2"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := &lockedBuffer{}
			f := &Factory{IO: &IOStreams{Out: out, OutTTY: tc.tty}, JSON: tc.json}
			s := newStream(f, "KEY", "NAME")
			for _, r := range [][2]string{{"1", "one"}, {"2", "two"}} {
				if err := s.add(struct{ K string }{r[0]}, r[0], r[1]); err != nil {
					t.Fatal(err)
				}
			}
			waitFor(t, out, tc.want)
			if err := s.close(); err != nil {
				t.Fatal(err)
			}
			if tc.json && !strings.HasSuffix(out.String(), "}\n]\n") {
				t.Errorf("JSON not closed: %q", out.String())
			}
		})
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestStreamWriteFailure: a failure to write ends the listing with that error, in both modes,
// without blocking.
func TestStreamWriteFailure(t *testing.T) {
	t.Parallel()
	for _, asJSON := range []bool{false, true} {
		f := &Factory{IO: &IOStreams{Out: failingWriter{}}, JSON: asJSON}
		s := newStream(f, "KEY")
		var err error
		for i := 0; i < 100_000 && err == nil; i++ {
			err = s.add(struct{ K int }{i}, "x")
		}
		if cerr := s.close(); err == nil {
			err = cerr
		}
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("json=%v: err = %v, want the write failure", asJSON, err)
		}
	}
}
