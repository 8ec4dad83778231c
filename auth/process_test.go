package auth

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests in this file run the test binary itself as other processes (the os/exec pattern):
// TestHelperProcess does the work of one process when helperEnv names a role.
const (
	helperEnv    = "PLEXKIT_AUTH_TEST_HELPER"
	helperDirEnv = "PLEXKIT_AUTH_TEST_DIR"
	resultPrefix = "RESULT "
)

// Two distinct valid tokens the save loop alternates between.
var (
	loopA = &Token{Value: "eyJhbGciOiJFZERTQSJ9.eyJ0b2tlbiI6IkEifQ.c2lnbmF0dXJlQQ", Kind: KindPlexJWT, Expiry: epoch.Add(7 * 24 * time.Hour), ClientIdentifier: "client-a"}
	loopB = &Token{Value: "eyJhbGciOiJFZERTQSJ9.eyJ0b2tlbiI6IkIifQ.c2lnbmF0dXJlQg-with-a-longer-tail", Kind: KindLegacy, ClientIdentifier: "client-b"}
)

func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		return // not a helper: this test only runs inside the processes the other tests start
	}
	dir := os.Getenv(helperDirEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	switch role {
	case "lock":
		err = helperLockedIncrements(ctx, dir)
	case "refresh":
		err = helperRefresh(ctx, dir)
	case "saveloop":
		err = helperSaveLoop(ctx, dir)
	default:
		err = fmt.Errorf("unknown helper role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// helperLockedIncrements increments dir/counter ten times, each time under the store's lock,
// with a pause between read and write that makes lost updates certain without the lock.
func helperLockedIncrements(ctx context.Context, dir string) error {
	s := &FileStore{Dir: dir}
	path := filepath.Join(dir, "counter")
	for range 10 {
		unlock, err := s.Lock(ctx)
		if err != nil {
			return err
		}
		n := 0
		if b, err := os.ReadFile(path); err == nil {
			if n, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
				unlock()
				return err
			}
		}
		time.Sleep(2 * time.Millisecond)
		err = os.WriteFile(path, []byte(strconv.Itoa(n+1)), 0o600)
		unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// helperRefresh waits at a barrier, then gets a token from a CachedSource over the shared store
// (which holds an expired token); its inner source appends a line to dir/refreshes per call.
func helperRefresh(ctx context.Context, dir string) error {
	store := &FileStore{Dir: filepath.Join(dir, "store")}
	initial, err := store.Load(ctx)
	if err != nil {
		return err
	}
	inner := TokenSourceFunc(func(context.Context) (*Token, error) {
		f, err := os.OpenFile(filepath.Join(dir, "refreshes"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(f, os.Getpid())
		if err := f.Close(); err != nil {
			return nil, err
		}
		time.Sleep(150 * time.Millisecond) // a refresh takes a while: the others must wait for it
		return &Token{Value: fmt.Sprintf("eyJhbGciOiJFZERTQSJ9.eyJwaWQiOiJ%d.c2ln", os.Getpid()), Kind: KindPlexJWT, Expiry: time.Now().Add(7 * 24 * time.Hour)}, nil
	})
	s := NewCachedSource(inner, CacheOptions{Initial: initial, Store: store})
	if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("ready-%d", os.Getpid())), nil, 0o600); err != nil {
		return err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(time.Millisecond)
	}
	tok, err := s.Token(ctx)
	if err != nil {
		return err
	}
	fmt.Println(resultPrefix + tok.Value)
	return nil
}

// helperSaveLoop saves loopA and loopB alternately until it is killed, saying "ready" after
// the first save so the test kills it in the middle of the loop.
func helperSaveLoop(ctx context.Context, dir string) error {
	s := &FileStore{Dir: dir}
	for i := 0; ; i++ {
		tok := loopA
		if i%2 == 1 {
			tok = loopB
		}
		if err := s.Save(ctx, tok); err != nil {
			return err
		}
		if i == 0 {
			fmt.Println(resultPrefix + "ready")
		}
	}
}

func helper(t *testing.T, ctx context.Context, role, dir string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, helperDirEnv+"="+dir)
	return cmd
}

func results(out []byte) []string {
	var rs []string
	for line := range strings.Lines(string(out)) {
		if r, ok := strings.CutPrefix(strings.TrimSpace(line), resultPrefix); ok {
			rs = append(rs, r)
		}
	}
	return rs
}

func TestLockExcludesOtherProcesses(t *testing.T) {
	t.Parallel()
	const procs = 5
	dir := t.TempDir()
	ctx := ctxTimeout(t, 60*time.Second)
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmds[i] = helper(t, ctx, "lock", dir)
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "counter"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(b)), strconv.Itoa(procs*10); got != want {
		t.Fatalf("counter = %s, want %s: two processes held the lock at once", got, want)
	}
}

func TestCachedSourceRefreshesOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	const procs = 3
	dir := t.TempDir()
	ctx := ctxTimeout(t, 60*time.Second)
	expired := &Token{Value: "eyJhbGciOiJFZERTQSJ9.eyJvbGQiOjF9.c2ln", Kind: KindPlexJWT, Expiry: time.Now().Add(-time.Hour)}
	if err := (&FileStore{Dir: filepath.Join(dir, "store")}).Save(ctx, expired); err != nil {
		t.Fatal(err)
	}
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*strings.Builder, procs)
	for i := range cmds {
		cmds[i] = helper(t, ctx, "refresh", dir)
		outs[i] = new(strings.Builder)
		cmds[i].Stdout = outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for {
		ready, _ := filepath.Glob(filepath.Join(dir, "ready-*"))
		if len(ready) == procs {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("helpers did not get ready")
		}
		time.Sleep(time.Millisecond)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper: %v", err)
		}
		tokens = append(tokens, results([]byte(outs[i].String()))...)
	}
	refreshes, err := os.ReadFile(filepath.Join(dir, "refreshes"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(refreshes), "\n"); n != 1 {
		t.Fatalf("%d refreshes by processes %q, want 1", n, strings.Fields(string(refreshes)))
	}
	if len(tokens) != procs {
		t.Fatalf("got %d tokens, want %d", len(tokens), procs)
	}
	for _, tok := range tokens {
		if tok != tokens[0] || tok == expired.Value {
			t.Fatalf("processes got tokens %q, want one new token shared by all", tokens)
		}
	}
}

func TestSaveSurvivesSIGKILL(t *testing.T) {
	t.Parallel()
	const kills = 50
	dir := t.TempDir()
	s := &FileStore{Dir: dir}
	ctx := ctxTimeout(t, 60*time.Second)
	if err := s.Save(ctx, loopA); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for i := range kills {
		cmd := helper(t, ctx, "saveloop", dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			t.Fatalf("kill %d: helper did not start saving: %v", i, err)
		}
		time.Sleep(time.Duration(rand.N(3000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		var exitErr *exec.ExitError
		if err := cmd.Wait(); !errors.As(err, &exitErr) {
			t.Fatalf("kill %d: helper ended with %v, want killed", i, err)
		}
		tok, err := s.Load(ctx)
		if err != nil {
			t.Fatalf("after kill %d: Load = %v", i, err)
		}
		switch {
		case tok.Value == loopA.Value && tok.Kind == loopA.Kind && tok.Expiry.Equal(loopA.Expiry) && tok.ClientIdentifier == loopA.ClientIdentifier:
			seen["A"]++
		case tok.Value == loopB.Value && tok.Kind == loopB.Kind && tok.Expiry.IsZero() && tok.ClientIdentifier == loopB.ClientIdentifier:
			seen["B"]++
		default:
			t.Fatalf("after kill %d: Load = %+v, a mix of the two tokens", i, tok)
		}
	}
	strays, err := filepath.Glob(filepath.Join(dir, "."+TokenFileName+".tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %d kills: token A %d times, B %d times; %d temporary files left by kills", kills, seen["A"], seen["B"], len(strays))
	// The next holder of the lock removes what the killed writers left: tokens, in full.
	unlock, err := s.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if left, _ := filepath.Glob(filepath.Join(dir, "."+TokenFileName+".tmp-*")); len(left) != 0 {
		t.Fatalf("after taking the lock, %d of the %d temporary files left by kills remain", len(left), len(strays))
	}
	if err := s.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0].Name() != LockFileName {
		t.Fatalf("after Delete the directory holds %d entries, want only the lock file", len(left))
	}
}
