package pms

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// Small shapes of call that the services share, all through Client.do.

// write sends a request whose answer is not read: PMS answers most writes with an empty body
// or an empty container.
func (c *Client) write(ctx context.Context, method, path string, q url.Values) error {
	_, err := c.do(ctx, &request{method: method, path: path, query: q})
	return err
}

// list returns the children named names of the container at path, as T. The first name is the
// JSON key; XML children are matched by every name.
func list[T any](ctx context.Context, c *Client, method, path string, q url.Values, names ...string) ([]T, error) {
	out := []T{}
	_, err := c.do(ctx, &request{
		method: method, path: path, query: q,
		childKeys: names, child: collect(&out, names...),
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// first returns the first child named names of the container at path, or a ResponseError
// saying what was missing.
func first[T any](ctx context.Context, c *Client, method, path string, q url.Values, what string, names ...string) (*T, error) {
	got, err := list[T](ctx, c, method, path, q, names...)
	if err != nil {
		return nil, err
	}
	if len(got) == 0 {
		return nil, &ResponseError{Method: method, URL: c.urlFor(path), Reason: "the answer holds no " + what}
	}
	return &got[0], nil
}

// items returns an iterator over the items at path, paged as opts says.
func (c *Client) items(ctx context.Context, path string, q url.Values, opts ItemsOptions) iter.Seq2[Item, error] {
	var raw string
	if opts.Query != nil {
		var err error
		if raw, err = opts.Query.Encode(); err != nil {
			return func(yield func(Item, error) bool) { yield(Item{}, err) }
		}
		if extra := q.Encode(); extra != "" {
			raw += "&" + extra
		}
	}
	return paginate(ctx, c, pageQuery{
		path: path, query: q, rawQuery: raw,
		pageSize: opts.PageSize, start: opts.Start, limit: opts.Limit,
		childKeys: itemNames, names: itemNames,
	}, func(it *Item, h *pageHead) {
		if it.LibrarySectionID == "" {
			it.LibrarySectionID = h.LibrarySectionID
		}
		if it.LibrarySectionTitle == "" {
			it.LibrarySectionTitle = h.LibrarySectionTitle
		}
	})
}

// errSeq is an iterator that yields err.
func errSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}

// get is the GET method, for brevity in the services.
const get = http.MethodGet
