package csrc

import (
	"cmp"
	"slices"
	"sort"
	"sync"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// decls are what one file declares, read from its snapshot in its
// configuration: macros, records, typedefs, enumerators, file-scope
// variables, function definitions with the names they call, and the
// names the file assigns.
type decls struct {
	macros      map[string]*macro
	records     map[string]syntax.Node // "struct NAME" / "union NAME" → specifier with a body
	typedefs    map[string]typedefInfo
	enumerators map[string]syntax.Node // enumerator name → its enumerator_list
	globals     map[string]*global
	// defs are the function definitions in document order, funcs the
	// first of each name, calls the names each one calls.
	defs  []syntax.Node
	funcs map[string]syntax.Node
	calls map[syntax.Node][]string
	// assigned holds the identifiers the file assigns, increments or
	// takes the address of.
	assigned map[string]bool
	// protoDecls are the file-scope declarations and the definitions, in
	// document order, for prototypes.
	protoDecls []syntax.Node
	// recordTypedefs are the typedef names of structs and unions.
	recordTypedefs map[string]bool
	// includes are the #include directives.
	includes []syntax.Node
}

// A macro is an object-like or function-like macro.
type macro struct {
	fn     bool
	params []string
	body   string
	// alias is what aliasTarget found, once asked: the callers of a
	// macro ask at each of its calls.
	alias struct {
		once   sync.Once
		target string
		ok     bool
	}
}

type typedefInfo struct{ typ, decl syntax.Node }

// A global is a file-scope variable declaration.
type global struct {
	decl, declarator, init syntax.Node
	static, constant       bool
}

// readDecls reads a part's declarations from its snapshot, skipping the
// branches outside its configuration.
func readDecls(p *Part) *decls {
	d := &decls{
		macros: map[string]*macro{}, records: map[string]syntax.Node{}, typedefs: map[string]typedefInfo{},
		enumerators: map[string]syntax.Node{}, globals: map[string]*global{}, funcs: map[string]syntax.Node{},
		calls: map[syntax.Node][]string{}, assigned: map[string]bool{}, recordTypedefs: map[string]bool{},
	}
	d.read(p, p.tree().Root(), nil)
	if p.Configured != nil {
		d.keepOriginal(p)
		// The branches the configured parse blanked because the
		// configuration does not decide them, read from the original
		// parse, as a file without errors has them read.
		if len(p.Undecided) > 0 {
			d.read(p, p.Snapshot.Tree.Root(), p.Undecided)
		}
		byStart := func(a, b syntax.Node) int { return cmp.Compare(a.StartByte(), b.StartByte()) }
		slices.SortStableFunc(d.defs, byStart)
		slices.SortStableFunc(d.protoDecls, byStart)
	}
	return d
}

// read reads the declarations of the tree under root, skipping the
// branches outside the part's configuration; with only, the nodes that
// start in one of its spans alone, and no function with a syntax error.
func (d *decls) read(p *Part, root syntax.Node, only []Span) {
	var fn syntax.Node
	var fnCalls map[string]bool
	root.Walk(func(n syntax.Node) bool {
		if n != root && p.inactive(n.StartByte()) {
			return false
		}
		if only != nil && n != root && !inSpans(only, n.StartByte()) {
			return overlaps(only, n.StartByte(), n.EndByte())
		}
		if only != nil && n.Type() == "function_definition" && n.HasError() {
			return false
		}
		if !fn.IsNull() && n.StartByte() >= fn.EndByte() {
			fn = syntax.Node{}
		}
		switch n.Type() {
		case "function_definition":
			d.defs = append(d.defs, n)
			if name := declName(funcDeclarator(n)); name != "" && d.funcs[name].IsNull() {
				d.funcs[name] = n
			}
			d.protoDecls = append(d.protoDecls, n)
			fn, fnCalls = n, map[string]bool{}
		case "call_expression":
			if f := n.ChildByFieldName("function"); !fn.IsNull() && f.Type() == "identifier" && !fnCalls[f.Text()] {
				fnCalls[f.Text()] = true
				d.calls[fn] = append(d.calls[fn], f.Text())
			}
		case "preproc_include":
			d.includes = append(d.includes, n)
			return false
		case "preproc_def":
			d.macro(n, false)
		case "preproc_function_def":
			d.macro(n, true)
		case "struct_specifier", "union_specifier":
			if name, body := n.ChildByFieldName("name"), n.ChildByFieldName("body"); !name.IsNull() && !body.IsNull() {
				key := recordKey(n.Type(), name.Text())
				if d.records[key].IsNull() {
					d.records[key] = n
				}
			}
		case "type_definition":
			d.typedef(n)
		case "enumerator_list":
			for _, e := range n.NamedChildren() {
				if name := e.ChildByFieldName("name"); e.Type() == "enumerator" && !name.IsNull() && d.enumerators[name.Text()].IsNull() {
					d.enumerators[name.Text()] = n
				}
			}
		case "declaration":
			if !insideBody(n) {
				d.protoDecls = append(d.protoDecls, n)
				if fileScope(n) {
					d.global(n)
				}
			}
		case "assignment_expression":
			d.assign(n.ChildByFieldName("left"))
		case "update_expression":
			d.assign(n.ChildByFieldName("argument"))
		case "pointer_expression":
			if op := n.ChildByFieldName("operator"); op.Text() == "&" {
				d.assign(n.ChildByFieldName("argument"))
			}
		}
		return true
	})
}

// overlaps reports whether [start, end) meets one of the sorted spans s.
func overlaps(s []Span, start, end uint32) bool {
	i := sort.Search(len(s), func(i int) bool { return s[i].End > start })
	return i < len(s) && s[i].Start < end
}

// keepOriginal reads the functions that the original parse read without
// errors from it: only those it broke are read in one configuration.
func (d *decls) keepOriginal(p *Part) {
	orig := map[uint32]syntax.Node{}
	p.Snapshot.Tree.Root().Walk(func(n syntax.Node) bool {
		if n.Type() == "function_definition" {
			if !n.HasError() {
				orig[n.StartByte()] = n
			}
			return false
		}
		return true
	})
	swap := map[syntax.Node]syntax.Node{}
	for i, fn := range d.defs {
		if o := orig[fn.StartByte()]; !o.IsNull() && o.EndByte() == fn.EndByte() && funcName(o) == funcName(fn) {
			swap[fn], d.defs[i] = o, o
			d.calls[o] = d.calls[fn]
			delete(d.calls, fn)
		}
	}
	for name, fn := range d.funcs {
		if o := swap[fn]; !o.IsNull() {
			d.funcs[name] = o
		}
	}
	for i, n := range d.protoDecls {
		if o := swap[n]; !o.IsNull() {
			d.protoDecls[i] = o
		}
	}
}

func (d *decls) macro(n syntax.Node, fn bool) {
	name := n.ChildByFieldName("name")
	if name.IsNull() || d.macros[name.Text()] != nil {
		return
	}
	m := &macro{fn: fn, body: n.ChildByFieldName("value").Text()}
	if fn {
		for _, p := range n.ChildByFieldName("parameters").NamedChildren() {
			m.params = append(m.params, p.Text())
		}
	}
	d.macros[name.Text()] = m
}

func (d *decls) typedef(n syntax.Node) {
	typ := n.ChildByFieldName("type")
	for _, dc := range n.ChildrenByFieldName("declarator") {
		name := declName(dc)
		if name == "" {
			continue
		}
		if _, seen := d.typedefs[name]; !seen {
			d.typedefs[name] = typedefInfo{typ: typ, decl: dc}
		}
		if t := typ.Type(); (t == "struct_specifier" || t == "union_specifier") && dc.Type() == "type_identifier" {
			d.recordTypedefs[name] = true
		}
	}
}

// global records the variables of a file-scope declaration.
func (d *decls) global(n syntax.Node) {
	static, constQ := false, false
	for _, c := range n.NamedChildren() {
		switch c.Type() {
		case "storage_class_specifier":
			static = static || c.Text() == "static"
		case "type_qualifier":
			constQ = constQ || c.Text() == "const"
		}
	}
	for _, dc := range n.ChildrenByFieldName("declarator") {
		g := &global{decl: n, declarator: dc, static: static, constant: constQ}
		if dc.Type() == "init_declarator" {
			g.init, g.declarator = dc.ChildByFieldName("value"), dc.ChildByFieldName("declarator")
		}
		name := declName(g.declarator)
		if name == "" || declaresFunction(g.declarator) {
			continue
		}
		if old := d.globals[name]; old == nil || old.init.IsNull() && !g.init.IsNull() {
			d.globals[name] = g
		}
	}
}

// assign records the variable an assignment's target is rooted in.
func (d *decls) assign(target syntax.Node) {
	if t := stripParens(target); !t.IsNull() && t.Type() == "identifier" {
		d.assigned[t.Text()] = true
	}
}

// declaresFunction reports whether a declarator declares a function.
func declaresFunction(d syntax.Node) bool {
	for i := 0; !d.IsNull() && i < maxDepth; i++ {
		switch d.Type() {
		case "function_declarator":
			return true
		case "identifier":
			return false
		case "parenthesized_declarator", "attributed_declarator":
			d = d.NamedChild(0)
		default:
			d = d.ChildByFieldName("declarator")
		}
	}
	return false
}

// insideBody reports whether n lies in a compound statement (a function
// body).
func insideBody(n syntax.Node) bool {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		if p.Type() == "compound_statement" {
			return true
		}
	}
	return false
}

