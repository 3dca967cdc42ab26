package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A walker analyzes one function definition: it walks the body in order,
// carrying a state from statement to statement, splitting it at branches
// and joining it where control flow meets.
type walker struct {
	f  *scope
	fn syntax.Node
	an *Analysis
	// report receives the outputs of the walk; nil while computing a
	// summary, when sinks are not checked.
	report func(Output)
	// sums answers the summaries of the component being computed (nil
	// outside summary mode).
	sums func(id int) (*summary, bool)
	// outputs are the outputs of the walk; seen dedupes them. outs are,
	// in summary mode, the caller's memory that leaves.
	outputs []Output
	outs    []outEffect
	seen    map[[2]uint32]bool
	// exported is set for a function visible outside its file: what it
	// returns leaves the file.
	exported bool

	bufs   []*buffer
	locals []*local
	scopes []map[string]*local
	// created maps an allocating call or a declarator to its buffer, so
	// that code run twice (loop bodies) reuses it.
	created map[syntax.Node]int

	loopDepth int
	// heads counts the loop conditions and updates being walked: a step
	// there (while (i--)) runs on every iteration, which one walk of the
	// body does not see.
	heads int
	// counted are the counted loops being walked, innermost last;
	// condDepth counts the conditions the walk is under.
	counted   []countedLoop
	condDepth int
	// breaks and continues collect the states that leave the innermost
	// loop or switch; gotos those that jump to a label.
	breaks, continues []*[]*state
	gotos             map[string]*state
	// returns records, in summary mode, the state and value of each return.
	returns []returned
}

// returned is one return statement reached in summary mode.
type returned struct {
	st    *state
	value syntax.Node
}

func newWalker(an *Analysis, f *scope, fn syntax.Node, report func(Output)) *walker {
	return &walker{an: an, f: f, fn: fn, report: report, created: map[syntax.Node]int{}, gotos: map[string]*state{}, seen: map[[2]uint32]bool{}}
}

// run walks the function body from a fresh state and returns the state at
// its end (the fall-through return).
func (w *walker) run(trackParams bool) *state {
	st := newState()
	w.push()
	for i, p := range params(w.fn) {
		w.param(i, p, st, trackParams)
	}
	w.exported = !isStatic(w.fn)
	end := w.stmt(w.fn.ChildByFieldName("body"), st)
	w.pop()
	return end
}

// param declares a parameter. In summary mode its value is a tracked
// buffer that nothing wrote (what the caller passed), and a pointer
// parameter points to a tracked parameter buffer, whose capacity is the
// integer parameter that follows it, if any.
func (w *walker) param(i int, p syntax.Node, st *state, track bool) {
	name, typ, _ := w.f.declType(w.f.baseType(p.ChildByFieldName("type")), p.ChildByFieldName("declarator"), nil)
	if name == "" {
		return
	}
	if typ != nil && typ.kind == arrayT { // char p[] is a pointer
		typ = pointerTo(typ.elem)
	}
	l := w.declareLocal(name, typ)
	l.param = true
	if !track || typ == nil {
		return
	}
	switch typ.kind {
	case scalarT, recordT:
		if typ.size > 0 {
			v := w.newBuffer(p.ChildByFieldName("declarator"), name, scalarBuf, typ, constant(typ.size))
			if typ.kind == recordT {
				v.kind = recordBuf
			}
			v.param = i
			l.buf = v.id
			*st.extentOf(v.id) = extent{live: true}
		}
		return
	case pointerT:
	default:
		return
	}
	v := w.newBuffer(p.ChildByFieldName("declarator"), name, ptrBuf, typ, constant(8))
	v.param = i
	l.val = v.id
	*st.extentOf(v.id) = extent{live: true}
	b := w.newBuffer(p, name, paramBuf, typ.elem, amount{})
	b.capacity, b.param, b.depth = -1, i, 1
	if ps := params(w.fn); i+1 < len(ps) {
		_, ct, _ := w.f.declType(w.f.baseType(ps[i+1].ChildByFieldName("type")), ps[i+1].ChildByFieldName("declarator"), nil)
		if ct != nil && ct.kind == scalarT {
			b.capacity = i + 1
			b.size = symbolic(declName(ps[i+1].ChildByFieldName("declarator")), "")
		}
	}
	*st.extentOf(b.id) = extent{live: true}
	st.setAlias(l.id, ref{buf: b.id, off: constant(0)})
}

func (w *walker) push() { w.scopes = append(w.scopes, map[string]*local{}) }
func (w *walker) pop()  { w.scopes = w.scopes[:len(w.scopes)-1] }

// declareLocal adds a variable to the innermost scope.
func (w *walker) declareLocal(name string, typ *ctype) *local {
	l := &local{id: len(w.locals), name: name, typ: typ, buf: -1, val: -1}
	w.locals = append(w.locals, l)
	w.scopes[len(w.scopes)-1][name] = l
	return l
}

// lookup finds the local a name refers to, nil for globals and unknowns.
func (w *walker) lookup(name string) *local {
	for i := len(w.scopes) - 1; i >= 0; i-- {
		if l := w.scopes[i][name]; l != nil {
			return l
		}
	}
	return nil
}

// newBuffer starts tracking a buffer made at node (reusing the buffer a
// loop body made on its previous walk).
func (w *walker) newBuffer(node syntax.Node, name string, kind bufKind, typ *ctype, size amount) *buffer {
	if id, ok := w.created[node]; ok {
		b := w.bufs[id]
		b.name, b.size = name, size
		return b
	}
	b := &buffer{id: len(w.bufs), name: name, kind: kind, decl: node, typ: typ, size: size, capacity: -1, param: -1, inner: -1}
	w.bufs = append(w.bufs, b)
	w.created[node] = b.id
	return b
}

// env is the evaluation environment of a walker at a state.
type env struct {
	w  *walker
	st *state
}

func (e env) localValue(name string) (int64, bool, bool) {
	l := e.w.lookup(name)
	if l == nil {
		return 0, false, false
	}
	if e.st == nil {
		return 0, false, true
	}
	v, ok := e.st.consts[l.id]
	return v, ok, true
}

func (e env) typeOf(name string) *ctype {
	if l := e.w.lookup(name); l != nil {
		return l.typ
	}
	return nil
}

// eval evaluates an integer expression at state st.
func (w *walker) eval(n syntax.Node, st *state) amount {
	return w.f.eval(n, env{w, st})
}

// constOf evaluates an expression that matters only if it is constant.
func (w *walker) constOf(n syntax.Node, st *state) (int64, bool) {
	return w.f.constOf(n, env{w, st})
}

// constAmount is constOf as an amount (unknown when not constant).
func (w *walker) constAmount(n syntax.Node, st *state) amount {
	v, ok := w.constOf(n, st)
	return amount{known: ok, val: v}
}

// isOutside reports whether a name is a parameter or a global: memory it
// points to outlives the function.
func (w *walker) isOutside(name string) bool {
	if l := w.lookup(name); l != nil {
		return l.param
	}
	return w.f.isGlobal(name)
}
