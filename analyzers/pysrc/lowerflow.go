package pysrc

import (
	"maps"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// What lowering adds for a function's flow (see flow.go): statements in
// a tree, each with the calls it makes, its conditions, and what it assigns.

// ncalls returns the number of call sites lowered so far.
func (s *fnState) ncalls() int32 { return int32(len(s.fn.code.Calls)) }

// emit adds st to the block being lowered, if any; a statement that
// evaluates nothing and does nothing (a docstring, a definition without
// decorators) is left out.
func (s *fnState) emit(st Stmt) {
	if s.depth < 0 || (st.Kind == StmtExpr || st.Kind == StmtDef) && st.From == st.To {
		return
	}
	s.bufs[s.depth] = append(s.bufs[s.depth], st)
}

// into lowers, with lower, a block of a function: its statements are
// gathered, then added to the function's Stmts together, as the run
// *dst.
func (s *fnState) into(dst *Run, lower func()) {
	if s.fn.Kind != KindDef {
		lower()
		return
	}
	s.depth++
	if len(s.bufs) <= s.depth {
		s.bufs = append(s.bufs, nil)
	}
	s.bufs[s.depth] = s.bufs[s.depth][:0]
	lower()
	b := s.bufs[s.depth]
	*dst = Run{int32(len(s.fn.code.Stmts)), int32(len(b))}
	s.fn.code.Stmts = append(s.fn.code.Stmts, b...)
	s.bufs[s.depth] = b[:0]
	s.depth--
}

// kept returns the code c gathered, each list in an array of its own
// length (a part keeps what it holds for the whole run), and empties c,
// whose arrays the next Func lowered gathers its lists in.
func (c *FuncCode) kept() *FuncCode {
	k := *c
	k.Calls, k.Seqs, k.Exprs, k.Sets = copied(&c.Calls), copied(&c.Seqs), copied(&c.Exprs), copied(&c.Sets)
	k.Loops, k.Tests, k.Captures, k.Keys = copied(&c.Loops), copied(&c.Tests), copied(&c.Captures), copied(&c.Keys)
	k.Stmts, k.Handlers = copied(&c.Stmts), copied(&c.Handlers)
	k.Targets, k.Conds = copied(&c.Targets), copied(&c.Conds)
	*c = FuncCode{Calls: c.Calls, Seqs: c.Seqs, Exprs: c.Exprs, Sets: c.Sets, Loops: c.Loops, Tests: c.Tests,
		Captures: c.Captures, Keys: c.Keys, Stmts: c.Stmts, Handlers: c.Handlers, Targets: c.Targets, Conds: c.Conds}
	return &k
}

// copied returns a copy of *s in an array of its length (nil when *s is
// empty) and empties *s, keeping its array.
func copied[T any](s *[]T) []T {
	var out []T
	if len(*s) > 0 {
		out = make([]T, len(*s))
		copy(out, *s)
	}
	clear(*s)
	*s = (*s)[:0]
	return out
}

// clauses adds blocks as a run of the function's Handlers.
func (s *fnState) clauses(blocks []Run) Run {
	if s.fn.Kind != KindDef {
		return Run{}
	}
	r := Run{int32(len(s.fn.code.Handlers)), int32(len(blocks))}
	s.fn.code.Handlers = append(s.fn.code.Handlers, blocks...)
	return r
}

// ifStmt lowers an if statement into st, its elif clauses as the if
// statements of its else, each with its own condition: every branch
// starts from what the conditions before it bound, and they are joined
// after. Each condition is also a Test of the function.
func (s *fnState) ifStmt(n syntax.Node, st *Stmt) {
	st.Kind = StmtIf
	var all []branchEnv
	var none map[string]Value
	s.branch(n, n, n.ChildrenByFieldName("alternative"), st, &all, &none)
	var envs []map[string]Value
	if none != nil {
		// What holds when no branch ran comes first, as when no body
		// of a loop or a try ran.
		envs = append(envs, none)
	}
	for _, b := range all {
		if !b.returns {
			envs = append(envs, b.env)
		}
	}
	if len(envs) == 0 {
		// Every branch returns: what follows runs on no path, and
		// keeps the names bound.
		for _, b := range all {
			envs = append(envs, b.env)
		}
	}
	s.env = join(envs...)
	s.emit(*st)
}

// A branchEnv is what a branch of an if statement binds; a branch that
// returns binds nothing for the code after the statement (if not
// isinstance(n, int): return … leaves n a number).
type branchEnv struct {
	env     map[string]Value
	returns bool
}

// returns reports whether a block leaves the function on every path: it
// ends in a return statement, and no break or continue in it leaves
// before (a nested function's are its own). In a try body it does not
// count: the handlers and finally see what it bound.
func (s *fnState) returns(block syntax.Node) bool {
	return s.tries == 0 && lastStatement(block) == "return_statement" && !leavesEarly(block)
}

// leavesEarly reports whether a break or continue is in n, outside
// nested functions, classes and lambdas.
func leavesEarly(n syntax.Node) bool {
	return inScope(n, func(c syntax.Node) bool {
		return c.Type() == "break_statement" || c.Type() == "continue_statement"
	})
}

// inScope reports whether pred holds of n or of a node under it that is
// in n's own scope: nested functions, classes and lambdas (n too, when it
// is one) are not looked into.
func inScope(n syntax.Node, pred func(syntax.Node) bool) bool {
	found := false
	n.Walk(func(c syntax.Node) bool {
		switch {
		case found:
			return false
		case c.Type() == "function_definition", c.Type() == "class_definition", c.Type() == "lambda":
			return false
		}
		found = pred(c)
		return !found
	})
	return found
}

// alternatives lowers the elif and else clauses alts of if statement n,
// from what the conditions before bound (cond), into a block: an elif is an
// if statement, whose else block holds the clauses after it. envs gets
// what each branch binds, and none the conditions' when no else clause
// ends them.
func (s *fnState) alternatives(n syntax.Node, alts []syntax.Node, cond map[string]Value, envs *[]branchEnv, none *map[string]Value) Run {
	if len(alts) == 0 {
		*none = cond
		return Run{}
	}
	alt := alts[0]
	var out Run
	s.env = maps.Clone(cond)
	if alt.Type() != "elif_clause" {
		body := alt.ChildByFieldName("body")
		s.into(&out, func() { s.block(body) })
		*envs = append(*envs, branchEnv{s.env, s.returns(body)})
		return out
	}
	s.into(&out, func() {
		el := Stmt{Kind: StmtIf, Elif: true, From: s.ncalls(), Span: span(alt)}
		s.branch(alt, n, alts[1:], &el, envs, none)
		s.emit(el)
	})
	return out
}

// branch lowers clause (the if statement n itself, or one of its elif
// clauses) into st: its condition, also a Test of the function, its body
// from what the condition bound, then the clauses after it (alts) as its
// else block. envs gets what each branch binds, none what holds when no
// branch runs.
func (s *fnState) branch(clause, n syntax.Node, alts []syntax.Node, st *Stmt, envs *[]branchEnv, none *map[string]Value) {
	body := clause.ChildByFieldName("consequence")
	var v Value
	st.Cond, v = s.condValue(clause.ChildByFieldName("condition"))
	s.test(v, clause, body, n)
	st.To = s.ncalls()
	cond := s.env
	s.env = maps.Clone(cond)
	test := clause.ChildByFieldName("condition")
	name, holds, narrows := "", false, false
	if !test.Holds("named_expression") { // a test that binds a name anew (:=) narrows nothing
		name, holds, narrows = s.narrowingTest(test)
	}
	if _, bound := cond[name]; narrows && bound && holds {
		s.env[name] = narrowed(cond[name], test)
	}
	s.lookupHolds(test)
	if !neverHolds(test) {
		s.into(&st.Body, func() { s.block(body) })
	}
	*envs = append(*envs, branchEnv{s.env, s.returns(body)})
	if _, bound := cond[name]; narrows && bound && !holds {
		// if not isinstance(val, int): … — past it, val is a number.
		cond = maps.Clone(cond)
		cond[name] = narrowed(cond[name], test)
	}
	st.Else = s.alternatives(n, alts, cond, envs, none)
}

// lookupHolds narrows, where a test that binds a lookup's result holds
// (`if obj := get_object_or_none(Model, pk=x):`), the names the lookup
// matched with a primary key: a row was found, so each is its key.
func (s *fnState) lookupHolds(test syntax.Node) {
	if test.Type() != "named_expression" {
		return
	}
	call := test.ChildByFieldName("value")
	if call.IsNull() || call.Type() != "call" || !lookupOrNone(call.ChildByFieldName("function").Text()) {
		return
	}
	args := call.ChildByFieldName("arguments")
	if args.IsNull() || args.Type() != "argument_list" {
		return
	}
	for _, a := range args.NamedChildren() {
		if a.Type() != "keyword_argument" {
			continue
		}
		k, v := a.ChildByFieldName("name").Text(), a.ChildByFieldName("value")
		if !primaryKeyword(k) || v.Type() != "identifier" {
			continue
		}
		if val, bound := s.env[v.Text()]; bound {
			s.env[v.Text()] = narrowed(val, call)
		}
	}
}

// lookupOrNone reports whether a function by this dotted name looks a row
// up and returns None when there is none (DefectDojo's, and
// django-annoying's, get_object_or_none).
func lookupOrNone(name string) bool {
	return lastName(name) == "get_object_or_none" || lastName(name) == "get_or_none"
}

// neverHolds reports whether a test is a constant that is always false
// (False, None, 0): the body it guards never runs, and is not lowered
// (`if False:` around code left disabled, or typing-only imports).
func neverHolds(test syntax.Node) bool {
	switch test.Type() {
	case "false", "none":
		return true
	case "integer":
		return strings.Trim(test.Text(), "0_") == "" && test.Text() != ""
	}
	return false
}

// narrowed is a name's value v where test showed it is a number or one
// of a few literals: the same value (a size stays the size ctypes
// checks), whose data carries no CR or LF; a typed value (TypedValue)
// but where a test of its characters showed it (digits may be a PIN).
func narrowed(v Value, test syntax.Node) Value {
	o := Op{Kind: OpNumber, Span: span(test)}
	if typedTest(test) {
		o.Name = TypedValue
	}
	return v.With(o)
}

// TypedValue names the OpNumber of a value an isinstance test or a
// comparison with literals showed to be a number or one of the literals.
const TypedValue = "typed"

// stripNot returns a test without the nots and parentheses around it,
// and whether the nots negate it.
func stripNot(test syntax.Node) (syntax.Node, bool) {
	negated := false
	for !test.IsNull() && (test.Type() == "not_operator" || test.Type() == "parenthesized_expression") {
		if test.Type() == "not_operator" {
			negated = !negated
			test = test.ChildByFieldName("argument")
		} else {
			test = test.NamedChild(0)
		}
	}
	return test, negated
}

// typedTest reports whether a narrowing test is an isinstance test or a
// comparison, negated or not, or an and or an or of them.
func typedTest(test syntax.Node) bool {
	test, _ = stripNot(test)
	switch {
	case test.IsNull():
		return false
	case test.Type() == "comparison_operator":
		return true
	case test.Type() == "boolean_operator":
		return typedTest(test.ChildByFieldName("left")) && typedTest(test.ChildByFieldName("right"))
	case test.Type() == "call":
		if _, ok := checkingCall(test); ok {
			return true
		}
		return test.ChildByFieldName("function").Text() == "isinstance"
	}
	return false
}

// narrowingTest reads a condition that shows a name holds a number or one of
// a few literals, negated or not (holds says whether the condition is
// true when it does): isinstance(name, int) (or float, bool, complex, or
// a tuple of them), name in a display of string or number literals or in
// a constant (an upper-case name: ALLOWED, self.METHODS), name == a
// string or number literal, a test of its characters (name.isdigit());
// an and or an or of such tests (booleanTest); and the name itself, false
// where it is empty (`if sizes:` does not run for "" or None, whose
// content is nothing).
func (s *fnState) narrowingTest(cond syntax.Node) (name string, holds, ok bool) {
	cond, negated := stripNot(cond)
	holds = !negated
	if !cond.IsNull() && cond.Type() == "identifier" {
		return cond.Text(), !holds, true
	}
	if !cond.IsNull() && cond.Type() == "comparison_operator" {
		name, is, ok := s.literalTest(cond)
		return name, holds == is, ok
	}
	if !cond.IsNull() && cond.Type() == "boolean_operator" {
		name, is, ok := s.booleanTest(cond)
		return name, holds == is, ok
	}
	if name, ok := characterTest(cond); ok {
		return name, holds, true
	}
	if name, ok := everyCharacter(cond); ok {
		return name, holds, true
	}
	if name, ok := checkingCall(cond); ok {
		return name, holds, true
	}
	if cond.IsNull() || cond.Type() != "call" || cond.ChildByFieldName("function").Text() != "isinstance" {
		return "", false, false
	}
	args := cond.ChildByFieldName("arguments").NamedChildren()
	if len(args) != 2 || args[0].Type() != "identifier" || !numberTypes(args[1]) {
		return "", false, false
	}
	return args[0].Text(), holds, true
}

// booleanTest reads an and or an or of narrowing tests: is is the value
// of the whole that shows the name narrow. Where the whole is true only
// when both are (and), or false only when both are (or), one test
// showing it suffices (a in OK and b: a; `not x.isdigit() or y`: past a
// return in its body, neither holds, so x is digits); otherwise both must
// show one name (a == "x" or a == "y"; `if a and not a.isdigit():
// return` leaves a empty or digits).
func (s *fnState) booleanTest(cond syntax.Node) (name string, is, ok bool) {
	l, lIs, lOK := s.narrowingTest(cond.ChildByFieldName("left"))
	r, rIs, rOK := s.narrowingTest(cond.ChildByFieldName("right"))
	op := cond.ChildByFieldName("operator").Type()
	if op != "and" && op != "or" {
		return "", false, false
	}
	for _, is := range []bool{true, false} {
		if (op == "or") == is {
			// Both must show it: the whole is so when either is.
			if lOK && rOK && lIs == is && rIs == is && l == r {
				return l, is, true
			}
			continue
		}
		if lOK && lIs == is {
			return l, is, true
		}
		if rOK && rIs == is {
			return r, is, true
		}
	}
	return "", false, false
}

// characterTests are the str methods true only of a string of characters
// none of which is CR or LF.
var characterTests = map[string]bool{
	"isdigit": true, "isdecimal": true, "isnumeric": true, "isalnum": true, "isalpha": true, "isidentifier": true,
}

// characterTest reads a test of a name's characters, true only when it
// holds no CR or LF: name.isdigit() (or another of characterTests), also
// of the name with separators taken out (ip.replace(".", "").isdigit()):
// replacements of literals that hold no CR or LF by literals. A strip
// would let CR and LF at the ends pass.
func characterTest(cond syntax.Node) (string, bool) {
	if cond.IsNull() || cond.Type() != "call" || cond.ChildByFieldName("arguments").NamedChildCount() != 0 {
		return "", false
	}
	fn := cond.ChildByFieldName("function")
	if fn.Type() != "attribute" || !characterTests[fn.ChildByFieldName("attribute").Text()] {
		return "", false
	}
	obj := fn.ChildByFieldName("object")
	for obj.Type() == "call" {
		callee := obj.ChildByFieldName("function")
		args := obj.ChildByFieldName("arguments").NamedChildren()
		if callee.Type() != "attribute" || callee.ChildByFieldName("attribute").Text() != "replace" || len(args) != 2 || !plainLiteral(args[0]) || !plainLiteral(args[1]) {
			return "", false
		}
		obj = callee.ChildByFieldName("object")
	}
	if obj.Type() != "identifier" {
		return "", false
	}
	return obj.Text(), true
}

// everyCharacter reads all(test for ch in name), true only when a test
// of characters shows each character of name to be no CR or LF
// (ch.isalnum() or ch == "-"; characterOnly, or c.isalnum() of a variable
// named as characters are): name holds none.
func everyCharacter(cond syntax.Node) (string, bool) {
	if cond.IsNull() || cond.Type() != "call" || cond.ChildByFieldName("function").Text() != "all" {
		return "", false
	}
	gen := cond.ChildByFieldName("arguments")
	if gen.IsNull() || gen.Type() != "generator_expression" || gen.NamedChildCount() != 2 {
		return "", false
	}
	clause := gen.NamedChild(1)
	if clause.Type() != "for_in_clause" {
		return "", false
	}
	ch, of := clause.ChildByFieldName("left"), clause.ChildByFieldName("right")
	if ch.IsNull() || of.IsNull() || ch.Type() != "identifier" || of.Type() != "identifier" {
		return "", false
	}
	if safe, chars := characterOnly(gen.ChildByFieldName("body"), ch.Text()); !safe || !chars && !characterNames[ch.Text()] {
		return "", false
	}
	return of.Text(), true
}

// characterNames are the names a loop over a string's characters gives
// its variable (all(c.isalnum() for c in name)), which a loop over a
// dictionary's keys does not (for k in params).
var characterNames = map[string]bool{"c": true, "ch": true, "char": true, "character": true, "letter": true}

// characterOnly reads a test of one character ch: safe when the test is
// true only of a character that is no CR or LF, chars when a part of it
// compares ch with characters (ch == "-", ch in "._-", ch in
// string.hexdigits), which tells a string's characters from a
// dictionary's keys (all(k.isidentifier() for k in params)). An and is
// safe when either side is, an or when both are; a character class
// (ch.isalnum()) is safe, and so is a comparison with literals that hold
// no CR or LF (plainLiteral), or membership in one of Python's sets of
// letters and digits; membership in another name (string.printable
// holds CR and LF) is not.
func characterOnly(test syntax.Node, ch string) (safe, chars bool) {
	for !test.IsNull() && test.Type() == "parenthesized_expression" {
		test = test.NamedChild(0)
	}
	switch {
	case test.IsNull():
		return false, false
	case test.Type() == "boolean_operator":
		ls, lc := characterOnly(test.ChildByFieldName("left"), ch)
		rs, rc := characterOnly(test.ChildByFieldName("right"), ch)
		if test.ChildByFieldName("operator").Type() == "and" {
			return ls || rs, ls && lc || rs && rc
		}
		return ls && rs, lc || rc
	case test.Type() == "comparison_operator":
		operands := test.NamedChildren()
		if len(operands) != 2 || operands[0].Type() != "identifier" || operands[0].Text() != ch {
			return false, false
		}
		switch op := test.Child(1).Type(); {
		case op == "==":
			return plainString(operands[1]), true
		case op == "in":
			set := operands[1]
			return plainString(set) || literalDisplay(set) || letterSets[set.Text()], true
		}
		return false, false
	}
	name, ok := characterTest(test)
	return ok && name == ch, false
}

// letterSets are the constants of Python's string module that hold
// letters or digits only.
var letterSets = map[string]bool{
	"string.digits": true, "string.hexdigits": true, "string.octdigits": true,
	"string.ascii_letters": true, "string.ascii_lowercase": true, "string.ascii_uppercase": true,
}

// checkingCall reads a call, with a name first, of a function of the
// module that returns a true value only when a validating call of its
// first parameter did not raise (checksFirst): the name is of the
// validated form where the call is true.
func checkingCall(cond syntax.Node) (string, bool) {
	if cond.IsNull() || cond.Type() != "call" {
		return "", false
	}
	fn, args := cond.ChildByFieldName("function"), cond.ChildByFieldName("arguments")
	if fn.Type() != "identifier" || args.IsNull() || args.Type() != "argument_list" {
		return "", false
	}
	first := args.NamedChild(0)
	if first.IsNull() || first.Type() != "identifier" {
		return "", false
	}
	if def := moduleFunction(cond, fn.Text()); def.IsNull() || !checksFirst(def) {
		return "", false
	}
	return first.Text(), true
}

// checksFirst reports whether a function's body (after its docstring) is
// a try statement whose body first validates the first parameter and
// returns what the validating call made (`return bool(uuid.UUID(v).hex)`),
// or validates it in a statement (`uuid.UUID(v)`) before a `return True`
// in the body or after the try statement, and whose every except clause
// returns False, None or nothing: the function returns a true value only
// when the validating call did not raise. An async function's call is a
// coroutine, always true.
func checksFirst(def syntax.Node) bool {
	if !def.FirstChild().IsNull() && def.FirstChild().Type() == "async" {
		return false // its call is a coroutine, always true
	}
	param := firstParamName(def.ChildByFieldName("parameters"))
	body := def.ChildByFieldName("body").NamedChildren()
	if len(body) > 0 && body[0].Type() == "expression_statement" && body[0].NamedChild(0).Type() == "string" {
		body = body[1:]
	}
	if param == "" || len(body) == 0 || len(body) > 2 || body[0].Type() != "try_statement" {
		return false
	}
	try := body[0]
	for c := try.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "except_clause":
			if !returnsFalse(c.NamedChild(int(c.NamedChildCount()) - 1)) {
				return false
			}
		case "else_clause", "finally_clause", "except_group_clause":
			return false
		}
	}
	stmts := try.ChildByFieldName("body").NamedChildren()
	if len(body) == 2 {
		stmts = append(stmts, body[1])
	}
	switch {
	case len(stmts) == 1 && stmts[0].Type() == "return_statement":
		return validates(stmts[0].NamedChild(0), param)
	case len(stmts) == 2 && stmts[0].Type() == "expression_statement":
		return validates(stmts[0].NamedChild(0), param) && returnsTrue(stmts[1])
	}
	return false
}

