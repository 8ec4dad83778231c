package pmsemu

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Content types a PMS answers with.
const (
	contentJSON = "application/json"
	contentXML  = "text/xml;charset=utf-8"
	contentHTML = "text/html"
)

// StatusTokenExpired is Plex's non-standard status for an expired Plex JWT.
const StatusTokenExpired = 498

// ErrorBody returns the HTML body a PMS sends with status, e.g. for 401
// <html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>.
// Non-2xx PMS answers are HTML whatever the Accept header asked for.
func ErrorBody(status int) string {
	title := http.StatusText(status)
	if status == StatusTokenExpired {
		title = "Token Expired"
	}
	return "<html><head><title>" + title + "</title></head><body><h1>" +
		strconv.Itoa(status) + " " + title + "</h1></body></html>"
}

func writeError(w http.ResponseWriter, status int) {
	body := ErrorBody(status)
	w.Header().Set("Content-Type", contentHTML)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// wantsJSON reports whether the client asked for JSON; a PMS answers XML otherwise.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// list is a MediaContainer response: a head (a struct with the container's own fields and
// XMLName MediaContainer) and n children under the JSON key childKey, rendered one at a time by
// child so that memory stays bounded by one child whatever n is.
type list struct {
	head     any
	childKey string
	n        int
	child    func(i int) any
}

// write renders l as JSON or XML with status 200. A child that fails to encode (a bug in a
// wire struct, since any string encodes) aborts the connection rather than sending a
// well-formed but wrong body; connection errors are ignored, as a client that left needs no
// answer.
func (l list) write(w http.ResponseWriter, asJSON bool) {
	var head []byte
	var err error
	if asJSON {
		head, err = json.Marshal(l.head)
	} else {
		head, err = xml.Marshal(l.head)
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError)
		return
	}
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() {
		bw.Reset(nil)
		bufPool.Put(bw)
	}()
	if asJSON {
		w.Header().Set("Content-Type", contentJSON)
		l.writeJSON(bw, head)
	} else {
		w.Header().Set("Content-Type", contentXML)
		l.writeXML(bw, head)
	}
	_ = bw.Flush()
}

// writeJSON writes {"MediaContainer":HEAD} with the children spliced in before HEAD's closing
// brace.
func (l list) writeJSON(bw *bufio.Writer, head []byte) {
	bw.WriteString(`{"MediaContainer":`)
	bw.Write(head[:len(head)-1])
	if l.n > 0 {
		if len(head) > 2 {
			bw.WriteByte(',')
		}
		bw.WriteString(strconv.Quote(l.childKey))
		bw.WriteString(":[")
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		for i := range l.n {
			if i > 0 {
				bw.WriteByte(',')
			}
			if err := enc.Encode(l.child(i)); err != nil {
				panic(http.ErrAbortHandler)
			}
		}
		bw.WriteByte(']')
	}
	bw.WriteString("}}")
}

// writeXML writes HEAD, a <MediaContainer …></MediaContainer> element, with the children
// spliced in before its end tag.
func (l list) writeXML(bw *bufio.Writer, head []byte) {
	const end = "</MediaContainer>"
	bw.WriteString(xml.Header)
	bw.Write(bytes.TrimSuffix(head, []byte(end)))
	if l.n > 0 {
		enc := xml.NewEncoder(bw)
		for i := range l.n {
			bw.WriteByte('\n')
			if err := enc.Encode(l.child(i)); err != nil {
				panic(http.ErrAbortHandler)
			}
		}
		bw.WriteByte('\n')
	}
	bw.WriteString(end)
	bw.WriteByte('\n')
}
