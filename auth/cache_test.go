package auth

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCachedSourceExpiryDelta(t *testing.T) {
	t.Parallel()
	legacy := &Token{Value: "AbCdEfGh12345678", Kind: KindLegacy}
	tests := []struct {
		name      string
		initial   *Token
		before    time.Duration
		wantCalls int64
	}{
		{"fresh JWT is reused", jwt("a", 7*24*time.Hour), 0, 0},
		{"JWT with 25 hours left is reused", jwt("a", 25*time.Hour), 0, 0},
		{"JWT with 23 hours left is refreshed", jwt("a", 23*time.Hour), 0, 1},
		{"expired JWT is refreshed", jwt("a", -time.Hour), 0, 1},
		{"legacy token is static", legacy, 0, 0},
		{"no token is fetched", nil, 0, 0 + 1},
		{"a shorter RefreshBefore keeps a 23-hour token", jwt("a", 23*time.Hour), time.Hour, 0},
		{"a shorter RefreshBefore refreshes a 59-minute token", jwt("a", 59*time.Minute), time.Hour, 1},
		{"negative RefreshBefore keeps a valid token", jwt("a", time.Minute), -1, 0},
		{"negative RefreshBefore refreshes inside the skew", jwt("a", ExpirySkew/2), -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			inner := &counter{now: clk.Now}
			s := NewCachedSource(inner, CacheOptions{Initial: tt.initial, RefreshBefore: tt.before, Now: clk.Now})
			got, err := s.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n := inner.calls.Load(); n != tt.wantCalls {
				t.Fatalf("inner calls = %d, want %d", n, tt.wantCalls)
			}
			if tt.wantCalls == 0 && got != tt.initial {
				t.Fatalf("got %v, want the initial token", got)
			}
			if tt.wantCalls == 1 && (got.Value == "" || (tt.initial != nil && got.Value == tt.initial.Value)) {
				t.Fatalf("got %v, want a new token", got)
			}
			// The new or kept token is served from the cache from now on.
			again, err := s.Token(context.Background())
			if err != nil || again != got || inner.calls.Load() != tt.wantCalls {
				t.Fatalf("second Token = %v, %v after %d calls; want the same token, no call", again, err, inner.calls.Load())
			}
		})
	}
}

func TestCachedSourceRefreshesAsTheClockMoves(t *testing.T) {
	t.Parallel()
	clk := newClock()
	inner := &counter{now: clk.Now}
	s := NewCachedSource(inner, CacheOptions{Initial: jwt("a", 7*24*time.Hour), Now: clk.Now})
	steps := []struct {
		advance   time.Duration
		wantCalls int64
	}{
		{0, 0},
		{5 * 24 * time.Hour, 0},         // 2 days left
		{23 * time.Hour, 0},             // 25 h left
		{2 * time.Hour, 1},              // 23 h left: refreshed, the new one lives 7 days
		{6*24*time.Hour - time.Hour, 1}, // 25 h left of the new one
		{2 * time.Hour, 2},              // 23 h left of the new one
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := inner.calls.Load(); n != st.wantCalls {
			t.Fatalf("step %d: inner calls = %d, want %d", i, n, st.wantCalls)
		}
	}
}

func TestCachedSourceConcurrentCallersShareOneRefresh(t *testing.T) {
	t.Parallel()
	const callers = 100
	release := make(chan struct{})
	inner := &counter{wait: func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}}
	clk := newClock()
	s := NewCachedSource(inner, CacheOptions{Initial: jwt("old", -time.Minute), Now: clk.Now})
	var wg sync.WaitGroup
	results := make([]*Token, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() {
			results[i], errs[i] = s.Token(ctxTimeout(t, 10*time.Second))
		})
	}
	s.waitForJoined(callers) // every caller is now waiting for the one blocked refresh
	close(release)
	wg.Wait()
	if n := inner.calls.Load(); n != 1 {
		t.Fatalf("inner calls = %d, want 1", n)
	}
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i] != results[0] || !strings.HasPrefix(results[i].Value, "eyJhbGciOiJFZERTQSJ9.eyJuIjo1") {
			t.Fatalf("caller %d got %v, want the one refreshed token", i, results[i])
		}
	}
}

