package pysrc

import (
	"errors"
	"path"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A Class is a class definition.
type Class struct {
	// Name is qualified within the module ("Outer.Inner").
	Name string
	// Bases are the values of the base class expressions, in the code
	// Scope (the index of the Func the class statement is in).
	Bases []Value
	Scope int32
	// Body is the index of the class body's Func.
	Body int32
	// Decorators, DecoratorCalls and DecoratorSpans are the class's, as
	// a Func's.
	Decorators     []string
	DecoratorCalls []int32
	DecoratorSpans []Span
	// Consts are the class body's assignments of literals to names
	// (header = "HTTP_X_REMOTE_USER").
	Consts []Setting
	// Fields are the names the class body annotates (body: bytes), in
	// order: a dataclass's constructor takes them (class.dataFields).
	Fields         []string
	Span, NameSpan Span
}

// extract lowers one file into its module part, kept compact: the
// module is encoded and decoded on the worker that lowered it
// (Module.compact), so that its functions' code stays encoded until Build
// or a Check step reads it, as a module read from the cache does. Most
// functions are never read (what Build evaluates, see summary.go), and a
// run holds its modules at a fraction of their lowered size. The part is
// a function of the file alone (and the settings): what its imports name
// is found in Build, among the files extracted.
func extract(pass *analyzers.ExtractPass) (analyzers.Part, error) {
	m := lower(pass)
	c, err := m.compact()
	switch {
	case err == nil:
		return c, nil
	case errors.Is(err, errTooDeep):
		// A literal nested past the codec's bound: the module stays as
		// lowered (and the cache cannot store it either).
		return m, nil
	}
	return nil, err
}

// lower lowers one file into its module.
func lower(pass *analyzers.ExtractPass) *Module {
	syn := pass.Syntax
	m := &Module{File: syn.Path, src: syn.Src(), Package: path.Base(syn.Path) == "__init__.py", Config: relevantSettings(pass.Settings)}
	l := &lowerer{m: m}
	root := syn.Tree.Root()
	body := l.open(KindModule, "", -1, 0, root)
	body.block(root)
	l.close(body)
	l.need()
	m.Funcs, m.Imports = exact(m.Funcs), exact(m.Imports)
	return m
}

// relevantSettings keeps the settings a vocabulary reads.
func relevantSettings(s analyzers.Settings) analyzers.Settings {
	var out analyzers.Settings
	for _, key := range settingKeys() {
		if v := s[key]; len(v) > 0 {
			if out == nil {
				out = analyzers.Settings{}
			}
			out[key] = v
		}
	}
	return out
}

// A lowerer turns one file's snapshot into its Module.
type lowerer struct {
	m *Module
	// uses are what each Func names, by index.
	uses []*uses
	// free are the statement buffers of the Funcs lowered, for the next;
	// codes the code each lowered Func gathered its lists in, emptied.
	free  [][]Stmt
	codes []*FuncCode
}

// takeBufs returns the statement buffers no Func being lowered uses.
func (l *lowerer) takeBufs() [][]Stmt {
	bufs := l.free
	l.free = nil
	return bufs
}

// fnState is the state of lowering one Func: the names bound so far.
type fnState struct {
	l   *lowerer
	idx int32
	fn  *Func
	env map[string]Value
	u   *uses
	// bufs gather the statements of the blocks being lowered, one per
	// depth of nesting (see into); depth is -1 outside a function's body.
	bufs  [][]Stmt
	depth int
	// parent is the enclosing function's state and def this function's
	// definition, for what it captures; globals are the names declared
	// global, captured what nested code captured.
	parent *fnState
	def    syntax.Node
	// at is the statement whose targets are being bound.
	at       syntax.Node
	globals  map[string]bool
	captured map[captureKey]bool
	// requestObjs are the names of the requests of RequestStores, in
	// their order.
	requestObjs []string
	// loopKeys are the names a for statement binds to the items of a
	// literal sequence of strings: the key they make (JoinKeys), while the
	// name holds the value the loop bound (a branch or a join that binds
	// it otherwise ends it).
	loopKeys map[string]loopKey
	// tries counts the try bodies being lowered: in one, what a branch
	// that returns binds still reaches the handlers and finally.
	tries int
	// tables are the names assigned a copy of a constant table
	// (allowed = sorted(REGISTRY)), with the call that made it: the name
	// is that table while it holds that call's value alone.
	tables map[string]int32
	// loopExits gather, for each loop being lowered (innermost last),
	// what the except clauses that break or continue out of it bound:
	// the code after the loop sees it, not the code after their try.
	loopExits [][]map[string]Value
}

// open reserves the next Func for code of kind.
func (l *lowerer) open(kind FuncKind, name string, class, parent int32, def syntax.Node) *fnState {
	idx := int32(len(l.m.Funcs))
	l.m.Funcs = append(l.m.Funcs, Func{})
	u := newUses()
	l.uses = append(l.uses, u)
	code := &FuncCode{}
	if n := len(l.codes); n > 0 {
		code, l.codes = l.codes[n-1], l.codes[:n-1]
	}
	fn := &Func{Kind: kind, Name: name, Class: class, Parent: parent, Span: span(def), code: code}
	return &fnState{l: l, idx: idx, fn: fn, env: map[string]Value{}, u: u, depth: -1, bufs: l.takeBufs()}
}

// close stores the lowered Func; a module or class body keeps its names.
func (l *lowerer) close(s *fnState) {
	if s.fn.Kind != KindDef {
		s.fn.code.Env = sortedBindings(s.env)
	}
	s.fn.RequestStores = s.finalRequestStores()
	s.fn.Stores, s.fn.RequestStores, s.fn.Globals = exact(s.fn.Stores), exact(s.fn.RequestStores), exact(s.fn.Globals)
	gathered := s.fn.code
	s.fn.code = gathered.kept()
	l.codes = append(l.codes, gathered)
	l.m.Funcs[s.idx] = *s.fn
	l.free = append(l.free, s.bufs...)
}

// exact returns s in an array of its length: a part keeps what it holds
// for the whole run, without the room appends left.
func exact[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	return append([]T(nil), s...)
}

func sortedBindings(env map[string]Value) []Binding {
	out := make([]Binding, 0, len(env))
	for name, v := range env {
		if !strings.Contains(name, ".") {
			out = append(out, Binding{Name: name, Value: v})
		}
	}
	sortBindings(out)
	return out
}

// qualify returns the qualified name of a definition named name in s.
func (s *fnState) qualify(name string) string {
	if s.fn.Name == "" {
		return name
	}
	return s.fn.Name + "." + name
}

// definition lowers a function or class definition with its decorators.
func (s *fnState) definition(def syntax.Node, decorators []syntax.Node) {
	name := def.ChildByFieldName("name")
	if name.IsNull() {
		return
	}
	var decs []string
	var calls []int32
	var spans []Span
	for _, d := range decorators {
		spans = append(spans, span(d))
		e := d.NamedChild(0)
		s.expr(e)
		call := int32(-1)
		if e.Type() == "call" {
			e, call = e.ChildByFieldName("function"), s.ncalls()-1
		}
		decs, calls = append(decs, dotted(e)), append(calls, call)
	}
	switch def.Type() {
	case "function_definition":
		s.function(def, name, decs, calls, spans)
	case "class_definition":
		s.class(def, name, decs, calls, spans)
	}
}

func (s *fnState) function(def, name syntax.Node, decs []string, calls []int32, spans []Span) {
	class := int32(-1)
	if s.fn.Kind == KindClass {
		class = s.fn.Class
	}
	f := s.l.open(KindDef, s.qualify(name.Text()), class, s.idx, def)
	f.parent, f.def = s, def
	f.fn.NameSpan, f.fn.Decorators, f.fn.DecoratorCalls, f.fn.DecoratorSpans = span(name), decs, calls, spans
	f.fn.Async = def.Child(0).Type() == "async"
	f.params(def.ChildByFieldName("parameters"))
	f.activeParams()
	f.into(&f.fn.code.Body, func() { f.block(def.ChildByFieldName("body")) })
	s.l.close(f)
	s.env[name.Text()] = Value{{Root: RootFunc, Index: f.idx}}
}

func (s *fnState) class(def, name syntax.Node, decs []string, calls []int32, spans []Span) {
	m := s.l.m
	ci := int32(len(m.Classes))
	c := Class{Name: s.qualify(name.Text()), Scope: s.idx, Span: span(def), NameSpan: span(name), Decorators: decs, DecoratorCalls: calls, DecoratorSpans: spans}
	if sup := def.ChildByFieldName("superclasses"); !sup.IsNull() {
		for b := sup.FirstChild(); !b.IsNull(); b = b.NextSibling() {
			if b.IsNamed() && b.Type() != "keyword_argument" {
				c.Bases = append(c.Bases, s.expr(b))
			}
		}
	}
	m.Classes = append(m.Classes, c)
	body := s.l.open(KindClass, c.Name, ci, s.idx, def)
	m.Classes[ci].Body = body.idx
	body.block(def.ChildByFieldName("body"))
	s.l.close(body)
	s.env[name.Text()] = Value{{Root: RootClass, Index: ci}}
}

// params binds a function's parameters.
func (s *fnState) params(ps syntax.Node) {
	kwOnly := false
	if k := ps.NamedChildCount(); k > 0 {
		s.fn.Params = make([]Param, 0, k)
	}
	for p := ps.FirstChild(); !p.IsNull(); p = p.NextSibling() {
		switch p.Type() {
		case "default_parameter", "typed_default_parameter":
			s.expr(p.ChildByFieldName("value"))
		case "keyword_separator":
			kwOnly = true
		}
		name, kind := paramOf(p)
		if name == "" {
			continue
		}
		if kind == ParamPlain && kwOnly {
			kind = ParamKwOnly
		}
		if kind == ParamStar {
			kwOnly = true
		}
		s.env[name] = Value{{Root: RootParam, Index: int32(len(s.fn.Params))}}
		s.fn.Params = append(s.fn.Params, Param{Name: name, Kind: kind, Span: span(p)})
	}
}

// paramOf returns the name a node of a parameter list binds and how, ""
// for a node that binds none (a separator).
func paramOf(p syntax.Node) (name string, kind ParamKind) {
	switch p.Type() {
	case "identifier":
		return p.Text(), ParamPlain
	case "default_parameter", "typed_default_parameter":
		return p.ChildByFieldName("name").Text(), ParamPlain
	case "typed_parameter":
		if id := p.NamedChild(0); !id.IsNull() {
			switch id.Type() {
			case "identifier":
				return id.Text(), ParamPlain
			case "list_splat_pattern", "dictionary_splat_pattern":
				return paramOf(id)
			}
		}
	case "list_splat_pattern":
		return p.NamedChild(0).Text(), ParamStar
	case "dictionary_splat_pattern":
		return p.NamedChild(0).Text(), ParamKwargs
	}
	return "", ParamPlain
}

// span returns n's byte range.
func span(n syntax.Node) Span {
	if n.IsNull() {
		return Span{}
	}
	return Span{n.StartByte(), n.EndByte()}
}

// dotted returns the dotted name of an identifier or attribute chain
// ("logging.getLogger"), "" for anything else.
func dotted(n syntax.Node) string {
	switch n.Type() {
	case "identifier":
		return n.Text()
	case "attribute":
		obj := dotted(n.ChildByFieldName("object"))
		if obj == "" {
			return ""
		}
		return obj + "." + n.ChildByFieldName("attribute").Text()
	}
	return ""
}
