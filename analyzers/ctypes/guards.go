package ctypes

import (
	"github.com/residue-sec/residue/analyzers/source"
)

// addGuards records the upper bounds that checks before (or around) at
// put on input lengths: `if len(x) > K: raise` (or return, break,
// continue) before it in an enclosing block, `assert len(x) <= K`, and
// `if len(x) <= K:` around it.
func (z *sizer) addGuards(at *source.Node) {
	for _, g := range z.s.guards {
		cond := g.ChildByFieldName("condition")
		switch g.Type() {
		case "assert_statement":
			if g.EndByte() <= at.StartByte() && contains(g.Parent(), at) && g.NamedChildCount() > 0 {
				z.guardCondition(g.NamedChild(0), false)
			}
		case "if_statement", "elif_clause":
			body := g.ChildByFieldName("consequence")
			switch {
			case body != nil && contains(body, at):
				z.guardCondition(cond, false)
			case g.Type() == "if_statement" && g.EndByte() <= at.StartByte() && contains(g.Parent(), at) && exits(body):
				z.guardCondition(cond, true)
			}
		}
	}
}

// contains reports whether node outer spans node inner.
func contains(outer, inner *source.Node) bool {
	return outer != nil && outer.StartByte() <= inner.StartByte() && inner.EndByte() <= outer.EndByte()
}

// exits reports whether a block always leaves: its last statement raises,
// returns, breaks or continues.
func exits(block *source.Node) bool {
	if block == nil || block.NamedChildCount() == 0 {
		return false
	}
	switch block.NamedChild(int(block.NamedChildCount()) - 1).Type() {
	case "raise_statement", "return_statement", "break_statement", "continue_statement":
		return true
	}
	return false
}

// guardCondition reads the bounds a condition gives: when negated (the
// code after `if cond: raise`), from `a > b` and the disjuncts of an `or`;
// otherwise from `a <= b` and the conjuncts of an `and`.
func (z *sizer) guardCondition(cond *source.Node, negated bool) {
	if cond == nil {
		return
	}
	switch cond.Type() {
	case "parenthesized_expression":
		if cond.NamedChildCount() == 1 {
			z.guardCondition(cond.NamedChild(0), negated)
		}
	case "boolean_operator":
		op := z.s.a.text(cond.ChildByFieldName("operator"))
		if negated && op == "or" || !negated && op == "and" {
			z.guardCondition(cond.ChildByFieldName("left"), negated)
			z.guardCondition(cond.ChildByFieldName("right"), negated)
		}
	case "comparison_operator":
		if cond.NamedChildCount() != 2 || cond.ChildCount() != 3 {
			return
		}
		left, right := cond.NamedChild(0), cond.NamedChild(1)
		op := cond.Child(1).Type()
		if negated {
			op = map[string]string{">": "<=", ">=": "<", "<": ">=", "<=": ">"}[op]
		}
		switch op {
		case "<=", "<":
			z.guard(left, right)
		case ">=", ">":
			z.guard(right, left)
		}
	}
}

// guard records small ≤ big when small is an input length.
func (z *sizer) guard(small, big *source.Node) {
	s := z.eval(small, 0)
	if s.op != 0 || s.lin.c != 0 || len(s.lin.terms) != 1 {
		return
	}
	for name, v := range s.lin.terms {
		if v == 1 && z.inputs[name] {
			z.guards[name] = z.eval(big, 0)
		}
	}
}