// firstParamName returns the name of a parameter list's first parameter,
// "" for none or a splat.
func firstParamName(ps syntax.Node) string {
	p := ps.NamedChild(0)
	if p.IsNull() {
		return ""
	}
	if name, kind := paramOf(p); kind == ParamPlain {
		return name
	}
	return ""
}

// validates reports whether evaluating e makes a validating call of name
// (validators) whose result e is made of, through calls of it
// (bool(uuid.UUID(v))) and its attributes (uuid.UUID(v).hex).
func validates(e syntax.Node, name string) bool {
	for !e.IsNull() {
		switch e.Type() {
		case "attribute":
			e = e.ChildByFieldName("object")
			continue
		case "call":
			args := e.ChildByFieldName("arguments")
			if args.IsNull() || args.Type() != "argument_list" {
				return false
			}
			first := args.NamedChild(0)
			if validators[lastName(e.ChildByFieldName("function").Text())] && !first.IsNull() && first.Type() == "identifier" {
				return first.Text() == name
			}
			e = first
			continue
		}
		return false
	}
	return false
}

// returnsFalse reports whether a block is one return of False, None or
// nothing.
func returnsFalse(block syntax.Node) bool {
	if block.IsNull() || block.Type() != "block" || block.NamedChildCount() != 1 {
		return false
	}
	ret := block.NamedChild(0)
	if ret.Type() != "return_statement" {
		return false
	}
	v := ret.NamedChild(0)
	return v.IsNull() || v.Type() == "false" || v.Type() == "none"
}

