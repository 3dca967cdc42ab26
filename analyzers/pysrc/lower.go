package pysrc

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Statements are lowered in order, with one environment of what each
// name holds; the branches of if, try, match and loops each start from a
// copy of it and are joined after, so that a name assigned in one branch
// holds either value.

// block lowers the statements of n in order.
func (s *fnState) block(n syntax.Node) {
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() {
			s.stmt(c)
		}
	}
}

// stmt lowers one statement, and adds it to the flow being lowered.
func (s *fnState) stmt(n syntax.Node) {
	st := Stmt{Kind: StmtExpr, From: s.ncalls(), Span: span(n)}
	switch n.Type() {
	case "expression_statement":
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.IsNamed() {
				s.exprStmt(c, n, &st)
			}
		}
	case "return_statement":
		st.Kind, st.Const = StmtReturn, SingletonNone
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.IsNamed() {
				st.Value = st.Value.Union(s.expr(c))
				st.Const = singleton(c)
			}
		}
		s.fn.code.Returns = s.fn.code.Returns.Union(st.Value)
	case "if_statement":
		s.ifStmt(n, &st)
		return
	case "for_statement":
		s.forLoop(n, &st)
		return
	case "while_statement":
		st.Kind = StmtWhile
		st.Cond = s.cond(n.ChildByFieldName("condition"))
		st.To = s.ncalls()
		s.loop(n, &st, nil, false)
		return
	case "try_statement":
		st.Kind = StmtTry
		s.try(n, &st)
		return
	case "with_statement":
		st.Kind = StmtWith
		s.with(n, &st)
		return
	case "match_statement":
		st.Kind = StmtMatch
		s.match(n, &st)
		return
	case "function_definition", "class_definition":
		st.Kind = StmtDef
		s.definition(n, nil)
	case "decorated_definition":
		st.Kind = StmtDef
		var decs []syntax.Node
		for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.Type() == "decorator" {
				decs = append(decs, c)
			}
		}
		s.definition(n.ChildByFieldName("definition"), decs)
	case "import_statement", "import_from_statement":
		s.l.importStatement(n, s.idx, s.env)
		return
	case "block":
		s.block(n)
		return
	case "break_statement":
		st.Kind = StmtBreak
	case "continue_statement":
		st.Kind = StmtContinue
	case "global_statement":
		s.declareGlobals(n)
		return
	case "future_import_statement", "nonlocal_statement", "pass_statement", "comment":
		return
	case "assert_statement":
		st.Kind = StmtAssert
		st.Cond = s.assertion(n)
	default:
		// raise, del, print and exec of Python 2, ERROR nodes.
		if n.Type() == "raise_statement" {
			st.Kind = StmtRaise
		}
		s.mixed(n, &st)
		return
	}
	st.To = s.ncalls()
	s.emit(st)
}

// isStatement reports whether a node type is a statement's, a
// definition's or a block's.
func isStatement(t string) bool {
	return strings.HasSuffix(t, "_statement") || strings.HasSuffix(t, "_definition") || t == "block"
}

// exprStmt lowers the expression of an expression statement at stmt,
// recording what it assigns in st.
func (s *fnState) exprStmt(e, stmt syntax.Node, st *Stmt) {
	switch e.Type() {
	case "assignment":
		st.Kind = StmtAssign
		st.Targets = s.assigned(func() { st.Value = s.assignment(e, stmt) })
		if s.fn.Kind == KindClass {
			s.classField(e)
		}
	case "augmented_assignment":
		left, right := e.ChildByFieldName("left"), e.ChildByFieldName("right")
		v := s.expr(left).Union(s.expr(right))
		st.Kind, st.Value = StmtAssign, v
		st.Targets = s.assigned(func() { s.assignTop(left, v, stmt) })
		s.extendSetting(left, right)
	case "call":
		v := s.expr(e)
		if len(v) == 1 && v[0].Root == RootCall {
			s.fn.code.Calls[v[0].Index].Dropped = true
		}
		s.validated(e)
	default:
		s.expr(e)
	}
}

