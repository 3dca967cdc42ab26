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
// not reported (see mismatch).
func (ix *index) prototypeMismatches() {
	for _, key := range sortedKeys(ix.bindings) {
		for _, b := range ix.bindings[key] {
			p := ix.protos[b.fp.Key]
			if p == nil {
				continue
			}
			switch b.attr {
			case "argtypes":
				ix.argtypesMismatch(b, p)
			case "restype":
				ix.restypeMismatch(b, p)
			}
		}
	}
}

func (ix *index) argtypesMismatch(b *binding, p *proto) {
	if !b.known {
		return
	}
	related := []analyzers.Location{withMessage(p.loc, "the C prototype")}
	if len(b.types) != len(p.params) && !(p.variadic && len(b.types) > len(p.params)) {
		ix.report(analyzers.Finding{RuleID: rulePrototype, Related: related,
			Message: fmt.Sprintf("argtypes of %s declares %d parameters, but the C prototype %s has %d: %s",
				b.fp.Key, len(b.types), p.signature(), len(p.params), countEffect(len(b.types), len(p.params)))}, b.loc)
		return
	}
	var diffs []string
	for k, py := range b.types {
		if k >= len(p.params) {
			break
		}
		c := ix.ctypeOf(p.params[k])
		if why := mismatch(py, c); why != "" {
			diffs = append(diffs, fmt.Sprintf("parameter %d (%s) is %s in C but %s in argtypes: %s",
				k+1, cparamName(p.params[k], k), c.describe(), py.describe(), why))
		}
	}
	if len(diffs) > 0 {
		ix.report(analyzers.Finding{RuleID: rulePrototype, Related: related,
			Message: fmt.Sprintf("argtypes of %s disagrees with the C prototype %s: %s",
				b.fp.Key, p.signature(), strings.Join(diffs, "; "))}, b.loc)
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

func (ix *index) restypeMismatch(b *binding, p *proto) {
	if len(b.types) == 0 {
		return
	}
	py, c := b.types[0], ix.ctypeOf(p.ret)
	if c.kind == kindVoid || py.kind == kindVoid {
		return
	}
	if why := mismatch(py, c); why != "" {
		ix.report(analyzers.Finding{RuleID: rulePrototype,
			Related: []analyzers.Location{withMessage(p.loc, "the C prototype")},
			Message: fmt.Sprintf("restype of %s is %s, but the C prototype %s returns %s: %s",
				b.fp.Key, py.describe(), p.signature(), c.describe(), why)}, b.loc)
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
