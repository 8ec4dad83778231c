package devicekey_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/devicekey"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	k, err := devicekey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	other, err := devicekey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	tok, err := k.SignDeviceJWT(devicekey.DeviceClaims{ClientIdentifier: "client-1", Nonce: "n"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2]
	tests := []struct {
		name  string
		key   *devicekey.Key
		token string
		ok    bool
	}{
		{"own key", k, tok, true},
		{"another key", other, tok, false},
		{"tampered payload", k, tampered, false},
		{"truncated", k, parts[0] + "." + parts[1], false},
		{"not a JWS", k, "hello", false},
		{"alg none", k, "eyJhbGciOiJub25lIn0." + parts[1] + ".", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.key.VerifySignature(tt.token)
			if tt.ok && err != nil {
				t.Fatalf("VerifySignature = %v, want nil", err)
			}
			if !tt.ok && !errors.Is(err, devicekey.ErrSignature) {
				t.Fatalf("VerifySignature = %v, want ErrSignature", err)
			}
		})
	}
}
