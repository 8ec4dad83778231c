package auth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tok  *Token
	}{
		{"Plex JWT with every field", jwt("a", 7*24*time.Hour)},
		{"Plex JWT with sub-second expiry", &Token{Value: "eyJ.x.y", Kind: KindPlexJWT, Expiry: epoch.Add(1500 * time.Millisecond)}},
		{"legacy token alone", &Token{Value: "AbCdEfGh12345678-_xy", Kind: KindLegacy}},
		{"legacy token with a client", &Token{Value: "AbCdEfGh12345678", Kind: KindLegacy, ClientIdentifier: "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := EncodeToken(tt.tok)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeToken(data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Value != tt.tok.Value || got.Kind != tt.tok.Kind || !got.Expiry.Equal(tt.tok.Expiry) ||
				!got.IssuedAt.Equal(tt.tok.IssuedAt) || got.ClientIdentifier != tt.tok.ClientIdentifier {
				t.Fatalf("round trip changed the token:\n got  %+v %q\n want %+v %q", got, got.Value, tt.tok, tt.tok.Value)
			}
		})
	}
}

// TestDecodeDocumentedFormat pins the file format other tools and older versions write.
func TestDecodeDocumentedFormat(t *testing.T) {
	t.Parallel()
	const file = `{"kind":"plex_jwt","token":"eyJa.eyJb.c2ln","expiresAt":"2026-03-08T12:00:00Z","issuedAt":"2026-03-01T12:00:00Z","clientIdentifier":"abc"}`
	got, err := DecodeToken([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	want := Token{Value: "eyJa.eyJb.c2ln", Kind: KindPlexJWT, Expiry: epoch.Add(7 * 24 * time.Hour), IssuedAt: epoch, ClientIdentifier: "abc"}
	if got.Value != want.Value || got.Kind != want.Kind || !got.Expiry.Equal(want.Expiry) || !got.IssuedAt.Equal(want.IssuedAt) || got.ClientIdentifier != want.ClientIdentifier {
		t.Fatalf("decoded %+v, want %+v", got, want)
	}
	enc, err := EncodeToken(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"kind": "plex_jwt"`, `"token": "eyJa.eyJb.c2ln"`, `"expiresAt": "2026-03-08T12:00:00Z"`, `"issuedAt": "2026-03-01T12:00:00Z"`, `"clientIdentifier": "abc"`} {
		if !strings.Contains(string(enc), field) {
			t.Errorf("encoding lacks %s:\n%s", field, enc)
		}
	}
}

func TestEncodeRefusesUnusableTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		tok  *Token
		want string
	}{
		{"nil", nil, "no token"},
		{"empty value", &Token{Kind: KindLegacy}, "empty"},
		{"unknown kind", &Token{Value: "abcdefgh", Kind: 0}, "unknown kind"},
		{"Plex JWT without expiry", &Token{Value: "eyJa.b.c", Kind: KindPlexJWT}, "without its expiry"},
		{"value with a newline", &Token{Value: "eyJa.b.c\r\nX-Evil: 1", Kind: KindLegacy}, "not printable ASCII"},
		{"value with a space", &Token{Value: "abc def", Kind: KindLegacy}, "not printable ASCII"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, err := EncodeToken(tt.tok)
			if err == nil {
				t.Fatalf("EncodeToken = %q, want an error", data)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			if tt.tok != nil && tt.tok.Value != "" && strings.Contains(err.Error(), tt.tok.Value) {
				t.Fatalf("error %q contains the token value", err)
			}
		})
	}
}

func TestDecodeCorrupt(t *testing.T) {
	t.Parallel()
	const secret = "eyJzZWNyZXQ.eyJzZWNyZXQ.c2VjcmV0"
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "empty"},
		{"whitespace", " \n", "empty"},
		{"truncated", `{"kind":"plex_jwt","token":"` + secret, "not valid JSON"},
		{"not an object", `["` + secret + `"]`, "not a JSON object"},
		{"trailing garbage", `{"kind":"legacy","token":"abcdefgh"} ` + secret, "not valid JSON"},
		{"token not a string", `{"kind":"legacy","token":12345}`, `"token" is not a string`},
		{"missing kind", `{"token":"` + secret + `"}`, `"kind" is missing`},
		{"unknown kind holding the secret", `{"kind":"` + secret + `","token":"x"}`, `"kind" is not`},
		{"missing token", `{"kind":"legacy"}`, `"token" is missing`},
		{"token with control bytes", `{"kind":"legacy","token":"abc\u0000def"}`, "not printable ASCII"},
		{"expiry not a time", `{"kind":"plex_jwt","token":"x","expiresAt":"` + secret + `"}`, `"expiresAt" is not an RFC 3339 time`},
		{"issuedAt not a time", `{"kind":"legacy","token":"x","issuedAt":"yesterday"}`, `"issuedAt" is not an RFC 3339 time`},
		{"Plex JWT without expiry", `{"kind":"plex_jwt","token":"` + secret + `"}`, `"expiresAt" is missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := DecodeToken([]byte(tt.data))
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("DecodeToken = %v, %v; want a *CorruptError", tok, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "c2VjcmV0") {
				t.Fatalf("error %q quotes the data", err)
			}
		})
	}
}
