package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestTokenValidAndExpiresWithin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		tok        *Token
		valid      bool
		within24h  bool
		withinZero bool
	}{
		{"fresh JWT", jwt("a", 7*24*time.Hour), true, false, false},
		{"JWT with 23 hours left", jwt("a", 23*time.Hour), true, true, false},
		{"JWT inside the skew allowance", jwt("a", ExpirySkew), false, true, false},
		{"JWT just outside the skew allowance", jwt("a", ExpirySkew+time.Second), true, true, false},
		{"expired JWT", jwt("a", -time.Minute), false, true, true},
		{"legacy token without expiry", &Token{Value: "legacyToken12345678", Kind: KindLegacy}, true, false, false},
		{"empty token", &Token{Kind: KindLegacy}, false, true, true},
		{"nil token", nil, false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.tok.Valid(epoch); got != tt.valid {
				t.Errorf("Valid = %v, want %v", got, tt.valid)
			}
			if got := tt.tok.ExpiresWithin(epoch, 24*time.Hour); got != tt.within24h {
				t.Errorf("ExpiresWithin(24h) = %v, want %v", got, tt.within24h)
			}
			if got := tt.tok.ExpiresWithin(epoch, 0); got != tt.withinZero {
				t.Errorf("ExpiresWithin(0) = %v, want %v", got, tt.withinZero)
			}
		})
	}
}

func TestTokenTextNeverShowsValue(t *testing.T) {
	t.Parallel()
	tok := jwt("secret", 48*time.Hour)
	legacy := &Token{Value: "Zq8xLegacySecret99", Kind: KindLegacy}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("m", "ptr", tok, "val", *tok)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("m", "ptr", tok, "val", *tok, "legacy", legacy)
	marshalled, err := json.Marshal(struct {
		T *Token
		V Token
	}{tok, *tok})
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{
		"String":           tok.String(),
		"%v pointer":       fmt.Sprintf("%v", tok),
		"%+v value":        fmt.Sprintf("%+v", *tok),
		"%#v value":        fmt.Sprintf("%#v", *tok),
		"%s pointer":       fmt.Sprintf("%s", tok),
		"%q value":         fmt.Sprintf("%q", *tok),
		"%v in a slice":    fmt.Sprintf("%v", []Token{*tok}),
		"%v legacy":        fmt.Sprintf("%v", legacy),
		"slog text":        text.String(),
		"slog JSON":        js.String(),
		"encoding/json":    string(marshalled),
		"error wrapping":   fmt.Errorf("using %v: %w", tok, fmt.Errorf("inner")).Error(),
		"%v nil pointer":   fmt.Sprintf("%v", (*Token)(nil)),
		"String of nil":    (*Token)(nil).String(),
		"String of empty":  (&Token{Kind: KindPlexJWT}).String(),
		"String of legacy": legacy.String(),
	}
	for name, s := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, secret := range []string{tok.Value, legacy.Value, "c2lnbmF0dXJl"} {
				if strings.Contains(s, secret) {
					t.Fatalf("%q contains the token value", s)
				}
			}
			if s == "" {
				t.Fatal("empty text")
			}
		})
	}
	if want := "Plex JWT (expires 2026-03-03T12:00:00Z)"; tok.String() != want {
		t.Errorf("String = %q, want %q", tok.String(), want)
	}
	if want := `"Plex JWT (expires 2026-03-03T12:00:00Z)"`; fmt.Sprintf("%q", tok) != want {
		t.Errorf("%%q = %s, want %s", fmt.Sprintf("%q", tok), want)
	}
	if want := "legacy token (no expiry)"; legacy.String() != want {
		t.Errorf("legacy String = %q, want %q", legacy.String(), want)
	}
	if !strings.Contains(string(marshalled), `"expiresAt":"2026-03-03T12:00:00Z"`) || !strings.Contains(string(marshalled), `"kind":"plex_jwt"`) {
		t.Errorf("JSON lacks the token's description: %s", marshalled)
	}
}

func TestKindText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kind    Kind
		text    string
		wantErr bool
	}{
		{"Plex JWT", KindPlexJWT, "plex_jwt", false},
		{"legacy", KindLegacy, "legacy", false},
		{"unknown", Kind(7), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := tt.kind.MarshalText()
			if (err != nil) != tt.wantErr {
				t.Fatalf("MarshalText error = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if string(b) != tt.text {
				t.Fatalf("MarshalText = %q, want %q", b, tt.text)
			}
			var k Kind
			if err := k.UnmarshalText(b); err != nil || k != tt.kind {
				t.Fatalf("UnmarshalText(%q) = %v, %v; want %v", b, k, err, tt.kind)
			}
		})
	}
	t.Run("unknown word is refused without quoting it", func(t *testing.T) {
		t.Parallel()
		var k Kind
		err := k.UnmarshalText([]byte("eyJsecret"))
		if err == nil || strings.Contains(err.Error(), "eyJsecret") {
			t.Fatalf("UnmarshalText error = %v", err)
		}
	})
}

func TestKindOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value string
		want  Kind
	}{
		{"eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJwbGV4LnR2In0.c2ln", KindPlexJWT},
		{"abcdEFGH1234ijklMNOP", KindLegacy},
		{"eyJonlyonepart", KindLegacy},
		{"a.b.c", KindLegacy},
		{"transient-90904684-f91a-4391-8bf7-e0dfa7240285", KindLegacy},
	} {
		if got := KindOf(tt.value); got != tt.want {
			t.Errorf("KindOf(%.12q…) = %v, want %v", tt.value, got, tt.want)
		}
	}
}