// validated narrows the name a validating call made as a statement checks
// (`uuid.UUID(tid)`, `validate_ipv46_address(ip)`): past it the call did
// not raise, so the name holds a value of the validated form, typed as
// a number is (no CR or LF, no secret). In a try body, a handler that
// falls through without binding the name again joins the name as it was.
func (s *fnState) validated(call syntax.Node) {
	fn := call.ChildByFieldName("function")
	args := call.ChildByFieldName("arguments")
	if fn.IsNull() || args.IsNull() || args.Type() != "argument_list" || !validators[lastName(fn.Text())] ||
		fn.Type() == "attribute" && lastName(fn.Text()) == "int" {
		return
	}
	first := args.NamedChild(0)
	if first.IsNull() || first.Type() != "identifier" {
		return
	}
	if v, bound := s.env[first.Text()]; bound {
		s.env[first.Text()] = v.With(Op{Kind: OpNumber, Name: TypedValue, Span: span(call)})
	}
}

// validators are the functions and classes whose call raises unless
// their first argument is of a form that holds no CR, LF or secret: a
// UUID, a number, an IPv4 address, a slug (Django's validators). An IPv6
// address is none: its scope id ("::1%eth0") may hold CR and LF, and
// ipaddress.ip_address and Django's IPv6 validators accept it.
var validators = map[string]bool{
	"UUID": true, "int": true, "float": true, "Decimal": true,
	"IPv4Address": true, "validate_ipv4_address": true,
	"validate_slug": true, "validate_unicode_slug": true, "validate_integer": true,
}

// classField records a name a class body annotates (`body: bytes`,
// `size: int = 0`) as a field of the class, in order: not a class
// variable (ClassVar), an init-only variable (InitVar), nor a field the
// constructor leaves out (`field(init=False)`).
func (s *fnState) classField(e syntax.Node) {
	left, typ := e.ChildByFieldName("left"), e.ChildByFieldName("type")
	if left.IsNull() || typ.IsNull() || left.Type() != "identifier" || s.fn.Class < 0 || int(s.fn.Class) >= len(s.l.m.Classes) {
		return
	}
	if t := typ.Text(); strings.Contains(t, "ClassVar") || strings.Contains(t, "InitVar") {
		return
	}
	if right := e.ChildByFieldName("right"); !right.IsNull() && strings.Contains(right.Text(), "init=False") {
		return
	}
	c := &s.l.m.Classes[s.fn.Class]
	if !slices.Contains(c.Fields, left.Text()) {
		c.Fields = append(c.Fields, left.Text())
	}
}

// assignment lowers a = b (and a = b = c), returning the value assigned.
func (s *fnState) assignment(e, stmt syntax.Node) Value {
	right := e.ChildByFieldName("right")
	var v Value
	if !right.IsNull() && right.Type() == "assignment" {
		v = s.assignment(right, stmt)
	} else {
		v = s.expr(right)
		s.setting(e.ChildByFieldName("left"), right)
		s.tableCopy(e.ChildByFieldName("left"), right, v)
	}
	if left := e.ChildByFieldName("left"); !left.IsNull() {
		s.assignTop(left, v, stmt)
	}
	return v
}

// tableCopy records a name assigned a copy of a constant table:
// sorted(REGISTRY), list(ALLOWED), set(CHOICES.keys()).
func (s *fnState) tableCopy(left, right syntax.Node, v Value) {
	if left.IsNull() || left.Type() != "identifier" || right.IsNull() || right.Type() != "call" || len(v) != 1 || v[0].Root != RootCall || len(v[0].Ops) != 0 {
		return
	}
	switch right.ChildByFieldName("function").Text() {
	case "sorted", "list", "set", "tuple", "frozenset":
	default:
		return
	}
	args := right.ChildByFieldName("arguments")
	if args.IsNull() || args.NamedChildCount() != 1 {
		return
	}
	table := args.NamedChild(0)
	if table.Type() == "call" && table.ChildByFieldName("arguments").NamedChildCount() == 0 {
		// CHOICES.keys(), CHOICES.values()
		if fn := table.ChildByFieldName("function"); fn.Type() == "attribute" {
			switch fn.ChildByFieldName("attribute").Text() {
			case "keys", "values":
				table = fn.ChildByFieldName("object")
			}
		}
	}
	if !literalDisplay(table) && !s.plainConstant(table) {
		return
	}
	if s.tables == nil {
		s.tables = map[string]int32{}
	}
	s.tables[left.Text()] = v[0].Index
}

