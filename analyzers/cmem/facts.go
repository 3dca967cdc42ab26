package cmem

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// facts are what one file says outside its function bodies: macros,
// enumerators, records, typedefs, globals and function definitions. They
// are read from the query matches and evaluated lazily.
type facts struct {
	file     *source.File
	defines  map[string]string
	enums    []*source.Node
	enumVals map[string]int64
	records  map[string]*source.Node // "struct NAME" / "union NAME" → specifier with a body
	typedefs map[string]typedefInfo
	globals  map[string]*global
	// defs are the function definitions, funcs the same by name (built
	// on first use by function).
	defs  []*source.Node
	funcs map[string]*source.Node
	// sinks are the built-in and configured sinks.
	sinks map[string]sinkSpec
	// recordTypedefs are the typedef names of structs and unions.
	recordTypedefs map[string]bool
	// packPragma is set when the file uses #pragma pack: record layouts
	// are then unknown.
	packPragma bool

	layouts   map[*source.Node]*record
	macroVals map[string]macroVal
	summaries map[string]*summary
	retConsts map[string]macroVal
	// depth guards the mutual recursion of macros, typedefs and records.
	depth int
}

type typedefInfo struct{ typ, decl *source.Node }

// A global is a file-scope variable.
type global struct {
	decl, init *source.Node
	typ        *ctype
	static     bool
	constant   bool
}

// macroVal caches the value of a macro or a constant-returning function.
type macroVal struct {
	val int64
	ok  bool
}

// maxDepth bounds recursive evaluation of macros, typedefs and nested
// records: deeper definitions are unknown.
const maxDepth = 24

func newFacts(pass *analyzers.Pass) *facts {
	f := &facts{
		file:       pass.File,
		defines:    map[string]string{},
		records:    map[string]*source.Node{},
		typedefs:   map[string]typedefInfo{},
		globals:    map[string]*global{},
		packPragma: strings.Contains(string(pass.File.Src), "#pragma pack"),
		layouts:    map[*source.Node]*record{},
		macroVals:  map[string]macroVal{},
		summaries:  map[string]*summary{},
		retConsts:  map[string]macroVal{},
	}
	var globals []*source.Node
	for _, m := range pass.Matches {
		switch {
		case m.Node("function") != nil:
			f.defs = append(f.defs, m.Node("function"))
		case m.Node("macro") != nil:
			f.defines[f.text(m.Node("macro"))] = f.text(m.Node("body"))
		case m.Node("record") != nil:
			r := m.Node("record")
			key := recordKey(r.Type(), f.text(m.Node("name")))
			if f.records[key] == nil {
				f.records[key] = r
			}
		case m.Node("typedef") != nil:
			f.typedef(m.Node("typedef"))
		case m.Node("enums") != nil:
			f.enums = append(f.enums, m.Node("enums"))
		case m.Node("global") != nil:
			globals = append(globals, m.Node("global"))
		}
	}
	for _, d := range globals {
		f.global(d)
	}
	f.recordTypedefs = map[string]bool{}
	for name, td := range f.typedefs {
		if t := td.typ; t != nil && (t.Type() == "struct_specifier" || t.Type() == "union_specifier") && td.decl.Type() == "type_identifier" {
			f.recordTypedefs[name] = true
		}
	}
	return f
}

func (f *facts) text(n *source.Node) string { return f.file.Text(n) }

func recordKey(nodeType, name string) string {
	if nodeType == "union_specifier" {
		return "union " + name
	}
	return "struct " + name
}

func (f *facts) typedef(n *source.Node) {
	typ := n.ChildByFieldName("type")
	for _, d := range fieldChildren(n, "declarator") {
		if name := f.declName(d); name != "" {
			f.typedefs[name] = typedefInfo{typ: typ, decl: d}
		}
	}
}

// global records the variables of a file-scope declaration.
func (f *facts) global(d *source.Node) {
	for p := d.Parent(); p != nil; p = p.Parent() {
		if p.Type() == "function_definition" {
			return // a declaration in an #ifdef inside a function
		}
	}
	static, constQ := false, false
	for i := 0; i < int(d.NamedChildCount()); i++ {
		c := d.NamedChild(i)
		switch c.Type() {
		case "storage_class_specifier":
			static = static || f.text(c) == "static"
		case "type_qualifier":
			constQ = constQ || f.text(c) == "const"
		}
	}
	base := f.baseType(d.ChildByFieldName("type"))
	for _, decl := range fieldChildren(d, "declarator") {
		init := (*source.Node)(nil)
		if decl.Type() == "init_declarator" {
			init = decl.ChildByFieldName("value")
			decl = decl.ChildByFieldName("declarator")
		}
		name, typ, isFunc := f.declType(base, decl, nil)
		if name == "" || isFunc {
			continue
		}
		f.globals[name] = &global{decl: d, init: init, typ: typ, static: static, constant: constQ}
	}
}

// constValue returns the value of a macro, enumerator or constant global.
func (f *facts) constValue(name string) (int64, bool) {
	if v, ok := f.macroVals[name]; ok {
		return v.val, v.ok
	}
	if f.depth > maxDepth {
		return 0, false
	}
	f.depth++
	defer func() { f.depth-- }()
	f.macroVals[name] = macroVal{} // a macro that refers to itself is unknown
	var v int64
	ok := false
	if body, isMacro := f.defines[name]; isMacro {
		v, ok = f.evalMacro(body)
	} else if ev, isEnum := f.enumValue(name); isEnum {
		v, ok = ev, true
	} else if g := f.globals[name]; g != nil && g.init != nil && g.typ != nil && g.typ.kind == scalarT && (g.constant || g.static && !f.assigned(name, g.decl)) {
		v, ok = f.constOf(g.init, nil)
	}
	f.macroVals[name] = macroVal{v, ok}
	return v, ok
}

