package spec

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
)

// The matcher is a trie of path segments built once from the generated table. A template
// segment is one of three kinds, tried in this order so that the most specific template wins,
// segment by segment from the left:
//
//   - a literal ("sections");
//   - a pattern mixing literal text with parameters ("{streamId}.{ext}",
//     "tv.plex.providers.epg.{identifier}:{deviceId}", "start.*"); the spec writes "*" where any
//     text may stand (start.m3u8, start.mpd), so it is treated as an unnamed parameter;
//   - a bare parameter ("{sectionId}").
//
// A parameter matches one or more characters of a single segment. Matching backtracks: when the
// most specific branch has no operation for the request's method, a less specific one is tried,
// so DELETE /library/sections/all (no such operation) resolves to DELETE
// /library/sections/{sectionId}, as a PMS would route it.

const (
	mGet = iota
	mPost
	mPut
	mDelete
	mPatch
	numMethods
)

func methodIndex(method string) int {
	switch method {
	case "GET", "HEAD": // a HEAD is routed like the GET it abbreviates
		return mGet
	case "POST":
		return mPost
	case "PUT":
		return mPut
	case "DELETE":
		return mDelete
	case "PATCH":
		return mPatch
	}
	return -1
}

type node struct {
	literal  map[string]*node
	patterns []patternEdge
	param    *node
	// ops holds, per method, 1 + the index of the operation in the table; 0 means none.
	ops [numMethods]uint16
}

type patternEdge struct {
	parts []part
	next  *node
}

// part is a piece of a pattern segment: literal text, or (lit == "") a parameter.
type part struct{ lit string }

var root = build()

func build() *node {
	r := &node{}
	for i, op := range operations {
		n := r
		for seg := range strings.SplitSeq(strings.Trim(op.Path, "/"), "/") {
			if seg == "" {
				continue
			}
			n = n.child(seg)
		}
		m := methodIndex(op.Method)
		if m < 0 || m == mGet && op.Method != "GET" {
			panic("spec: operations_gen.go has an unsupported method " + op.Method)
		}
		if n.ops[m] != 0 {
			panic("spec: operations_gen.go has two operations for " + op.Method + " " + op.Path)
		}
		n.ops[m] = uint16(i + 1)
	}
	r.sort()
	return r
}

// child returns (creating it) the node below n for the template segment seg.
func (n *node) child(seg string) *node {
	if isParam(seg) {
		if n.param == nil {
			n.param = &node{}
		}
		return n.param
	}
	if !strings.ContainsAny(seg, "{*") {
		if n.literal == nil {
			n.literal = map[string]*node{}
		}
		c := n.literal[seg]
		if c == nil {
			c = &node{}
			n.literal[seg] = c
		}
		return c
	}
	parts := splitPattern(seg)
	for _, e := range n.patterns {
		if slices.Equal(e.parts, parts) {
			return e.next
		}
	}
	c := &node{}
	n.patterns = append(n.patterns, patternEdge{parts: parts, next: c})
	return c
}

// sort orders each node's patterns by how much literal text they pin down, most first, so the
// more specific pattern is tried first whatever the table's order.
func (n *node) sort() {
	slices.SortStableFunc(n.patterns, func(a, b patternEdge) int {
		return cmp.Compare(literalLen(b.parts), literalLen(a.parts))
	})
	for _, c := range n.literal {
		c.sort()
	}
	for _, e := range n.patterns {
		e.next.sort()
	}
	if n.param != nil {
		n.param.sort()
	}
}

func isParam(seg string) bool {
	return len(seg) > 2 && seg[0] == '{' && seg[len(seg)-1] == '}' && strings.Count(seg, "{") == 1
}

// splitPattern splits a pattern segment into literal parts and parameters. Two parameters in a
// row could not be told apart, and the generator's tests keep the spec free of them.
func splitPattern(seg string) []part {
	var parts []part
	for seg != "" {
		switch {
		case seg[0] == '*':
			parts = append(parts, part{})
			seg = seg[1:]
		case seg[0] == '{':
			end := strings.IndexByte(seg, '}')
			if end < 0 {
				panic("spec: unterminated parameter in template segment " + seg)
			}
			parts = append(parts, part{})
			seg = seg[end+1:]
		default:
			end := strings.IndexAny(seg, "{*")
			if end < 0 {
				end = len(seg)
			}
			parts = append(parts, part{lit: seg[:end]})
			seg = seg[end:]
		}
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].lit == "" && parts[i-1].lit == "" {
			panic("spec: adjacent parameters in a template segment")
		}
	}
	return parts
}

func literalLen(parts []part) int {
	n := 0
	for _, p := range parts {
		n += len(p.lit)
	}
	return n
}

// matchParts reports whether seg is matched by parts.
func matchParts(parts []part, seg string) bool {
	if len(parts) == 0 {
		return seg == ""
	}
	p := parts[0]
	if p.lit != "" {
		return strings.HasPrefix(seg, p.lit) && matchParts(parts[1:], seg[len(p.lit):])
	}
	if len(parts) == 1 {
		return seg != ""
	}
	next := parts[1].lit
	for i := 1; i+len(next) <= len(seg); i++ {
		if strings.HasPrefix(seg[i:], next) && matchParts(parts[1:], seg[i:]) {
			return true
		}
	}
	return false
}

// Lookup returns the operation a request for method and path (the URL's path, without the
// query) is routed to. Among the templates that match, literal segments win over parameters,
// from the left. HEAD is routed like GET. A single trailing slash is ignored. The second result
// is false when no operation matches.
func Lookup(method, path string) (Operation, bool) {
	m := methodIndex(method)
	if m < 0 || path == "" || path[0] != '/' {
		return Operation{}, false
	}
	rest := strings.TrimSuffix(path[1:], "/")
	if i := root.find(rest, rest == "", m); i != 0 {
		return operations[i-1], true
	}
	return Operation{}, false
}

// find matches the remaining path (segments separated by '/', no leading slash) below n. done is
// true when no segment is left; it is separate from rest == "" because an empty final segment
// ("a//") is a segment that nothing matches.
func (n *node) find(rest string, done bool, m int) uint16 {
	if done {
		return n.ops[m]
	}
	seg, tail, more := strings.Cut(rest, "/")
	if c := n.literal[seg]; c != nil {
		if i := c.find(tail, !more, m); i != 0 {
			return i
		}
	}
	if seg == "" {
		return 0
	}
	for _, e := range n.patterns {
		if matchParts(e.parts, seg) {
			if i := e.next.find(tail, !more, m); i != 0 {
				return i
			}
		}
	}
	if n.param != nil {
		return n.param.find(tail, !more, m)
	}
	return 0
}

// servedAsGet lists the operations servers answer to GET although the specification gives
// them another method: the specification has the match search as PUT
// /library/metadata/{ids}/matches, where a PMS and its clients (python-plexapi's
// mixins/unmatch_match.py, plex-beyond-spec.md) use GET.
var servedAsGet = map[string]bool{"libraryMetadataGetMatches": true}

// LookupServed is Lookup for a request as Plex Media Servers answer it: it also finds the
// operations servers serve under another method than the specification lists (servedAsGet),
// with the Method of the request.
func LookupServed(method, path string) (Operation, bool) {
	op, ok := Lookup(method, path)
	if ok || (method != http.MethodGet && method != http.MethodHead) {
		return op, ok
	}
	if put, ok := Lookup(http.MethodPut, path); ok && servedAsGet[put.OperationID] {
		put.Method = method
		return put, true
	}
	return op, false
}