// isTable reports whether n is a name that holds a copy of a constant
// table (tableCopy) and nothing else.
func (s *fnState) isTable(n syntax.Node) bool {
	if n.Type() != "identifier" {
		return false
	}
	k, ok := s.tables[n.Text()]
	v := s.env[n.Text()]
	if !ok || len(v) != 1 || v[0].Root != RootCall || v[0].Index != k {
		return false
	}
	for _, o := range v[0].Ops {
		if o.Kind != OpStep { // the assignment's own step
			return false
		}
	}
	return true
}

var settingName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// setting records a module-level NAME = literal (or a call with literal
// arguments, or of a function of the module that returns one: see
// returnedLiteral), and a class body's name = literal.
func (s *fnState) setting(left, right syntax.Node) {
	if left.Type() != "identifier" || right.IsNull() {
		return
	}
	if s.fn.Kind == KindClass {
		s.classConst(left, right)
	}
	if s.idx != 0 || !settingName.MatchString(left.Text()) {
		return
	}
	switch right.Type() {
	case "dictionary", "list", "tuple", "set", "string":
		s.l.m.Settings = append(s.l.m.Settings, Setting{Name: left.Text(), Value: literal(right)})
	case "call":
		value := callLiteral(right)
		if r, ok := returnedLiteral(right); ok {
			value = r
		}
		s.l.m.Settings = append(s.l.m.Settings, Setting{Name: left.Text(), Value: value})
	}
}

// returnedLiteral returns, for a call without arguments of a function the
// module defines (NAME = _parse_settings()), what that function returns
// when its body ends in its only return, of a literal, a call of literals
// (os.getenv("X", "default")), or a name its body assigns one of them
// once: what the setting holds when the environment sets nothing.
func returnedLiteral(call syntax.Node) (Literal, bool) {
	fn, args := call.ChildByFieldName("function"), call.ChildByFieldName("arguments")
	if fn.IsNull() || fn.Type() != "identifier" || args.IsNull() || args.NamedChildCount() != 0 {
		return Literal{}, false
	}
	def := moduleFunction(call, fn.Text())
	if def.IsNull() {
		return Literal{}, false
	}
	body := def.ChildByFieldName("body")
	last := body.NamedChild(int(body.NamedChildCount()) - 1)
	if last.IsNull() || last.Type() != "return_statement" || holdsReturn(body, last) {
		return Literal{}, false
	}
	value := last.NamedChild(0)
	if !value.IsNull() && value.Type() == "identifier" {
		value = onlyAssignment(body, value.Text())
	}
	switch {
	case value.IsNull():
		return Literal{}, false
	case value.Type() == "string":
		return literal(value), true
	case value.Type() == "call":
		return callLiteral(value), true
	}
	return Literal{}, false
}

// moduleFunction returns the definition of function name at the top level
// of the module n is in, no node for none.
func moduleFunction(n syntax.Node, name string) syntax.Node {
	root := n
	for !root.Parent().IsNull() {
		root = root.Parent()
	}
	var found syntax.Node
	for c := root.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		def := c
		if def.Type() == "decorated_definition" {
			def = def.ChildByFieldName("definition")
		}
		if !def.IsNull() && def.Type() == "function_definition" && def.ChildByFieldName("name").Text() == name {
			found = def // the last definition wins
		}
	}
	return found
}

// holdsReturn reports whether a return statement other than last is in
// n, outside nested functions, classes and lambdas.
func holdsReturn(n, last syntax.Node) bool {
	return inScope(n, func(c syntax.Node) bool {
		return c.Type() == "return_statement" && c.StartByte() != last.StartByte()
	})
}

// onlyAssignment returns the value of the one statement of body (at its
// top level) that assigns name, no node when none or several assign it, or
// when a nested statement may.
func onlyAssignment(body syntax.Node, name string) syntax.Node {
	var value syntax.Node
	n := 0
	for st := body.FirstChild(); !st.IsNull(); st = st.NextSibling() {
		if e := st.NamedChild(0); st.Type() == "expression_statement" && !e.IsNull() && e.Type() == "assignment" {
			right := e.ChildByFieldName("right")
			if left := e.ChildByFieldName("left"); !left.IsNull() && left.Type() == "identifier" && left.Text() == name && !right.IsNull() && !assigns(right, name) {
				value, n = right, n+1
				continue
			}
		}
		if assigns(st, name) || st.Type() == "delete_statement" && namesIdentifier(st, name) {
			return syntax.Node{}
		}
	}
	if n != 1 {
		return syntax.Node{}
	}
	return value
}

