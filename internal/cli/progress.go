package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress on a terminal. A command that waits (for a person, for the network) shows it with
// startSpinner, and says what it is waiting for with spinner messages; nothing is drawn when
// stderr is not a terminal, so scripts and logs see only the lines a command prints. Lines
// printed while a spinner runs go through its println, which clears the spinner's line first.

// spinner animates a message on a terminal's stderr.
type spinner struct {
	w    io.Writer // raw: the spinner's own \r and erase-line must reach the terminal
	tty  bool
	mu   sync.Mutex
	msg  string
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// startSpinner animates msg on w until stop is called; on anything but a terminal it draws
// nothing.
func startSpinner(w io.Writer, tty bool, msg string) *spinner {
	s := &spinner{w: rawWriter(w), tty: tty, msg: escapeText(msg), done: make(chan struct{})}
	if !tty {
		return s
	}
	s.wg.Go(func() {
		t := time.NewTicker(120 * time.Millisecond)
		defer t.Stop()
		const frames = `|/-\`
		for i := 0; ; i++ {
			s.mu.Lock()
			fmt.Fprintf(s.w, "\r\033[K%c %s", frames[i%len(frames)], s.msg)
			s.mu.Unlock()
			select {
			case <-s.done:
				s.mu.Lock()
				fmt.Fprint(s.w, "\r\033[K")
				s.mu.Unlock()
				return
			case <-t.C:
			}
		}
	})
	return s
}

// set changes the message.
func (s *spinner) set(msg string) {
	s.mu.Lock()
	s.msg = escapeText(msg)
	s.mu.Unlock()
}

// println prints a line above the spinner (or, off a terminal, just the line), escaped.
func (s *spinner) println(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty {
		fmt.Fprint(s.w, "\r\033[K")
	}
	fmt.Fprintln(s.w, escapeText(line))
}

// around runs fn with the spinner's line cleared, for output to another stream of the same
// terminal (a result on stdout); the next frame redraws the spinner below it.
func (s *spinner) around(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tty {
		fmt.Fprint(s.w, "\r\033[K")
	}
	fn()
}

// stop ends the animation and clears its line. It may be called more than once.
func (s *spinner) stop() {
	s.once.Do(func() {
		close(s.done)
		s.wg.Wait()
	})
}
