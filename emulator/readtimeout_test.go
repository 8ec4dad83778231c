package emulator_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plexkit/plexkit/emulator"
)

// slowBodyConn opens a connection to the emulator's plex.tv and sends a request whose body
// then trickles: one byte every 50 ms of the 1000 announced, never idle for long.
func slowBodyConn(t *testing.T, e *emulator.Emulator, stop <-chan struct{}) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(e.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /api/v2/auth/token HTTP/1.1\r\nHost: plex.tv\r\nX-Plex-Client-Identifier: slow\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{")
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if _, err := c.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	return c
}

// The attack: many connections whose request bodies never finish. Each must be answered
// or closed once the read timeout has passed, however busily its body trickles.
func TestSlowRequestBodiesAreCutOff(t *testing.T) {
	e := emulator.New(emulator.Options{RequestReadTimeout: 300 * time.Millisecond})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	stop := make(chan struct{})
	defer close(stop)
	const n = 20
	conns := make([]net.Conn, n)
	for i := range conns {
		conns[i] = slowBodyConn(t, e, stop)
		defer conns[i].Close()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	open := 0
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Far past the timeout; a connection still open then is one the emulator keeps.
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			br := bufio.NewReader(c)
			for {
				if _, err := br.ReadByte(); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						mu.Lock()
						open++
						mu.Unlock()
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	if open > 0 {
		t.Fatalf("%d of %d slow-body connections still open after 5 s; the read timeout is 300 ms", open, n)
	}
}

// The read timeout bounds reading the request, never the answer: a slow answer to a request
// with a body, and one to a request without, both arrive long after it.
func TestReadTimeoutLeavesLongAnswersAlone(t *testing.T) {
	e := emulator.New(emulator.Options{RequestReadTimeout: 200 * time.Millisecond})
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.SetFault("GET /api/v2/auth/keys", emulator.Fault{Latency: 700 * time.Millisecond})
	e.SetFault("POST /api/v2/pins", emulator.Fault{Latency: 700 * time.Millisecond})
	for _, req := range []*http.Request{
		mustRequest(t, http.MethodGet, e.URL()+"/api/v2/auth/keys", ""),
		mustRequest(t, http.MethodPost, e.URL()+"/api/v2/pins", `{"strong":true}`),
	} {
		req.Header.Set("X-Plex-Client-Identifier", "long-answers")
		req.Header.Set("X-Plex-Product", "plexkit-test")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %s", req.Method, req.URL.Path, resp.Status)
		}
	}
}

func mustRequest(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body == "" {
		req.Body = http.NoBody
		req.ContentLength = 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}