// assigns reports whether name is bound in n (by an assignment, a for
// loop, a with item or except clause alias, :=, an import), outside nested
// functions, classes and lambdas: any of them that names it, anywhere in
// its target.
func assigns(n syntax.Node, name string) bool {
	return inScope(n, func(c syntax.Node) bool {
		var target syntax.Node
		switch c.Type() {
		case "assignment", "augmented_assignment", "for_statement":
			target = c.ChildByFieldName("left")
		case "named_expression":
			target = c.ChildByFieldName("name")
		case "as_pattern_target", "import_statement", "import_from_statement":
			target = c
		}
		return !target.IsNull() && namesIdentifier(target, name)
	})
}

// namesIdentifier reports whether target n binds identifier name: is it,
// or holds it in a tuple or list of targets (not x[name], obj.name).
func namesIdentifier(n syntax.Node, name string) bool {
	found := false
	n.Walk(func(c syntax.Node) bool {
		switch {
		case found, c.Type() == "subscript", c.Type() == "attribute":
			return false
		case c.Type() == "identifier":
			found = c.Text() == name
		}
		return !found
	})
	return found
}

// assign binds target to v, assigned by statement at.
func (s *fnState) assign(target syntax.Node, v Value, at syntax.Node) {
	if target.IsNull() {
		return
	}
	s.through(at, v, func(v Value) { s.bind(target, v) })
}

// through calls bind with v as the assignment statement at assigns it (a
// step at at), while at is the statement being lowered.
func (s *fnState) through(at syntax.Node, v Value, bind func(Value)) {
	if len(v) > 0 {
		v = v.With(Op{Kind: OpStep, Span: span(at)})
	}
	outer := s.at
	s.at = at
	bind(v)
	s.at = outer
}

func (s *fnState) bind(target syntax.Node, v Value) {
	switch target.Type() {
	case "identifier":
		s.env[target.Text()] = v
		if s.globals[target.Text()] {
			s.fn.Globals = append(s.fn.Globals, Store{Attr: target.Text(), Value: v, Span: span(target)})
		}
	case "attribute":
		s.bindAttr(target, v)
	case "subscript":
		// d[k] = v adds v to what d holds, under k when k is a string.
		obj := target.ChildByFieldName("value")
		key := target.ChildByFieldName("subscript")
		s.expr(key)
		s.bind(obj, s.expr(obj).Union(stored(v, keyName(key), target)))
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "list":
		s.unpack(target, v)
	case "parenthesized_expression", "list_splat_pattern", "list_splat", "as_pattern_target":
		for c := target.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.IsNamed() {
				s.bind(c, v)
			}
		}
	}
}

// bindAttr binds attribute target (obj.attr) to v and returns the value
// of obj, which it lowers.
func (s *fnState) bindAttr(target syntax.Node, v Value) Value {
	obj := target.ChildByFieldName("object")
	attr := target.ChildByFieldName("attribute").Text()
	ov := s.expr(obj)
	s.setAttr(ov, attr, v, target)
	key := dotted(target)
	if key == "" {
		return ov
	}
	s.env[key] = v
	if obj.Type() == "identifier" {
		s.recordStore(obj.Text(), attr, v, target)
	}
	return ov
}

// recordStore records the assignment of v to attribute attr of name, when
// name is self (Stores) or a request (RequestStores).
func (s *fnState) recordStore(name, attr string, v Value, target syntax.Node) {
	switch {
	case s.isSelf(name):
		s.fn.Stores = append(s.fn.Stores, Store{Attr: attr, Value: v, Span: span(target)})
	case s.isRequest(name) && !djangoRequestAttrs[attr] && !requestVocabAttr(attr):
		s.fn.RequestStores = append(s.fn.RequestStores, Store{Attr: attr, Value: v, Span: span(target)})
		s.requestObjs = append(s.requestObjs, name)
	}
}

// finalRequestStores returns one store per attribute of a request the
// function assigns: what the attribute holds as the function ends (the
// environment joins branches), at its last assignment, so that a value
// the function replaced (request.agent = repr(request.agent)) is not
// kept beside the new one.
func (s *fnState) finalRequestStores() []Store {
	var out []Store
	for i, st := range s.fn.RequestStores {
		if v, ok := s.env[s.requestObjs[i]+"."+st.Attr]; ok {
			st.Value = v
		}
		if k := slices.IndexFunc(out, func(o Store) bool { return o.Attr == st.Attr }); k >= 0 {
			out[k] = st
			continue
		}
		out = append(out, st)
	}
	return out
}

