package source

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// NestingEstimate returns a cheap guess, never below the real figure for
// code that parses, of how deep src's syntax tree can be, without parsing:
// twice the deepest indentation, and the longest run of brackets,
// operators and separators in one statement, which bounds bracket nesting
// too (a chain such as 1+1+…+1 or f()()() nests one level per operator). The driver measures the real depth with
// MaxDepth only when the guess is high.
func NestingEstimate(src []byte) int {
	depth, max, indent, ops, lineStart := 0, 0, 0, 0, true
	for _, b := range src {
		switch b {
		case '(', '[', '{':
			depth++
			ops++ // f()()() and a[0][0] chain without nesting brackets
			max = maxInt(max, ops)
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		case '+', '-', '*', '/', '%', '&', '|', '^', '<', '>', '=', ',', '.', '?', ':', '!', '~':
			ops++
			max = maxInt(max, ops)
		case ';':
			ops = 0
		}
		switch {
		case b == '\n':
			lineStart, indent = true, 0
			if depth == 0 {
				ops = 0
			}
		case lineStart && (b == ' ' || b == '\t'):
			indent++
			max = maxInt(max, 2*indent) // a block and its statement per level
		default:
			lineStart = false
		}
	}
	return max
}

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
