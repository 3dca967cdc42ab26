package pysrc

import "strings"

// Families that judge more than the events Check hands them (what holds
// on the paths to a point, say) read the built program themselves: its
// modules, classes and functions with their flows, what names resolve
// to, the constants modules define, and who calls what. A Reader
// resolves for one goroutine: what needs a result Build did not compute
// (a module-level instance, a global set by a call) it evaluates for
// itself, so that readers share nothing they write.

// FuncDef, ClassDef and ModuleDef are the built program's functions
// (and class and module bodies), classes and modules.
type (
	FuncDef   = fn
	ClassDef  = class
	ModuleDef = module
)

// A Reader reads the built program on one goroutine.
type Reader struct {
	p  *Program
	ov *overlay
}

// maxOverlay bounds the functions one Reader evaluates for itself.
const maxOverlay = 256

// Reader returns a reader of p for one goroutine.
func (p *Program) Reader() *Reader {
	return &Reader{p: p, ov: &overlay{results: map[*fn]*result{}, budget: maxOverlay}}
}

// Program returns the program r reads.
func (r *Reader) Program() *Program { return r.p }

// An overlay holds the results of the functions a reader needed that
// Build did not evaluate.
type overlay struct {
	results map[*fn]*result
	budget  int
}

// result returns g's result, evaluating g first (nil while g is being
// evaluated, or once the budget is spent).
func (o *overlay) result(p *Program, g *fn) *result {
	if r, ok := o.results[g]; ok || o.budget <= 0 {
		return r
	}
	o.budget--
	o.results[g] = nil
	r := (&frame{p: p, f: g, ov: o}).run()
	o.results[g] = r
	return r
}

// frame returns a frame of f that resolves names for r.
func (r *Reader) frame(f *fn) *frame { return &frame{p: r.p, f: f, ov: r.ov} }

// Resolve returns what v, a value of f, may be where no argument or call
// result decides it: the names of f's module and what they import, the
// module's functions and classes, and the attributes of these (a
// module's function, a class's method, a module-level instance's bound
// method). A display is what its items may be (f.Content). Atoms rooted
// at a parameter, a call, super() or a test give nothing.
func (r *Reader) Resolve(f *FuncDef, v Value) []Datum {
	var out []Datum
	for _, a := range f.Content(v) {
		out = union(out, r.Atom(f, a)...)
	}
	return out
}

// Atom is Resolve of one atom.
func (r *Reader) Atom(f *FuncDef, a Atom) []Datum {
	fr := r.frame(f)
	m := f.mod
	out := fr.named(a)
	for _, op := range a.Ops {
		switch op.Kind {
		case OpStep:
			continue
		case OpAttr:
			var next []Datum
			for _, d := range out {
				next = union(next, fr.attr(d, op.Name, Loc{m, op.Span})...)
			}
			out = next
		default:
			return nil
		}
	}
	return out
}

// Attr returns attribute name of d, read in f's module.
func (r *Reader) Attr(f *FuncDef, d Datum, name string) []Datum {
	return r.frame(f).attr(d, name, Loc{})
}

// Constant returns the assignment of a literal a value of f names when
// it is a constant of the repository: a module-level NAME = literal of
// f's module or of one it imports (NAME, mod.NAME), or a class's name =
// literal (Class.name); ok is false for anything else. at is the
// literal's location.
func (r *Reader) Constant(f *FuncDef, v Value) (c *Setting, at Loc, ok bool) {
	if len(v) != 1 {
		return nil, Loc{}, false
	}
	a := v[0]
	var attrs []Op
	for _, op := range a.Ops {
		switch op.Kind {
		case OpStep:
		case OpAttr:
			attrs = append(attrs, op)
		default:
			return nil, Loc{}, false
		}
	}
	if len(attrs) == 0 {
		switch a.Root {
		case RootName:
			return r.constIn(f.mod, a.Name, 0)
		case RootImport:
			if int(a.Index) < len(f.mod.Imports) {
				imp := &f.mod.Imports[a.Index]
				if t := r.p.importModule(f.mod, imp); t != nil && imp.Name != "" {
					return r.constIn(t, imp.Name, 1)
				}
			}
		}
		return nil, Loc{}, false
	}
	last := attrs[len(attrs)-1]
	owner := a
	owner.Ops = attrs[:len(attrs)-1]
	for _, d := range r.Atom(f, owner) {
		switch d.Tag {
		case TagModule:
			return r.constIn(d.Mod, last.Name, 1)
		case TagClass:
			return d.Class.Const(last.Name)
		}
	}
	return nil, Loc{}, false
}

// constIn returns module m's constant name: its own last NAME = literal,
// or the constant it imports under that name.
func (r *Reader) constIn(m *module, name string, depth int) (*Setting, Loc, bool) {
	if depth > maxDepth {
		return nil, Loc{}, false
	}
	for i := len(m.Settings) - 1; i >= 0; i-- {
		if s := &m.Settings[i]; s.Name == name {
			return s, Loc{m, s.Value.Span}, true
		}
	}
	v, ok := m.env.lookup(name)
	if !ok || len(v) != 1 || v[0].Root != RootImport || int(v[0].Index) >= len(m.Imports) {
		return nil, Loc{}, false
	}
	imp := &m.Imports[v[0].Index]
	if t := r.p.importModule(m, imp); t != nil && t != m && imp.Name != "" {
		return r.constIn(t, imp.Name, depth+1)
	}
	return nil, Loc{}, false
}

