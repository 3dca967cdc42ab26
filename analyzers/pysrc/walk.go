package pysrc

// A frame runs its function's calls and attribute assignments in the
// order of the code. A for loop over a literal table (a sequence of at
// most maxUnroll items) runs once per item, its targets reading that
// item, so that what one row binds goes with that row; each call of its
// body then gives what it gave in any iteration.

// maxUnroll bounds the items of an unrolled loop, maxUnrolled the calls
// and sets an evaluation runs in unrolled loops.
const (
	maxUnroll   = 1024
	maxUnrolled = 1 << 14
)

// walk runs the calls and sets of the whole function.
func (fr *frame) walk() {
	c := fr.fcode()
	fr.steps(0, int32(len(c.Calls)), 0, int32(len(c.Sets)), 0)
}

// steps runs Calls[c0:c1] and Sets[s0:s1] in order, and the loops among
// them from Loops[li]; it returns the index of the first loop after them.
func (fr *frame) steps(c0, c1, s0, s1 int32, li int) int {
	code := fr.fcode()
	ci, si := c0, s0
	for ci < c1 || si < s1 {
		if li < len(code.Loops) && code.Loops[li].First == ci && code.Loops[li].SetFirst == si && within(&code.Loops[li], c1, s1) {
			l := &code.Loops[li]
			li = fr.loop(li)
			ci, si = l.End, l.SetEnd
			continue
		}
		if si < s1 && code.Sets[si].At <= ci {
			fr.set(&code.Sets[si])
			si++
			continue
		}
		fr.calls[ci] = fr.call(&code.Calls[ci])
		fr.changed()
		ci++
	}
	return li
}

// within reports whether a loop ends by the ends of a range.
func within(l *Loop, c1, s1 int32) bool { return l.End <= c1 && l.SetEnd <= s1 }

// loop runs Loops[li], unrolled when it iterates a literal table, and
// returns the index of the first loop after it and its nested loops.
func (fr *frame) loop(li int) int {
	f, code := fr.f, fr.fcode()
	l := &code.Loops[li]
	next := li + 1
	for next < len(code.Loops) && nested(&code.Loops[next], l) {
		next++
	}
	items := fr.unrollable(l)
	if items == 0 {
		fr.steps(l.First, l.End, l.SetFirst, l.SetEnd, li+1)
		return next
	}
	loc := Loc{f.mod, l.Span}
	if fr.iters == nil {
		fr.iters = map[Loc]int{}
	}
	acc := make([][]Datum, l.End-l.First)
	for k := range items {
		fr.iters[loc] = k
		fr.changed()
		fr.steps(l.First, l.End, l.SetFirst, l.SetEnd, li+1)
		for i := range acc {
			acc[i] = union(acc[i], fr.calls[int(l.First)+i]...)
		}
	}
	delete(fr.iters, loc)
	copy(fr.calls[l.First:l.End], acc)
	fr.changed()
	return next
}

// changed forgets the sequences and operations resolved so far: a call's
// result or a loop's current item they may read has changed.
func (fr *frame) changed() { clear(fr.structs) }

// nested reports whether loop m is in loop l's body.
func nested(m, l *Loop) bool {
	return m.First >= l.First && m.End <= l.End && m.SetFirst >= l.SetFirst && m.SetEnd <= l.SetEnd
}

// unrollable returns how many times to run a for loop's body, one per
// item of the literal table it iterates; 0 when it does not iterate one
// (or the budget is spent), and its body runs once.
func (fr *frame) unrollable(l *Loop) int {
	if !l.For || len(l.Iter) == 0 {
		return 0
	}
	ds := fr.value(l.Iter)
	if len(ds) != 1 || ds[0].Tag != TagSeq {
		return 0
	}
	n := len(ds[0].Items)
	cost := n * int(l.End-l.First+l.SetEnd-l.SetFirst)
	if n > maxUnroll || fr.unrolled+cost > maxUnrolled {
		return 0
	}
	fr.unrolled += cost
	return n
}

// set runs an attribute assignment.
func (fr *frame) set(st *Set) {
	loc := Loc{fr.f.mod, st.Span}
	val := fr.value(st.Value)
	for _, o := range fr.value(st.Obj) {
		fr.store(o, st.Attr, val, loc)
	}
}

// A StoreFlow is an attribute assignment whose object or value is a
// parameter (or made of one): the function's callers make it, with what
// they pass.
type StoreFlow struct {
	// Param and Ops are the object, a parameter with the operations
	// applied to it, unless Obj is set.
	Param int
	Ops   []DOp
	Obj   *Datum
	Attr  string
	Value []Datum
	At    Loc
}

