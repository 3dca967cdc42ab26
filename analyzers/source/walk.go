package source

import (
	sitter "github.com/smacker/go-tree-sitter"
)

// MaxDepth returns the depth of the deepest node under root (root is 1),
// stopping early once limit is exceeded. It walks with a tree cursor and
// creates no Go node per visited node.
func MaxDepth(root *Node, limit int) int {
	if root == nil {
		return 0
	}
	cur := sitter.NewTreeCursor(root)
	defer cur.Close()
	depth, max := 1, 1
	for {
		if cur.GoToFirstChild() {
			depth++
			if depth > max {
				max = depth
				if max > limit {
					return max
				}
			}
			continue
		}
		for !cur.GoToNextSibling() {
			if !cur.GoToParent() {
				return max
			}
			depth--
		}
	}
}

// NestingEstimate returns a cheap upper-bound guess of the syntactic nesting
// of src from its brackets and indentation, without parsing. The driver
// measures the real depth with MaxDepth only when the guess is high.
func NestingEstimate(src []byte) int {
	depth, max, indent, lineStart := 0, 0, 0, true
	for _, b := range src {
		switch b {
		case '(', '[', '{':
			depth++
			if depth > max {
				max = depth
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
		switch {
		case b == '\n':
			lineStart, indent = true, 0
		case lineStart && (b == ' ' || b == '\t'):
			indent++
			if indent > max {
				max = indent
			}
		default:
			lineStart = false
		}
	}
	return max
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
