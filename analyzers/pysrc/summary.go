package pysrc

import "slices"

// Not every function is evaluated: only those that make a call some
// vocabulary says may be a sink (the roots), what their evaluation
// needs, and the callers (found by the name they call) of any function
// that turns out to pass a parameter on to a sink. A function nothing
// evaluated needs cannot write data anywhere a family looks.
//
// Summaries are computed bottom-up over the call graph as it is found:
// evaluating a function first evaluates what it needs (the functions it
// calls, the methods that assign the attributes it reads, the module
// bodies whose globals it reads), depth-first, in Tarjan's order, so that
// a strongly connected component (recursion) is complete when its root
// is done; its functions are then evaluated again, in turn, until none
// of their results changes, at most maxRounds times. A budget of
// evaluations bounds the whole: once spent, components are not iterated
// any more, and their summaries stay as the first evaluation left them.
// Functions are visited in the order of modules and code, so the result
// is the same whatever the scheduling of the files was.

// maxRounds bounds the evaluations of a recursive component; maxVisits
// the depth of the walk (a deeper callee is read as it stands, as if it
// were recursive).
const (
	maxRounds = 4
	maxVisits = 1000
)

// A scheduler is the state of Tarjan's walk, and of the queue of
// functions to evaluate.
type scheduler struct {
	next   int
	stack  []*fn
	depth  int
	evals  int
	budget int
	queue  []*fn
	// callers maps a name to the functions that call something so named.
	callers map[string][]*fn
}

// summarize evaluates the roots, and the callers of the functions found
// to pass a parameter to a sink, until there are no more; on demand, only
// what the scanned modules' findings read (demand.go).
func (p *Program) summarize() {
	p.resolveClasses()
	s := &p.sched
	// On demand, a function of a module neither scanned nor evaluated
	// whole is neither queued as a root nor as a caller (callersOf): its
	// calls are not read, nor its code decoded.
	whole, queued := make([]bool, len(p.modules)), make([]bool, len(p.modules))
	n := 0
	for i, m := range p.modules {
		n += len(m.fns)
		whole[i] = moduleRoot(m.Module)
		queued[i] = whole[i] || m.scanned
	}
	s.callers = map[string][]*fn{}
	for i, m := range p.modules {
		if !queued[i] && p.onDemand {
			continue
		}
		for _, f := range m.fns {
			for name := range f.callNames() {
				if cs := s.callers[name]; name != "" && (len(cs) == 0 || cs[len(cs)-1] != f) {
					s.callers[name] = append(cs, f)
				}
			}
			if queued[i] && (whole[i] || f.callsCandidate()) {
				s.queue = append(s.queue, f)
			}
		}
	}
	s.budget = 3*n + 64
	p.drain()
	if p.onDemand {
		defs := p.defsNamed()
		for _, m := range p.modules {
			if !m.scanned {
				continue
			}
			for _, f := range m.fns {
				if f.index == 0 && p.demanded(f, defs) {
					p.visit(f)
					p.drain()
				}
			}
		}
	}
	s.stack, s.callers = nil, nil
}

// drain evaluates the queued functions.
func (p *Program) drain() {
	s := &p.sched
	for len(s.queue) > 0 {
		f := s.queue[0]
		s.queue = s.queue[1:]
		if f.index == 0 {
			p.visit(f)
		}
	}
}

// calledAs returns the name a call calls f by: the last part of its name,
// its class's for an __init__.
func (f *fn) calledAs() string {
	name := lastName(f.Name)
	if name == "__init__" && f.class != nil {
		name = lastName(f.class.Name)
	}
	return name
}

// callersOf queues the callers of f, which passes a parameter to a sink.
func (p *Program) callersOf(f *fn) {
	for _, g := range p.sched.callers[f.calledAs()] {
		if g.index == 0 && (g.mod.scanned || !p.onDemand) {
			p.sched.queue = append(p.sched.queue, g)
		}
	}
}

// visit evaluates f and, when f roots a component, completes it.
func (p *Program) visit(f *fn) {
	s := &p.sched
	s.next++
	f.index, f.low, f.onStack = s.next, s.next, true
	s.stack = append(s.stack, f)
	p.evaluate(f)
	if f.low != f.index {
		return
	}
	i := slices.Index(s.stack, f)
	scc := slices.Clone(s.stack[i:])
	s.stack = s.stack[:i]
	for _, g := range scc {
		g.onStack = false
	}
	if len(scc) > 1 || f.recursive {
		for range maxRounds - 1 {
			if s.evals >= s.budget {
				break
			}
			changed := false
			for _, g := range scc {
				changed = p.evaluate(g) || changed
			}
			if !changed {
				break
			}
		}
	}
	for _, g := range scc {
		g.final = true
		g.releaseCode()
		if g.res != nil && len(g.res.sinks) > 0 {
			p.callersOf(g)
		}
	}
}

// need is called while cur is evaluated and reads g's result: g is
// evaluated first when it was not yet.
func (p *Program) need(cur, g *fn) {
	if g.final {
		return
	}
	switch {
	case g.index == 0 && p.sched.depth < maxVisits:
		p.sched.depth++
		p.visit(g)
		p.sched.depth--
		cur.low = min(cur.low, g.low)
	case g.onStack:
		cur.low = min(cur.low, g.index)
		if g == cur {
			cur.recursive = true
		}
	}
}

// evaluate evaluates f once and reports whether its result changed.
func (p *Program) evaluate(f *fn) bool {
	p.sched.evals++
	fr := &frame{p: p, f: f}
	res := fr.run()
	changed := !res.equal(f.res)
	f.res = res
	return changed
}

// equal reports whether two results say the same.
func (r *result) equal(o *result) bool {
	if o == nil {
		return false
	}
	if !sameAll(r.returns, o.returns) || len(r.sinks) != len(o.sinks) || len(r.stores) != len(o.stores) || len(r.env) != len(o.env) ||
		len(r.globals) != len(o.globals) || len(r.storeFlows) != len(o.storeFlows) || !equalInitStores(r.initStores, o.initStores) {
		return false
	}
	for i := range r.sinks {
		a, b := r.sinks[i], o.sinks[i]
		if a.Param != b.Param || a.At != b.At || len(a.Via) != len(b.Via) || len(a.Ops) != len(b.Ops) {
			return false
		}
	}
	for k, v := range r.stores {
		if !sameAll(v, o.stores[k]) {
			return false
		}
	}
	for k, v := range r.env {
		if !sameAll(v, o.env[k]) {
			return false
		}
	}
	for k, v := range r.globals {
		if !sameAll(v, o.globals[k]) {
			return false
		}
	}
	if len(r.requestStores) != len(o.requestStores) {
		return false
	}
	for k, v := range r.requestStores {
		if !sameAll(v, o.requestStores[k]) {
			return false
		}
	}
	return true
}