// fileScope reports whether a declaration is at file scope: its parents
// are the translation unit and preprocessor blocks only.
func fileScope(n syntax.Node) bool {
	for p := n.Parent(); !p.IsNull(); p = p.Parent() {
		switch p.Type() {
		case "translation_unit":
			return true
		case "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef":
		default:
			return false
		}
	}
	return false
}

func recordKey(nodeType, name string) string {
	if nodeType == "union_specifier" {
		return "union " + name
	}
	return "struct " + name
}

// isStatic reports whether a function definition or declaration has
// internal linkage.
func isStatic(fn syntax.Node) bool {
	for _, c := range fn.NamedChildren() {
		if c.Type() == "storage_class_specifier" && c.Text() == "static" {
			return true
		}
	}
	return false
}

// funcName returns the name of a function definition, or "".
func funcName(fn syntax.Node) string { return declName(funcDeclarator(fn)) }

// funcDeclarator returns the function_declarator of a definition.
func funcDeclarator(fn syntax.Node) syntax.Node {
	d := fn.ChildByFieldName("declarator")
	for !d.IsNull() && d.Type() != "function_declarator" {
		switch d.Type() {
		case "pointer_declarator", "parenthesized_declarator", "attributed_declarator":
			next := d.ChildByFieldName("declarator")
			if next.IsNull() && d.NamedChildCount() > 0 {
				next = d.NamedChild(int(d.NamedChildCount()) - 1)
			}
			d = next
		default:
			return syntax.Node{}
		}
	}
	return d
}

// declName returns the identifier a declarator declares, or "".
func declName(d syntax.Node) string {
	for i := 0; !d.IsNull() && i < maxDepth; i++ {
		switch d.Type() {
		case "identifier", "type_identifier", "field_identifier":
			return d.Text()
		case "parenthesized_declarator", "attributed_declarator":
			if d.NamedChildCount() == 0 {
				return ""
			}
			d = d.NamedChild(0)
		default:
			d = d.ChildByFieldName("declarator")
		}
	}
	return ""
}

// namedChildren returns the named children of n that are not comments.
func namedChildren(n syntax.Node) []syntax.Node {
	if n.IsNull() {
		return nil
	}
	out := make([]syntax.Node, 0, n.NamedChildCount())
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.IsNamed() && c.Type() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// params returns the named parameters of a function definition.
func params(fn syntax.Node) []syntax.Node {
	d := funcDeclarator(fn)
	if d.IsNull() {
		return nil
	}
	var out []syntax.Node
	for _, p := range namedChildren(d.ChildByFieldName("parameters")) {
		if p.Type() == "parameter_declaration" && !p.ChildByFieldName("declarator").IsNull() {
			out = append(out, p)
		}
	}
	return out
}