// returnsTrue reports whether a statement is `return True`.
func returnsTrue(st syntax.Node) bool {
	return st.Type() == "return_statement" && !st.NamedChild(0).IsNull() && st.NamedChild(0).Type() == "true"
}

// literalTest reads a comparison of a name with literals: name in
// ("a", "b"), name not in ALLOWED, name == "a", "a" != name, name is
// None (or True, False), name is not None; is says
// whether the comparison is true when the name holds one of them.
func (s *fnState) literalTest(cmp syntax.Node) (name string, is, ok bool) {
	operands := cmp.NamedChildren()
	var ops []string
	for c := cmp.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.IsNamed() {
			ops = append(ops, c.Type())
		}
	}
	if len(operands) != 2 || len(ops) != 1 {
		return "", false, false
	}
	left, right := operands[0], operands[1]
	switch ops[0] {
	case "in", "not in":
		left = caseFolded(left)
		if left.Type() != "identifier" || !literalDisplay(right) && !s.plainConstant(right) && !s.isTable(right) {
			return "", false, false
		}
		return left.Text(), ops[0] == "in", true
	case "==", "!=":
		if left.Type() != "identifier" && caseFolded(left).Type() != "identifier" && !emptyLength(left) {
			left, right = right, left
		}
		if emptyLength(left) && right.Type() == "integer" && right.Text() == "0" {
			// len(name) == 0: name is empty
			return left.ChildByFieldName("arguments").NamedChild(0).Text(), ops[0] == "==", true
		}
		left = caseFolded(left)
		if left.Type() != "identifier" || !plainLiteral(right) {
			return "", false, false
		}
		return left.Text(), ops[0] == "==", true
	case "is", "is not":
		// x is None: one of the singletons.
		if left.Type() != "identifier" {
			left, right = right, left
		}
		if t := right.Type(); left.Type() != "identifier" || t != "none" && t != "true" && t != "false" {
			return "", false, false
		}
		return left.Text(), ops[0] == "is", true
	}
	return "", false, false
}

