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
)

// streamBlock is how many rows a terminal table aligns at a time: a listing of a million rows
// cannot wait for its widest cell, so columns are aligned block by block.
const streamBlock = 200

// streamFlushEvery is the longest output waits: rows are written in large chunks (one system
// call per 64 KiB instead of one per row), and what is pending is written out at least this
// often, so a listing that arrives slowly still shows as it comes.
const streamFlushEvery = 200 * time.Millisecond

// jsonBatch is how many elements are handed to the JSON encoder at a time, at most.
const jsonBatch = 128

// stream prints a listing as it arrives: a JSON array element by element with --json (each
// element compact on its own line), tab-separated rows when piped, rows aligned block by block
// on a terminal. Memory does not grow with the listing, and output is buffered; a ticker writes
// out what is pending every streamFlushEvery, also while the listing waits for the network.
//
// With --json, elements are encoded on a goroutine of their own while the listing goes on
// fetching and decoding: on a machine with a core to spare, encoding costs the listing nothing.
//
// Use: newStream, add per element, then close — or abort on a failure. All from one goroutine.
type stream struct {
	f    *Factory
	head []string
	rows int

	mu      sync.Mutex // guards what follows: the ticker and the encoder write too
	buf     *bufio.Writer
	out     io.Writer // where rows go: buf, through the terminal-safe writer and tw
	tw      *tabwriter.Writer
	pending []any // --json: elements not yet handed to the encoder
	err     error // the first failure to write or encode

	batches  chan []any // --json: to the encoder, which drains it even after a failure
	encDone  chan struct{}
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
	if f.JSON {
		s.batches = make(chan []any, 2)
		s.encDone = make(chan struct{})
		go s.encode(s.batches)
	}
	go s.tick()
	return s
}

// tick hands pending elements to the encoder and writes out what is buffered, every
// streamFlushEvery.
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
		if len(s.pending) > 0 {
			select {
			case s.batches <- s.pending:
				s.pending = make([]any, 0, jsonBatch)
			default: // the encoder is busy: next time
			}
		}
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

// encode writes each batch of elements as JSON array elements. A failure stops the writing; the
// batches still sent are drained, so that the listing never blocks handing one over.
func (s *stream) encode(batches <-chan []any) {
	defer close(s.encDone)
	var chunk bytes.Buffer
	enc := json.NewEncoder(&chunk)
	enc.SetEscapeHTML(false)
	n := 0
	failed := false
	for batch := range batches {
		if failed {
			continue
		}
		chunk.Reset()
		var encErr error
		for _, v := range batch {
			sep := ",\n  "
			if n == 0 {
				sep = "[\n  "
			}
			n++
			chunk.WriteString(sep)
			if encErr = enc.Encode(v); encErr != nil {
				break
			}
			chunk.Truncate(chunk.Len() - 1) // Encode's newline
		}
		s.mu.Lock()
		if encErr != nil {
			s.setErr(encErr)
		} else {
			_, err := s.buf.Write(chunk.Bytes())
			s.setErr(err)
		}
		failed = s.err != nil
		s.mu.Unlock()
	}
}

// add prints one element: v with --json, else the row of fields. After a failure it returns
// it, and the stream is ended (close or abort may still be called).
func (s *stream) add(v any, fields ...string) error {
	full, err := s.addLocked(v, fields)
	if full != nil {
		s.batches <- full
	}
	if err != nil {
		s.end()
	}
	return err
}

// addLocked records the element under s.mu; it returns a full batch for the caller to hand to
// the encoder outside the lock.
func (s *stream) addLocked(v any, fields []string) ([]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	if s.f.JSON {
		s.rows++
		s.pending = append(s.pending, v)
		if len(s.pending) < jsonBatch {
			return nil, nil
		}
		full := s.pending
		s.pending = make([]any, 0, jsonBatch)
		return full, nil
	}
	if s.rows == 0 {
		s.lineLocked(s.head)
	}
	s.rows++
	s.lineLocked(fields)
	if s.tw != nil && s.rows%streamBlock == 0 {
		s.setErr(s.tw.Flush())
	}
	return nil, s.err
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

// end stops the ticker and, with --json, hands over the last elements and waits for the
// encoder. It may be called more than once.
func (s *stream) end() {
	if s.ended {
		return
	}
	s.ended = true
	close(s.stopTick)
	<-s.tickDone
	if s.batches != nil {
		if len(s.pending) > 0 {
			s.batches <- s.pending
			s.pending = nil
		}
		close(s.batches)
		<-s.encDone
	}
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
