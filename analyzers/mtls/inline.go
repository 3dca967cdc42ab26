package mtls

import (
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// Calls of the repository's functions are followed: a function of the
// checked module is walked at the call with the caller's facts, so that
// its sinks are judged by what the caller checked (and reported there); a
// function of another module, given the request or certificate data, is
// walked quietly with the call's arguments, and what it establishes
// where it returns, what it returns and whether it cuts certificate
// strings apart come back to the call.

// Depth limits: a function of the checked module is followed two calls
// deep, one of another module four.
const (
	maxCallDepth    = 2
	maxSummaryDepth = 4
)

// follow follows a call of def (a method bound to self, when set): in
// the checked module loudly, in another quietly. ok is false when the
// call is not followed (too deep, or the budget is spent).
func (cs *callSite) follow(def *pysrc.FuncDef, self *value) (value, bool) {
	fr := cs.fr
	same := def.Module() == fr.fn.Module() && fr.c != nil
	switch {
	case def == fr.fn || fr.rp.inlines >= maxInlines:
		return value{}, false
	case same && fr.depth >= maxCallDepth:
		return value{}, false
	case !same && (fr.depth >= maxSummaryDepth || !cs.as.carryRequest()):
		return value{}, false
	}
	fr.rp.inlines++
	callee := &frame{c: fr.c, rp: fr.rp, fn: def, class: def.Owner(), method: def.IsMethod(), depth: fr.depth + 1, helper: true}
	if same {
		fr.c.followed[def] = true
		callee.facts = fr.now()
		callee.role = role{name: fr.role.name, passesOn: fr.role.passesOn}
		callee.own, callee.hand = fr.own, fr.hand
	} else {
		callee.c, callee.hand = nil, &handOn{}
	}
	callee.vals = newValues(callee, cs.bind(def, self))
	o := callee.outcome(!callee.block(def.Block(def.Code().Body)))
	if same {
		if o.exits != nil {
			fr.pending = fr.pending.with(*o.exits)
		}
		return o.out, true
	}
	return cs.returned(def, o), true
}

// external is a call of a function of another module of the repository
// (refs are what the callee may be) with the request, its META or
// certificate data; ok is false for any other call.
func (cs *callSite) external(refs []pysrc.Datum) (value, bool) {
	for _, d := range refs {
		if d.Tag != pysrc.TagFunc {
			continue
		}
		var self *value
		if d.Self != nil {
			self = &value{kind: selfKind, refs: []pysrc.Datum{*d.Self}}
		}
		if v, ok := cs.follow(d.Fn, self); ok {
			return v, true
		}
	}
	return value{}, false
}

// carryRequest reports whether the arguments pass the request, its META
// or headers, or certificate data.
func (as args) carryRequest() bool {
	carries := func(v value) bool {
		return v.kind == requestKind || v.kind == metaKind || v.kind == headersKind || v.data() || v.status != nil
	}
	for _, v := range as.pos {
		if carries(v) {
			return true
		}
	}
	for _, v := range as.kw {
		if carries(v) {
			return true
		}
	}
	return false
}

// bind returns the values of def's parameters at the call: self (for a
// method not static), the positional arguments in order, the keywords
// by name.
func (cs *callSite) bind(def *pysrc.FuncDef, self *value) []value {
	params := make([]value, len(def.Params))
	pos := 0
	if def.IsMethod() && !decorated(def, "staticmethod") && len(params) > 0 {
		if self != nil {
			params[0] = *self
		} else {
			params[0] = value{kind: selfKind}
		}
		pos = 1
	}
	for _, v := range cs.as.pos {
		if pos >= len(def.Params) || def.Params[pos].Kind != pysrc.ParamPlain {
			break
		}
		params[pos] = v
		pos++
	}
	for i, p := range def.Params {
		if v, ok := cs.as.kw[p.Name]; ok && (p.Kind == pysrc.ParamPlain || p.Kind == pysrc.ParamKwOnly) {
			params[i] = v
		}
	}
	return params
}

// decorated reports whether f has a decorator named name.
func decorated(f *pysrc.FuncDef, name string) bool {
	for _, d := range f.Decorators {
		if last(d) == name {
			return true
		}
	}
	return false
}

// An outcome sums up a followed function's returns: the union of the
// values it returns, and what holds where it returns a true value, a
// false one, and at all (nil where no path does).
type outcome struct {
	out                  value
	truthy, falsy, exits *facts
}

// outcome sums up the frame's returns once its body was walked (fellOff:
// the end of the body is reachable, returning None). A returned value is
// tested for truth as a caller's if would test it.
func (callee *frame) outcome(fellOff bool) outcome {
	var o outcome
	valued := false
	for _, r := range callee.rets {
		if r.falsy {
			o.falsy = meetInto(o.falsy, r.f)
			continue
		}
		if valued {
			o.out = o.out.union(r.v)
		} else {
			o.out = r.v
		}
		valued = true
		c := truthiness(r.at, r.v)
		o.truthy = meetInto(o.truthy, r.f.with(c.t))
		if !r.true_ {
			o.falsy = meetInto(o.falsy, r.f.with(c.f))
		}
		o.exits = meetInto(o.exits, r.f)
	}
	if fellOff {
		o.falsy = meetInto(o.falsy, callee.facts)
		if !valued {
			o.exits = meetInto(o.exits, callee.facts)
		}
	}
	o.out.cond = nil
	if o.truthy != nil || o.falsy != nil {
		o.out.cond = &condition{}
		if o.truthy != nil {
			o.out.cond.t = *o.truthy
		}
		if o.falsy != nil {
			o.out.cond.f = *o.falsy
		}
	}
	return o
}

// returned is what a call of def, another module's function walked
// quietly, gives the caller: the arguments' data as it was, and what def
// returns and establishes, made the call's own (a key def reads becomes
// "def()", a check def makes one of the call, def's string parsing the
// call's).
func (cs *callSite) returned(def *pysrc.FuncDef, o outcome) value {
	fr := cs.fr
	here := fr.fn.Module()
	written := cs.c.Name
	if written == "" {
		written = fr.rp.text(fr.at(cs.c.FuncSpan))
	}
	rp := &reroot{at: cs.at, via: written, here: here, def: def.Module().At(def.NameSpan)}
	v := cs.as.all.derived()
	out := o.out
	for _, org := range out.origins {
		switch {
		case org.at.Mod == here:
			v.origins = mergeOrigins(v.origins, []*origin{org})
		case !out.record:
			v.origins = mergeOrigins(v.origins, []*origin{rp.origin(org)})
		}
	}
	if out.status != nil && v.status == nil {
		v.status = out.status
		if out.status.at.Mod != here {
			v.status = rp.origin(out.status)
		}
	}
	switch {
	case out.parse.Valid() && out.parse.Mod != here:
		v.parse, v.parser, v.parserDef, v.firstElement = cs.at, written, def.Module().At(def.NameSpan), false
	case out.parse.Valid() && !v.parse.Valid():
		v.parse, v.parser, v.parserDef, v.firstElement = out.parse, out.parser, out.parserDef, out.firstElement
	}
	v.fromCert = v.fromCert || out.fromCert
	v.certAttr = out.certAttr && !v.data()
	v.fingerprint = v.fingerprint || out.fingerprint
	v.pinned = v.pinned || out.pinned
	v.peer = v.peer || out.peer
	v.header = v.header || out.header
	if out.kind == certObjKind {
		v.kind = certObjKind
	}
	c := condition{}
	if o.truthy != nil {
		c.t = rp.facts(*o.truthy)
	}
	if o.falsy != nil {
		c.f = rp.facts(*o.falsy)
	}
	v.cond = &c
	if o.exits != nil {
		fr.pending = fr.pending.with(rp.facts(*o.exits))
	}
	v.called = written
	return v
}

// A reroot makes what another module's function read and checked the
// call's own.
type reroot struct {
	at, def pysrc.Loc
	via     string
	here    *pysrc.ModuleDef
}

// origin returns o as read by the call: its keys named after the
// function.
func (r *reroot) origin(o *origin) *origin {
	keys := make([]keyInfo, len(o.keys))
	for i, k := range o.keys {
		k.name, k.ref, k.def = r.via+"()", "", r.def
		keys[i] = k
	}
	return &origin{at: r.at, keys: keys, returned: true}
}

// facts returns f as established by the call: its checks made there
// (by the function, whose test a weak check keeps), no gates.
func (r *reroot) facts(f facts) facts {
	move := func(c *check) *check {
		if c == nil || c.at.Mod == r.here {
			return c
		}
		out := *c
		out.at, out.via = r.at, r.via
		if !out.def.Valid() {
			out.def = c.at
		}
		return &out
	}
	return facts{verified: move(f.verified), guarded: move(f.guarded), weak: move(f.weak)}
}