// Lookup returns what a dotted name of the repository is
// ("app.middleware.CertMiddleware"): a module, or a name its module
// binds, and attributes of it; nil when no module of the program starts
// the name.
func (r *Reader) Lookup(dotted string) []Datum {
	parts := strings.Split(dotted, ".")
	for i := len(parts); i > 0; i-- {
		m := r.p.resolve(strings.Join(parts[:i], "."), "")
		if m == nil || len(m.fns) == 0 {
			continue
		}
		fr := r.frame(m.fns[0])
		out := []Datum{{Tag: TagModule, Mod: m}}
		for _, name := range parts[i:] {
			var next []Datum
			for _, d := range out {
				next = union(next, fr.attr(d, name, Loc{})...)
			}
			out = next
		}
		return out
	}
	return nil
}

// Module returns the module of the file at path, nil when the program
// has none.
func (p *Program) Module(path string) *ModuleDef { return p.byPath[path] }

// Modules returns the program's modules, by path.
func (p *Program) Modules() []*ModuleDef { return p.modules }

// Dotted returns the module's dotted name.
func (m *module) Dotted() string { return m.name }

// Code returns the module's code: its body first, then every class body,
// function and method, in source order (Module.Funcs, built).
func (m *module) Code() []*FuncDef { return m.fns }

// Class returns the module's class at index i (Func.Class), nil for none.
func (m *module) Class(i int32) *ClassDef { return m.classOf(i) }

// Text returns the module's source at span s.
func (m *module) Text(s Span) string { return textAt(m.Source(), s) }

// At returns the location of span s of the module.
func (m *module) At(s Span) Loc { return Loc{m, s} }

func textAt(src []byte, s Span) string {
	if int(s.End) > len(src) || s.Start > s.End {
		return ""
	}
	return string(src[s.Start:s.End])
}

// Module returns the function's module.
func (f *fn) Module() *ModuleDef { return f.mod }

// Owner returns the class a method or class body belongs to, nil for
// none.
func (f *fn) Owner() *ClassDef { return f.class }

// IsMethod reports whether the function is defined in a class body.
func (f *fn) IsMethod() bool { return f.class != nil && f.Kind == KindDef && f.Parent == f.class.Body }

// Enclosing returns the code the function is defined in (nil for a
// module body).
func (f *fn) Enclosing() *FuncDef {
	if f.Kind == KindModule || int(f.Parent) >= len(f.mod.fns) {
		return nil
	}
	return f.mod.fns[f.Parent]
}

// Qualified returns the function's dotted name in the program.
func (f *fn) Qualified() string { return f.mod.qualified(f.Name) }

// Module returns the class's module.
func (c *class) Module() *ModuleDef { return c.mod }

// BodyDef returns the class's body.
func (c *class) BodyDef() *FuncDef { return c.body }

// Qualified returns the class's dotted name in the program.
func (c *class) Qualified() string { return c.mod.qualified(c.Name) }

// Order returns the class's method resolution order, the class first,
// over the repository's classes.
func (c *class) Order() []*ClassDef { return c.mro }

// External returns the dotted names of the external classes the class
// derives from, directly or through the repository's.
func (c *class) External() []string { return c.ext }

// Method returns the method name of the class or of its bases.
func (c *class) Method(name string) *FuncDef { return c.method(name, 0) }

// Const returns the class's (or a base's) name = literal.
func (c *class) Const(name string) (*Setting, Loc, bool) {
	for _, k := range c.mro {
		for i := range k.Consts {
			if s := &k.Consts[i]; s.Name == name {
				return s, Loc{k.mod, s.Value.Span}, true
			}
		}
		if _, ok := k.env.lookup(name); ok {
			return nil, Loc{}, false
		}
	}
	return nil, Loc{}, false
}

// Binding returns the value the class (or a base) binds name to in its
// body, with the class whose body binds it.
func (c *class) Binding(name string) (Value, *ClassDef) {
	if k := c.classAttr(name); k != nil {
		v, _ := k.env.lookup(name)
		return v, k
	}
	return nil, nil
}

// A CallRef is a call site of a function of the program.
type CallRef struct {
	Fn   *FuncDef
	Call int32
}

// Site returns the call, false when the function's code has no such call
// (Callers reads the names of a function's calls without its code, whose
// cached form may then turn out not to decode).
func (r CallRef) Site() (*Call, bool) {
	calls := r.Fn.Code().Calls
	if r.Call < 0 || int(r.Call) >= len(calls) {
		return nil, false
	}
	return &calls[r.Call], true
}

// Callers returns the call sites that call something named name (by the
// last component of their callee), in the order of modules and code.
func (p *Program) Callers(name string) []CallRef {
	p.callersOnce.Do(func() {
		p.callSites = map[string][]CallRef{}
		for _, m := range p.modules {
			for _, f := range m.fns {
				i := int32(0)
				for n := range f.callNames() {
					if n != "" {
						p.callSites[n] = append(p.callSites[n], CallRef{f, i})
					}
					i++
				}
			}
		}
	})
	return p.callSites[name]
}
