package report

import (
	"strings"
	"unicode/utf16"

	"github.com/residue-sec/residue/analyzers/source"
)

// caret returns the line that marks r under snippet, the text of r's start
// line: pad reaches StartColumn with one blank per character of snippet
// before it (a tab where snippet has a tab, so the marks line up however
// tabs are shown), and marks is "^" followed by one "~" per further
// character of r on that line. Columns count UTF-16 code units, as r does.
func caret(snippet string, r source.Range) (pad, marks string) {
	start := max(r.StartColumn, 1)
	end := r.EndColumn
	if r.EndLine > r.StartLine {
		end = start + len(snippet)*2 // past the end of the line
	}
	var b strings.Builder
	col, width := 1, 0
	for _, c := range snippet {
		if col >= end {
			break
		}
		switch {
		case col >= start:
			width++
		case c == '\t':
			b.WriteByte('\t')
		default:
			b.WriteByte(' ')
		}
		col += utf16.RuneLen(c)
	}
	if col < start {
		b.WriteString(strings.Repeat(" ", start-col))
	}
	return b.String(), "^" + strings.Repeat("~", max(width-1, 0))
}
