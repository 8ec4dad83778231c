package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/plexkit/plexkit/emulator"
)

// call sends one request to the emulator's plex.tv the way any HTTP client would, as the
// installation "example-client", and decodes a JSON answer into out (when out is not nil). It
// returns the status code.
func call(method, rawURL, token string, out any) int {
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		panic(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-Plex-Client-Identifier", "example-client")
	req.Header.Set("X-Plex-Product", "emulator example")
	if token != "" {
		req.Header.Set("X-Plex-Token", token) // a header, never a query parameter
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	if out != nil && res.StatusCode < 300 {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			panic(err)
		}
	}
	return res.StatusCode
}

// Start an emulator on loopback: plex.tv and one listener per seeded server.
func ExampleNew() {
	e := emulator.New(emulator.Options{LibrarySize: 100})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	fmt.Println(strings.HasPrefix(e.URL(), "http://127.0.0.1:"))
	for _, s := range e.Servers() {
		fmt.Println(s.Name, "owned by", s.Owner, "accepts the account JWT:", s.AcceptsAccountJWT)
	}
	for _, u := range e.Users() {
		fmt.Println(u.Username, u.Kind)
	}
	// Output:
	// true
	// alice-nas owned by alice accepts the account JWT: true
	// alice-vault owned by alice accepts the account JWT: false
	// alice owner
	// bob friend
	// carol managed
	// dave none
}

// The PIN flow of plex.tv over plain HTTP: an application creates a pin, a person approves it
// (here ClaimPin stands in for the person at plex.tv/link), and the application's next poll
// carries the account's token.
func ExampleEmulator_ClaimPin() {
	var e emulator.Emulator // the zero value is ready to use
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	var pin struct {
		ID        int     `json:"id"`
		Code      string  `json:"code"`
		AuthToken *string `json:"authToken"`
	}
	call("POST", e.URL()+"/api/v2/pins", "", &pin)
	pinURL := e.URL() + "/api/v2/pins/" + strconv.Itoa(pin.ID)
	call("GET", pinURL, "", &pin)
	fmt.Println("approved before ClaimPin:", pin.AuthToken != nil)

	if err := e.ClaimPin(pin.Code, "alice"); err != nil {
		panic(err)
	}
	call("GET", pinURL, "", &pin)
	fmt.Println("approved after ClaimPin:", pin.AuthToken != nil)

	var user struct {
		Username string `json:"username"`
	}
	call("GET", e.URL()+"/api/v2/user", *pin.AuthToken, &user)
	fmt.Println("the token is", user.Username+"'s")
	// Output:
	// approved before ClaimPin: false
	// approved after ClaimPin: true
	// the token is alice's
}

// Inject a fault: the next request to plex.tv's JWKS answers 503, the one after is served.
func ExampleEmulator_SetFault() {
	e := emulator.New(emulator.Options{})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	e.SetFault("GET /api/v2/auth/keys", emulator.Fault{Status: http.StatusServiceUnavailable, Count: 1})
	fmt.Println(call("GET", e.URL()+"/api/v2/auth/keys", "", nil))
	fmt.Println(call("GET", e.URL()+"/api/v2/auth/keys", "", nil))
	// Output:
	// 503
	// 200
}

// Count requests per endpoint, e.g. to check that a client caches what it should.
func ExampleEmulator_Stats() {
	e := emulator.New(emulator.Options{})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()

	for range 3 {
		call("GET", e.URL()+"/api/v2/auth/keys", "", nil)
	}
	call("GET", e.URL()+"/api/v2/user", e.LegacyToken("bob"), nil)
	stats := e.Stats()
	fmt.Println(stats["GET /api/v2/auth/keys"], stats["GET /api/v2/user"])

	e.ResetStats()
	fmt.Println(e.Stats()["GET /api/v2/auth/keys"])
	// Output:
	// 3 1
	// 0
}

// Start an emulator with a library of your own, described in a fixture file.
func ExampleLoadFixture() {
	fx, err := emulator.LoadFixture("testdata/example-fixture.yaml")
	if err != nil {
		panic(err)
	}
	e := emulator.New(emulator.Options{Fixture: fx})
	if err := e.Start(); err != nil {
		panic(err)
	}
	defer e.Close()
	srv := e.Servers()[0]
	var shows struct {
		MediaContainer struct {
			Metadata []struct {
				Title     string `json:"title"`
				LeafCount int    `json:"leafCount"`
			} `json:"Metadata"`
		} `json:"MediaContainer"`
	}
	call("GET", srv.URL+"/library/sections/2/all", e.LegacyToken("erin"), &shows)
	for _, s := range shows.MediaContainer.Metadata {
		fmt.Printf("%s on %s: %s, %d episodes\n", srv.Name, srv.Owner, s.Title, s.LeafCount)
	}
	// Output:
	// erin-server on erin: Night Shift, 3 episodes
}
