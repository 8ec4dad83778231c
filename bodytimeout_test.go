package plexkit_test

import (
	"context"
	"errors"
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