// maxStoreFlows bounds the store flows of one function.
const maxStoreFlows = 1024

// store assigns val to attribute attr of o: the vocabularies are told,
// and one that depends on a parameter is a flow of the function's.
func (fr *frame) store(o Datum, attr string, val []Datum, loc Loc) {
	deferred := o.Tag == TagSym
	if !watched(attr) {
		if deferred {
			return
		}
	} else {
		for _, v := range val {
			deferred = deferred || symbolic(v)
		}
	}
	if deferred {
		if len(fr.stores) < maxStoreFlows {
			fl := StoreFlow{Param: o.Param, Ops: o.Ops, Attr: attr, Value: val, At: loc}
			if o.Tag != TagSym {
				obj := o
				fl.Obj = &obj
			}
			fr.stores = append(fr.stores, fl)
		}
		if o.Tag == TagSym {
			return
		}
	}
	for _, v := range vocabularies() {
		if v.Store != nil {
			v.Store(&Eval{fr}, o, attr, val, loc)
		}
	}
}

// replay makes the stores of a callee's flows at a call: bound are the
// call's arguments by the callee's parameters.
func (fr *frame) replay(flows []StoreFlow, bound [][]Datum) {
	for _, fl := range flows {
		var objs []Datum
		switch {
		case fl.Obj != nil:
			objs = []Datum{*fl.Obj}
		case fl.Param < len(bound):
			for _, a := range bound[fl.Param] {
				objs = union(objs, fr.subst(a, fl.Ops)...)
			}
		}
		if len(objs) == 0 {
			continue
		}
		var val []Datum
		for _, v := range fl.Value {
			val = union(val, fr.instantiate(v, bound, 0)...)
		}
		for _, o := range objs {
			fr.store(o, fl.Attr, val, fl.At)
		}
	}
}

// attrBuiltin evaluates getattr(obj, name[, default]) and setattr(obj,
// name, value) with a name that is a constant or, for getattr, a
// parameter (the attribute is then read when a call binds it).
func (fr *frame) attrBuiltin(cs *CallSite) ([]Datum, bool) {
	get := cs.external("getattr")
	if !get && !cs.external("setattr") {
		return nil, false
	}
	obj, name := cs.Positional(0), cs.Positional(1)
	if obj < 0 || name < 0 {
		return nil, true
	}
	loc := cs.Loc()
	var out []Datum
	for _, o := range cs.args[obj] {
		for _, n := range cs.args[name] {
			switch {
			case n.Tag == TagConst && n.Kind == "str" && get && o.Tag == TagSym:
				out = union(out, o.deferred(DOp{Op: Op{Kind: OpAttr, Name: n.Key, Span: loc.Span}, Mod: loc.Mod}))
			case n.Tag == TagConst && n.Kind == "str" && get:
				out = union(out, fr.attr(o, n.Key, loc)...)
			case n.Tag == TagConst && n.Kind == "str":
				if v := cs.Positional(2); v >= 0 {
					fr.store(o, n.Key, cs.args[v], loc)
				}
			case n.Tag == TagSym && get && o.Tag != TagSym:
				obj := o
				out = union(out, n.deferred(DOp{Op: Op{Kind: OpGetattr, Span: loc.Span}, Mod: loc.Mod, Obj: &obj}))
			case n.Tag == TagSym && get:
				// Both parameters (a helper's getattr(lib, name)): any
				// attribute of what the object turns out to be.
				out = union(out, o.deferred(DOp{Op: Op{Kind: OpAttr, Name: AnyKey, Span: loc.Span}, Mod: loc.Mod}))
			}
		}
	}
	if get && !namedAttr(cs.args[name]) {
		// getattr(lib, name) of a name the analysis does not know: any
		// attribute, for the objects whose kind allows it (AnyAttr).
		for _, o := range cs.args[obj] {
			if o.Tag == TagSym {
				out = union(out, o.deferred(DOp{Op: Op{Kind: OpAttr, Name: AnyKey, Span: loc.Span}, Mod: loc.Mod}))
			} else {
				out = union(out, fr.attr(o, AnyKey, loc)...)
			}
		}
	}
	if d := cs.Positional(2); get && d >= 0 {
		out = union(out, cs.args[d]...)
	}
	return out, true
}

// namedAttr reports whether an attribute name's values include a string
// literal or a parameter, which name the attribute where they are known.
func namedAttr(names []Datum) bool {
	for _, n := range names {
		if n.Tag == TagSym || n.Tag == TagConst && n.Kind == "str" {
			return true
		}
	}
	return false
}
