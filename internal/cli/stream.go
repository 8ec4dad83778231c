package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/plexkit/plexkit/pms"
)

// streamBlock is how many rows a terminal table aligns at a time: a listing of a million rows
// cannot wait for its widest cell, so columns are aligned block by block.
const streamBlock = 200

// streamFlushEvery is the longest output waits: rows are written in large chunks (one system
// call per 64 KiB instead of one per row), and what is pending is written out at least this
// often, so a listing that arrives slowly still shows as it comes.
const streamFlushEvery = 200 * time.Millisecond

// stream prints a listing as it arrives: a JSON array element by element with --json (each
// element compact on its own line), tab-separated rows when piped, rows aligned block by block
// on a terminal. Memory does not grow with the listing, and output is buffered; a ticker writes
// out what is pending every streamFlushEvery, also while the listing waits for the network.
//
// Elements are encoded as they are added, on the listing's goroutine: library items through
// the generated appender (itemjson.go), which costs about a microsecond an item, the rest
// through encoding/json.
//
// Use: newStream, add (or addItem) per element, then close — or abort on a failure. All from
// one goroutine.
type stream struct {
	f    *Factory
	head []string
	rows int

	mu   sync.Mutex // guards what follows: the ticker writes too
	buf  *bufio.Writer
	out  io.Writer // where rows go: buf, through the terminal-safe writer and tw
	tw   *tabwriter.Writer
	json elementEncoder
	elem []byte // --json: the element being written
	err  error  // the first failure to write or encode

	stopTick chan struct{}
	tickDone chan struct{}
	ended    bool
}

func newStream(f *Factory, header ...string) *stream {
	// The buffer goes under the terminal-safe writer, so that what it escapes is always whole
	// writes (a buffer flushed at 64 KiB could split a character in two).
	s := &stream{f: f, head: header, buf: bufio.NewWriterSize(rawWriter(f.IO.Out), 64<<10),
		stopTick: make(chan struct{}), tickDone: make(chan struct{})}
	s.out = s.buf
	if t, ok := f.IO.Out.(*termSafe); ok {
		s.out = &termSafe{w: s.buf, active: t.active}
	}
	if f.IO.OutTTY && !f.JSON {
		s.tw = tabwriter.NewWriter(s.out, 0, 0, 2, ' ', 0)
		s.out = s.tw
	}
	go s.tick()
	return s
}

// tick writes out what is buffered, every streamFlushEvery.
func (s *stream) tick() {
	defer close(s.tickDone)
	t := time.NewTicker(streamFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopTick:
			return
		case <-t.C:
		}
		s.mu.Lock()
		s.flushLocked()
		s.mu.Unlock()
	}
}

// flushLocked writes out the table block and the buffer. The caller holds s.mu.
func (s *stream) flushLocked() {
	if s.tw != nil {
		s.setErr(s.tw.Flush())
	}
	if s.buf.Buffered() > 0 {
		s.setErr(s.buf.Flush())
	}
}

// setErr keeps the first failure. The caller holds s.mu.
func (s *stream) setErr(err error) {
	if s.err == nil {
		s.err = err
	}
}

// elementEncoder writes the elements of a JSON listing compactly, with HTML escaping off: items
// through the generated appender, anything else (and an item it cannot write) through
// encoding/json.
type elementEncoder struct {
	items jsonAppender
	slow  bytes.Buffer
	enc   *json.Encoder
}

// appendItem appends it's JSON to b. it does not escape: the listing's items stay where the
// iterator put them.
func (e *elementEncoder) appendItem(b []byte, it *pms.Item) ([]byte, error) {
	n := len(b)
	e.items.bad = false
	if b = e.items.appendItem(b, it); !e.items.bad {
		return b, nil
	}
	c := *it // encoding/json says what is wrong with it (on a copy: it would escape)
	return e.std(b[:n], &c)
}

// std appends v's JSON as encoding/json writes it (items go through appendItem).
func (e *elementEncoder) std(b []byte, v any) ([]byte, error) {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.slow)
		e.enc.SetEscapeHTML(false)
	}
	e.slow.Reset()
	if err := e.enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(e.slow.Bytes(), []byte("\n"))...), nil
}

// add prints one element: v with --json, else the row of fields. After a failure it returns
// it, and the stream is ended (close or abort may still be called).
func (s *stream) add(v any, fields ...string) error {
	return s.put(func(b []byte) ([]byte, error) { return s.json.std(b, v) }, fields)
}

// addItem is add for a library item: it costs a listing no copy of each item on the heap
// (which passing it as an any would). Callers make fields only without --json.
func (s *stream) addItem(it *pms.Item, fields ...string) error {
	return s.put(func(b []byte) ([]byte, error) { return s.json.appendItem(b, it) }, fields)
}

// put prints one element: what write appends with --json, else the row of fields.
func (s *stream) put(write func([]byte) ([]byte, error), fields []string) error {
	s.mu.Lock()
	var err error
	if s.f.JSON {
		err = s.jsonLocked(write)
	} else {
		err = s.rowLocked(fields)
	}
	s.mu.Unlock()
	if err != nil {
		s.end()
	}
	return err
}

// jsonLocked writes one element of the JSON array, which write appends. The caller holds s.mu.
func (s *stream) jsonLocked(write func([]byte) ([]byte, error)) error {
	if s.err != nil {
		return s.err
	}
	sep := ",\n  "
	if s.rows == 0 {
		sep = "[\n  "
	}
	b, err := write(append(s.elem[:0], sep...))
	s.elem = b
	if err != nil {
		s.setErr(err)
		return err
	}
	s.rows++
	_, err = s.buf.Write(b)
	s.setErr(err)
	return s.err
}

// rowLocked writes one row of the table, after the header for the first. The caller holds s.mu.
func (s *stream) rowLocked(fields []string) error {
	if s.err != nil {
		return s.err
	}
	if s.rows == 0 {
		s.lineLocked(s.head)
	}
	s.rows++
	s.lineLocked(fields)
	if s.tw != nil && s.rows%streamBlock == 0 {
		s.setErr(s.tw.Flush())
	}
	return s.err
}

// lineLocked writes one row. The caller holds s.mu.
func (s *stream) lineLocked(fields []string) {
	for i, f := range fields {
		if strings.ContainsAny(f, "\t\n\r") {
			fields[i] = cellSpaces.Replace(f)
		}
	}
	for i, f := range fields {
		if i > 0 {
			io.WriteString(s.out, "\t")
		}
		io.WriteString(s.out, f)
	}
	_, err := io.WriteString(s.out, "\n")
	s.setErr(err)
}

// cellSpaces turns the characters that would split a cell into spaces.
var cellSpaces = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// end stops the ticker. It may be called more than once.
func (s *stream) end() {
	if s.ended {
		return
	}
	s.ended = true
	close(s.stopTick)
	<-s.tickDone
}

// close ends the listing: the JSON array's bracket, the last block of the table.
func (s *stream) close() error {
	s.end()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	switch {
	case s.f.JSON && s.rows == 0:
		_, err := io.WriteString(s.buf, "[]\n")
		s.setErr(err)
	case s.f.JSON:
		_, err := io.WriteString(s.buf, "\n]\n")
		s.setErr(err)
	case s.rows == 0:
		s.lineLocked(s.head)
	}
	s.flushLocked()
	return s.err
}

// abort shows what was printed before a failure; a JSON array is left open, so that a reader
// cannot take a partial listing for a whole one.
func (s *stream) abort() {
	s.end()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f.JSON && s.rows > 0 {
		_, _ = io.WriteString(s.buf, "\n")
	}
	s.flushLocked()
}
