package entra

import "strings"

// RedactJWTs replaces every JWT in s (three base64url segments, the first starting with eyJ)
// with a marker. Everything aadcred prints for people passes through it: no code path should
// put a token into a message, and this makes sure a mistake does not reach a terminal's
// scrollback or a CI log.
func RedactJWTs(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "eyJ")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := strings.IndexFunc(s[i:], func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		})
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		b.WriteString(s[:i])
		if strings.Count(s[i:end], ".") >= 2 {
			b.WriteString("[redacted JWT]")
		} else {
			b.WriteString(s[i:end])
		}
		s = s[end:]
	}
}
