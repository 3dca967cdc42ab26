package pysrc

import "sync"

// A family that judges what code does with objects (a library handle,
// a buffer), rather than where data goes, follows the evaluation itself:
// its vocabulary is told each call, attribute assignment and finished
// evaluation, answers attribute reads and subscripts of its objects, and
// keeps notes with the function's result, which Check reads.

// An Eval is the evaluation of one function, as a vocabulary's hooks see
// it. It is valid only during the hook's call.
type Eval struct{ fr *frame }

// Path returns the path of the function's module.
func (e *Eval) Path() string { return e.fr.f.mod.File }

// Func returns the function's qualified name ("" for a module body).
func (e *Eval) Func() string { return e.fr.f.Name }

// Span returns the function's definition.
func (e *Eval) Span() Loc { return Loc{e.fr.f.mod, e.fr.f.Span} }

// Note keeps v, for the family, with this evaluation of the function: a
// function's notes are those of its last evaluation (Program.Notes).
func (e *Eval) Note(family string, v any) {
	e.fr.notes = append(e.fr.notes, note{family, v})
}

// Attr returns what reading attribute name of d gives, at loc.
func (e *Eval) Attr(d Datum, name string, loc Loc) []Datum { return e.fr.attr(d, name, loc) }

// Whole returns what d is when written out whole.
func (e *Eval) Whole(d Datum) []Datum { return e.fr.whole(d) }

// Returns returns what the function returns (from Done).
func (e *Eval) Returns() []Datum {
	if e.fr.returns == nil {
		e.fr.returns = e.fr.value(e.fr.fcode().Returns)
	}
	return e.fr.returns
}

// Notes returns the notes of family the evaluation kept so far, in the
// order of the code.
func (e *Eval) Notes(family string) []any {
	var out []any
	for _, n := range e.fr.notes {
		if n.family == family {
			out = append(out, n.v)
		}
	}
	return out
}

// Slice returns what the bounds of the slice x[lo:hi] at l may be (none
// for a bound not written); ok is false when l is no slice of the
// function evaluated (a summary's operation applied in a caller).
func (e *Eval) Slice(l Loc) (lo, hi []Datum, ok bool) {
	f := e.fr.f
	if l.Mod != f.mod {
		return nil, nil, false
	}
	exprs := f.Code().Exprs
	for i := range exprs {
		x := &exprs[i]
		if x.Op == "slice" && x.Span == l.Span && len(x.Args) == 3 {
			return e.fr.value(x.Args[1]), e.fr.value(x.Args[2]), true
		}
	}
	return nil, nil, false
}

// Noted reports whether the evaluation kept notes of family so far.
func (e *Eval) Noted(family string) bool {
	for _, n := range e.fr.notes {
		if n.family == family {
			return true
		}
	}
	return false
}

// Loops returns the function's loops.
func (e *Eval) Loops() []Loc {
	loops := e.fr.fcode().Loops
	out := make([]Loc, len(loops))
	for i, l := range loops {
		out[i] = Loc{e.fr.f.mod, l.Span}
	}
	return out
}

// A TestAt is a condition of the function, resolved.
type TestAt struct {
	Test
	Cond []Datum
	Mod  *module
}

// Loc returns the location of span s of the test's module.
func (t *TestAt) Loc(s Span) Loc { return Loc{t.Mod, s} }

// Tests returns the function's conditions, in the order of the code,
// each with what its condition holds (TestAt.Cond) but not the condition's
// Value: a family may keep the tests after Build lets go of the code, whose
// arrays the Value would hold.
func (e *Eval) Tests() []TestAt {
	tests := e.fr.fcode().Tests
	out := make([]TestAt, len(tests))
	for i, t := range tests {
		cond := e.fr.value(t.Cond)
		t.Cond = nil
		out[i] = TestAt{Test: t, Cond: cond, Mod: e.fr.f.mod}
	}
	return out
}

// Captures returns what the function's nested code captures: what each
// captured name holds, and the nested definition.
func (e *Eval) Captures() (data [][]Datum, at []Loc) {
	for _, c := range e.fr.fcode().Captures {
		data = append(data, e.fr.value(c.Value))
		at = append(at, Loc{e.fr.f.mod, c.Span})
	}
	return data, at
}

// Eval returns the evaluation the call is part of.
func (cs *CallSite) Eval() *Eval { return &Eval{cs.fr} }

// Callee returns what the callee may be: what Func holds, or for
// obj.method(…) the receivers' attributes method.
func (cs *CallSite) Callee() []Datum {
	if cs.c.Method == "" {
		return cs.Func
	}
	if !cs.resolved {
		loc := cs.FuncLoc()
		for _, r := range cs.Recv {
			if r.Tag != TagSym && r.Tag != TagData {
				cs.callee = union(cs.callee, cs.fr.attr(r, cs.c.Method, loc)...)
			}
		}
		cs.resolved = true
	}
	return cs.callee
}

