package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/plexkit/plexkit/plextv"
)

func TestMatchDevice(t *testing.T) {
	t.Parallel()
	devices := []plextv.Device{
		{ID: 1, Name: "iPad", ClientIdentifier: "cid-a"},
		{ID: 2, Name: "Laptop", ClientIdentifier: "cid-b"},
		{ID: 3, Name: "laptop", ClientIdentifier: "cid-c"},
	}
	tests := []struct {
		sel   string
		want  int64
		err   string
		usage bool
	}{
		{"1", 1, "", false},
		{"cid-b", 2, "", false},
		{" ipad ", 1, "", false},
		{"Laptop", 0, "2 devices are named", true},
		{"TV", 0, `no device "TV"`, false},
	}
	for _, tt := range tests {
		d, err := matchDevice(devices, tt.sel)
		if tt.err == "" {
			if err != nil || d.ID != tt.want {
				t.Errorf("matchDevice(%q) = %v, %v; want id %d", tt.sel, d, err, tt.want)
			}
			continue
		}
		var ue *UsageError
		if err == nil || !strings.Contains(err.Error(), tt.err) || errors.As(err, &ue) != tt.usage {
			t.Errorf("matchDevice(%q) = %v; want an error with %q (usage %v)", tt.sel, err, tt.err, tt.usage)
		}
	}
}

func TestMatchHomeUser(t *testing.T) {
	t.Parallel()
	users := []plextv.HomeUser{
		{ID: 10, UUID: "u-alice", Title: "Alice", Username: "alice", Admin: true},
		{ID: 11, UUID: "u-carol", Title: "Carol"},
	}
	for sel, want := range map[string]string{"carol": "u-carol", "ALICE": "u-alice", "11": "u-carol", "u-alice": "u-alice"} {
		if u, err := matchHomeUser(users, sel); err != nil || u.UUID != want {
			t.Errorf("matchHomeUser(%q) = %v, %v; want %s", sel, u, err, want)
		}
	}
	if _, err := matchHomeUser(users, "bob"); err == nil || !strings.Contains(err.Error(), "Alice, Carol") {
		t.Errorf("matchHomeUser(bob) = %v; want an error naming the users", err)
	}
}

func TestProfileNames(t *testing.T) {
	t.Parallel()
	for u, want := range map[plextv.HomeUser]string{
		{Username: "Alice"}:      "alice",
		{Title: "Little Tim"}:    "little-tim",
		{Title: "../../etc"}:     "etc",
		{ID: 7, Title: "★"}:      "user-7",
		{Title: "Zoë's profile"}: "zo--s-profile",
	} {
		got := profileNameFor(u)
		if got != want {
			t.Errorf("profileNameFor(%+v) = %q; want %q", u, got, want)
		}
		if err := checkProfileName(got); err != nil {
			t.Errorf("the derived name %q is refused: %v", got, err)
		}
	}
	for _, bad := range []string{"", "..", "../x", "a/b", "Caps", "-x", strings.Repeat("a", 65)} {
		if err := checkProfileName(bad); err == nil {
			t.Errorf("checkProfileName(%q) accepted it", bad)
		}
	}
}
