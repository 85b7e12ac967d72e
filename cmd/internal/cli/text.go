package cli

import "strconv"

// plural is n and the noun, in the singular for one and in the given plural otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
