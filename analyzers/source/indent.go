package source

import (
	"bytes"
	"sort"
)

// maxIndent is the deepest indentation tree-sitter-python keeps: its
// scanner saves each indentation width in one byte, so a width over 255
// columns (64 blocks of four spaces; CPython allows 100 blocks) comes back
// wrong and the rest of the file parses with errors.
const maxIndent = 255

// pythonInput returns the bytes to give tree-sitter for the Python source
// src: src itself, or, when a line is indented deeper than maxIndent, a
// copy of the same length whose indentation is renumbered. Only the order
// of indentation widths shapes Python's blocks, so each width is replaced
// by its rank among the file's widths: the indentation of a line of width
// w and rank r becomes blanks, a form feed (which, as in CPython, resets
// the count) and r blanks. Every byte offset stays; the tree is built from
// the copy, and its nodes are read against src. When the ranks do not fit
// (more than 256 widths, or a line whose tabs are too few bytes for its
// rank), src is returned unchanged.
func pythonInput(src []byte) []byte {
	deepest := 0
	eachIndentation(src, func(l indentation) { deepest = max(deepest, l.width) })
	if deepest <= maxIndent {
		return src
	}
	lines := indentations(src)
	widths := map[int]bool{}
	for _, l := range lines {
		widths[l.width] = true
	}
	if len(widths) > maxIndent+1 {
		return src
	}
	order := make([]int, 0, len(widths))
	for w := range widths {
		order = append(order, w)
	}
	sort.Ints(order)
	rank := make(map[int]int, len(order))
	for i, w := range order {
		rank[w] = i
	}
	out := bytes.Clone(src)
	for _, l := range lines {
		r, n := rank[l.width], l.end-l.start
		if r > n {
			return src
		}
		if r == l.width && bytes.Count(src[l.start:l.end], []byte(" ")) == n {
			continue // already r blanks
		}
		indent := out[l.start:l.end]
		for i := range indent {
			indent[i] = ' '
		}
		if r < n {
			indent[n-r-1] = '\f'
		}
	}
	return out
}

// An indentation is the leading blanks of a line that holds more than
// blanks: src[start:end], which tree-sitter-python counts as width columns.
type indentation struct {
	start, end, width int
}

// indentations returns the indentation of every line of src that is not
// blank, with the width tree-sitter-python's scanner gives it: a blank
// counts 1, a tab 8, a form feed or carriage return sets it back to 0.
func indentations(src []byte) []indentation {
	var out []indentation
	eachIndentation(src, func(l indentation) { out = append(out, l) })
	return out
}

// eachIndentation calls f with the indentation of each line of src that
// is not blank, in order (see indentations).
func eachIndentation(src []byte, f func(indentation)) {
	for start := 0; start < len(src); {
		end, width := start, 0
	scan:
		for ; end < len(src); end++ {
			switch src[end] {
			case ' ':
				width++
			case '\t':
				width += 8
			case '\f', '\r':
				width = 0
			default:
				break scan
			}
		}
		next := bytes.IndexByte(src[end:], '\n')
		if next < 0 {
			next = len(src) - end
		}
		if next > 0 {
			f(indentation{start, end, width})
		}
		start = end + next + 1
	}
}
