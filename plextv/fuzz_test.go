package plextv_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/plextv"
)

// FuzzAnswers feeds arbitrary plex.tv answers (status and body) to every call of the client:
// none may panic, a refusal is a *plexkit.Error, and a success holds what the call promises.
func FuzzAnswers(f *testing.F) {
	f.Add(200, `{"id":1,"code":"ABCD","authToken":null,"expiresAt":"2025-01-02T03:04:05Z"}`)
	f.Add(201, `{"id":1272322473,"code":"k2m9","location":{"code":"NL","postal_code":3511}}`)
	f.Add(200, `[{"name":"nas","provides":"server","connections":[{"uri":"http://x","IPv6":true}],"ownerId":null}]`)
	f.Add(200, `{"nonce":"7c415b56-8f48-488a-98ab-847ef4460442"}`)
	f.Add(200, `{"auth_token":"eyJ"}`)
	f.Add(200, `{"keys":[{"kty":"OKP","crv":"Ed25519","x":"ZMZVfsxQN6j1IJe1V4YdbuBzctrouOXphsGGQ9Oa0ug","kid":"k"}]}`)
	f.Add(200, `{"id":"not a number"}`)
	f.Add(404, `{"errors":[{"code":1020,"message":"Code not found or expired"}]}`)
	f.Add(401, `<errors><error code="1097" message="jwk missing"/></errors>`)
	f.Add(429, ``)
	f.Add(498, `<html><head><title>Token Expired</title></head></html>`)
	f.Add(200, `null`)
	f.Add(200, strings.Repeat("[", 100)+strings.Repeat("]", 100))
	f.Add(200, `{"a":`+strings.Repeat(`{"a":`, 100)+`1`+strings.Repeat("}", 101))
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 200 || status > 599 {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		defer srv.Close()
		c, err := plextv.NewClient(
			plextv.WithBaseURL(srv.URL),
			plextv.WithClientInfo(plexkit.DefaultClientInfo("fuzz")),
			plextv.WithRetry(plexkit.RetryTransport{MaxRetries: -1}),
			plextv.WithTokenSource(auth.StaticTokenSource(&auth.Token{Value: "tok", Kind: auth.KindLegacy})),
		)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(call string, err error, ok func() bool) {
			var pe *plexkit.Error
			switch {
			case status >= 300 && !errors.As(err, &pe):
				t.Errorf("%s: status %d gave %v, want a *plexkit.Error", call, status, err)
			case err == nil && !ok():
				t.Errorf("%s: succeeded with an answer that breaks its promise: %q", call, body)
			}
		}
		pin, err := c.Pins.Create(ctx, plextv.PinOptions{})
		check("Pins.Create", err, func() bool { return pin.ID != 0 && pin.Code != "" })
		_, err = c.Pins.Get(ctx, 1, "")
		check("Pins.Get", err, func() bool { return true })
		nonce, err := c.Auth.Nonce(ctx)
		check("Auth.Nonce", err, func() bool { return nonce != "" })
		tok, err := c.Auth.Exchange(ctx, "djwt")
		check("Auth.Exchange", err, func() bool { return tok != "" })
		set, err := c.Auth.Keys(ctx)
		check("Auth.Keys", err, func() bool { return len(set.Keys) > 0 })
		_, err = c.Users.Me(ctx, "")
		check("Users.Me", err, func() bool { return true })
		_, err = c.Resources.Servers(ctx)
		check("Resources.Servers", err, func() bool { return true })
	})
}

// FuzzEndlessAnswers answers every call with a body that never ends: head, then unit repeated
// forever. Each call must end — with an error, or on a complete answer that came first — within
// the bounds, never by running out of memory.
func FuzzEndlessAnswers(f *testing.F) {
	f.Add("[", `{"name":"x","provides":"server"},`)
	f.Add("[", "[")
	f.Add(`{"username":"`, "a")
	f.Add(" ", " ")
	f.Fuzz(func(t *testing.T, head, unit string) {
		if unit == "" {
			return
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if _, err := w.Write([]byte(head)); err != nil {
				return
			}
			chunk := []byte(strings.Repeat(unit, max(1, 4096/len(unit))))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}))
		defer srv.Close()
		c, err := plextv.NewClient(
			plextv.WithBaseURL(srv.URL),
			plextv.WithClientInfo(plexkit.DefaultClientInfo("fuzz")),
			plextv.WithRetry(plexkit.RetryTransport{MaxRetries: -1}),
			plextv.WithTokenSource(auth.StaticTokenSource(&auth.Token{Value: "tok", Kind: auth.KindLegacy})),
		)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if list, err := c.Resources.List(ctx); err == nil && len(list) > 20_000 {
			t.Fatalf("%d resources kept from an endless answer", len(list))
		}
		_, _ = c.Users.Me(ctx, "")
	})
}
