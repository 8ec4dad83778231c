package cli

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/plexkit/plexkit"
	"github.com/plexkit/plexkit/pms"
)

// watchSessions runs `plexkit sessions --watch`: a session tracker on the server. On a terminal
// the table is redrawn in place after every change; otherwise (or with --json) each change is
// one line of JSON: {"kind": started|paused|resumed|progressed|stopped|transcode, "session": …}.
func watchSessions(cmd *cobra.Command, f *Factory, sel string, maxEvents int) error {
	ctx, stop := liveContext(cmd)
	defer stop()
	s, c, err := openServer(ctx, f, sel)
	if err != nil {
		return err
	}
	tr := pms.NewTracker(c, pms.TrackerOptions{})
	asJSON := jsonLines(f)
	events := 0
	for ev, err := range tr.Events(ctx) {
		if err != nil {
			if plexkit.StatusOf(err) == http.StatusUnauthorized || plexkit.StatusOf(err) == http.StatusForbidden {
				return s.refused(http.MethodGet, "/status/sessions", err)
			}
			fmt.Fprintln(f.IO.ErrOut, plexkit.Redact(s.res.Name+": "+err.Error()))
			continue
		}
		if asJSON {
			if err := writeJSONLine(f.IO.Out, ev); err != nil {
				return err
			}
		} else if err := redraw(f, s.res.Name, tr.Sessions()); err != nil {
			return err
		}
		events++
		if maxEvents > 0 && events >= maxEvents {
			return nil
		}
	}
	return nil
}

// redraw clears the terminal and draws the sessions table, in one write so the screen never
// shows half a table.
func redraw(f *Factory, server string, sessions []pms.Session) error {
	var b bytes.Buffer
	b.WriteString("\x1b[H\x1b[2J") // cursor home, clear the screen
	fmt.Fprintf(&b, "%s — %d playing — %s (Ctrl-C to stop)\n\n", server, len(sessions), time.Now().Format("15:04:05"))
	t := &table{out: &b, tty: true}
	t.addRow("KEY", "USER", "TITLE", "TYPE", "STATE", "PLAYER", "PROGRESS")
	for _, ss := range sessions {
		state := ss.Player.State
		if ss.TranscodeSession != nil {
			state += " (transcode)"
		}
		t.addRow(string(ss.SessionKey), ss.User.Title, ss.DisplayTitle(), ss.Type, state, player(ss.Player), progress(ss))
	}
	if err := t.render(); err != nil {
		return err
	}
	_, err := f.IO.Out.Write(b.Bytes())
	return err
}
