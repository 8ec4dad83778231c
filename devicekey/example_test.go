package devicekey_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/plexkit/plexkit/devicekey"
)

// The first run of a program creates its device; later runs load it.
func ExampleLoadDevice() {
	dir, err := os.MkdirTemp("", "plexkit-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	dev, err := devicekey.LoadDevice(dir)
	if errors.Is(err, devicekey.ErrNoDevice) {
		dev, err = devicekey.CreateDevice(dir)
	}
	if err != nil {
		log.Fatal(err)
	}
	again, err := devicekey.LoadDevice(dir)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(again.ClientIdentifier == dev.ClientIdentifier, again.Key.KID() == dev.Key.KID())
	// Output: true true
}

// A key imported from python-plexapi's raw files; here the RFC 8037 example key.
func ExampleFromRaw() {
	priv, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	pub, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	key, err := devicekey.FromRaw(priv, pub, "")
	if err != nil {
		log.Fatal(err)
	}
	jwk, err := key.MarshalPublicJWK()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(key)
	fmt.Println(string(jwk))
	// Output:
	// devicekey(kid=kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k)
	// {"use":"sig","kty":"OKP","kid":"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k","crv":"Ed25519","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
}

// The device JWT sent to POST /api/v2/auth/token. Ed25519 is deterministic, so a fixed key and
// time give a fixed token.
func ExampleKey_SignDeviceJWT() {
	priv, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	pub, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	key, err := devicekey.FromRaw(priv, pub, "")
	if err != nil {
		log.Fatal(err)
	}
	token, err := key.SignDeviceJWT(devicekey.DeviceClaims{
		ClientIdentifier: "0b8c1a3e-7a51-4c55-9a3b-0f5d8c5c8f10",
		Nonce:            "9d6b2e4c-7f3a-4c1e-8a2b-5e6f7a8b9c0d",
		Scopes:           []string{"username", "email"},
		IssuedAt:         time.Unix(1750000000, 0),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(token)
	// Output: eyJhbGciOiJFZERTQSIsImtpZCI6ImtQcktfcW14VldhWVZBOXd3QkY2SXVvM3ZWeno3VHhIQ1R3WEJ5Z3JTNGsiLCJ0eXAiOiJKV1QifQ.eyJub25jZSI6IjlkNmIyZTRjLTdmM2EtNGMxZS04YTJiLTVlNmY3YThiOWMwZCIsInNjb3BlIjoidXNlcm5hbWUsZW1haWwiLCJhdWQiOiJwbGV4LnR2IiwiaXNzIjoiMGI4YzFhM2UtN2E1MS00YzU1LTlhM2ItMGY1ZDhjNWM4ZjEwIiwiaWF0IjoxNzUwMDAwMDAwLCJleHAiOjE3NTAwMDAzMDB9.ERkwBExNkJJRIiHxWiSqgNJkvhKaoAdfW1oOdDB-i4tcKvimWKdcqAdV--g2whQ5YcnfXEhDyTdKkC6sCUQiDA
}

// Scopes release account claims; they cannot ask for a role.
func ExampleValidateScopes() {
	err := devicekey.ValidateScopes([]string{"username", "admin"})
	var se *devicekey.ScopeError
	fmt.Println(errors.As(err, &se), se.Scope)
	// Output: true admin
}
