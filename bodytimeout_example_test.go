package plexkit_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/plexkit/plexkit"
)

// A server that sends its headers and then nothing: the read fails after Idle, with the cause.
// To tune the bound of the plex.tv and PMS clients, pass such a transport in their
// WithHTTPClient option; they add one with the defaults otherwise.
func ExampleBodyTimeoutTransport() {
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer stalled.Close()

	hc := &http.Client{Transport: &plexkit.BodyTimeoutTransport{Idle: 100 * time.Millisecond, MinRate: 512}}
	resp, err := hc.Get(stalled.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	var slow *plexkit.SlowBodyError
	fmt.Println(errors.As(err, &slow), err)
	// Output: true the server stopped sending its answer: no data for 100ms (after 0 bytes)
}