type ctxKey struct{}

func TestCachedSourceWaiterLeavesWithoutCancellingRefresh(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cancelFirst bool // the caller that started the refresh leaves, rather than a later one
	}{
		{"first caller leaves", true},
		{"second caller leaves", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			entered := make(chan struct{})
			var sawValue atomic.Value
			inner := &counter{wait: func(ctx context.Context) error {
				sawValue.Store(fmt.Sprint(ctx.Value(ctxKey{})))
				close(entered)
				<-release
				return ctx.Err() // a refresh whose context was cancelled fails here
			}}
			s := NewCachedSource(inner, CacheOptions{Initial: jwt("old", -time.Minute), Now: newClock().Now})

			leaving, leave := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "first"))
			staying := context.WithValue(ctxTimeout(t, 10*time.Second), ctxKey{}, "first")
			first, second := staying, leaving
			if tt.cancelFirst {
				first, second = leaving, staying
			}
			type result struct {
				tok *Token
				err error
			}
			firstDone, secondDone := make(chan result, 1), make(chan result, 1)
			go func() { tok, err := s.Token(first); firstDone <- result{tok, err} }()
			<-entered
			go func() { tok, err := s.Token(second); secondDone <- result{tok, err} }()
			s.waitForJoined(2) // the second caller has joined the first one's refresh
			leave()

			left, stayed := firstDone, secondDone
			if !tt.cancelFirst {
				left, stayed = secondDone, firstDone
			}
			select {
			case r := <-left:
				if !errors.Is(r.err, context.Canceled) || r.tok != nil {
					t.Fatalf("leaving caller got %v, %v; want context.Canceled", r.tok, r.err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the leaving caller kept waiting for the refresh")
			}
			close(release)
			r := <-stayed
			if r.err != nil || r.tok == nil {
				t.Fatalf("staying caller got %v, %v; want the refreshed token", r.tok, r.err)
			}
			if n := inner.calls.Load(); n != 1 {
				t.Fatalf("inner calls = %d, want 1", n)
			}
			if v := sawValue.Load(); v != "first" {
				t.Fatalf("refresh context value = %v, want the first caller's", v)
			}
		})
	}
}

func TestCachedSourceRefreshTimeout(t *testing.T) {
	t.Parallel()
	inner := &counter{wait: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	s := NewCachedSource(inner, CacheOptions{Initial: jwt("old", -time.Minute), Now: newClock().Now, RefreshTimeout: 30 * time.Millisecond})
	_, err := s.Token(ctxTimeout(t, 10*time.Second))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Token = %v, want the refresh to time out", err)
	}
}

func TestCachedSourceRefreshError(t *testing.T) {
	t.Parallel()
	errPlex := errors.New("plex.tv is down")
	tests := []struct {
		name    string
		initial *Token
		wantTok bool // the current token is returned instead of the error
	}{
		{"due but still valid", jwt("old", 23*time.Hour), true},
		{"within the skew allowance", jwt("old", ExpirySkew/2), false},
		{"expired", jwt("old", -time.Hour), false},
		{"no token", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int64
			inner := TokenSourceFunc(func(context.Context) (*Token, error) { calls.Add(1); return nil, errPlex })
			clk := newClock()
			s := NewCachedSource(inner, CacheOptions{Initial: tt.initial, Now: clk.Now, RetryAfterFailure: time.Minute})
			got, err := s.Token(context.Background())
			if tt.wantTok {
				if err != nil || got != tt.initial {
					t.Fatalf("Token = %v, %v; want the current token", got, err)
				}
			} else if !errors.Is(err, errPlex) || got != nil {
				t.Fatalf("Token = %v, %v; want the refresh error", got, err)
			}
			// A failed refresh is retried at once only when there is no valid token to fall back
			// on; otherwise after RetryAfterFailure.
			_, _ = s.Token(context.Background())
			wantCalls := int64(2)
			if tt.wantTok {
				wantCalls = 1
			}
			if n := calls.Load(); n != wantCalls {
				t.Fatalf("inner calls after a second Token = %d, want %d", n, wantCalls)
			}
			clk.Advance(time.Minute)
			_, _ = s.Token(context.Background())
			if n := calls.Load(); n != wantCalls+1 {
				t.Fatalf("inner calls after RetryAfterFailure = %d, want %d", n, wantCalls+1)
			}
		})
	}
}

