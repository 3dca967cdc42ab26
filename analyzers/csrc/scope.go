package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A scope evaluates names and types in one translation unit for one
// analysis: the unit's declarations are shared by every goroutine, the
// caches here belong to the analysis (one goroutine), so that what a
// value is never depends on who asked first.
type scope struct {
	u  *unit
	cx *context

	layouts   map[syntax.Node]*record
	macroVals map[string]macroVal
	retConsts map[string]macroVal
	enumVals  map[syntax.Node]map[string]int64
}

// A context is one analysis's scopes, one per unit it reads, and the
// depth guard of their mutually recursive evaluation (a macro of one
// file, a constant of another).
type context struct {
	repo   *Repo
	depth  int
	scopes map[*unit]*scope
}

func newContext(r *Repo) *context { return &context{repo: r, scopes: map[*unit]*scope{}} }

// scope returns the context's scope of u.
func (cx *context) scope(u *unit) *scope {
	if s := cx.scopes[u]; s != nil {
		return s
	}
	s := &scope{u: u, cx: cx, layouts: map[syntax.Node]*record{}, macroVals: map[string]macroVal{},
		retConsts: map[string]macroVal{}, enumVals: map[syntax.Node]map[string]int64{}}
	cx.scopes[u] = s
	return s
}

// macroVal caches the value of a macro or a constant-returning function.
type macroVal struct {
	val int64
	ok  bool
}

// maxDepth bounds recursive evaluation of macros, typedefs and nested
// records: deeper definitions are unknown.
const maxDepth = 24

// enter and leave guard recursion; enter reports false past maxDepth.
func (f *scope) enter() bool {
	if f.cx.depth > maxDepth {
		return false
	}
	f.cx.depth++
	return true
}

func (f *scope) leave() { f.cx.depth-- }

// constValue returns the value of a macro, an enumerator or a variable
// whose value never changes: a const, a static the file never assigns,
// or a variable of another file that no file assigns.
func (f *scope) constValue(name string) (int64, bool) {
	if v, ok := f.macroVals[name]; ok {
		return v.val, v.ok
	}
	if !f.enter() {
		return 0, false
	}
	defer f.leave()
	f.macroVals[name] = macroVal{} // a macro that refers to itself is unknown
	var v int64
	ok := false
	if m := f.u.macro(name); m != nil {
		if !m.fn {
			v, ok = f.evalMacro(m.body)
		}
	} else if list := f.u.enumList(name); !list.IsNull() {
		v, ok = f.enumValue(list, name)
	} else {
		v, ok = f.globalValue(name)
	}
	f.macroVals[name] = macroVal{v, ok}
	return v, ok
}

// globalValue returns the value of a file-scope variable that never
// changes.
func (f *scope) globalValue(name string) (int64, bool) {
	g := f.u.localGlobal(name)
	if g != nil && !g.init.IsNull() {
		if !f.isScalar(g) {
			return 0, false
		}
		if g.constant || g.static && !f.u.part.declarations().assigned[name] || !g.static && !f.u.repo.assigned[name] {
			return f.constOf(g.init, nil)
		}
		return 0, false
	}
	if g != nil && g.static {
		return 0, false
	}
	ref, ok := f.u.repo.global(name, f.u.part.File)
	if !ok || !ref.g.constant && f.u.repo.assigned[name] {
		return 0, false
	}
	other := f.cx.scope(f.u.repo.unit(ref.part.File))
	if !other.isScalar(ref.g) {
		return 0, false
	}
	return other.constOf(ref.g.init, nil)
}

// isScalar reports whether a global has a scalar type.
func (f *scope) isScalar(g *global) bool {
	_, t, isFunc := f.declType(f.baseType(g.decl.ChildByFieldName("type")), g.declarator, nil)
	return t != nil && !isFunc && t.kind == scalarT
}

// globalType returns the type of a file-scope variable the unit sees,
// nil when there is none or it is unknown.
func (f *scope) globalType(name string) *ctype {
	g := f.u.localGlobal(name)
	if g == nil {
		return nil
	}
	_, t, isFunc := f.declType(f.baseType(g.decl.ChildByFieldName("type")), g.declarator, nil)
	if isFunc {
		return nil
	}
	return t
}

// isGlobal reports whether the unit sees a file-scope variable name.
func (f *scope) isGlobal(name string) bool { return f.u.localGlobal(name) != nil }

// enumValue evaluates an enumerator list and returns name's value.
func (f *scope) enumValue(list syntax.Node, name string) (int64, bool) {
	vals, done := f.enumVals[list]
	if !done {
		vals = map[string]int64{}
		f.enumVals[list] = vals
		next, ok := int64(0), true
		for _, e := range list.NamedChildren() {
			if e.Type() != "enumerator" {
				continue
			}
			if v := e.ChildByFieldName("value"); !v.IsNull() {
				next, ok = f.constOf(v, nil)
			}
			if ok {
				vals[e.ChildByFieldName("name").Text()] = next
			}
			next++
		}
	}
	v, ok := vals[name]
	return v, ok
}

// function returns the definition a call of name reaches, and the scope
// to read it in.
func (f *scope) function(name string) (syntax.Node, *scope) {
	ref, ok := f.u.function(name)
	if !ok {
		return syntax.Node{}, nil
	}
	if ref.part == f.u.part {
		return ref.node, f
	}
	return ref.node, f.cx.scope(f.u.repo.unit(ref.part.File))
}

// returnConst returns the constant every return of a parameterless
// function yields (Juliet's staticReturnsTrue(), globalReturnsTrue()).
func (f *scope) returnConst(name string) (int64, bool) {
	if v, ok := f.retConsts[name]; ok {
		return v.val, v.ok
	}
	f.retConsts[name] = macroVal{}
	fn, in := f.function(name)
	if fn.IsNull() || fn.HasError() || len(params(fn)) > 0 || !f.enter() {
		return 0, false
	}
	defer f.leave()
	var v int64
	n, ok := 0, true
	fn.ChildByFieldName("body").Walk(func(c syntax.Node) bool {
		if !ok || c.Type() != "return_statement" {
			return ok
		}
		r, known := in.constOf(c.NamedChild(0), nil)
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
