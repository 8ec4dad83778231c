package pms

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Paging of lists, as a PMS does it: the request says where to start and how many to return
// (X-Plex-Container-Start, X-Plex-Container-Size headers); the answer says where it started and
// how many there are in all (X-Plex-Container-Start and X-Plex-Container-Total-Size headers,
// offset and totalSize in the container).

// Page sizes.
const (
	// DefaultPageSize is the page size of list iterators when none is given.
	DefaultPageSize = 200
	// MaxPageSize is the largest page size accepted: about 10 MiB of JSON, well under the
	// body limit.
	MaxPageSize = 10000
)

// pageHead is the part of a container's fields that paging needs.
type pageHead struct {
	Size      *FlexInt `json:"size" xml:"size,attr"`
	TotalSize *FlexInt `json:"totalSize" xml:"totalSize,attr"`
	Offset    *FlexInt `json:"offset" xml:"offset,attr"`

	// Fields a PMS hoists from the items onto the container when all items share them.
	LibrarySectionID    FlexString `json:"librarySectionID" xml:"librarySectionID,attr"`
	LibrarySectionTitle string     `json:"librarySectionTitle" xml:"librarySectionTitle,attr"`
}

// pageQuery is a paged list to read.
type pageQuery struct {
	path      string
	query     url.Values
	pageSize  int
	start     int
	limit     int // 0: all
	childKeys []string
	names     []string // children that are list elements
}

func checkPaging(pageSize, start, limit int) error {
	switch {
	case pageSize < 0 || pageSize > MaxPageSize:
		return &ArgumentError{"PageSize", fmt.Sprintf("%d is not between 0 (default %d) and %d", pageSize, DefaultPageSize, MaxPageSize)}
	case start < 0:
		return &ArgumentError{"Start", fmt.Sprintf("%d is negative", start)}
	case limit < 0:
		return &ArgumentError{"Limit", fmt.Sprintf("%d is negative (0 means no limit)", limit)}
	}
	return nil
}

// paginate returns an iterator over the list q names, fetched one page at a time. Each page is
// decoded as it arrives and its elements are yielded one by one, so memory holds one element,
// not one page or the list. fix, when set, completes an element from its container's fields
// (which a PMS writes before the children, in XML necessarily and in JSON in practice).
// A failure is yielded once, as the last pair.
func paginate[T any](ctx context.Context, c *Client, q pageQuery, fix func(*T, *pageHead)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := checkPaging(q.pageSize, q.start, q.limit); err != nil {
			yield(zero, err)
			return
		}
		pageSize := q.pageSize
		if pageSize == 0 {
			pageSize = DefaultPageSize
		}
		offset, yielded := q.start, 0
		// A server that ignores the start and says nothing of where a page starts would send
		// the same page forever: each page's first element is fingerprinted, and a fingerprint
		// seen before ends the iteration.
		var first maphash.Hash
		seen := map[uint64]int{} // fingerprint of a page's first element → offset of that page
		for {
			size := pageSize
			if q.limit > 0 {
				size = min(size, q.limit-yielded)
			}
			var head pageHead
			n, stopped, startChecked := 0, false, false
			// A server that ignores the start would send the same items again: check where the
			// page starts before handing out any of it, from the header or, failing that, the
			// container's offset.
			checkStart := func(got int) error {
				startChecked = true
				if got == offset {
					return nil
				}
				return &ResponseError{Method: http.MethodGet, URL: c.urlFor(q.path), Reason: fmt.Sprintf(
					"asked for items from %d, the server sent items from %d: it does not page this list", offset, got)}
			}
			r := &request{
				method: http.MethodGet, path: q.path, query: q.query,
				header: http.Header{
					"X-Plex-Container-Start": {strconv.Itoa(offset)},
					"X-Plex-Container-Size":  {strconv.Itoa(size)},
				},
				head: &head, childKeys: q.childKeys,
				bounds: bounds{stream: true, first: &first},
				check: func(h http.Header) error {
					if got, err := strconv.Atoi(h.Get("X-Plex-Container-Start")); err == nil {
						return checkStart(got)
					}
					return nil
				},
				child: func(name string, decode elementDecoder) error {
					if !contains(q.names, name) {
						return nil
					}
					if !startChecked && head.Offset != nil {
						if err := checkStart(int(*head.Offset)); err != nil {
							return err
						}
					}
					if n == size {
						// The server sent more than was asked for: the rest belongs to the next
						// page, which will be asked for.
						return errStop
					}
					var v T
					if err := decode(&v); err != nil {
						return err
					}
					if n == 0 {
						// The first element has been read whole, so its fingerprint is complete.
						sum := first.Sum64()
						if at, ok := seen[sum]; ok {
							return &ResponseError{Method: http.MethodGet, URL: c.urlFor(q.path), Reason: fmt.Sprintf(
								"asked for items from %d, the server sent the page it sent for items from %d again: it does not page this list", offset, at)}
						}
						seen[sum] = offset
					}
					n++
					if fix != nil {
						fix(&v, &head)
					}
					if !yield(v, nil) {
						stopped = true
						return errStop
					}
					return nil
				},
			}
			first.Reset()
			hdr, err := c.do(ctx, r)
			if stopped {
				return
			}
			if errors.Is(err, errStop) {
				err = nil // the server sent more than a page; the rest was not read
			}
			if err != nil {
				yield(zero, err)
				return
			}
			yielded += n
			offset += n
			total, known := headerInt(hdr, "X-Plex-Container-Total-Size", head.TotalSize)
			switch {
			case n == 0 && known && offset < total:
				// Ending here would pass a truncated list off as complete.
				yield(zero, &ResponseError{Method: http.MethodGet, URL: c.urlFor(q.path), Reason: fmt.Sprintf(
					"the server sent no items from offset %d of %d", offset, total)})
				return
			case n == 0, q.limit > 0 && yielded >= q.limit:
				return
			case known && offset >= total:
				return
			case !known && n < size:
				return
			}
		}
	}
}

// headerInt reads an integer response header, falling back to the container field.
func headerInt(h http.Header, name string, field *FlexInt) (int, bool) {
	if v := h.Get(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n, true
		}
	}
	if field != nil {
		return int(*field), true
	}
	return 0, false
}

// count returns the length of the list at path without reading it: a page of size 0, which a
// PMS answers with the total alone.
func (c *Client) count(ctx context.Context, path string, query url.Values) (int, error) {
	var head pageHead
	hdr, err := c.do(ctx, &request{
		method: http.MethodGet, path: path, query: query, head: &head, childKeys: itemNames,
		header: http.Header{"X-Plex-Container-Start": {"0"}, "X-Plex-Container-Size": {"0"}},
	})
	if err != nil {
		return 0, err
	}
	total, ok := headerInt(hdr, "X-Plex-Container-Total-Size", head.TotalSize)
	if !ok {
		return 0, &ResponseError{Method: http.MethodGet, URL: c.urlFor(path), Reason: "the answer gives no total size"}
	}
	return total, nil
}
