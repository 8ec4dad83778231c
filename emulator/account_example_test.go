package emulator_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/plexkit/plexkit/emulator"
)

// An application registers a webhook the way Plex Web does; Webhooks tells a test (or the
// servers that deliver events) where to send them.
func ExampleEmulator_Webhooks() {
	e := emulator.New(emulator.Options{LibrarySize: 100})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	form := url.Values{"urls[]": {"https://hooks.example/plex"}}
	r, _ := http.NewRequest("POST", e.URL()+"/api/v2/user/webhooks", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Plex-Client-Identifier", "example")
	r.Header.Set("X-Plex-Token", e.LegacyToken("alice"))
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		panic(err)
	}
	res.Body.Close()
	fmt.Println(res.Status, res.Header.Get("Content-Type"))
	fmt.Println(e.Webhooks("alice"))
	// Output:
	// 201 Created application/xml; charset=utf-8
	// [https://hooks.example/plex]
}

// Password sign-in on the emulator's plex.tv, with dave's two-factor code; plex.tv answers XML
// unless the client asks for JSON.
func Example_signIn() {
	e := emulator.New(emulator.Options{LibrarySize: 100})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	for _, code := range []string{"", emulator.DaveVerificationCode} {
		form := url.Values{"login": {"dave"}, "password": {emulator.DavePassword}, "verificationCode": {code}}
		r, _ := http.NewRequest("POST", e.URL()+"/api/v2/users/signin", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("X-Plex-Client-Identifier", "example")
		r.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			panic(err)
		}
		res.Body.Close()
		fmt.Println(res.Status)
	}
	// Output:
	// 401 Unauthorized
	// 201 Created
}
