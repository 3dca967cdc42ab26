package pysrc

import (
	"slices"
	"strings"
)

// Pre-commit scans the few files staged, a CI shard one file in N: the
// program is linked from every module all the same (their parts come
// from the cache), but only the scanned modules' findings are read. The
// summaries no scanned module's finding can read are then left undone.
//
// A whole build evaluates the roots of every module (the functions that
// make a call a vocabulary says may be a sink, and every function of a
// module a vocabulary has wholly evaluated), what each evaluation needs,
// and the callers, by name, of every function that passes a parameter on
// to a sink. On demand, the roots are those of the scanned modules and of
// the wholly evaluated ones; a function of a scanned module that is no
// root is evaluated when it calls, by name, a function that passes a
// parameter on to a sink (found by evaluating the functions so named) —
// when a whole build queues it as such a function's caller. What an
// evaluation needs is evaluated as always. So each scanned module's
// functions are evaluated, and their events found, as in a whole build,
// but in one case: a function that passes a parameter on to a sink only
// through a call by another name (an alias), which no evaluated function
// of a whole build calls, is evaluated on demand and its callers with it,
// so pre-commit may then report an event a whole scan misses. And a note
// that a call makes in another module's evaluation about a scanned one
// (ctypes' bindings assigned through a parameter, made again at each call)
// is made only if that module is evaluated: it is when it is scanned or
// evaluated whole (it imports ctypes), not when it is only a root of
// another family.
//
// A scan that reports on a file of another language (a C file) builds
// the whole program: cmem's findings there read the Python modules that
// send a C extension's bytes (NativeEvents).

// scope marks the scanned modules, and the program as summarized on
// demand (onDemand) when some module is not scanned and every scanned file
// is one of the program's modules or a Python file it did not keep.
func (p *Program) scope(scanned []string) {
	if scanned == nil {
		for _, m := range p.modules {
			m.scanned = true
		}
		return
	}
	for _, path := range scanned {
		if m := p.byPath[path]; m != nil {
			m.scanned = true
		} else if !strings.HasSuffix(path, ".py") {
			p.scope(nil)
			return
		}
	}
	p.onDemand = slices.ContainsFunc(p.modules, func(m *module) bool { return !m.scanned })
}

// defsNamed indexes the functions by the name a call calls them by
// (calledAs).
func (p *Program) defsNamed() map[string][]*fn {
	defs := map[string][]*fn{}
	for _, m := range p.modules {
		for _, f := range m.fns {
			if f.Kind == KindDef {
				name := f.calledAs()
				defs[name] = append(defs[name], f)
			}
		}
	}
	return defs
}

// demanded reports whether f calls, by name, a function that passes a
// parameter on to a sink; the functions so named are evaluated first.
func (p *Program) demanded(f *fn, defs map[string][]*fn) bool {
	for name := range f.callNames() {
		for _, g := range defs[name] {
			if g.index == 0 {
				p.visit(g)
			}
			if g.res != nil && len(g.res.sinks) > 0 {
				return true
			}
		}
	}
	return false
}