// djangoRequestAttrs are attributes Django itself sets on a request that
// the vocabulary does not read as data (requestVocabAttr): a function
// that assigns one (request.method = override under an allow-list) does
// not make what Django reads there the request's data.
var djangoRequestAttrs = map[string]bool{
	"method": true, "path": true, "path_info": true, "user": true,
	"urlconf": true, "resolver_match": true, "encoding": true, "upload_handlers": true,
	"content_type": true, "content_params": true, "LANGUAGE_CODE": true, "csrf_processing_done": true,
}

// requestVocabAttr reports whether the vocabulary reads attribute attr of
// a request (body, META, session…): a read of it never reaches the
// stores of a function, so none is recorded.
func requestVocabAttr(attr string) bool {
	if k := objectKind(ObjRequest); k != nil {
		_, ok := k.Attrs[attr]
		return ok
	}
	return false
}

// isRequest reports whether name is a parameter of the function that
// Build's entry may make a request: one named as requests are, or the one
// after self of a method Django passes the request to.
func (s *fnState) isRequest(name string) bool {
	if s.fn.Kind != KindDef {
		return false
	}
	for i, p := range s.fn.Params {
		if p.Name == name {
			return requestParamNames[name] || i == 1 && s.fn.Class >= 0 && requestMethods[lastName(s.fn.Name)]
		}
	}
	return false
}

// isSelf reports whether name is the first parameter of a method.
func (s *fnState) isSelf(name string) bool {
	return s.fn.Kind == KindDef && s.fn.Class >= 0 && len(s.fn.Params) > 0 && s.fn.Params[0].Name == name &&
		!slices.ContainsFunc(s.fn.Decorators, func(d string) bool { return lastName(d) == "staticmethod" })
}

// try lowers a try statement into st: handlers start from what the body
// may have bound, and the finally clause runs after any of them.
func (s *fnState) try(n syntax.Node, st *Stmt) {
	before := maps.Clone(s.env)
	st.To = s.ncalls()
	s.tries++ // a handler or finally sees what a returning branch bound
	s.into(&st.Body, func() { s.block(n.ChildByFieldName("body")) })
	s.tries--
	var handlers []syntax.Node
	var finally syntax.Node
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "except_clause", "except_group_clause":
			handlers = append(handlers, c)
		case "else_clause":
			s.into(&st.Else, func() { s.block(c.ChildByFieldName("body")) })
		case "finally_clause":
			finally = c
		}
	}
	if len(handlers) > 0 {
		after := s.env
		s.env = join(before, after)
		envs := []map[string]Value{after}
		start := s.env
		blocks := make([]Run, len(handlers))
		for i, h := range handlers {
			s.env = maps.Clone(start)
			s.into(&blocks[i], func() { s.handler(h) })
			switch leaves := s.handlerLeaves(h); {
			case !finally.IsNull() || leaves == "":
				// (a finally clause sees what every handler bound)
				envs = append(envs, s.env)
			case leaves == "loop" && len(s.loopExits) > 0:
				top := len(s.loopExits) - 1
				s.loopExits[top] = append(s.loopExits[top], s.env)
			case leaves == "loop":
				envs = append(envs, s.env)
			}
		}
		st.Handlers = s.clauses(blocks)
		s.env = join(envs...)
	}
	if !finally.IsNull() {
		for c := finally.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.Type() == "block" {
				s.into(&st.Finally, func() { s.block(c) })
			}
		}
	}
	s.emit(*st)
}

// handlerLeaves says how an except clause's block ends by leaving, so
// that the code after the try statement does not run after it and sees
// nothing it bound: "function" for a return or a raise, "loop" for a
// break or a continue (the code after the loop sees what it bound), ""
// when it falls through. In a try body it does not count: the outer
// handlers and finally see what it bound.
func (s *fnState) handlerLeaves(h syntax.Node) string {
	if s.tries > 0 {
		return ""
	}
	for c := h.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.Type() != "block" {
			continue
		}
		switch lastStatement(c) {
		case "return_statement", "raise_statement":
			if !leavesEarly(c) {
				return "function"
			}
		case "break_statement", "continue_statement":
			return "loop"
		}
	}
	return ""
}

