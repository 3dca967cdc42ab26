package report

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/residue-sec/residue/analyzers/source"
)

// Printable returns s with every character that could take control of a
// terminal written as a Go-style escape: C0 and C1 control characters
// (ESC, BEL, CR, …; a tab stays), DEL, the bidirectional formatting
// characters that reorder what is shown, and bytes that are not UTF-8.
// Scanned code (a comment, a file name) reaches text and GitHub output, so
// everything printed from it goes through Printable.
func Printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		b.WriteString(printableRune(r, s[i:i+size]))
		i += size
	}
	return b.String()
}

// needsEscape reports whether Printable would change s.
func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if printableRune(r, s[i:i+size]) != s[i:i+size] {
			return true
		}
		i += size
	}
	return false
}

// printableRune returns how the rune r, encoded as raw, is shown.
func printableRune(r rune, raw string) string {
	switch {
	case r == utf8.RuneError && len(raw) == 1:
		return fmt.Sprintf(`\x%02x`, raw[0])
	case r == '\t':
		return raw
	case r < 0x20 || r == 0x7f:
		return fmt.Sprintf(`\x%02x`, r)
	case r >= 0x80 && r <= 0x9f, isBidiControl(r):
		return fmt.Sprintf(`\u%04x`, r)
	}
	return raw
}

// isBidiControl reports whether r is a Unicode bidirectional formatting
// character (the "Trojan Source" characters).
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069
}

// maxExcerpt is how many characters of a source line text output shows
// at most; a longer line (minified code, data) is cut to a window around
// the finding.
const maxExcerpt = 160

// excerptLead is how many characters of a cut line are shown before the
// finding's start.
const excerptLead = 40

// A cell is one character of a source line as text output shows it.
type cell struct {
	text  string // the character, or its escape
	col   int    // its UTF-16 column, 1-based
	width int    // how many terminal columns text takes
}

// wide reports whether a terminal shows r two columns wide: the East
// Asian wide and fullwidth characters (CJK ideographs, kana, hangul,
// fullwidth forms) and the emoji blocks.
func wide(r rune) bool {
	switch {
	case r < 0x1100:
		return false
	case r <= 0x115f, r >= 0x2e80 && r <= 0xa4cf && r != 0x303f, r >= 0xac00 && r <= 0xd7a3,
		r >= 0xf900 && r <= 0xfaff, r >= 0xfe30 && r <= 0xfe4f, r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6,
		r >= 0x1f300 && r <= 0x1f64f, r >= 0x1f680 && r <= 0x1f6ff, r >= 0x1f900 && r <= 0x1faff, r >= 0x20000 && r <= 0x3fffd:
		return true
	}
	return false
}

// excerpt returns what text output shows of snippet, the text of r's start
// line: the line with its control characters escaped (Printable), cut to
// a window of at most maxExcerpt columns around r when longer, "…"
// marking each cut end; and the caret line under r: pad reaches the start
// with one blank per terminal column shown before it (two for a wide
// character; a tab where the line has a tab, so the marks line up however
// tabs are shown), and marks is "^" followed by one "~" per further column
// of r shown on that line.
// Columns count UTF-16 code units, as r does.
func excerpt(snippet string, r source.Range) (line, pad, marks string) {
	start := max(r.StartColumn, 1)
	end := r.EndColumn
	if r.EndLine > r.StartLine {
		end = start + len(snippet)*2 // past the end of the line
	}
	cells := make([]cell, 0, len(snippet))
	col := 1
	first := -1 // index of the first cell at or after start
	for i := 0; i < len(snippet); {
		ch, size := utf8.DecodeRuneInString(snippet[i:])
		text := printableRune(ch, snippet[i:i+size])
		if first < 0 && col >= start {
			first = len(cells)
		}
		w := utf8.RuneCountInString(text)
		if text == snippet[i:i+size] && wide(ch) {
			w = 2 // a terminal shows it two columns wide
		}
		cells = append(cells, cell{text: text, col: col, width: w})
		col += max(utf16.RuneLen(ch), 1)
		i += size
	}
	if first < 0 {
		first = len(cells)
	}
	from, to := window(cells, first)
	var lb, pb strings.Builder
	if from > 0 {
		lb.WriteString("…")
		pb.WriteString(" ")
	}
	width := 0
	for _, c := range cells[from:to] {
		lb.WriteString(c.text)
		switch {
		case c.col >= start && c.col < end:
			width += c.width
		case c.col >= start:
		case c.text == "\t":
			pb.WriteByte('\t')
		default:
			pb.WriteString(strings.Repeat(" ", c.width))
		}
	}
	if to < len(cells) {
		lb.WriteString("…")
	}
	if col < start && to == len(cells) {
		pb.WriteString(strings.Repeat(" ", start-col))
	}
	return lb.String(), pb.String(), "^" + strings.Repeat("~", max(width-1, 0))
}

// window returns the cells [from, to) to show: all of them when they fit
// in maxExcerpt characters, else a window that starts excerptLead
// characters before the cell first (where the finding starts).
func window(cells []cell, first int) (from, to int) {
	total := 0
	for _, c := range cells {
		total += c.width
	}
	if total <= maxExcerpt {
		return 0, len(cells)
	}
	from = first
	for lead := 0; from > 0 && lead+cells[from-1].width <= excerptLead; from-- {
		lead += cells[from-1].width
	}
	to = from
	for shown := 0; to < len(cells) && shown+cells[to].width <= maxExcerpt; to++ {
		shown += cells[to].width
	}
	return from, to
}