// ArgLoc returns the location of argument i.
func (cs *CallSite) ArgLoc(i int) Loc { return Loc{cs.fr.f.mod, cs.c.Args[i].Span} }

// Dropped reports whether the code drops the call's result.
func (cs *CallSite) Dropped() bool { return cs.c.Dropped }

// FuncLoc returns the location of the call's callee expression.
func (cs *CallSite) FuncLoc() Loc { return Loc{cs.fr.f.mod, cs.c.FuncSpan} }

// A note is what a family kept of an evaluation.
type note struct {
	family string
	v      any
}

// Notes calls visit with the notes of family of every function, in the
// order of modules (by path), their code, and the notes.
func (p *Program) Notes(family string, visit func(v any)) {
	for _, m := range p.modules {
		for _, f := range m.fns {
			if f.res == nil {
				continue
			}
			for _, n := range f.res.notes {
				if n.family == family {
					visit(n.v)
				}
			}
		}
	}
}

// Memo returns what build returns for key, calling it once per program
// whatever the goroutine: a family's index of the whole program, shared
// by its Checks. build must be a function of the program (and of key)
// alone.
func (p *Program) Memo(key string, build func() any) any {
	p.memoMu.Lock()
	e, ok := p.memos[key]
	if !ok {
		e = &memo{}
		if p.memos == nil {
			p.memos = map[string]*memo{}
		}
		p.memos[key] = e
	}
	p.memoMu.Unlock()
	e.once.Do(func() { e.v = build() })
	return e.v
}

type memo struct {
	once sync.Once
	v    any
}

// vocabAttr asks the vocabulary that owns d's kind what attribute name
// of d gives.
func (fr *frame) vocabAttr(d Datum, name string, loc Loc) ([]Datum, bool) {
	if v := owner(d.Kind); v != nil && v.Attr != nil {
		return v.Attr(&Eval{fr}, d, name, loc)
	}
	return nil, false
}

// vocabIndex asks the vocabulary that owns d's kind what d[key] gives.
func (fr *frame) vocabIndex(d Datum, key string, loc Loc) ([]Datum, bool) {
	if v := owner(d.Kind); v != nil && v.Index != nil {
		return v.Index(&Eval{fr}, d, key, loc)
	}
	return nil, false
}

// vocabMethod asks the vocabulary that owns d's kind what calling
// method name of d gives.
func (fr *frame) vocabMethod(d Datum, name string, loc Loc) ([]Datum, bool) {
	if v := owner(d.Kind); v != nil && v.Method != nil {
		return v.Method(&Eval{fr}, d, name, loc)
	}
	return nil, false
}

// observe tells the vocabularies of a call and what it gives.
func (fr *frame) observe(cs *CallSite, result []Datum) {
	for _, v := range vocabularies() {
		if v.Observe != nil {
			v.Observe(cs, result)
		}
	}
}

// done tells the vocabularies the evaluation is over.
func (fr *frame) done() {
	for _, v := range vocabularies() {
		if v.Done != nil {
			v.Done(&Eval{fr})
		}
	}
}

// moduleRoot reports whether a vocabulary has every function of m
// evaluated.
func moduleRoot(m *Module) bool {
	for _, v := range vocabularies() {
		if v.Module != nil && v.Module(m) {
			return true
		}
	}
	return false
}

// owner returns the vocabulary that defines object kind name.
func owner(name string) *Vocabulary {
	if name == "" {
		return nil
	}
	vocabMu.RLock()
	defer vocabMu.RUnlock()
	return owners[name]
}

// Module returns the function's module part.
func (e *Eval) Module() *Module { return e.fr.f.mod.Module }

// Kind returns what the function's code is: a module body, a class body
// or a function.
func (e *Eval) Kind() FuncKind { return e.fr.f.Kind }

// Text returns the source text at l.
func (e *Eval) Text(l Loc) string { return e.fr.p.text(l) }

// ClassName returns the qualified name of the repository class d is, or
// is an instance of ("app.native.Request"), "" for none.
func (d *Datum) ClassName() string {
	if d.Class == nil {
		return ""
	}
	return d.Class.mod.qualified(d.Class.Name)
}

// ClassKind returns the kind a vocabulary gives the repository class d
// is, or is an instance of, "" for none.
func (d *Datum) ClassKind() string {
	if d.Class == nil {
		return ""
	}
	return d.Class.kind
}

// ClassBases returns the dotted names of the external classes the
// repository class d is, or is an instance of, derives from.
func (d *Datum) ClassBases() []string {
	if d.Class == nil {
		return nil
	}
	return d.Class.ext
}
