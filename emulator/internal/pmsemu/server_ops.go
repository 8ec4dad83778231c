package pmsemu

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The updater: the emulator runs as a Linux server that cannot install updates itself and has
// none to offer; a check records when it happened.

type updaterContainer struct {
	XMLName           xml.Name `json:"-" xml:"MediaContainer"`
	Size              int      `json:"size" xml:"size,attr"`
	CanInstall        xbool    `json:"canInstall" xml:"canInstall,attr"`
	AutoUpdateVersion int      `json:"autoUpdateVersion" xml:"autoUpdateVersion,attr"`
	CheckedAt         int64    `json:"checkedAt,omitempty" xml:"checkedAt,attr,omitempty"`
	Status            int      `json:"status" xml:"status,attr"`
}

// updaterStatus serves GET /updater/status.
func (o *ops) updaterStatus(c *call) {
	o.mu.Lock()
	checked := o.checkedAt
	o.mu.Unlock()
	list{head: updaterContainer{AutoUpdateVersion: 1, CheckedAt: checked}}.write(c.w, c.json)
}

// updaterCheck serves PUT /updater/check[?download=0|1]: the check finds the server current.
func (o *ops) updaterCheck(c *call) {
	if d := c.query.Get("download"); d != "" && d != "0" && d != "1" {
		writeText(c, http.StatusBadRequest, "download must be 0 or 1")
		return
	}
	o.mu.Lock()
	o.checkedAt = o.h.cfg.Now().Unix()
	o.mu.Unlock()
	writeOK(c)
}

// logLine checks one log message's parameters as PUT /log takes them; it returns why they are
// wrong, or "".
func logLine(q url.Values) string {
	if l := q.Get("level"); l != "" {
		if n, err := strconv.Atoi(l); err != nil || n < 0 || n > 4 {
			return "level must be 0 (error) to 4 (verbose), not " + strconv.Quote(l)
		}
	}
	return ""
}

// logPut serves PUT /log?level=&source=&message= (and the other verbs but POST, as a PMS takes
// it): one message for the server's log. The emulator keeps no log; the message is checked and
// accepted.
func (o *ops) logPut(c *call) {
	if why := logLine(c.query); why != "" {
		writeText(c, http.StatusBadRequest, why)
		return
	}
	writeOK(c)
}

// logPost serves POST /log: a block of messages, one query string per line.
func (o *ops) logPost(c *call) {
	data, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, 1<<20))
	if err != nil {
		writeText(c, http.StatusBadRequest, "reading the log lines: "+err.Error())
		return
	}
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		q, err := url.ParseQuery(strings.TrimSpace(line))
		why := logLine(q)
		if err != nil {
			why = err.Error()
		}
		if why != "" {
			writeText(c, http.StatusBadRequest, "line "+strconv.Itoa(i+1)+": "+why)
			return
		}
	}
	writeOK(c)
}
