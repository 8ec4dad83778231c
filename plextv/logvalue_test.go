package plextv_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/auth"
	"github.com/plexkit/plexkit/emulator"
	"github.com/plexkit/plexkit/plextv"
)

// An approved Pin and a Resource logged with log/slog, by the JSON and the text handler, show
// what identifies them but never their token. json.Marshal, which mirrors plex.tv's wire format,
// does include it, as their documentation warns.
func TestLogValueOmitsSecrets(t *testing.T) {
	t.Parallel()
	e := startEmulator(t, emulator.Options{})
	dev := newDevice(t)
	c := newClient(t, e, dev)
	ctx := context.Background()

	pin, err := c.Pins.Create(ctx, plextv.PinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ClaimPin(pin.Code, "alice"); err != nil {
		t.Fatal(err)
	}
	pin, err = c.Pins.Get(ctx, pin.ID, "")
	if err != nil || pin.AuthToken == "" {
		t.Fatalf("approved pin: %v, token set %v", err, pin != nil && pin.AuthToken != "")
	}
	tok := &auth.Token{Value: pin.AuthToken, Kind: auth.KindLegacy}
	servers, err := c.WithTokenSource(auth.StaticTokenSource(tok)).Resources.Servers(ctx)
	if err != nil || len(servers) == 0 {
		t.Fatalf("Resources.Servers: %d, %v", len(servers), err)
	}

	type logged struct {
		name, secret string
		value        any
		want         []string // what the log line must show
	}
	cases := []logged{{"pin", pin.AuthToken, *pin, []string{pin.Code, "approved"}}, {"*pin", pin.AuthToken, pin, []string{pin.Code}}}
	for _, s := range servers {
		cases = append(cases, logged{"resource " + s.Name, s.AccessToken, s, []string{s.Name, s.ClientIdentifier, s.Connections[0].URI}})
	}
	for _, tc := range cases {
		if tc.secret == "" {
			t.Fatalf("%s: no secret to look for", tc.name)
		}
		for hname, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
			"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
			"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		} {
			var buf bytes.Buffer
			slog.New(newHandler(&buf)).Info("got", "value", tc.value)
			out := buf.String()
			if strings.Contains(out, tc.secret) {
				t.Errorf("%s, %s handler: the log shows the token: %s", tc.name, hname, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s, %s handler: the log lacks %q: %s", tc.name, hname, w, out)
				}
			}
		}
		js, err := json.Marshal(tc.value)
		if err != nil || !strings.Contains(string(js), tc.secret) {
			t.Errorf("%s: json.Marshal no longer carries the token (the wire format): %v", tc.name, err)
		}
	}
}
