package ctypes

import (
	"fmt"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
)

// callMismatches checks each foreign call against its function pointer's
// bindings: the argument count against argtypes (or a prototype
// instance's paramflags), and size or address arguments passed with no
// argtypes at all.
func (r *reporter) callMismatches() {
	for _, c := range r.ix.calls {
		if len(c.Values) < 3 {
			continue
		}
		key := c.Values[0] + "#" + c.Key
		switch {
		case r.ix.declared(key):
			r.arity(c, key)
		default:
			r.missingArgtypes(c, key)
		}
	}
}

// arity reports a call whose argument count differs from its argtypes:
// fewer raise TypeError; more are passed with the default conversions,
// which the C function does not expect (unless it is variadic).
func (r *reporter) arity(c analyzers.Fact, key string) {
	n, err := strconv.Atoi(c.Values[1])
	if err != nil {
		return
	}
	types, at, ok := r.ix.argtypes(key)
	if !ok {
		return
	}
	lo, hi := len(types), len(types)
	declare := "its argtypes declare"
	if pf, has := r.ix.binding(key, "paramflags"); has {
		if len(pf.Values) != 4 {
			return
		}
		lo, hi = atoi(pf.Values[2]), atoi(pf.Values[3])
		declare = "its paramflags take"
	}
	related := []analyzers.Location{withMessage(at.Location, "argtypes")}
	switch {
	case n < lo:
		r.report(analyzers.Finding{RuleID: ruleArity, Related: related,
			Message: fmt.Sprintf("%s is called with %d arguments, but %s %d: ctypes raises TypeError on this call", c.Key, n, declare, lo)}, c)
	case n > hi:
		if p := r.ix.protos[c.Key]; p != nil && p.variadic {
			return
		}
		r.report(analyzers.Finding{RuleID: ruleArity, Related: related,
			Message: fmt.Sprintf("%s is called with %d arguments, but %s %d: ctypes passes the extra ones unchecked, with default conversions, and the C function ignores them or reads them as something else", c.Key, n, declare, hi)}, c)
	}
}
