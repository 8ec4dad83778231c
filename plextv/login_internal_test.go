package plextv

import (
	"testing"
	"time"
)

// A wait bounded by a context's deadline is named rounded up, never down: 1.4999 s is "1.5s",
// not "1s".
func TestRoundUp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want time.Duration }{
		{1500*time.Millisecond - time.Microsecond, 1500 * time.Millisecond},
		{1500 * time.Millisecond, 1500 * time.Millisecond},
		{time.Second - time.Nanosecond, time.Second},
		{149*time.Millisecond + 990*time.Microsecond, 150 * time.Millisecond},
		{10*time.Minute - time.Millisecond, 10 * time.Minute},
		{0, 0},
	} {
		if got := roundUp(tt.in); got != tt.want {
			t.Errorf("roundUp(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
