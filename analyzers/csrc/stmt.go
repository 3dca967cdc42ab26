package csrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// stmt analyzes one statement from state st and returns the state after it.
// st may be modified; a dead result means control does not fall through.
func (w *walker) stmt(n syntax.Node, st *state) *state {
	if n.IsNull() {
		return st
	}
	typ := n.Type()
	if st.dead && typ != "labeled_statement" && typ != "compound_statement" {
		return st
	}
	switch typ {
	case "compound_statement":
		w.push()
		for _, c := range namedChildren(n) {
			st = w.stmt(c, st)
		}
		w.pop()
	case "declaration":
		w.declaration(n, st)
	case "expression_statement":
		if kids := namedChildren(n); len(kids) > 0 {
			if returnsMacro(kids[0]) {
				st.dead = true
				break
			}
			w.exprStmt(kids[0], st)
		}
	case "if_statement":
		return w.ifStmt(n, st)
	case "for_statement", "while_statement", "do_statement":
		return w.loop(n, st)
	case "switch_statement":
		return w.switchStmt(n, st)
	case "return_statement":
		w.returnStmt(n, st)
		st.dead = true
	case "break_statement", "continue_statement":
		targets := w.breaks
		if typ == "continue_statement" {
			targets = w.continues
		}
		if len(targets) > 0 {
			acc := targets[len(targets)-1]
			*acc = append(*acc, st.clone())
		}
		st.dead = true
	case "goto_statement":
		label := n.ChildByFieldName("label").Text()
		w.gotos[label] = join(w.gotos[label], st.clone())
		st.dead = true
	case "labeled_statement":
		label := n.ChildByFieldName("label").Text()
		if g := w.gotos[label]; g != nil {
			st = join(st, g.clone())
		}
		for _, c := range namedChildren(n) {
			if c.Type() != "statement_identifier" {
				st = w.stmt(c, st)
			}
		}
	case "attributed_statement", "case_statement":
		value := n.ChildByFieldName("value")
		for _, c := range namedChildren(n) {
			if c != value && c.Type() != "attribute_declaration" {
				st = w.stmt(c, st)
			}
		}
	case "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef":
		return w.preproc(n, st)
	case "comment", "type_definition", "struct_specifier", "union_specifier", "enum_specifier",
		"preproc_def", "preproc_function_def", "preproc_call", "preproc_include", "empty_statement":
	default:
		for _, c := range namedChildren(n) {
			w.expr(c, st)
		}
	}
	return st
}

// returnsMacro reports whether an expression statement is one of
// CPython's macros that return a singleton: Py_RETURN_NONE,
// Py_RETURN_TRUE, Py_RETURN_FALSE, Py_RETURN_NOTIMPLEMENTED,
// Py_RETURN_RICHCOMPARE(a, b, op).
func returnsMacro(n syntax.Node) bool {
	if n.Type() == "call_expression" {
		n = n.ChildByFieldName("function")
	}
	return !n.IsNull() && n.Type() == "identifier" && strings.HasPrefix(n.Text(), "Py_RETURN_")
}

// exprStmt analyzes an expression whose value is discarded.
func (w *walker) exprStmt(n syntax.Node, st *state) {
	inner := n
	if inner.Type() == "cast_expression" { // (void)f(x)
		inner = inner.ChildByFieldName("value")
	}
	if !inner.IsNull() && inner.Type() == "call_expression" {
		w.call(inner, st, true)
		return
	}
	w.expr(n, st)
}

// ifStmt analyzes both branches and joins them; a condition that is a
// constant (Juliet's staticFalse, 5==5) takes one branch only.
func (w *walker) ifStmt(n syntax.Node, st *state) *state {
	cond := n.ChildByFieldName("condition")
	var alt syntax.Node
	if a := n.ChildByFieldName("alternative"); !a.IsNull() {
		alt = a
		if kids := namedChildren(a); a.Type() == "else_clause" {
			alt = syntax.Node{}
			if len(kids) > 0 {
				alt = kids[0]
			}
		}
	}
	c, known := w.constOf(cond, st)
	key := w.condKey(cond)
	thenSt, elseSt := w.branch(cond, st)
	if known {
		if c != 0 {
			return w.stmt(n.ChildByFieldName("consequence"), thenSt)
		}
		return w.stmt(alt, elseSt)
	}
	w.takeSide(thenSt, key, true)
	w.takeSide(elseSt, key, false)
	w.condDepth++
	thenSt = w.stmt(n.ChildByFieldName("consequence"), thenSt)
	elseSt = w.stmt(alt, elseSt)
	w.condDepth--
	out := join(thenSt, elseSt)
	w.splitOn(out, key, thenSt, elseSt)
	return out
}

