package cli

import "testing"

func TestTable(t *testing.T) {
	t.Parallel()
	rows := [][]string{{"NAME", "KIND"}, {"living-room", "server"}, {"a\tb", "x\ny"}}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{name: "terminal: aligned", tty: true, want: "NAME         KIND\nliving-room  server\na b          x y\n"},
		{name: "piped: tab-separated", tty: false, want: "NAME\tKIND\nliving-room\tserver\na b\tx y\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			streams, _, out, _ := TestIO()
			streams.OutTTY = tt.tty
			tb := newTable(streams)
			for _, r := range rows {
				tb.addRow(r...)
			}
			if err := tb.render(); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), tt.want)
			}
		})
	}
}

func TestRelative(t *testing.T) {
	t.Parallel()
	now := mustTime(t, "2025-07-01T12:00:00Z")
	for _, tt := range []struct{ at, want string }{
		{"2025-07-08T12:00:00Z", "in 7 days"},
		{"2025-07-08T09:30:00Z", "in 6 days 21 hours"},
		{"2025-07-01T11:57:00Z", "3 minutes ago"},
		{"2025-07-01T12:00:01Z", "in 1 second"},
		{"2025-07-01T12:00:00Z", "in 0 seconds"},
		{"2025-06-30T11:00:00Z", "1 day 1 hour ago"},
	} {
		t.Run(tt.at, func(t *testing.T) {
			t.Parallel()
			if got := relative(now, mustTime(t, tt.at)); got != tt.want {
				t.Errorf("relative = %q, want %q", got, tt.want)
			}
		})
	}
}
