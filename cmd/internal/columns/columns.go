// Package columns lays out text that a person reads, in a terminal or in a file, for a width in
// columns: status, the configure reports and the help of every command fit 80.
package columns

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Width is what aadcred lays text out for: the 80 columns of a default terminal window, and of
// most people's view of a CI log.
const Width = 80

// Wrap breaks line at spaces into pieces no wider than width columns, each after the first
// indented by indent spaces; the spaces within a piece are kept as they were (a table's padding).
// A word wider than the room it has (a path, a URL) is never cut: it stands on a line of its own.
func Wrap(line string, width, indent int) []string {
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

// Println writes text as one line, wrapped at Width with indent spaces before each line after the
// first.
func Println(w io.Writer, indent int, text string) {
	io.WriteString(w, strings.Join(Wrap(text, Width, indent), "\n")+"\n")
}

// Fit wraps each line of text that is wider than width, continuing it under its text: where the
// text starts after a gap of two spaces or more (a description beside a command's or a flag's
// name, when that leaves it room), else where the line starts. Tabs are expanded first, to stops
// every eight columns.
func Fit(text string, width int) string {
	lines := strings.Split(text, "\n")
	var out []string
	for _, line := range lines {
		line = expandTabs(line)
		out = append(out, Wrap(line, width, textColumn(line, width))...)
	}
	return strings.Join(out, "\n")
}

// textColumn is the column a wrapped line continues at.
func textColumn(line string, width int) int {
	trimmed := strings.TrimLeft(line, " ")
	lead := len(line) - len(trimmed)
	if gap := strings.Index(trimmed, "  "); gap > 0 {
		rest := strings.TrimLeft(trimmed[gap:], " ")
		if col := utf8.RuneCountInString(line) - utf8.RuneCountInString(rest); rest != "" && col <= width/2+10 {
			return col
		}
	}
	return lead
}

func expandTabs(line string) string {
	if !strings.Contains(line, "\t") {
		return line
	}
	var b strings.Builder
	col := 0
	for _, r := range line {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}
