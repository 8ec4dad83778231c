package cli

// matchOne finds the element of items that sel names: the first that is sel by key (an id or
// identifier, exact), else the only one that is sel by name. When that is not exactly one
// element it returns nil and the elements named sel (none, or the ambiguous ones), for the
// caller's error.
func matchOne[T any](items []T, byKey, byName func(*T) bool) (*T, []*T) {
	var named []*T
	for i := range items {
		it := &items[i]
		if byKey(it) {
			return it, nil
		}
		if byName(it) {
			named = append(named, it)
		}
	}
	if len(named) == 1 {
		return named[0], nil
	}
	return nil, named
}