func TestCachedSourceRefusesBadTokens(t *testing.T) {
	t.Parallel()
	const secret = "eyJzZWNyZXQ.eyJzZWNyZXQ.c2VjcmV0"
	tests := []struct {
		name string
		tok  *Token
		want string
	}{
		{"nil token", nil, "no token"},
		{"empty value", &Token{Kind: KindPlexJWT, Expiry: epoch.Add(time.Hour)}, "empty"},
		{"already expired", &Token{Value: secret, Kind: KindPlexJWT, Expiry: epoch.Add(-time.Second)}, "already expired"},
		{"JWT without expiry", &Token{Value: secret, Kind: KindPlexJWT}, "without its expiry"},
		{"header injection", &Token{Value: secret + "\nX: y", Kind: KindLegacy}, "not printable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inner := TokenSourceFunc(func(context.Context) (*Token, error) { return tt.tok, nil })
			s := NewCachedSource(inner, CacheOptions{Now: newClock().Now})
			got, err := s.Token(context.Background())
			if err == nil || got != nil {
				t.Fatalf("Token = %v, %v; want an error", got, err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "c2VjcmV0") {
				t.Fatalf("error %q: want it to say %q and not show the token", err, tt.want)
			}
		})
	}
	t.Run("zero CachedSource", func(t *testing.T) {
		t.Parallel()
		if _, err := new(CachedSource).Token(context.Background()); err == nil || !strings.Contains(err.Error(), "NewCachedSource") {
			t.Fatalf("Token on a zero CachedSource = %v", err)
		}
	})
}

func TestCachedSourceForcedRefresh(t *testing.T) {
	t.Parallel()
	clk := newClock()
	inner := &counter{now: clk.Now}
	initial := jwt("old", 7*24*time.Hour)
	s := NewCachedSource(inner, CacheOptions{Initial: initial, Now: clk.Now})
	ctx := context.Background()

	first, err := s.Refresh(ctx)
	if err != nil || first.Value == initial.Value || inner.calls.Load() != 1 {
		t.Fatalf("Refresh of a fresh token = %v, %v after %d calls; want a new token", first, err, inner.calls.Load())
	}
	// Requests that were refused with the old token find the new one without refreshing again.
	for range 3 {
		got, err := s.RefreshStale(ctx, initial)
		if err != nil || got != first || inner.calls.Load() != 1 {
			t.Fatalf("RefreshStale(old) = %v, %v after %d calls; want the token already refreshed", got, err, inner.calls.Load())
		}
	}
	second, err := s.RefreshStale(ctx, first)
	if err != nil || second.Value == first.Value || inner.calls.Load() != 2 {
		t.Fatalf("RefreshStale(current) = %v, %v after %d calls; want another token", second, err, inner.calls.Load())
	}
	if got, _ := s.Token(ctx); got != second {
		t.Fatalf("Token after refreshes = %v, want the last one", got)
	}
	errPlex := errors.New("refused")
	failing := NewCachedSource(TokenSourceFunc(func(context.Context) (*Token, error) { return nil, errPlex }), CacheOptions{Initial: initial, Now: clk.Now})
	if got, err := failing.Refresh(ctx); !errors.Is(err, errPlex) || got != nil {
		t.Fatalf("failed Refresh of a valid token = %v, %v; want the error", got, err)
	}
}

// failingSaves is a Store whose Save fails, as a full disk would make it.
type failingSaves struct{ *FileStore }

func (failingSaves) Save(context.Context, *Token) error { return errors.New("no space left on device") }

func TestCachedSourceWithStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name      string
		initial   *Token
		stored    *Token // saved by "another program" before the call
		file      string // raw file content instead of stored
		fileMode  os.FileMode
		clientID  string
		wantCalls int64
		wantValue string // "" means a token from inner
		wantErr   any    // pointer to an error type for errors.As
	}{
		{name: "empty store: refresh and save", initial: jwt("old", -time.Hour), wantCalls: 1},
		{name: "another program refreshed: adopt its token", initial: jwt("old", -time.Hour), stored: jwt("theirs", 7*24*time.Hour), wantValue: jwt("theirs", 0).Value},
		{name: "no initial token: the store's is used", stored: jwt("theirs", 7*24*time.Hour), wantValue: jwt("theirs", 0).Value},
		{name: "stored token is due too: refresh", initial: jwt("old", -time.Hour), stored: jwt("theirs", time.Hour), wantCalls: 1},
		{name: "stored token of another client is ignored", initial: jwt("old", -time.Hour), stored: jwt("theirs", 7*24*time.Hour), clientID: "client-2", wantCalls: 1},
		{name: "corrupt file is replaced", initial: jwt("old", -time.Hour), file: `{"kind":"plex_`, wantCalls: 1},
		{name: "readable file stops the refresh", initial: jwt("old", -time.Hour), stored: jwt("theirs", 7*24*time.Hour), fileMode: 0o644, wantErr: new(*PermissionError)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			store := &FileStore{Dir: t.TempDir()}
			switch {
			case tt.stored != nil:
				if err := (&FileStore{Dir: store.Dir}).Save(ctx, tt.stored); err != nil {
					t.Fatal(err)
				}
			case tt.file != "":
				if err := os.WriteFile(store.Path(), []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.fileMode != 0 {
				if err := os.Chmod(store.Path(), tt.fileMode); err != nil {
					t.Fatal(err)
				}
			}
			inner := &counter{now: clk.Now}
			s := NewCachedSource(inner, CacheOptions{Initial: tt.initial, Store: store, Now: clk.Now, ClientIdentifier: tt.clientID})
			got, err := s.Token(ctx)
			if tt.wantErr != nil {
				if !errors.As(err, tt.wantErr) || inner.calls.Load() != 0 {
					t.Fatalf("Token = %v, %v after %d calls; want %T and no refresh", got, err, inner.calls.Load(), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := inner.calls.Load(); n != tt.wantCalls {
				t.Fatalf("inner calls = %d, want %d", n, tt.wantCalls)
			}
			if tt.wantValue != "" && got.Value != tt.wantValue {
				t.Fatalf("Token = %v, want the stored token", got)
			}
			saved, err := store.Load(ctx)
			if err != nil || saved.Value != got.Value {
				t.Fatalf("store holds %v, %v; want the token in use", saved, err)
			}
		})
	}
}

func TestCachedSourceForcedRefreshWithStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	store := &FileStore{Dir: t.TempDir()}
	current := jwt("current", 7*24*time.Hour)
	if err := store.Save(ctx, current); err != nil {
		t.Fatal(err)
	}
	inner := &counter{now: clk.Now}
	s := NewCachedSource(inner, CacheOptions{Initial: current, Store: store, Now: clk.Now})
	// The stored token is the one being replaced: it must not be adopted.
	got, err := s.RefreshStale(ctx, current)
	if err != nil || got.Value == current.Value || inner.calls.Load() != 1 {
		t.Fatalf("RefreshStale = %v, %v after %d calls; want a new token", got, err, inner.calls.Load())
	}
	// Another program refreshes; a forced refresh here takes its token instead of refreshing.
	theirs := jwt("theirs", 7*24*time.Hour)
	if err := (&FileStore{Dir: store.Dir}).Save(ctx, theirs); err != nil {
		t.Fatal(err)
	}
	got, err = s.Refresh(ctx)
	if err != nil || got.Value != theirs.Value || inner.calls.Load() != 1 {
		t.Fatalf("Refresh = %v, %v after %d calls; want the other program's token", got, err, inner.calls.Load())
	}
}

func TestCachedSourceSaveError(t *testing.T) {
	t.Parallel()
	var reported []error
	inner := &counter{}
	s := NewCachedSource(inner, CacheOptions{
		Initial:     jwt("old", -time.Hour),
		Store:       failingSaves{&FileStore{Dir: t.TempDir()}},
		Now:         newClock().Now,
		OnSaveError: func(err error) { reported = append(reported, err) },
	})
	got, err := s.Token(context.Background())
	if err != nil || got == nil {
		t.Fatalf("Token = %v, %v; want the refreshed token despite the failed save", got, err)
	}
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), "no space left") {
		t.Fatalf("OnSaveError got %v, want the save error once", reported)
	}
	if again, _ := s.Token(context.Background()); again != got || inner.calls.Load() != 1 {
		t.Fatalf("the refreshed token was not kept after a failed save")
	}
}