// caseFolded returns the name a call of lower(), upper() or casefold()
// is made on (name.lower() in ("a", "b") holds only for a case variant
// of a literal), else n.
func caseFolded(n syntax.Node) syntax.Node {
	if n.Type() != "call" || n.ChildByFieldName("arguments").NamedChildCount() != 0 {
		return n
	}
	fn := n.ChildByFieldName("function")
	if fn.Type() != "attribute" {
		return n
	}
	switch fn.ChildByFieldName("attribute").Text() {
	case "lower", "upper", "casefold":
		if obj := fn.ChildByFieldName("object"); obj.Type() == "identifier" {
			return obj
		}
	}
	return n
}

// emptyLength reports whether n is len(name).
func emptyLength(n syntax.Node) bool {
	if n.Type() != "call" || n.ChildByFieldName("function").Text() != "len" {
		return false
	}
	args := n.ChildByFieldName("arguments")
	return args.NamedChildCount() == 1 && args.NamedChild(0).Type() == "identifier"
}

// literalDisplay reports whether n is a tuple, list or set of string or
// number literals.
func literalDisplay(n syntax.Node) bool {
	switch n.Type() {
	case "tuple", "list", "set":
		items := n.NamedChildren()
		for _, it := range items {
			if !plainLiteral(it) {
				return false
			}
		}
		return len(items) > 0
	}
	return false
}

