package cli

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// screenWidth is the width that what a person reads is laid out for, in a terminal or in a file:
// the 80 columns of a default terminal window, and of most people's review of a CI log.
const screenWidth = 80

// wrap breaks line at spaces into pieces no wider than width columns, each after the first
// indented by indent spaces; the spaces within a piece are kept as they were (a table's padding).
// A word wider than the room it has (a path, a URL) is never cut: it stands on a line of its own.
func wrap(line string, width, indent int) []string {
	if utf8.RuneCountInString(line) <= width {
		return []string{line}
	}
	pad := strings.Repeat(" ", indent)
	var out []string
	var cur strings.Builder
	curWidth, words := 0, 0
	for rest := line; rest != ""; {
		word := strings.TrimLeft(rest, " ")
		spaces := rest[:len(rest)-len(word)]
		if end := strings.IndexByte(word, ' '); end >= 0 {
			word = word[:end]
		}
		rest = rest[len(spaces)+len(word):]
		w := utf8.RuneCountInString(word)
		if words > 0 && curWidth+len(spaces)+w > width {
			out = append(out, cur.String())
			cur.Reset()
			cur.WriteString(pad)
			curWidth, words, spaces = indent, 0, ""
		}
		cur.WriteString(spaces + word)
		curWidth += len(spaces) + w
		if word != "" {
			words++
		}
	}
	return append(out, cur.String())
}

// plural is n and the noun, in the singular for one and in the given plural otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