// branch evaluates a condition and returns the states in which it is true
// and false. Short-circuit operators matter: after `if (p == NULL ||
// fill(p) < 0) return;` the false side has run fill(p).
func (w *walker) branch(cond syntax.Node, st *state) (then, els *state) {
	c := cond
	for !c.IsNull() && c.Type() == "parenthesized_expression" && c.NamedChildCount() == 1 {
		c = c.NamedChild(0)
	}
	if !c.IsNull() {
		switch c.Type() {
		case "binary_expression":
			l, r := c.ChildByFieldName("left"), c.ChildByFieldName("right")
			switch c.ChildByFieldName("operator").Text() {
			case "||":
				tl, fl := w.branch(l, st)
				tr, fr := w.branch(r, fl)
				return join(tl, tr), fr
			case "&&":
				tl, fl := w.branch(l, st)
				tr, fr := w.branch(r, tl)
				return tr, join(fl, fr)
			}
		case "unary_expression":
			if c.ChildByFieldName("operator").Text() == "!" {
				t, f := w.branch(c.ChildByFieldName("argument"), st)
				return f, t
			}
		}
	}
	w.operand(cond, st)
	els = st.clone()
	w.refine(cond, st, true)
	w.refine(cond, els, false)
	return st, els
}

// preproc analyzes an #if/#ifdef block inside a function: the branch
// the configuration takes, or, when it does not decide, each branch (its
// statements, or its #elif/#else part) as a branch on an unknown
// condition.
func (w *walker) preproc(n syntax.Node, st *state) *state {
	alt := n.ChildByFieldName("alternative")
	name, cond := n.ChildByFieldName("name"), n.ChildByFieldName("condition")
	thenSt := st
	if n.Type() != "preproc_else" {
		thenSt = st.clone()
	}
	out := false
	for _, c := range namedChildren(n) {
		if c == alt || c == name || c == cond {
			continue
		}
		if w.f.u.part.inactive(c.StartByte()) {
			out = true
			continue
		}
		thenSt = w.stmt(c, thenSt)
	}
	if n.Type() == "preproc_else" {
		return thenSt
	}
	if !out && w.f.u.part.decided(n.StartByte()) {
		return thenSt // the branch compiled: the others are not
	}
	elseSt := st
	if !alt.IsNull() {
		elseSt = w.preproc(alt, elseSt)
	}
	switch {
	case out:
		return elseSt
	case !alt.IsNull() && w.branchOut(alt):
		return thenSt
	}
	// The same condition decides every group that tests it: a write
	// under #ifdef DEBUG is there for a use under #ifdef DEBUG.
	key := preprocKey(n)
	w.takeSide(thenSt, key, true)
	w.takeSide(elseSt, key, false)
	out2 := join(thenSt, elseSt)
	w.splitOn(out2, key, thenSt, elseSt)
	return out2
}

// preprocKey returns the condition an #if or #ifdef group tests, as a
// correlation key ("" for #elif and #else).
func preprocKey(n syntax.Node) string {
	switch n.Type() {
	case "preproc_ifdef":
		key := "#defined " + n.ChildByFieldName("name").Text()
		if strings.HasPrefix(strings.TrimSpace(n.Text()), "#ifndef") {
			return negated(key)
		}
		return key
	case "preproc_if":
		return "#if " + squeeze(n.ChildByFieldName("condition").Text())
	}
	return ""
}

// branchOut reports whether the statements of an #elif or #else branch
// are outside the configuration.
func (w *walker) branchOut(n syntax.Node) bool {
	name, cond, alt := n.ChildByFieldName("name"), n.ChildByFieldName("condition"), n.ChildByFieldName("alternative")
	for _, c := range namedChildren(n) {
		if c != name && c != cond && c != alt && w.f.u.part.inactive(c.StartByte()) {
			return true
		}
	}
	return false
}

// switchStmt analyzes the cases of a switch: each starts from the state
// before the switch and falls through to the next; breaks leave it.
func (w *walker) switchStmt(n syntax.Node, st *state) *state {
	cond := n.ChildByFieldName("condition")
	w.operand(cond, st)
	val := w.constAmount(cond, st)
	var cases []syntax.Node
	for _, c := range namedChildren(n.ChildByFieldName("body")) {
		if c.Type() == "case_statement" {
			cases = append(cases, c)
		}
	}
	matched, hasDefault := false, false
	for _, c := range cases {
		v := c.ChildByFieldName("value")
		if v.IsNull() {
			hasDefault = true
		} else if val.known {
			if cv, ok := w.constOf(v, st); ok && cv == val.val {
				matched = true
			}
		}
	}
	var breaks []*state
	w.breaks = append(w.breaks, &breaks)
	cur := deadState()
	if !val.known {
		w.condDepth++
		defer func() { w.condDepth-- }()
	}
	for _, c := range cases {
		v := c.ChildByFieldName("value")
		enter := !val.known
		if val.known {
			cv, ok := w.constOf(v, st)
			enter = v.IsNull() && !matched || !v.IsNull() && ok && cv == val.val
		}
		if enter {
			cur = join(cur, st.clone())
		}
		for _, s := range namedChildren(c) {
			if s != v {
				cur = w.stmt(s, cur)
			}
		}
	}
	w.breaks = w.breaks[:len(w.breaks)-1]
	out := joinAll(append(breaks, cur)...)
	if !hasDefault && !matched {
		out = join(out, st)
	}
	return out
}

// returnStmt checks what a return hands to the caller.
func (w *walker) returnStmt(n syntax.Node, st *state) {
	var v syntax.Node
	if kids := namedChildren(n); len(kids) > 0 {
		v = kids[0]
	}
	if !v.IsNull() && !w.returnSink(n, v, st) {
		w.expr(v, st)
	}
	if w.report == nil {
		w.returns = append(w.returns, returned{st: st.clone(), value: v})
	}
}
