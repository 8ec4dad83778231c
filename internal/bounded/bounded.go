// Package bounded limits what decoding an answer from outside may cost. A body from a server
// that plexkit does not control is read through a JSON scanner or an XML token filter that
// counts bytes, nesting, values and the size of each element as they stream past, and fails with
// a *LimitError the moment one is exceeded — before encoding/json or encoding/xml has buffered or
// allocated for it. The plex.tv and PMS clients decode every answer through this package, so a
// model added to either inherits the bounds.
//
// Why counts and not only bytes: a decoded value can be hundreds of times larger than its text
// (`{},` is three bytes and a Go struct of a session is almost a kilobyte), so a byte limit alone
// would let a few megabytes grow into gigabytes. Values (objects and arrays in JSON, elements in
// XML) bound what is allocated; bytes bound what is buffered and copied; depth bounds the
// decoders' stacks.
package bounded

import (
	"fmt"
	"hash/maphash"
	"io"
)

// Limits bound one answer. A zero field means no limit on that count.
type Limits struct {
	// Bytes bounds the whole body.
	Bytes int64
	// Depth bounds nesting: of objects and arrays in JSON, of elements in XML.
	Depth int
	// Values bounds the objects and arrays (JSON) or elements (XML) of the whole body. Set it
	// where the decoded answer is kept whole; leave it 0 where elements are streamed one by one.
	Values int
	// ElementDepth is the depth at which the elements of the answer's lists open: in JSON, an
	// array opened at ElementDepth-1 is a list and each value in it an element, and an object
	// opened at ElementDepth-1 is an element as a whole; in XML, every element at ElementDepth
	// is one. Zero means no element limits.
	ElementDepth int
	// ElementBytes and ElementValues bound one element; it is what a decoder buffers and
	// allocates at once.
	ElementBytes  int64
	ElementValues int
	// Token bounds one string, number or literal (JSON), or one tag, text or comment (XML).
	Token int
}

// LimitError is an answer that exceeded a limit. Its text names the limit, never the data.
type LimitError struct {
	What  string // e.g. "nests deeper than 64 levels"
	Limit int64
}

// Error implements error.
func (e *LimitError) Error() string { return "the answer " + e.What }

func exceeded(format string, limit int64) *LimitError {
	return &LimitError{What: fmt.Sprintf(format, limit), Limit: limit}
}

// JSON is an io.Reader that passes a JSON body through unchanged while scanning its structure,
// and fails once the body exceeds its limits. The scan is a small state machine over the bytes
// (strings and escapes, nesting), so it costs a pass over the bytes and no allocation.
type JSON struct {
	r io.Reader
	l Limits

	// First, when non-nil, receives the bytes of the first element: a fingerprint that tells a
	// page that repeats another from a page that moves on, whatever was read ahead past it.
	First *maphash.Hash

	n        int64 // bytes read
	depth    int
	values   int
	inString bool
	escape   bool
	token    int    // length of the current scalar
	list     []bool // list[d] reports whether the container opened at depth d+1 is an array
	elem     int    // depth at which the current element opened; 0 outside elements
	elemN    int64
	elemV    int
	elems    int  // elements opened
	closed   bool // the last byte closed an element
	err      error
}

// NewJSON returns a JSON that reads r within l.
func NewJSON(r io.Reader, l Limits) *JSON {
	return &JSON{r: r, l: l}
}

// Read implements io.Reader. Once a limit is exceeded every Read returns the *LimitError.
func (j *JSON) Read(p []byte) (int, error) {
	if j.err != nil {
		return 0, j.err
	}
	n, err := j.r.Read(p)
	run := -1 // start of the first element's bytes in p, for First
	for i := 0; i < n; i++ {
		from := i
		if j.inString && !j.escape {
			// The bulk of a body is text inside strings: skip to the next quote or escape.
			k := i
			for k < n && p[k] != '"' && p[k] != '\\' {
				k++
			}
			if k > i {
				if lerr := j.skipText(int64(k - i)); lerr != nil {
					j.err = lerr
					return 0, lerr
				}
				j.closed = false
				i = k - 1
			} else if lerr := j.scan(p[i]); lerr != nil {
				j.err = lerr
				return 0, lerr
			}
		} else if lerr := j.scan(p[i]); lerr != nil {
			j.err = lerr
			return 0, lerr
		}
		if j.First == nil {
			continue
		}
		in := j.elems == 1 && (j.elem != 0 || j.closed)
		switch {
		case in && run < 0:
			run = from
		case !in && run >= 0:
			_, _ = j.First.Write(p[run:from])
			run = -1
		}
	}
	if run >= 0 {
		_, _ = j.First.Write(p[run:n])
	}
	return n, err
}

