package mtls

import "github.com/residue-sec/residue/analyzers/source"

// maxCallDepth is how many calls deep same-file functions are followed.
const maxCallDepth = 2

// inline follows a call of a function defined in the file: its body is
// analyzed with the arguments' values and the caller's facts, so that
// sinks in it are judged by what the caller checked. The call's value is
// what the function returns; used as a test, it establishes what holds on
// every path returning a true value; as a statement, what holds on every
// path returning normally (a check that raises on failure). ok is false
// when the call is not followed (too deep, or the file's budget is spent).
func (fr *frame) inline(call, def *source.Node, as args) (value, bool) {
	a := fr.a
	if fr.depth >= maxCallDepth || a.inlines >= maxInlines || def == fr.fn {
		return value{}, false
	}
	a.inlines++
	a.followed[def] = true
	class := enclosingClass(def)
	callee := &frame{
		a: a, env: map[string]value{}, fn: def, class: class, method: class != nil,
		depth: fr.depth + 1, facts: fr.now(), helper: true,
		role: role{name: fr.role.name, passesOn: fr.role.passesOn},
		mw:   fr.mw, entryName: fr.entryName,
	}
	for i, p := range a.parameters(def, class != nil) {
		if i < len(as.pos) {
			callee.env[p] = as.pos[i]
		}
		if v, ok := as.kw[p]; ok {
			callee.env[p] = v
		}
	}
	o := callee.outcome(!callee.block(def.ChildByFieldName("body")))
	if o.exits != nil {
		fr.pending = fr.pending.with(*o.exits)
	}
	return o.out, true
}

// An outcome sums up a helper frame's returns: the union of the values
// it returns, and what holds where it returns a true value, a false one,
// and at all (nil where no path does).
type outcome struct {
	out                  value
	truthy, falsy, exits *facts
}

// outcome sums up the frame's returns once its body was analyzed
// (fellOff: the end of the body is reachable, returning None). A returned
// value is tested for truth as a caller's if would test it.
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
		c := truthiness(r.node, r.v)
		o.truthy = meetInto(o.truthy, r.f.with(c.t))
		if r.node == nil || r.node.Type() != "true" {
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

func meetInto(acc *facts, f facts) *facts {
	if acc == nil {
		return &f
	}
	m := acc.meet(f)
	return &m
}

// ret handles a return statement: in a helper followed from a call it is
// collected; in an authentication class the returned data is the
// identity; in a permission class the returned data, or True under a test
// of certificate data, grants access.
func (fr *frame) ret(expr *source.Node, v value) {
	if fr.helper {
		fr.rets = append(fr.rets, ret{node: expr, v: v, f: fr.now(), falsy: isFalsy(expr)})
		return
	}
	if fr.mw != "" && isFalsy(expr) && isHook(fr.a.text(fr.fn.ChildByFieldName("name"))) {
		fr.a.passesOn(fr.now())
	}
	switch {
	case fr.role.returnsIdentity && v.data():
		fr.sink(site{node: expr, kind: identitySink, what: "is returned as the authenticated user"}, v)
	case fr.role.returnsDecision && v.data():
		fr.sink(site{node: expr, kind: decisionSink, what: "is returned as the permission decision"}, v)
	case fr.role.returnsDecision && expr != nil && expr.Type() == "true":
		fr.grant(expr)
	}
}

// isFalsy reports whether a returned expression is None, False or absent.
func isFalsy(expr *source.Node) bool {
	if expr == nil {
		return true
	}
	switch expr.Type() {
	case "none", "false":
		return true
	}
	return false
}
