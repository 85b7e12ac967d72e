package hostmatch

// List is a set of patterns; a host matches the list when it matches any
// of them. A nil List matches nothing.
type List []Pattern

// ParseList parses each string with ParsePattern. The error, if any, names
// the first pattern that is invalid.
func ParseList(patterns []string) (List, error) {
	list := make(List, 0, len(patterns))
	for _, s := range patterns {
		p, err := ParsePattern(s)
		if err != nil {
			return nil, err
		}
		list = append(list, p)
	}
	return list, nil
}

// Match reports whether host ("host" or "host:port") matches any pattern
// in l.
func (l List) Match(host string) bool {
	name, port, ok := normalizeHost(host)
	if !ok {
		return false
	}
	for _, p := range l {
		if p.match(name, port) {
			return true
		}
	}
	return false
}
