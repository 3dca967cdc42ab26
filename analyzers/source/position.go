package source

import (
	"unicode/utf8"
)

// A Range is a span of a file. Lines and columns are 1-based; columns count
// UTF-16 code units (characters, outside the astral planes), SARIF's default
// columnKind; EndColumn is exclusive. StartByte and EndByte are byte offsets,
// kept for the driver and not written to any output.
type Range struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
	StartByte   int `json:"-"`
	EndByte     int `json:"-"`
}

// Lines is a file's line table: the byte offset at which each line starts.
type Lines struct {
	src    []byte
	starts []int
}

// NewLines indexes the line starts of src. Lines end at '\n', and at a
// '\r' no '\n' follows (an old Mac line ending, a line terminator for
// SARIF too); a '\r' before a '\n' belongs to the line's text and is
// trimmed by Text.
func NewLines(src []byte) *Lines {
	starts := make([]int, 1, len(src)/32+1)
	for i, b := range src {
		if b == '\n' || b == '\r' && (i+1 == len(src) || src[i+1] != '\n') {
			starts = append(starts, i+1)
		}
	}
	return &Lines{src: src, starts: starts}
}

// Count returns the number of lines.
func (l *Lines) Count() int { return len(l.starts) }

// Line returns the 1-based line holding byte offset off.
func (l *Lines) Line(off int) int {
	lo, hi := 0, len(l.starts)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if l.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}

// Position returns the 1-based line and UTF-16 column of byte offset off.
// A byte-order mark at the start of the file takes no column; invalid UTF-8
// bytes count one column each.
func (l *Lines) Position(off int) (line, col int) {
	if off > len(l.src) {
		off = len(l.src)
	}
	if off < 0 {
		off = 0
	}
	line = l.Line(off)
	start := l.starts[line-1]
	if line == 1 && hasBOM(l.src) {
		start = min(off, 3)
	}
	return line, utf16Len(l.src[start:off]) + 1
}

// Range returns the Range of the byte span [start, end).
func (l *Lines) Range(start, end int) Range {
	sl, sc := l.Position(start)
	el, ec := l.Position(end)
	return Range{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec, StartByte: start, EndByte: end}
}

// Text returns the text of 1-based line n without its line ending (and
// without a byte-order mark on line 1); "" when n is out of range.
func (l *Lines) Text(n int) string {
	if n < 1 || n > len(l.starts) {
		return ""
	}
	start, end := l.starts[n-1], len(l.src)
	if n < len(l.starts) {
		end = l.starts[n] - 1
	}
	if n == 1 && hasBOM(l.src) {
		start = 3
	}
	if end > start && l.src[end-1] == '\r' {
		end--
	}
	if end < start {
		return ""
	}
	return string(l.src[start:end])
}

func hasBOM(src []byte) bool {
	return len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF
}

// utf16Len counts the UTF-16 code units of b, one per invalid byte.
func utf16Len(b []byte) int {
	n := 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			n++
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			n++
		} else if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		b = b[size:]
	}
	return n
}
