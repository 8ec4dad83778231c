package plextv_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/plextv"
)

// FuzzAccountAnswers feeds arbitrary answers, in either encoding, to every call of the account
// services: none may panic, a refusal is a *plexkit.Error, and a success holds what the call
// promises.
func FuzzAccountAnswers(f *testing.F) {
	for _, body := range []string{accountXML, accountJSON, usersXML, serverXML, sharedServersXML, homeJSON, homeXML, devicesXML,
		`[{"url":"https://a.example/"}]`, `["x"]`, `<webhooks><webhook url="u"/></webhooks>`, `<user><roles><role id="a"><x/></role></roles></user>`,
		`{"authToken":"eyJhbGciOiJFZERTQSJ9.e30.c2ln"}`, `<MediaContainer><Device id="x"/></MediaContainer>`, `{"users":[{"id":"1"}]}`} {
		f.Add(200, body)
	}
	f.Add(401, `{"errors":[{"code":1029,"message":"Please enter the verification code","status":401}]}`)
	f.Add(403, `{"errors":[{"code":1041,"message":"A valid PIN is required to perform this action"}]}`)
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
		u, tok, err := c.Users.SignIn(ctx, plextv.SignInOptions{Login: "a", Password: "b"})
		check("Users.SignIn", err, func() bool { return u != nil && auth.CheckValue(tok.Value) == nil })
		_, err = c.Friends.List(ctx)
		check("Friends.List", err, func() bool { return true })
		_, err = c.Sharing.Sections(ctx, "m")
		check("Sharing.Sections", err, func() bool { return true })
		_, err = c.Sharing.List(ctx, "m")
		check("Sharing.List", err, func() bool { return true })
		_, err = c.Home.List(ctx)
		check("Home.List", err, func() bool { return true })
		sw, err := c.Home.Switch(ctx, "u", "1234")
		check("Home.Switch", err, func() bool { return sw.User != nil && auth.CheckValue(sw.Token.Value) == nil })
		_, err = c.Devices.List(ctx)
		check("Devices.List", err, func() bool { return true })
		_, err = c.Webhooks.List(ctx)
		check("Webhooks.List", err, func() bool { return true })
	})
}
