package plexkit_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plexkit/plexkit"
)

// trickle answers with headers at once and then one byte every interval, until the client goes.
func trickle(interval time.Duration) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(interval):
			}
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
}

func readAll(t *testing.T, rt http.RoundTripper, url string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a backstop, far above the bounds
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

func TestBodyTimeoutIdle(t *testing.T) {
	srv := trickle(time.Hour) // headers, then nothing
	defer srv.Close()
	err := readAll(t, &plexkit.BodyTimeoutTransport{Idle: 200 * time.Millisecond}, srv.URL)
	var slow *plexkit.SlowBodyError
	if !errors.As(err, &slow) || slow.Idle != 200*time.Millisecond {
		t.Fatalf("err = %v, want a *SlowBodyError for 200ms idle", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("the backstop deadline ended the read, not the idle bound")
	}
}

// One byte every 20 ms is never idle for long, but far slower than the minimum rate.
func TestBodyTimeoutMinRate(t *testing.T) {
	srv := trickle(20 * time.Millisecond)
	defer srv.Close()
	err := readAll(t, &plexkit.BodyTimeoutTransport{Idle: 300 * time.Millisecond, MinRate: 1000}, srv.URL)
	var slow *plexkit.SlowBodyError
	if !errors.As(err, &slow) || slow.MinRate != 1000 {
		t.Fatalf("err = %v, want a *SlowBodyError for the rate", err)
	}
}

// A caller that pauses between reads is not cut off: only time spent waiting in Read counts.
func TestBodyTimeoutSlowConsumer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(make([]byte, 64<<10))
	}))
	defer srv.Close()
	rt := &plexkit.BodyTimeoutTransport{Idle: 50 * time.Millisecond, MinRate: 1 << 20}
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 4<<10)
	total := 0
	for {
		n, err := resp.Body.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", total, err)
		}
		time.Sleep(60 * time.Millisecond) // longer than Idle, between reads
	}
	if total != 64<<10 {
		t.Fatalf("read %d bytes", total)
	}
}

func TestWithBodyTimeoutWrapsOnce(t *testing.T) {
	own := &plexkit.BodyTimeoutTransport{Idle: time.Second}
	if plexkit.WithBodyTimeout(own) != http.RoundTripper(own) {
		t.Fatal("a BodyTimeoutTransport was wrapped again")
	}
	if _, ok := plexkit.WithBodyTimeout(http.DefaultTransport).(*plexkit.BodyTimeoutTransport); !ok {
		t.Fatal("the default transport was not wrapped")
	}
}

// Streams pass through unbounded: server-sent events may be silent for long, and a protocol
// switch's body is the connection, which a websocket library needs as an io.ReadWriteCloser.
func TestBodyTimeoutLeavesStreamsAlone(t *testing.T) {
	rt := &plexkit.BodyTimeoutTransport{Idle: 50 * time.Millisecond, MinRate: 1 << 20}
	t.Run("event stream", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
			for i := range 3 {
				fmt.Fprintf(w, "data: %d\n\n", i)
				w.(http.Flusher).Flush()
				time.Sleep(150 * time.Millisecond) // silent for three times Idle
			}
		}))
		defer srv.Close()
		if err := readAll(t, rt, srv.URL); err != nil {
			t.Fatalf("the event stream was cut off: %v", err)
		}
	})
	t.Run("protocol switch", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, brw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprint(brw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
			_ = brw.Flush()
			buf := make([]byte, 4)
			if _, err := io.ReadFull(brw, buf); err == nil {
				_, _ = conn.Write(buf)
			}
		}))
		defer srv.Close()
		req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "echo")
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rwc, ok := resp.Body.(io.ReadWriteCloser)
		if resp.StatusCode != http.StatusSwitchingProtocols || !ok {
			t.Fatalf("status %d, body %T: want 101 and an io.ReadWriteCloser", resp.StatusCode, resp.Body)
		}
		time.Sleep(150 * time.Millisecond) // idle for three times Idle
		if _, err := rwc.Write([]byte("ping")); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4)
		if _, err := io.ReadFull(rwc, buf); err != nil || string(buf) != "ping" {
			t.Fatalf("echo = %q, %v", buf, err)
		}
	})
}