func TestStaticTokenSource(t *testing.T) {
	t.Parallel()
	tok := &Token{Value: "AbCdEfGh12345678", Kind: KindLegacy}
	tests := []struct {
		name    string
		tok     *Token
		wantErr bool
	}{
		{"token", tok, false},
		{"expired JWT is returned as it is", jwt("a", -time.Hour), false},
		{"nil", nil, true},
		{"empty", &Token{Kind: KindLegacy}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := StaticTokenSource(tt.tok).Token(context.Background())
			if tt.wantErr {
				if !errors.Is(err, ErrNoToken) {
					t.Fatalf("Token = %v, %v; want ErrNoToken", got, err)
				}
				return
			}
			if err != nil || got != tt.tok {
				t.Fatalf("Token = %v, %v; want the token", got, err)
			}
		})
	}
}

// The race: a program holds a token read from the store and is about to refresh it; a
// logout deletes the store's token before the refresh takes the lock. The refresh must not
// bring the token back, nor may later ones — until a login saves a token again.
func TestLogoutWinsOverARefreshInFlight(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	store := &FileStore{Dir: t.TempDir()}
	old := jwt("old", time.Hour) // due for refresh
	if err := store.Save(ctx, old); err != nil {
		t.Fatal(err)
	}
	inner := &counter{now: clk.Now}
	s := NewCachedSource(inner, CacheOptions{Initial: old, InitialStored: true, Store: store, Now: clk.Now})
	if err := store.Delete(ctx); err != nil { // the logout, in another process
		t.Fatal(err)
	}
	for i := range 2 {
		tok, err := s.Token(ctx)
		if !errors.Is(err, ErrNoToken) || tok != nil {
			t.Fatalf("Token #%d after a logout = %v, %v; want an error matching ErrNoToken", i+1, tok, err)
		}
	}
	if _, err := store.Load(ctx); !errors.Is(err, ErrNoToken) {
		t.Fatalf("the store holds a token again after the logout: %v", err)
	}
	if n := inner.calls.Load(); n != 0 {
		t.Fatalf("%d refreshes after the logout", n)
	}
	// A login saves a token: the source takes it up again.
	fresh := jwt("login", 7*24*time.Hour)
	if err := store.Save(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(ctx); err != nil || tok.Value != fresh.Value {
		t.Fatalf("Token after a new login = %v, %v; want the new token", tok, err)
	}
}

// The same when the token the source holds is one it refreshed and saved itself.
func TestLogoutWinsAfterOwnSave(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	store := &FileStore{Dir: t.TempDir()}
	inner := &counter{now: clk.Now}
	s := NewCachedSource(inner, CacheOptions{Store: store, Now: clk.Now})
	if _, err := s.Token(ctx); err != nil { // first token: refreshed and saved
		t.Fatal(err)
	}
	if err := store.Delete(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Advance(7*24*time.Hour - time.Hour) // due for refresh
	if _, err := s.Token(ctx); !errors.Is(err, ErrNoToken) {
		t.Fatalf("Token after a logout = %v; want an error matching ErrNoToken", err)
	}
	if _, err := store.Load(ctx); !errors.Is(err, ErrNoToken) {
		t.Fatalf("the store holds a token again after the logout: %v", err)
	}
}
