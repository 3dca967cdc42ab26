package source

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// NestingEstimate returns a cheap guess, never below the real figure for
// code that parses, of how deep src's syntax tree can be, without parsing:
// twice the deepest indentation, and the longest run of brackets,
// operators, separators and words in one statement, which bounds bracket
// nesting too (a chain such as 1+1+…+1, f()()(), a and a and …, not not …
// or a if c else a if c else … nests one level per operator or keyword).
// The driver measures the real depth with MaxDepth only when the guess is
// high.
func NestingEstimate(src []byte) int {
	depth, max, indent, ops, lineStart, inWord := 0, 0, 0, 0, true, false
	for _, b := range src {
		class := byteClass[b]
		if class&classWord != 0 { // most bytes: no other test
			if !inWord {
				inWord = true
				ops++ // keywords nest as operators do
				max = maxInt(max, ops)
			}
			lineStart = false
			continue
		}
		inWord = inWord && class&classDigit != 0
		switch {
		case class&classOpen != 0:
			depth++
			ops++ // f()()() and a[0][0] chain without nesting brackets
			max = maxInt(max, ops)
		case class&classClose != 0:
			if depth > 0 {
				depth--
			}
		case class&classOp != 0:
			ops++
			max = maxInt(max, ops)
		case b == ';':
			ops = 0
		}
		switch {
		case b == '\n':
			lineStart, indent = true, 0
			if depth == 0 {
				ops = 0
			}
		case lineStart && class&classBlank != 0:
			indent++
			max = maxInt(max, 2*indent) // a block and its statement per level
		default:
			lineStart = false
		}
	}
	return max
}

// The classes of bytes NestingEstimate tells apart.
const (
	classOpen = 1 << iota
	classClose
	classOp
	classBlank
	classWord  // starts or continues a word
	classDigit // continues one
)

// byteClass holds each byte's classes.
var byteClass = func() (t [256]uint8) {
	for _, b := range []byte("([{") {
		t[b] |= classOpen
	}
	for _, b := range []byte(")]}") {
		t[b] |= classClose
	}
	for _, b := range []byte("+-*/%&|^<>=,.?:!~") {
		t[b] |= classOp
	}
	t[' '] |= classBlank
	t['\t'] |= classBlank
	for b := 0; b < 256; b++ {
		switch {
		case b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80:
			t[b] |= classWord
		case b >= '0' && b <= '9':
			t[b] |= classDigit
		}
	}
	return t
}()

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// Walk visits n and its descendants in document order with a tree cursor,
// calling visit for each node; when visit returns false the node's children
// are skipped. It is iterative, so deep trees cannot overflow the stack.
func Walk(n *Node, visit func(*Node) bool) {
	if n == nil {
		return
	}
	cur := sitter.NewTreeCursor(n)
	defer cur.Close()
	for {
		if visit(cur.CurrentNode()) && cur.GoToFirstChild() {
			continue
		}
		for !cur.GoToNextSibling() {
			if !cur.GoToParent() {
				return
			}
		}
	}
}
