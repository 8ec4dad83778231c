package plexkit

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCheckResponse(t *testing.T) {
	t.Parallel()
	jwt := "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		wantIs     []error
		wantNotIs  []error
		wantCode   int
		wantMsg    string
		wantRetry  time.Duration
		wantAbsent string
	}{
		{name: "ok", status: 200},
		{name: "no content", status: 204},
		{
			name: "plex.tv json envelope", status: 401,
			body:   `{"errors":[{"code":1001,"message":"User could not be authenticated","status":401}]}`,
			wantIs: []error{ErrUnauthorized}, wantNotIs: []error{ErrForbidden, ErrDeviceRevoked},
			wantCode: 1001, wantMsg: "User could not be authenticated",
		},
		{
			name: "jwk missing is a revoked device", status: 401,
			body:     `{"errors":[{"code":1097,"message":"jwk missing","status":401}]}`,
			wantIs:   []error{ErrUnauthorized, ErrDeviceRevoked},
			wantCode: 1097, wantMsg: "jwk missing",
		},
		{
			name: "pin not found without status member", status: 404,
			body:   `{"errors":[{"code":1020,"message":"Code not found or expired"}]}`,
			wantIs: []error{ErrNotFound}, wantCode: 1020, wantMsg: "Code not found or expired",
		},
		{
			name: "xml invalid token", status: 422,
			body:   `<?xml version="1.0" encoding="UTF-8"?><errors><error>Invalid token</error></errors>`,
			wantIs: []error{ErrUnprocessable}, wantMsg: "Invalid token",
		},
		{
			name: "xml with attributes", status: 400,
			body:   `<errors><error code="1000" message="X-Plex-Client-Identifier is missing"/></errors>`,
			wantIs: []error{ErrBadRequest}, wantCode: 1000, wantMsg: "X-Plex-Client-Identifier is missing",
		},
		{
			name: "pms html 401", status: 401,
			body:   `<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>`,
			wantIs: []error{ErrUnauthorized}, wantMsg: "Unauthorized",
		},
		{
			name: "498 expired", status: 498, body: `{"errors":[{"code":0,"message":"token expired"}]}`,
			wantIs: []error{ErrTokenExpired}, wantMsg: "token expired",
		},
		{
			name: "429 retry after seconds", status: 429, header: http.Header{"Retry-After": {"7"}},
			wantIs: []error{ErrRateLimited}, wantRetry: 7 * time.Second,
		},
		{name: "503 is a server error", status: 503, wantIs: []error{ErrServer}, wantNotIs: []error{ErrRateLimited}},
		{
			name: "message with a jwt is redacted", status: 422,
			body:   `{"errors":[{"code":1,"message":"bad token ` + jwt + `"}]}`,
			wantIs: []error{ErrUnprocessable}, wantCode: 1, wantAbsent: jwt,
		},
		{name: "garbage body", status: 500, body: "\x00\x01not json", wantIs: []error{ErrServer}, wantMsg: "Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("GET", "https://plex.tv/api/v2/user?X-Plex-Token=abcdefghijklmnopqrst", nil)
			resp := &http.Response{StatusCode: tt.status, Header: tt.header, Body: io.NopCloser(strings.NewReader(tt.body)), Request: req}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			err := CheckResponse(resp)
			if tt.status < 300 {
				if err != nil {
					t.Fatalf("CheckResponse = %v, want nil", err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("CheckResponse = %T %v, want *Error", err, err)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false", err, target)
				}
			}
			for _, target := range tt.wantNotIs {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true", err, target)
				}
			}
			if pe.Code != tt.wantCode {
				t.Errorf("Code = %d, want %d", pe.Code, tt.wantCode)
			}
			if tt.wantMsg != "" && pe.Message != tt.wantMsg {
				t.Errorf("Message = %q, want %q", pe.Message, tt.wantMsg)
			}
			if pe.RetryAfter != tt.wantRetry {
				t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tt.wantRetry)
			}
			if strings.Contains(err.Error(), "abcdefghijklmnopqrst") {
				t.Errorf("error text leaks the token: %s", err)
			}
			if tt.wantAbsent != "" && strings.Contains(err.Error(), tt.wantAbsent) {
				t.Errorf("error text leaks a secret: %s", err)
			}
		})
	}
}

func TestCheckResponseReadsAtMostOneMiB(t *testing.T) {
	t.Parallel()
	body := strings.NewReader(strings.Repeat("x", 3<<20))
	resp := &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(body)}
	_ = CheckResponse(resp)
	if rest := body.Len(); rest != 2<<20 {
		t.Fatalf("unread bytes = %d, want %d (1 MiB read)", rest, 2<<20)
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"0", 0}, {"12", 12 * time.Second}, {"-3", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("listing sessions: %w", &Error{StatusCode: 401})
	for _, tt := range []struct {
		err  error
		want int
	}{{nil, 0}, {errors.New("dial tcp: refused"), 0}, {&Error{StatusCode: 498}, 498}, {wrapped, 401}} {
		if got := StatusOf(tt.err); got != tt.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
