package ctypes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// prototypeMismatches compares every argtypes and restype binding with
// the C prototype of its symbol: the parameter count, pointer against
// integer, integer and floating-point widths. Typedef equivalences are
// not reported (see mismatch). A function bound with argtypes whose
// prototype returns a pointer or a 64-bit value, called for its result,
// needs a restype too.
func (r *reporter) prototypeMismatches() {
	keys := sortedKeys(r.ix.bindings)
	for _, key := range keys {
		for _, b := range r.ix.bindings[key] {
			p := r.ix.protos[b.Key]
			if p == nil {
				continue
			}
			switch b.Values[1] {
			case "argtypes":
				r.argtypesMismatch(b, p)
			case "restype":
				r.restypeMismatch(b, p)
			}
		}
		r.missingRestype(key)
	}
}

func (r *reporter) argtypesMismatch(b analyzers.Fact, p *proto) {
	if len(b.Values) == 3 && b.Values[2] == "*" {
		return
	}
	types := b.Values[2:]
	related := []analyzers.Location{withMessage(p.loc, "the C prototype")}
	switch {
	case len(types) != len(p.params) && !(p.variadic && len(types) > len(p.params)):
		r.report(analyzers.Finding{RuleID: rulePrototype, Related: related,
			Message: fmt.Sprintf("argtypes of %s declares %d parameters, but the C prototype %s has %d: %s",
				b.Key, len(types), p.signature(), len(p.params), countEffect(len(types), len(p.params)))}, b)
		return
	}
	var diffs []string
	for k, v := range types {
		if k >= len(p.params) {
			break
		}
		py, c := decodeType(v), r.ix.ctypeOf(p.params[k])
		if why := mismatch(py, c); why != "" {
			diffs = append(diffs, fmt.Sprintf("parameter %d (%s) is %s in C but %s in argtypes: %s",
				k+1, cparamName(p.params[k], k), c.describe(), py.describe(), why))
		}
	}
	if len(diffs) > 0 {
		r.report(analyzers.Finding{RuleID: rulePrototype, Related: related,
			Message: fmt.Sprintf("argtypes of %s disagrees with the C prototype %s: %s",
				b.Key, p.signature(), strings.Join(diffs, "; "))}, b)
	}
}

func countEffect(declared, want int) string {
	if declared < want {
		return "calls pass too few arguments, and the callee reads the missing ones from whatever the registers hold"
	}
	return "calls pass arguments the callee never reads, and the ones it does read may be the wrong ones"
}

func cparamName(c cparam, k int) string {
	if c.name != "" {
		return c.name
	}
	return fmt.Sprintf("#%d", k+1)
}

func (r *reporter) restypeMismatch(b analyzers.Fact, p *proto) {
	if len(b.Values) < 3 {
		return
	}
	py, c := decodeType(b.Values[2]), r.ix.ctypeOf(p.ret)
	if c.kind == kindVoid || py.kind == kindVoid {
		return
	}
	if why := mismatch(py, c); why != "" {
		r.report(analyzers.Finding{RuleID: rulePrototype,
			Related: []analyzers.Location{withMessage(p.loc, "the C prototype")},
			Message: fmt.Sprintf("restype of %s is %s, but the C prototype %s returns %s: %s",
				b.Key, py.describe(), p.signature(), c.describe(), why)}, b)
	}
}

// missingRestype reports a function pointer with argtypes and no restype
// whose C function returns a pointer or a 64-bit value that a call uses:
// the default restype, C int, truncates it.
func (r *reporter) missingRestype(key string) {
	at, ok := r.ix.binding(key, "argtypes")
	if !ok {
		return
	}
	if _, has := r.ix.binding(key, "restype"); has {
		return
	}
	p := r.ix.protos[at.Key]
	if p == nil {
		return
	}
	ret := r.ix.ctypeOf(p.ret)
	if ret.kind != kindPtr && !(ret.kind == kindInt && ret.width > 4) && ret.kind != kindAddr && ret.kind != kindFloat {
		return
	}
	for _, c := range r.ix.byFP[key] {
		if len(c.Values) > 2 && strings.Contains(c.Values[2], "u") {
			r.report(analyzers.Finding{RuleID: rulePrototype,
				Related: []analyzers.Location{withMessage(p.loc, "the C prototype"), withMessage(c.Location, "the result is used here")},
				Message: fmt.Sprintf("%s has argtypes but no restype, so ctypes reads its %s result as a C int (4 bytes): set restype to match the C prototype %s",
					at.Key, ret.describe(), p.signature())}, at)
			return
		}
	}
}

func withMessage(l analyzers.Location, msg string) analyzers.Location {
	l.Message = msg
	return l
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
