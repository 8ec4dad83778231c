package doctor_test

import (
	"strings"
	"testing"

	"github.com/plexkit/plexkit/doctor"
)

func TestWriteText(t *testing.T) {
	t.Parallel()
	refused := &doctor.Report{Findings: []doctor.Finding{
		{Check: doctor.CheckTokenKind, Status: doctor.Pass, Cause: "a Plex JWT"},
		{Check: doctor.CheckTokenThumbprint, Status: doctor.Warn, Cause: "another device's", Fix: "log in here"},
		{Check: doctor.CheckRole, Status: doctor.Fail, Cause: "needs admin", Fix: "ask the owner"},
		{Check: doctor.CheckCall, Status: doctor.Skip, Cause: "not checked"},
	}}
	for _, tc := range []struct {
		name  string
		rep   *doctor.Report
		ascii bool
		want  string
	}{
		{"terminal", refused, false, "✓ token kind: a Plex JWT\n" +
			"! token thumbprint: another device's\n  fix: log in here\n" +
			"✗ role: needs admin\n  fix: ask the owner\n" +
			"– call: not checked\n" +
			"The call would be refused: see \"role\" above.\n"},
		{"piped", refused, true, "ok   token kind: a Plex JWT\n" +
			"warn token thumbprint: another device's\n     fix: log in here\n" +
			"FAIL role: needs admin\n     fix: ask the owner\n" +
			"skip call: not checked\n" +
			"The call would be refused: see \"role\" above.\n"},
		{"accepted", &doctor.Report{OK: true, Findings: []doctor.Finding{{Check: doctor.CheckCall, Status: doctor.Pass, Cause: "200"}}}, true,
			"ok   call: 200\nThe call would be accepted.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			if err := tc.rep.WriteText(&b, tc.ascii); err != nil {
				t.Fatal(err)
			}
			if b.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tc.want)
			}
		})
	}
}

func TestReportLookups(t *testing.T) {
	t.Parallel()
	rep := &doctor.Report{Findings: []doctor.Finding{
		{Check: "a", Status: doctor.Pass}, {Check: "b", Status: doctor.Fail}, {Check: "c", Status: doctor.Fail},
	}}
	if f := rep.Find("c"); f == nil || f.Check != "c" {
		t.Errorf("Find(c) = %v", f)
	}
	if f := rep.Find("z"); f != nil {
		t.Errorf("Find(z) = %v", f)
	}
	if f := rep.FirstFailure(); f == nil || f.Check != "b" {
		t.Errorf("FirstFailure = %v", f)
	}
	if f := (&doctor.Report{OK: true}).FirstFailure(); f != nil {
		t.Errorf("FirstFailure of an empty report = %v", f)
	}
}