// plainLiteral reports whether n is a number, or a string literal with no
// interpolation, escape or line break (which could hold CR or LF).
func plainLiteral(n syntax.Node) bool {
	switch n.Type() {
	case "integer", "float":
		return true
	case "string", "concatenated_string":
		_, ok := stringLiteral(n)
		return ok && !strings.ContainsAny(n.Text(), "\\\r\n")
	}
	return false
}

// plainString reports whether n is a string literal that is a
// plainLiteral.
func plainString(n syntax.Node) bool {
	return plainLiteral(n) && n.Type() != "integer" && n.Type() != "float"
}

// plainConstant reports whether n is a constant (an upper-case name or
// attribute of at least two characters: ALLOWED, self.METHODS,
// settings.ALLOWED_HOSTS; not a local of the function, not a request's
// GET, POST, META, FILES or COOKIES) whose items, when the module or
// class body assigned it a literal, are strings and numbers without a
// line break: a string is no table (in tests a substring), nor a tuple
// holding "\r\n".
func (s *fnState) plainConstant(n syntax.Node) bool {
	name := constantName(n)
	if len(strings.TrimLeft(name, "_")) < 2 {
		return false
	}
	switch n.Type() {
	case "identifier":
		if _, local := s.env[name]; local {
			return false
		}
	case "attribute":
		if k := objectKind(ObjRequest); k != nil {
			if _, ofRequest := k.Attrs[name]; ofRequest {
				return false
			}
		}
	}
	if lit, ok := s.constantLiteral(n); ok {
		return plainTable(lit)
	}
	return true // imported, or computed: a table of the server's
}

