package plextv_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/plextv"
)

// cacheStep is one action of a key-set cache scenario.
type cacheStep struct {
	advance   time.Duration     // move the clock first
	serve     []jose.JSONWebKey // change what the JWKS server answers (nil: unchanged)
	failWith  int               // make the server answer this status (0: unchanged)
	token     func() string     // the token to verify
	wantErr   error             // nil → valid
	wantFetch int64             // total JWKS requests after the step
}

func TestVerifierKeyCache(t *testing.T) {
	t.Parallel()
	k1, k2 := newEdKey(t, "k1"), newEdKey(t, "k2")
	stranger := newEdKey(t, "stranger")
	claimsAt := func(c *verifyClock) map[string]any {
		return withClaims(plexClaims(testClient, testThumb), "iat", c.Now().Unix(), "exp", c.Now().Add(7*24*time.Hour).Unix())
	}

	scenarios := []struct {
		name  string
		steps func(c *verifyClock) []cacheStep
	}{
		{name: "warm cache serves many verifications with one fetch", steps: func(c *verifyClock) []cacheStep {
			tok := func() string { return k1.sign(t, claimsAt(c)) }
			return []cacheStep{
				{token: tok, wantFetch: 1},
				{token: tok, wantFetch: 1},
				{advance: 23 * time.Hour, token: tok, wantFetch: 1},
			}
		}},
		{name: "the set is fetched again after the TTL", steps: func(c *verifyClock) []cacheStep {
			tok := func() string { return k1.sign(t, claimsAt(c)) }
			return []cacheStep{
				{token: tok, wantFetch: 1},
				{advance: 24 * time.Hour, token: tok, wantFetch: 2},
				{advance: time.Hour, token: tok, wantFetch: 2},
			}
		}},
		{name: "rotation: an unknown kid refetches and then verifies", steps: func(c *verifyClock) []cacheStep {
			return []cacheStep{
				{token: func() string { return k1.sign(t, claimsAt(c)) }, wantFetch: 1},
				{advance: 2 * time.Minute, serve: []jose.JSONWebKey{k1.public(), k2.public()}, token: func() string { return k2.sign(t, claimsAt(c)) }, wantFetch: 2},
				{token: func() string { return k1.sign(t, claimsAt(c)) }, wantFetch: 2},
			}
		}},
		{name: "unknown kids refetch at most once a minute", steps: func(c *verifyClock) []cacheStep {
			bad := func() string { return stranger.sign(t, claimsAt(c)) }
			return []cacheStep{
				{token: func() string { return k1.sign(t, claimsAt(c)) }, wantFetch: 1},
				{token: bad, wantErr: plextv.ErrUnknownKey, wantFetch: 1}, // fetched less than a minute ago
				{advance: time.Minute, token: bad, wantErr: plextv.ErrUnknownKey, wantFetch: 2},
				{advance: 30 * time.Second, token: bad, wantErr: plextv.ErrUnknownKey, wantFetch: 2},
				{token: bad, wantErr: plextv.ErrUnknownKey, wantFetch: 2},
				{advance: 31 * time.Second, token: bad, wantErr: plextv.ErrUnknownKey, wantFetch: 3},
			}
		}},
		{name: "a failed refresh keeps the old keys", steps: func(c *verifyClock) []cacheStep {
			tok := func() string { return k1.sign(t, claimsAt(c)) }
			return []cacheStep{
				{token: tok, wantFetch: 1},
				{advance: 25 * time.Hour, failWith: http.StatusBadGateway, token: tok, wantFetch: 2},
				{advance: 10 * time.Second, token: tok, wantFetch: 2}, // no retry within a minute
				{advance: time.Minute, token: tok, wantFetch: 3},      // retried, failed again, still fine
				{serve: []jose.JSONWebKey{k1.public()}, advance: time.Minute, token: tok, wantFetch: 4},
				{advance: time.Hour, token: tok, wantFetch: 4}, // fresh again
			}
		}},
		{name: "no keys at all: each call tries and fails", steps: func(c *verifyClock) []cacheStep {
			tok := func() string { return k1.sign(t, claimsAt(c)) }
			return []cacheStep{
				{failWith: http.StatusInternalServerError, token: tok, wantErr: plexkit.ErrServer, wantFetch: 1},
				{token: tok, wantErr: plextv.ErrKeysUnavailable, wantFetch: 2},
				{serve: []jose.JSONWebKey{k1.public()}, token: tok, wantFetch: 3},
			}
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			clock := &verifyClock{t: verifyNow}
			srv := newJWKSServer(t, k1.public())
			v := plextv.NewVerifier(plextv.RemoteKeys(srv.URL, srv.Client()), plextv.VerifierOptions{Now: clock.Now})
			for i, st := range sc.steps(clock) {
				clock.Add(st.advance)
				if st.serve != nil {
					srv.setKeys(t, st.serve...)
				}
				if st.failWith != 0 {
					srv.set(st.failWith, []byte(`{"errors":[{"code":0,"message":"down","status":`+http.StatusText(st.failWith)+`}]}`))
				}
				_, err := v.Verify(context.Background(), st.token(), plextv.Expect{ClientIdentifier: testClient, Thumbprint: testThumb})
				switch {
				case st.wantErr == nil && err != nil:
					t.Fatalf("cacheStep %d: %v", i, err)
				case st.wantErr != nil && !errors.Is(err, st.wantErr):
					t.Fatalf("cacheStep %d: err = %v, want %v", i, err, st.wantErr)
				}
				if got := srv.requests.Load(); got != st.wantFetch {
					t.Fatalf("cacheStep %d: %d JWKS requests, want %d", i, got, st.wantFetch)
				}
			}
			if got := srv.accept.Load(); got != "application/json" {
				t.Errorf("Accept = %v, want application/json", got)
			}
		})
	}
}