// handler lowers an except clause: what it catches, its name, its block.
func (s *fnState) handler(h syntax.Node) {
	from := s.ncalls()
	for c := h.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch {
		case c.Type() == "block":
			if to := s.ncalls(); to > from {
				s.emit(Stmt{Kind: StmtExpr, From: from, To: to, Span: span(h)})
			}
			s.block(c)
		case c.Type() == "as_pattern":
			var caught Value
			if t := c.NamedChild(0); !t.IsNull() && t != c.ChildByFieldName("alias") {
				caught = s.expr(t).With(Op{Kind: OpCaught, Span: span(t)})
			}
			s.bind(c.ChildByFieldName("alias"), caught)
		case c.IsNamed():
			s.expr(c)
		}
	}
}

// with lowers a with statement into st: each `as` target holds its
// context's value.
func (s *fnState) with(n syntax.Node, st *Stmt) {
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.Type() != "with_clause" {
			continue
		}
		for _, item := range c.NamedChildren() {
			v := item.ChildByFieldName("value")
			if !v.IsNull() && v.Type() == "as_pattern" {
				s.assign(v.ChildByFieldName("alias"), s.expr(v.NamedChild(0)), n)
			} else {
				s.expr(v)
			}
		}
	}
	st.To = s.ncalls()
	s.into(&st.Body, func() { s.block(n.ChildByFieldName("body")) })
	s.emit(*st)
}

// match lowers a match statement into st: its subject, then each case's
// body from the environment before.
func (s *fnState) match(n syntax.Node, st *Stmt) {
	subject := n.ChildByFieldName("subject")
	sv := s.expr(subject)
	st.To = s.ncalls()
	var cases, bodies []syntax.Node
	for _, c := range n.ChildByFieldName("body").NamedChildren() {
		if c.Type() == "case_clause" {
			cases, bodies = append(cases, c), append(bodies, c.ChildByFieldName("consequence"))
		}
	}
	if literalCases(cases) {
		s.matchChain(st, operand(subject, sv), cases)
		return
	}
	blocks := make([]Run, len(bodies))
	dsts := make([]*Run, len(bodies))
	for i := range bodies {
		dsts[i] = &blocks[i]
	}
	s.fork(bodies, dsts, true)
	st.Handlers = s.clauses(blocks)
	s.emit(*st)
}

// fork lowers each body into its flow from a copy of the environment and
// joins them; with skip, also the environment before (no body may run).
func (s *fnState) fork(bodies []syntax.Node, dsts []*Run, skip bool) {
	before := s.env
	var envs []map[string]Value
	if skip {
		envs = append(envs, before)
	}
	for i, b := range bodies {
		if b.IsNull() {
			continue
		}
		s.env = maps.Clone(before)
		s.into(dsts[i], func() { s.block(b) })
		envs = append(envs, s.env)
	}
	s.env = join(envs...)
}

// join returns the union of environments: each name holds what it holds
// in any of them.
func join(envs ...map[string]Value) map[string]Value {
	if len(envs) == 0 {
		return map[string]Value{}
	}
	out := maps.Clone(envs[0])
	for _, e := range envs[1:] {
		for k, v := range e {
			out[k] = out[k].Union(v)
		}
	}
	return out
}

func sortBindings(bs []Binding) {
	sort.Slice(bs, func(i, j int) bool { return bs[i].Name < bs[j].Name })
}

// stored returns v as a container holds it under key, at n (OpStored):
// a string literal's, AnyKey for a key that is not a literal; "" (an
// integer's, a position in a list) stores it as it is.
func stored(v Value, key string, n syntax.Node) Value {
	if len(v) == 0 || key == "" {
		return v
	}
	return v.With(Op{Kind: OpStored, Name: key, Span: span(n)})
}

// literalKey returns the string a subscript's or a dictionary entry's key
// node is, ok false when it is no string literal.
func literalKey(key syntax.Node) (k string, ok bool) {
	if key.IsNull() || key.Type() != "string" {
		return "", false
	}
	return stringLiteral(key)
}

// keyName is the key a container holds a value under (stored): a
// string literal's, AnyKey for a key that is no literal, "" for an
// integer or an empty string.
func keyName(key syntax.Node) string {
	if k, ok := literalKey(key); ok {
		return k
	}
	if key.IsNull() || key.Type() == "integer" || key.Type() == "unary_operator" {
		return ""
	}
	return AnyKey
}
