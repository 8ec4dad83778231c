package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/plexkit/plexkit/auth"
)

// A program keeps one CachedSource for its lifetime and makes its requests with NewClient: the
// token is fetched once, saved, reused, and refreshed a day before it expires.
func ExampleNewCachedSource() {
	// A stand-in for a Plex Media Server that accepts one token.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Plex-Token") != "eyJhbGciOiJFZERTQSJ9.e30.c2ln" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "plexkit-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// In a program, the inner source is plextv's JWTSource, which asks plex.tv for a new JWT.
	refreshes := 0
	inner := auth.TokenSourceFunc(func(ctx context.Context) (*auth.Token, error) {
		refreshes++
		return &auth.Token{Value: "eyJhbGciOiJFZERTQSJ9.e30.c2ln", Kind: auth.KindPlexJWT, Expiry: time.Now().Add(7 * 24 * time.Hour)}, nil
	})
	src := auth.NewCachedSource(inner, auth.CacheOptions{Store: &auth.FileStore{Dir: dir}})
	client := auth.NewClient(src, nil)

	for range 3 {
		resp, err := client.Get(srv.URL + "/library/sections")
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	fmt.Println("refreshes:", refreshes)
	saved, err := (&auth.FileStore{Dir: dir}).Load(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("saved:", saved.Kind)
	// Output:
	// 200 OK
	// 200 OK
	// 200 OK
	// refreshes: 1
	// saved: Plex JWT
}

// When a server answers 498 (token expired) to a GET, the client refreshes the token and tries
// once more, so the caller sees only the answer to the retry.
func ExampleNewClient() {
	fresh := "eyJhbGciOiJFZERTQSJ9.eyJuZXciOjF9.c2ln"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Plex-Token") != fresh {
			w.WriteHeader(498)
		}
	}))
	defer srv.Close()

	// The server has already expired this token, though this machine's clock says otherwise.
	old := &auth.Token{Value: "eyJhbGciOiJFZERTQSJ9.eyJvbGQiOjF9.c2ln", Kind: auth.KindPlexJWT, Expiry: time.Now().Add(3 * 24 * time.Hour)}
	src := auth.NewCachedSource(auth.TokenSourceFunc(func(ctx context.Context) (*auth.Token, error) {
		return &auth.Token{Value: fresh, Kind: auth.KindPlexJWT, Expiry: time.Now().Add(7 * 24 * time.Hour)}, nil
	}), auth.CacheOptions{Initial: old})

	resp, err := auth.NewClient(src, nil).Get(srv.URL + "/status/sessions")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}
