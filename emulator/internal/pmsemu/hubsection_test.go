package pmsemu

import "testing"

// A shared user's stream carries library events of the sections shared with them only.
func TestSectionEventsFollowShares(t *testing.T) {
	all := filter{all: true}
	friend := &subscriber{caller: Caller{Role: RoleShared, AccountID: 7, Sections: []string{"1"}}, filter: all}
	everything := &subscriber{caller: Caller{Role: RoleShared, AccountID: 8}, filter: all}
	admin := &subscriber{caller: Caller{Role: RoleAdmin, AccountID: 1, Sections: []string{"1"}}, filter: all}
	tests := []struct {
		sub     *subscriber
		section string
		want    bool
	}{
		{friend, "1", true},
		{friend, "2", false},
		{friend, "", true},
		{everything, "2", true},
		{admin, "2", true},
	}
	for _, tt := range tests {
		f, err := encode(Notification{Type: "timeline", Entry: TimelineEntry{SectionID: tt.section}, SectionKey: tt.section})
		if err != nil {
			t.Fatal(err)
		}
		if got := tt.sub.wants(f); got != tt.want {
			t.Errorf("%+v wants an event of section %q: %v, want %v", tt.sub.caller, tt.section, got, tt.want)
		}
	}
}
