package query

import "strings"

// rootCapture names the capture added to every top-level pattern of a
// query, so that "the whole match" has a node: the pattern's root.
const rootCapture = "__root"

// captureRoots appends @__root to every top-level pattern of query text
// src: after a plain pattern `(call …)`, after the first pattern of a
// grouping `((call …) (#eq? …))`, after an alternation `[…]`. Strings and
// `;` comments are skipped.
func captureRoots(src string) string {
	var b strings.Builder
	depth := 0
	group, tagged := false, false // inside a top-level grouping; its first pattern tagged
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch ch {
		case '"':
			j := skipString(src, i)
			b.WriteString(src[i:j])
			i = j - 1
			continue
		case ';':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				j = len(src) - i
			}
			b.WriteString(src[i : i+j])
			i += j - 1
			continue
		case '(', '[':
			if depth == 0 && ch == '(' && i+1 < len(src) && strings.TrimLeft(src[i+1:], " \t\r\n")[0:1] == "(" {
				group, tagged = true, false
			}
			depth++
			b.WriteByte(ch)
			continue
		case ')', ']':
			depth--
			b.WriteByte(ch)
			switch {
			case depth == 0 && group:
				group = false
			case depth == 0:
				b.WriteString(" @" + rootCapture)
			case depth == 1 && group && !tagged:
				b.WriteString(" @" + rootCapture)
				tagged = true
			}
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// skipString returns the index just after the string literal starting at i.
func skipString(src string, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}
