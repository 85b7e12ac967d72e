package main

import (
	"fmt"
	"strings"
)

// helpPage is a manual page (section 1) whose description is a program's help text as it prints
// it, for a program without urfave/cli's generator.
func helpPage(name, summary, help string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH %s 1\n.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n", strings.ToUpper(name), escape(name), escape(summary))
	for _, line := range strings.Split(strings.TrimRight(help, "\n"), "\n") {
		b.WriteString(escape(line))
		b.WriteByte('\n')
	}
	b.WriteString(".fi\n")
	return []byte(b.String())
}

// escape makes text print as written in roff: backslashes and minus signs escaped, and a line
// that would start with a control character ('.' or ') guarded.
func escape(text string) string {
	s := strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(text)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
