package pysrc

// apply is the result of calling function g (a method bound to self, when
// set) at call cs: what its summary returns, with its parameters replaced
// by the call's arguments; and the data the arguments carry to the sinks
// g reaches is reported at the call, or becomes the caller's own flows.
func (fr *frame) apply(g *fn, self *Datum, cs *CallSite, loc Loc) []Datum {
	res := fr.res(g)
	if res == nil {
		return nil
	}
	bound, first := fr.bind(g, self, cs)
	var out gathering
	for i, r := range res.returns {
		if !res.symbolic[i] {
			out.add(r.step(loc))
			continue
		}
		for _, d := range fr.instantiate(r, bound, 0) {
			out.add(d.step(loc))
		}
	}
	if len(res.sinks) > 0 && cs != nil {
		fr.through(g, cs, res.sinks, bound, first)
	}
	if len(res.storeFlows) > 0 {
		fr.replay(res.storeFlows, bound)
	}
	return out.result()
}

// subst applies deferred operations to an argument.
func (fr *frame) subst(a Datum, ops []DOp) []Datum {
	cur := []Datum{a}
	for i, o := range ops {
		if len(cur) == 1 && cur[0].Tag == TagSym {
			return []Datum{cur[0].deferredAll(ops[i:])}
		}
		var next gathering
		for _, d := range cur {
			next.add(fr.op(d, o)...)
		}
		cur = next.result()
		if len(cur) == 0 {
			break
		}
	}
	return cur
}

// bind maps the arguments of call cs to g's parameters: positional ones
// in order (after self), keywords by name, the rest to *args and
// **kwargs; a splat may fill any parameter it reaches. first is the
// parameter the first positional argument fills.
func (fr *frame) bind(g *fn, self *Datum, cs *CallSite) (bound [][]Datum, first int) {
	bound = make([][]Datum, len(g.Params))
	pos := 0
	if g.class != nil && !g.isStatic() && len(g.Params) > 0 {
		switch {
		case g.isClassMethod():
			bound[0] = []Datum{{Tag: TagClass, Class: g.class}}
			pos = 1
		case self != nil:
			bound[0] = []Datum{*self}
			pos = 1
		}
	}
	if cs == nil {
		return bound, pos
	}
	first = pos
	star, kwargs := -1, -1
	for i, p := range g.Params {
		switch p.Kind {
		case ParamStar:
			star = i
		case ParamKwargs:
			kwargs = i
		}
	}
	add := func(i int, ds []Datum) {
		if i >= 0 {
			bound[i] = union(bound[i], ds...)
		}
	}
	for i, a := range cs.c.Args {
		v := cs.args[i]
		switch a.Keyword {
		case "":
			if pos < len(g.Params) && g.Params[pos].Kind == ParamPlain {
				add(pos, v)
				pos++
			} else {
				add(star, v)
			}
		case "*":
			// Each plain parameter takes an item of the sequence.
			items := spread(v)
			for j := pos; j < len(g.Params) && g.Params[j].Kind == ParamPlain; j++ {
				add(j, items)
			}
			add(star, v)
		case "**":
			for j := pos; j < len(g.Params); j++ {
				if k := g.Params[j].Kind; (k == ParamPlain || k == ParamKwOnly) && len(bound[j]) == 0 {
					add(j, fr.keyword(v, g.Params[j].Name, cs.Loc()))
				}
			}
			add(kwargs, v)
		default:
			j := g.param(a.Keyword)
			if j < 0 {
				j = kwargs
			}
			add(j, v)
		}
	}
	return bound, first
}

// spread returns what an item of the values v of a *argument may be: a
// sequence's items, anything else itself.
func spread(v []Datum) []Datum {
	var out []Datum
	for _, d := range v {
		if d.Tag == TagSeq {
			out = union(out, d.allItems()...)
		} else {
			out = union(out, d)
		}
	}
	return out
}

// keyword returns what a parameter named name takes of a **mapping
// argument v: its value at the key name (f(**request.POST) passes one
// field to each parameter, not the whole form), and what v is when it
// is not data or an object (a caller's parameter, whose summary defers
// the read).
func (fr *frame) keyword(v []Datum, name string, loc Loc) []Datum {
	var out []Datum
	for _, d := range v {
		switch d.Tag {
		case TagData, TagObject:
			out = union(out, fr.op(d, DOp{Op: Op{Kind: OpIndex, Name: name, Span: loc.Span}, Mod: loc.Mod})...)
		case TagSym:
			out = union(out, d.deferred(DOp{Op: Op{Kind: OpIndex, Name: name, Span: loc.Span}, Mod: loc.Mod}))
		default:
			out = union(out, d)
		}
	}
	return out
}

// param returns the index of the parameter a keyword argument fills.
func (f *fn) param(name string) int {
	for i, p := range f.Params {
		if p.Name == name && (p.Kind == ParamPlain || p.Kind == ParamKwOnly) {
			return i
		}
	}
	return -1
}

func (f *fn) isStatic() bool { return f.decorated("staticmethod") }

func (f *fn) isClassMethod() bool { return f.decorated("classmethod") }

func (f *fn) decorated(name string) bool {
	for _, d := range f.Decorators {
		if lastName(d) == name {
			return true
		}
	}
	return false
}