// scan advances the state by one byte. A closing bracket counts as part of the element it ends.
func (j *JSON) scan(c byte) *LimitError {
	j.n++
	j.closed = false
	if j.l.Bytes > 0 && j.n > j.l.Bytes {
		return exceeded("is larger than %d bytes", j.l.Bytes)
	}
	if j.elem != 0 {
		j.elemN++
		if j.l.ElementBytes > 0 && j.elemN > j.l.ElementBytes {
			return exceeded("has an element larger than %d bytes", j.l.ElementBytes)
		}
	}
	if j.inString {
		switch {
		case j.escape:
			j.escape = false
		case c == '\\':
			j.escape = true
		case c == '"':
			j.inString = false
		}
		return j.grow()
	}
	switch c {
	case '"':
		j.inString, j.token = true, 0
	case '{', '[':
		return j.open(c == '[')
	case '}', ']':
		if j.depth > 0 {
			j.depth--
			j.list = j.list[:j.depth]
		}
		if j.elem != 0 && j.depth < j.elem {
			j.elem, j.closed = 0, true
		}
		j.token = 0
	case ' ', '\t', '\r', '\n', ',', ':':
		j.token = 0
	default:
		return j.grow()
	}
	return nil
}

// skipText counts k bytes inside a string, none of them a quote or a backslash.
func (j *JSON) skipText(k int64) *LimitError {
	j.n += k
	if j.l.Bytes > 0 && j.n > j.l.Bytes {
		return exceeded("is larger than %d bytes", j.l.Bytes)
	}
	if j.elem != 0 {
		j.elemN += k
		if j.l.ElementBytes > 0 && j.elemN > j.l.ElementBytes {
			return exceeded("has an element larger than %d bytes", j.l.ElementBytes)
		}
	}
	j.token += int(k)
	if j.l.Token > 0 && j.token > j.l.Token {
		return exceeded("has a string or number longer than %d bytes", int64(j.l.Token))
	}
	return nil
}

func (j *JSON) grow() *LimitError {
	j.token++
	if j.l.Token > 0 && j.token > j.l.Token {
		return exceeded("has a string or number longer than %d bytes", int64(j.l.Token))
	}
	return nil
}

func (j *JSON) open(array bool) *LimitError {
	j.depth++
	j.token = 0
	if j.l.Depth > 0 && j.depth > j.l.Depth {
		return exceeded("nests deeper than %d levels", int64(j.l.Depth))
	}
	j.values++
	if j.l.Values > 0 && j.values > j.l.Values {
		return exceeded("has more than %d objects and arrays", int64(j.l.Values))
	}
	if j.elem == 0 && j.l.ElementDepth > 0 {
		// An element opens as a value of a list (an array at ElementDepth-1), or as an object at
		// ElementDepth-1, which is decoded whole.
		inList := j.depth == j.l.ElementDepth && len(j.list) == j.depth-1 && j.depth >= 2 && j.list[j.depth-2]
		if inList || (j.depth == j.l.ElementDepth-1 && !array) {
			j.elem, j.elemN, j.elemV = j.depth, 1, 0
			j.elems++
		}
	}
	j.list = append(j.list, array)
	if j.elem != 0 {
		j.elemV++
		if j.l.ElementValues > 0 && j.elemV > j.l.ElementValues {
			return exceeded("has an element of more than %d objects and arrays", int64(j.l.ElementValues))
		}
	}
	return nil
}

// Offset returns how many bytes have been read.
func (j *JSON) Offset() int64 { return j.n }