// plainTable reports whether a literal a constant holds is a table of
// strings and numbers without line breaks (a dictionary's keys), or
// something not read as a literal (tuple(MOVED.keys())).
func plainTable(l Literal) bool {
	switch l.Kind {
	case LitString:
		return false
	case LitDict:
		for _, k := range l.Keys {
			if strings.ContainsAny(k, "\\\r\n") {
				return false
			}
		}
	case LitList:
		for _, it := range l.Items {
			number := it.Kind == LitOther && numberText(it.Text)
			if it.Kind != LitString && !number || strings.ContainsAny(it.Text, "\\\r\n") {
				return false
			}
		}
	}
	return true
}

// numberText reports whether a literal's text is a number.
func numberText(text string) bool {
	_, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	return err == nil
}

// numberTypes reports whether n names number types only: int, float,
// bool, complex, or a tuple of them.
func numberTypes(n syntax.Node) bool {
	switch n.Type() {
	case "identifier":
		switch n.Text() {
		case "int", "float", "bool", "complex":
			return true
		}
	case "tuple", "parenthesized_expression":
		kids := n.NamedChildren()
		for _, k := range kids {
			if !numberTypes(k) {
				return false
			}
		}
		return len(kids) > 0
	}
	return false
}

// literalCases reports whether every case of a match statement compares
// the subject with string literals (case "A" | "B"), but a last one that
// matches anything (case _).
func literalCases(cases []syntax.Node) bool {
	for i, c := range cases {
		var pats []syntax.Node
		for _, k := range c.NamedChildren() {
			switch k.Type() {
			case "case_pattern":
				pats = append(pats, k)
			case "if_clause":
				return false
			}
		}
		if len(pats) != 1 {
			return false
		}
		if _, ok := casePattern(pats[0]); !ok && (i < len(cases)-1 || pats[0].Text() != "_") {
			return false
		}
	}
	return len(cases) > 0
}

// casePattern returns the strings a case pattern is (a string, or a
// union of strings).
func casePattern(p syntax.Node) ([]string, bool) {
	if p.IsNull() {
		return nil, false
	}
	kids := p.NamedChildren()
	if len(kids) != 1 {
		return nil, false
	}
	strs := []syntax.Node{kids[0]}
	if kids[0].Type() == "union_pattern" {
		strs = kids[0].NamedChildren()
	}
	var out []string
	for _, k := range strs {
		lit, ok := stringLiteral(k)
		if k.Type() != "string" || !ok {
			return nil, false
		}
		out = append(out, lit)
	}
	return out, len(out) > 0
}

// matchChain lowers a match statement of literal cases as the if
// statement it is (if subject in ("A", "B"): ... elif ...: ... else:
// ...), each case's body from the environment before.
func (s *fnState) matchChain(st *Stmt, subject Operand, cases []syntax.Node) {
	before := s.env
	var envs []map[string]Value
	// chain lowers cases[i:]: the if statement of case i, or the body
	// of a last case _, into the block being lowered (ok false).
	var chain func(i int) (Stmt, bool)
	chain = func(i int) (Stmt, bool) {
		c := cases[i]
		body := c.ChildByFieldName("consequence")
		s.env = maps.Clone(before)
		lits, literal := casePattern(casePatternOf(c))
		if !literal {
			s.block(body)
			envs = append(envs, s.env)
			return Stmt{}, false
		}
		if_ := Stmt{Kind: StmtIf, Elif: i > 0, From: s.ncalls(), To: s.ncalls(), Span: span(c)}
		if_.Cond = s.addCond(Cond{Kind: CondCompare, Op: "in", Span: span(c),
			Operands: []Operand{subject, {Lits: lits, Literal: true, Span: span(casePatternOf(c))}}})
		s.into(&if_.Body, func() { s.block(body) })
		envs = append(envs, s.env)
		if i+1 == len(cases) {
			// No case matched: what held before comes first.
			envs = append([]map[string]Value{before}, envs...)
		} else {
			s.into(&if_.Else, func() {
				if next, ok := chain(i + 1); ok {
					s.emit(next)
				}
			})
		}
		return if_, true
	}
	if first, ok := chain(0); ok {
		first.From, first.Span = st.From, st.Span
		s.emit(first)
	} else {
		s.emit(Stmt{Kind: StmtExpr, From: st.From, To: st.To, Span: st.Span})
	}
	s.env = join(envs...)
}

// casePatternOf returns a case clause's pattern.
func casePatternOf(c syntax.Node) syntax.Node {
	for _, k := range c.NamedChildren() {
		if k.Type() == "case_pattern" {
			return k
		}
	}
	return syntax.Node{}
}

