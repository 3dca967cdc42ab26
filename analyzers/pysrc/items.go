package pysrc

// The evaluation of constants, sequences and operations (structure.go).

// structured resolves a RootConst, RootSeq or RootExpr atom of the
// frame's function, without its operations.
func (fr *frame) structured(a Atom) []Datum {
	code, m := fr.fcode(), fr.f.mod
	switch a.Root {
	case RootConst:
		return []Datum{{Tag: TagConst, Kind: ConstKind(a.Index).String(), Key: a.Name}}
	case RootSeq:
		if int(a.Index) >= len(code.Seqs) || a.Index < 0 {
			return nil
		}
		if out, ok := fr.structs[a.Index]; ok {
			return out
		}
		seq := &code.Seqs[a.Index]
		d := Datum{Tag: TagSeq, Origin: Loc{m, seq.Span}, Items: make([][]Datum, len(seq.Items))}
		if seq.Each {
			d.Flags |= FlagEach
		}
		for i, it := range seq.Items {
			d.Items[i] = fr.value(it)
		}
		return fr.memo(a.Index, []Datum{bounded(d)})
	case RootExpr:
		if int(a.Index) >= len(code.Exprs) || a.Index < 0 {
			return nil
		}
		key := -1 - a.Index
		if out, ok := fr.structs[key]; ok {
			return out
		}
		e := &code.Exprs[a.Index]
		d := Datum{Tag: TagExpr, Kind: e.Op, Origin: Loc{m, e.Span}, Items: make([][]Datum, len(e.Args))}
		for i, arg := range e.Args {
			d.Items[i] = fr.value(arg)
		}
		return fr.memo(key, []Datum{bounded(d)})
	}
	return nil
}

// memo keeps a resolved sequence or operation in structs.
func (fr *frame) memo(key int32, out []Datum) []Datum {
	if fr.structs == nil {
		fr.structs = map[int32][]Datum{}
	}
	fr.structs[key] = out
	return out
}

// items applies an OpIter, OpUnpack or OpItem to d: an item of a
// sequence (while a loop over it is unrolled, the current one).
func (fr *frame) items(d Datum, o DOp, loc Loc) []Datum {
	if d.Tag != TagSeq {
		switch o.Kind {
		case OpItem:
			return fr.index(d, "", loc)
		case OpUnpack:
			if d.Tag == TagExpr || d.Tag == TagConst {
				return nil
			}
		}
		return []Datum{d}
	}
	i := -1
	switch o.Kind {
	case OpIter:
		k, ok := fr.iters[loc]
		if !ok {
			return d.allItems()
		}
		i = k
	default:
		i = position(o.Name)
	}
	if d.Flags&FlagEach != 0 && len(d.Items) > 0 {
		if i < 0 { // from the end: any of them
			return d.allItems()
		}
		i = min(i, len(d.Items)-1)
	}
	if i < 0 || i >= len(d.Items) {
		return nil
	}
	return d.Items[i]
}

// allItems returns what any item of sequence d may be.
func (d Datum) allItems() []Datum {
	var out gathering
	for _, it := range d.Items {
		out.add(it...)
	}
	return out.result()
}

// getattr applies a deferred getattr(obj, name) once the name is known.
func (fr *frame) getattr(name Datum, o DOp, loc Loc) []Datum {
	if o.Obj == nil {
		return nil
	}
	if name.Tag != TagConst || name.Kind != "str" {
		return fr.attr(*o.Obj, AnyKey, loc) // nothing but of AnyAttr objects
	}
	return fr.attr(*o.Obj, name.Key, loc)
}

// instantiate replaces, in a datum of a callee's result, the callee's
// parameters by what the call binds to them: in a sequence's items and
// an operation's operands too.
func (fr *frame) instantiate(d Datum, bound [][]Datum, depth int) []Datum {
	switch d.Tag {
	case TagSym:
		if d.Param >= len(bound) {
			return nil
		}
		var out gathering
		for _, a := range bound[d.Param] {
			out.add(fr.subst(a, d.Ops)...)
		}
		return out.result()
	case TagSeq, TagExpr:
		if !symbolic(d) {
			break
		}
		if depth > maxDepth {
			return nil
		}
		items := make([][]Datum, len(d.Items))
		for i, it := range d.Items {
			var item gathering
			for _, x := range it {
				item.add(fr.instantiate(x, bound, depth+1)...)
			}
			items[i] = item.result()
		}
		d.Items = items
		d = bounded(d)
	}
	return []Datum{d}
}

// symbolic reports whether d is or holds a parameter (TagSym).
func symbolic(d Datum) bool {
	if d.Tag == TagSym {
		return true
	}
	for _, it := range d.Items {
		for _, x := range it {
			if symbolic(x) {
				return true
			}
		}
	}
	return false
}

// concrete returns d without the parameters it holds, ok false when d
// is one: what an object keeps outlives the call that stored it.
func concrete(d Datum) (Datum, bool) {
	if d.Tag == TagSym {
		return d, false
	}
	if !symbolic(d) {
		return d, true
	}
	items := make([][]Datum, len(d.Items))
	for i, it := range d.Items {
		for _, x := range it {
			if c, ok := concrete(x); ok {
				items[i] = append(items[i], c)
			}
		}
	}
	d.Items = items
	return d, true
}