// TestVerifierConcurrentColdCache: many goroutines verifying at once on a cold cache make one
// request between them.
func TestVerifierConcurrentColdCache(t *testing.T) {
	t.Parallel()
	k := newEdKey(t, "k1")
	srv := newJWKSServer(t, k.public())
	v := plextv.NewVerifier(plextv.RemoteKeys(srv.URL, srv.Client()), plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
	tok := k.sign(t, plexClaims(testClient, testThumb))
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), tok, plextv.Expect{ClientIdentifier: testClient}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("%d JWKS requests, want 1", n)
	}
}

// TestVerifierHonoursContext: a verification waiting for a slow key fetch gives up with its own
// context, and a fetch abandoned by its caller's context is not the answer for the others.
func TestVerifierHonoursContext(t *testing.T) {
	t.Parallel()
	k := newEdKey(t, "k1")
	tok := k.sign(t, plexClaims(testClient, testThumb))
	set := &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.public()}}

	t.Run("a waiter gives up", func(t *testing.T) {
		t.Parallel()
		started, release := make(chan struct{}), make(chan struct{})
		slow := keySetFunc(func(ctx context.Context, _ bool) (*jose.JSONWebKeySet, error) {
			close(started)
			<-release
			return set, nil
		})
		v := plextv.NewVerifier(slow, plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
		first := make(chan error)
		go func() {
			_, err := v.Verify(context.Background(), tok, plextv.Expect{})
			first <- err
		}()
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, err := v.Verify(ctx, tok, plextv.Expect{}); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, plextv.ErrKeysUnavailable) {
			t.Errorf("waiting caller: %v, want ErrKeysUnavailable and DeadlineExceeded", err)
		}
		close(release)
		if err := <-first; err != nil {
			t.Errorf("fetching caller: %v", err)
		}
	})
	t.Run("the fetcher gives up", func(t *testing.T) {
		t.Parallel()
		var calls sync.Mutex
		n := 0
		started := make(chan struct{})
		src := keySetFunc(func(ctx context.Context, _ bool) (*jose.JSONWebKeySet, error) {
			calls.Lock()
			n++
			first := n == 1
			calls.Unlock()
			if first {
				close(started)
				<-ctx.Done()
				return nil, ctx.Err()
			}
			return set, nil
		})
		v := plextv.NewVerifier(src, plextv.VerifierOptions{Now: func() time.Time { return verifyNow }})
		ctx, cancel := context.WithCancel(context.Background())
		abandoned := make(chan error)
		go func() {
			_, err := v.Verify(ctx, tok, plextv.Expect{})
			abandoned <- err
		}()
		<-started
		waiter := make(chan error)
		go func() {
			_, err := v.Verify(context.Background(), tok, plextv.Expect{})
			waiter <- err
		}()
		cancel()
		if err := <-abandoned; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: %v, want context.Canceled", err)
		}
		if err := <-waiter; err != nil {
			t.Errorf("waiting caller inherited the cancellation: %v", err)
		}
	})
}

type keySetFunc func(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error)

func (f keySetFunc) Keys(ctx context.Context, refresh bool) (*jose.JSONWebKeySet, error) {
	return f(ctx, refresh)
}

func TestRemoteKeys(t *testing.T) {
	t.Parallel()
	ed := newEdKey(t, "ed")
	tests := []struct {
		name    string
		status  int
		body    string
		wantKID []string
		wantErr error
	}{
		{name: "plex.tv's documented set", status: 200, body: `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug","use":"sig","alg":"EdDSA","kid":"rF99BTGQ3oprqZstwoahR-rDUDGd8Lf2iU8WFtC2d_8"}]}`, wantKID: []string{"rF99BTGQ3oprqZstwoahR-rDUDGd8Lf2iU8WFtC2d_8"}},
		{name: "unknown key types are skipped", status: 200, body: `{"keys":[{"kty":"XYZ","kid":"new"},{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec"},{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug","kid":"a"}]}`, wantKID: []string{"a"}},
		{name: "encryption keys are skipped", status: 200, body: `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug","kid":"enc","use":"enc"}]}`, wantErr: plextv.ErrBadKeySet},
		{name: "keys without kid are skipped", status: 200, body: `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug"}]}`, wantErr: plextv.ErrBadKeySet},
		{name: "empty set", status: 200, body: `{"keys":[]}`, wantErr: plextv.ErrBadKeySet},
		{name: "not JSON", status: 200, body: `<html>`, wantErr: plextv.ErrBadKeySet},
		{name: "private key published", status: 200, body: `{"keys":[{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"p"}]}`, wantErr: plextv.ErrBadKeySet},
		{name: "symmetric key published", status: 200, body: `{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"hmac"}]}`, wantErr: plextv.ErrBadKeySet},
		{name: "server error", status: 503, body: `{"errors":[{"code":0,"message":"down","status":503}]}`, wantErr: plexkit.ErrServer},
		{name: "not found", status: 404, body: ``, wantErr: plexkit.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newJWKSServer(t, ed.public())
			srv.set(tt.status, []byte(tt.body))
			set, err := plextv.RemoteKeys(srv.URL, nil).Keys(context.Background(), false)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var kids []string
			for _, k := range set.Keys {
				kids = append(kids, k.KeyID)
			}
			if len(kids) != len(tt.wantKID) || kids[0] != tt.wantKID[0] {
				t.Errorf("kids %v, want %v", kids, tt.wantKID)
			}
		})
	}
}