// mixed lowers a statement whose children are expressions and, in an
// ERROR node, statements: the expressions' calls make st, up to each
// nested statement.
func (s *fnState) mixed(n syntax.Node, st *Stmt) {
	flush := func() {
		if st.To = s.ncalls(); st.To > st.From || st.Kind != StmtExpr {
			s.emit(*st)
		}
		st.Kind, st.From = StmtExpr, s.ncalls()
	}
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch {
		case !c.IsNamed():
		case isStatement(c.Type()):
			flush()
			s.stmt(c)
			st.From = s.ncalls()
		default:
			s.expr(c)
		}
	}
	flush()
}

// constant returns the literal constant n is, 0 for none.
func singleton(n syntax.Node) Singleton {
	switch n.Type() {
	case "none":
		return SingletonNone
	case "true":
		return SingletonTrue
	case "false":
		return SingletonFalse
	}
	return 0
}

// cond lowers n as a condition and returns its index in Func.Conds.
func (s *fnState) cond(n syntax.Node) int32 {
	i, _ := s.condValue(n)
	return i
}

// condValue lowers n, once, as a condition and as an expression: it
// returns the condition's index in Func.Conds (-1 outside functions) and
// n's value. A comparison, a not or an and/or is also the operation it
// is, of Func.Exprs: the value is its RootExpr atom, with, for and/or,
// the operands' values (it is one of them); anything else is a truth
// test of its value.
func (s *fnState) condValue(n syntax.Node) (int32, Value) {
	t := Cond{Span: span(n)}
	e := Expr{Span: span(n)}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.condValue(n.NamedChild(0))
		}
	case "not_operator":
		k, v := s.condValue(n.ChildByFieldName("argument"))
		t.Kind, t.Kids = CondNot, []int32{k}
		e.Op, e.Args = "not", []Value{v}
		return s.addCond(t), s.addExpr(e)
	case "boolean_operator":
		l, lv := s.condValue(n.ChildByFieldName("left"))
		r, rv := s.condValue(n.ChildByFieldName("right"))
		t.Kind, t.Kids = CondAnd, []int32{l, r}
		e.Args = []Value{lv, rv}
		if op := n.ChildByFieldName("operator"); !op.IsNull() {
			e.Op = op.Text()
			if op.Type() == "or" {
				t.Kind = CondOr
			}
		}
		return s.addCond(t), s.addExpr(e).Union(s.sides(lv)).Union(s.sides(rv))
	case "comparison_operator":
		// The operation is the first comparison (a < b of a < b <= c);
		// the condition has every operand.
		t.Kind = CondCompare
		var ops []string
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			switch {
			case c.IsNamed() && !isExtra(c):
				v := s.expr(c)
				t.Operands = append(t.Operands, operand(c, v))
				if len(e.Args) < 2 {
					e.Args = append(e.Args, v)
				}
			case c.IsNamed():
			case len(e.Args) == 1:
				ops = append(ops, c.Type())
				fallthrough
			default:
				if t.Op == "" && c.FieldName() == "operators" {
					t.Op = c.Type()
				}
			}
		}
		e.Op = strings.Join(ops, " ")
		return s.addCond(t), s.addExpr(e)
	}
	v := s.expr(n)
	t.Kind, t.Operands = CondTruth, []Operand{operand(n, v)}
	return s.addCond(t), v
}

// addCond adds t to the function's conditions and returns its index.
// Only functions keep conditions (module and class bodies have no flow): -1
// is none.
func (s *fnState) addCond(t Cond) int32 {
	if s.fn.Kind != KindDef {
		return -1
	}
	s.fn.code.Conds = append(s.fn.code.Conds, t)
	return int32(len(s.fn.code.Conds) - 1)
}

// condAtom is the value of a condition used as a value: its value (see
// condValue) and, in a function, the condition's atom.
func (s *fnState) condAtom(n syntax.Node) Value {
	i, v := s.condValue(n)
	if i < 0 {
		return v
	}
	return v.Union(Value{{Root: RootCond, Index: i}})
}

// operand returns the operand n, whose value is v, with its literals.
func operand(n syntax.Node, v Value) Operand {
	o := Operand{Value: v, Span: span(n), Const: singleton(n)}
	switch n.Type() {
	case "string":
		if lit, ok := stringLiteral(n); ok {
			o.Lits, o.Literal = []string{lit}, true
		}
	case "tuple", "list", "set", "parenthesized_expression":
		for _, c := range n.NamedChildren() {
			lit, ok := "", c.Type() == "string"
			if ok {
				lit, ok = stringLiteral(c)
			}
			if !ok {
				return Operand{Value: v, Span: span(n)}
			}
			o.Lits = append(o.Lits, lit)
		}
		o.Literal = len(o.Lits) > 0
	}
	return o
}

// assigned returns the run of the function's Targets that lower adds.
func (s *fnState) assigned(lower func()) Run {
	start := len(s.fn.code.Targets)
	lower()
	return Run{int32(start), int32(len(s.fn.code.Targets) - start)}
}

// assignTop binds the target of an assignment statement (at) to v and
// adds to the function's Targets what it assigns to: an attribute or a
// key of an object, or anything else but a name (a name's binding is in
// the values that read it).
func (s *fnState) assignTop(target syntax.Node, v Value, at syntax.Node) {
	if t := s.target(target, v, at); s.fn.Kind == KindDef && t.Kind != TargetName {
		s.fn.code.Targets = append(s.fn.code.Targets, t)
	}
}