// enumValue evaluates the file's enumerators on first use.
func (f *facts) enumValue(name string) (int64, bool) {
	if f.enumVals == nil {
		f.enumVals = map[string]int64{}
		for _, list := range f.enums {
			next, ok := int64(0), true
			for i := 0; i < int(list.NamedChildCount()); i++ {
				e := list.NamedChild(i)
				if e.Type() != "enumerator" {
					continue
				}
				if v := e.ChildByFieldName("value"); v != nil {
					next, ok = f.constOf(v, nil)
				}
				if ok {
					f.enumVals[f.text(e.ChildByFieldName("name"))] = next
				}
				next++
			}
		}
	}
	v, ok := f.enumVals[name]
	return v, ok
}

// assigned reports whether the file writes the global name anywhere but
// in its declaration: an assignment, an increment or its address taken.
func (f *facts) assigned(name string, decl *source.Node) bool {
	q := regexp.QuoteMeta(name)
	re := regexp.MustCompile(`(?:\b` + q + `\s*(?:[-+*/%&|^]|<<|>>)?=[^=]|\b` + q + `\s*(?:\+\+|--)|(?:\+\+|--|&)\s*` + q + `\b)`)
	for _, loc := range re.FindAllIndex(f.file.Src, -1) {
		if loc[0] < int(decl.StartByte()) || loc[0] >= int(decl.EndByte()) {
			return true
		}
	}
	return false
}

// returnConst returns the constant every return of a parameterless
// function of this file yields (Juliet's staticReturnsTrue()).
func (f *facts) returnConst(name string) (int64, bool) {
	if v, ok := f.retConsts[name]; ok {
		return v.val, v.ok
	}
	f.retConsts[name] = macroVal{}
	fn := f.function(name)
	if fn == nil || fn.HasError() || len(params(fn)) > 0 {
		return 0, false
	}
	var v int64
	n, ok := 0, true
	source.Walk(fn.ChildByFieldName("body"), func(c *source.Node) bool {
		if !ok || c.Type() != "return_statement" {
			return ok
		}
		r, known := f.constOf(c.NamedChild(0), nil)
		if !known || n > 0 && r != v {
			ok = false
		}
		v = r
		n++
		return false
	})
	ok = ok && n > 0
	f.retConsts[name] = macroVal{v, ok}
	return v, ok
}

// function returns the definition of a function of the file, nil if none.
// The names are read from the text: the identifier before the first
// parenthesis of the definition (checked against the tree when used).
func (f *facts) function(name string) *source.Node {
	if f.funcs == nil {
		f.funcs = map[string]*source.Node{}
		for _, fn := range f.defs {
			text := f.file.Src[fn.StartByte():fn.EndByte()]
			paren := bytes.IndexByte(text, '(')
			if paren < 0 {
				continue
			}
			end := paren
			for end > 0 && (text[end-1] == ' ' || text[end-1] == '\t' || text[end-1] == '\n') {
				end--
			}
			start := end
			for start > 0 && isIdentByte(text[start-1]) {
				start--
			}
			if n := string(text[start:end]); n != "" && f.funcs[n] == nil {
				f.funcs[n] = fn
			}
		}
	}
	fn := f.funcs[name]
	if fn == nil || f.funcName(fn) != name {
		return nil
	}
	return fn
}

// funcName returns the name of a function definition, or "".
func (f *facts) funcName(fn *source.Node) string {
	if d := funcDeclarator(fn); d != nil {
		return f.declName(d)
	}
	return ""
}

// funcDeclarator returns the function_declarator of a definition.
func funcDeclarator(fn *source.Node) *source.Node {
	d := fn.ChildByFieldName("declarator")
	for d != nil && d.Type() != "function_declarator" {
		switch d.Type() {
		case "pointer_declarator", "parenthesized_declarator", "attributed_declarator":
			next := d.ChildByFieldName("declarator")
			if next == nil && d.NamedChildCount() > 0 {
				next = d.NamedChild(int(d.NamedChildCount()) - 1)
			}
			d = next
		default:
			return nil
		}
	}
	return d
}

// declName returns the identifier a declarator declares, or "".
func (f *facts) declName(d *source.Node) string {
	for i := 0; d != nil && i < maxDepth; i++ {
		switch d.Type() {
		case "identifier", "type_identifier", "field_identifier":
			return f.text(d)
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

// fieldChildren returns the children of n under the given field name
// (ChildByFieldName returns only the first).
func fieldChildren(n *source.Node, field string) []*source.Node {
	var out []*source.Node
	for i := 0; i < int(n.ChildCount()); i++ {
		if n.FieldNameForChild(i) == field {
			if c := n.Child(i); c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// namedChildren returns the named children of n that are not comments.
func namedChildren(n *source.Node) []*source.Node {
	if n == nil {
		return nil
	}
	out := make([]*source.Node, 0, n.NamedChildCount())
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c != nil && c.Type() != "comment" {
			out = append(out, c)
		}
	}
	return out
}

// params returns the named parameters of a function definition.
func params(fn *source.Node) []*source.Node {
	d := funcDeclarator(fn)
	if d == nil {
		return nil
	}
	var out []*source.Node
	for _, p := range namedChildren(d.ChildByFieldName("parameters")) {
		if p.Type() == "parameter_declaration" && p.ChildByFieldName("declarator") != nil {
			out = append(out, p)
		}
	}
	return out
}