// target binds target to v, assigned by at, and returns what it
// assigns to. Each part of the target is lowered once.
func (s *fnState) target(target syntax.Node, v Value, at syntax.Node) Target {
	t := Target{Kind: TargetOther, Span: span(target)}
	switch target.Type() {
	case "identifier":
		t.Kind, t.Name = TargetName, target.Text()
	case "attribute":
		t.Kind, t.Name = TargetAttr, target.ChildByFieldName("attribute").Text()
		s.through(at, v, func(v Value) {
			obj := s.bindAttr(target, v)
			if dotted(target) != "" {
				// Only a dotted name's object: another's (a call's
				// result) is not made again where the target is judged.
				t.Obj = obj
			}
		})
		return t
	case "subscript":
		t.Kind = TargetIndex
		under := ""
		for _, k := range target.ChildrenByFieldName("subscript") {
			if lit, ok := literalKey(k); ok {
				t.Name = lit
			} else {
				t.Key = t.Key.Union(s.expr(k))
			}
			under = keyName(k)
		}
		obj := target.ChildByFieldName("value")
		t.Obj = s.expr(obj)
		// d[k] = v adds v to what d holds, under k (stored).
		s.through(at, v, func(v Value) { s.bind(obj, t.Obj.Union(stored(v, under, target))) })
		return t
	}
	s.assign(target, v, at)
	return t
}

// extendSetting records NAME += literal at the module's top level as
// another setting of NAME (MIDDLEWARE += [...]).
func (s *fnState) extendSetting(left, right syntax.Node) {
	if s.idx == 0 && left.Type() == "identifier" && settingName.MatchString(left.Text()) {
		switch right.Type() {
		case "list", "tuple":
			s.l.m.Settings = append(s.l.m.Settings, Setting{Name: left.Text(), Value: literal(right)})
		}
	}
}

// classConst records a class body's name = literal.
func (s *fnState) classConst(left, right syntax.Node) {
	if s.fn.Class < 0 || int(s.fn.Class) >= len(s.l.m.Classes) {
		return
	}
	switch right.Type() {
	case "dictionary", "list", "tuple", "set", "string":
		c := &s.l.m.Classes[s.fn.Class]
		c.Consts = append(c.Consts, Setting{Name: left.Text(), Value: literal(right)})
	}
}

// callLiteral reads a call as a Literal: its callee and arguments.
func callLiteral(n syntax.Node) Literal {
	l := Literal{Kind: LitCall, Text: dotted(n.ChildByFieldName("function")), Span: span(n)}
	args := n.ChildByFieldName("arguments")
	if args.IsNull() || args.Type() != "argument_list" {
		return l
	}
	for _, a := range args.NamedChildren() {
		key := ""
		if a.Type() == "keyword_argument" {
			key, a = a.ChildByFieldName("name").Text(), a.ChildByFieldName("value")
		}
		l.Keys = append(l.Keys, key)
		l.Items = append(l.Items, literal(a))
	}
	return l
}

// containerAdders are the methods that add their arguments to the
// container they are called on (a list built in a loop holds what was
// appended).
var containerAdders = map[string]bool{
	"append": true, "extend": true, "add": true, "insert": true, "update": true, "appendleft": true,
	"extendleft": true, "setdefault": true,
}

// itemAdders are the containerAdders whose argument is one item, held at
// a position or a key the code does not name.
var itemAdders = map[string]bool{"append": true, "appendleft": true, "add": true, "insert": true}

// sequence reports whether v is a list, set or deque the function made: a
// display, or a call of list, set, deque; not an object of a class the
// program may define (whose append the model does not read as a list's).
func (s *fnState) sequence(v Value) bool {
	made := false
	for _, a := range v {
		switch {
		case len(a.Ops) > 0 && a.Ops[len(a.Ops)-1].Kind == OpStored:
			// an item the list holds already
		case a.Root == RootSeq, a.Root == RootCall && int(a.Index) < len(s.fn.code.Calls) && sequenceMakers[s.fn.code.Calls[a.Index].Name]:
			made = true
		default:
			return false
		}
	}
	return made
}

// sequenceMakers are the calls that make an empty list, set or deque.
var sequenceMakers = map[string]bool{"list": true, "set": true, "deque": true, "collections.deque": true}

// addTo binds the container obj (a name or a dotted name), whose value is
// v, to what it holds and what a call of method adds to it: an item
// appended to a list the function made is held under AnyKey (written with
// the list whole, it is in its repr), what extend or update adds, or what
// another object's append takes, is as it is.
func (s *fnState) addTo(obj syntax.Node, method string, v Value, args []Arg, call syntax.Node) {
	if obj.IsNull() || obj.Type() != "identifier" && dotted(obj) == "" {
		return
	}
	held := itemAdders[method] && s.sequence(v)
	for _, a := range args {
		if held && a.Keyword == "" {
			v = v.Union(stored(a.Value, AnyKey, call))
		} else {
			v = v.Union(a.Value)
		}
	}
	if len(v) == 0 {
		return
	}
	// What the container holds, not an assignment: no attribute is set
	// (Sets) and no global assigned.
	switch obj.Type() {
	case "identifier":
		s.env[obj.Text()] = v
	case "attribute":
		s.env[dotted(obj)] = v
		if o := obj.ChildByFieldName("object"); o.Type() == "identifier" {
			s.recordStore(o.Text(), obj.ChildByFieldName("attribute").Text(), v, obj)
		}
	}
}
