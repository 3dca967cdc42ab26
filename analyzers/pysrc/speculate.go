package pysrc

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Build evaluates functions on one goroutine, in an order that makes its
// result the same on every run. While it does, a second goroutine (the
// speculator) evaluates ahead of it on a core the run does not use
// meanwhile (one it takes from analyzers.BuildPass.Spare for each root):
// the roots from the end of the queue backwards, then the callers the
// scheduler queues, last first; each callee first, as the scheduler
// would, but reading only results that are final (the scheduler published
// them) or speculated. It gives up on a root whose evaluation meets
// recursion (a function it is itself evaluating), goes deeper than
// maxSpeculation, or panics.
//
// A speculated result records the results its evaluation read, in order.
// When the scheduler comes to evaluate the function for the first time, it
// makes the same calls to need, in the same order, that evaluating the
// function would make up to each read (so its own walk is unchanged), and
// takes the speculated result only if every result read is the very one
// the speculation read. Evaluation being a function of the code and of
// the results read, that result is the one the scheduler would compute;
// at the first read that differs, it evaluates the function itself, which
// makes no further call to need than the walk would have made.
//
// The speculator writes nothing the scheduler reads but the speculated
// results, published atomically, and reads nothing the scheduler writes
// but published results: it keeps caches of its own of the program's
// (sanitizer names, resolutions), which the scheduler fills.

// maxSpeculation bounds how deep the speculator follows callees.
const maxSpeculation = 200

// A speculation is a speculated result and the results its evaluation
// read.
type speculation struct {
	res   *result
	reads []specRead
}

// A specRead is one result an evaluation read: g's, which was res.
type specRead struct {
	g   *fn
	res *result
}

// published is the state of a function the speculator may read.
type published struct {
	// final is set once the function's result is final (done).
	final atomic.Bool
	// spec is the function's speculated result.
	spec atomic.Pointer[speculation]
}

// speculator is the state of the goroutine that evaluates ahead.
type speculator struct {
	// stopped is closed when the speculator is to stop.
	stopped chan struct{}
	wg      sync.WaitGroup
	// queued are the functions the scheduler queued after the roots (the
	// callers of functions found to pass a parameter on to a sink), taken
	// last first; cond wakes the speculator when there are more.
	mu     sync.Mutex
	cond   *sync.Cond
	queued []*fn
	// stack are the functions being evaluated, innermost last; failed are
	// the functions given up on, which
	// recursion makes the scheduler's alone. retry are the roots given up
	// on for a function the scheduler had not finished, tried again once
	// when nothing else is queued; tried counts their attempts.
	stack  []*fn
	failed map[*fn]bool
	retry  []*fn
	tried  map[*fn]int
	// The speculator's own caches of the program's (clean, resolved).
	cleans      map[string]bool
	resolutions map[resolutionKey]resolution
}

// specAbort is what a speculative evaluation panics with to give up: the
// functions of the stack from at on are given up on for good.
type specAbort struct{ at int }

// speculate starts the speculator over roots (the scheduler's queue, in
// its order) and returns the function that stops it and waits for it.
func (p *Program) speculate(roots []*fn) (stop func()) {
	s := &speculator{failed: map[*fn]bool{}, tried: map[*fn]int{}, cleans: map[string]bool{}, resolutions: map[resolutionKey]resolution{}}
	s.cond, s.stopped = sync.NewCond(&s.mu), make(chan struct{})
	p.spec = s
	roots = slices.Clone(roots)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for i := len(roots) - 1; i >= 0 && !s.stopping(); i-- {
			s.root(p, roots[i])
		}
		for f := s.next(); f != nil; f = s.next() {
			s.root(p, f)
		}
	}()
	return func() {
		s.mu.Lock()
		close(s.stopped)
		s.cond.Broadcast()
		s.mu.Unlock()
		s.wg.Wait()
		p.spec = nil
		// What was speculated is taken or of no use any more.
		for _, m := range p.modules {
			for _, f := range m.fns {
				f.pub.spec.Store(nil)
			}
		}
	}
}

// stopping reports whether the speculator is to stop.
func (s *speculator) stopping() bool {
	select {
	case <-s.stopped:
		return true
	default:
		return false
	}
}

// queue tells the speculator the scheduler queued f.
func (s *speculator) queue(f *fn) {
	s.mu.Lock()
	s.queued = append(s.queued, f)
	s.cond.Signal()
	s.mu.Unlock()
}

// queueAll tells the speculator the scheduler will evaluate fs in their
// order, or some of them.
func (s *speculator) queueAll(fs []*fn) {
	s.mu.Lock()
	s.queued = append(s.queued, fs...)
	s.cond.Signal()
	s.mu.Unlock()
}

// next takes the last function the scheduler queued, else the last root
// to try again, else waits for the scheduler to queue one; nil once the
// speculator is stopped.
func (s *speculator) next() *fn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queued) == 0 && len(s.retry) == 0 && !s.stopping() {
		s.cond.Wait()
	}
	var f *fn
	switch {
	case s.stopping():
	case len(s.queued) > 0:
		f, s.queued = s.queued[len(s.queued)-1], s.queued[:len(s.queued)-1]
	default:
		f, s.retry = s.retry[len(s.retry)-1], s.retry[:len(s.retry)-1]
	}
	return f
}

// root speculates f and what it needs, on a spare core. It gives up on
// the walk at recursion (for good on the functions of the cycle), at a
// function given up on (trying the root again later, once), at depth, and
// on a walk that panics: the scheduler's own evaluation meets the same
// panic, which Build reports.
func (s *speculator) root(p *Program, f *fn) {
	if f.pub.final.Load() || f.pub.spec.Load() != nil {
		return
	}
	select {
	case <-p.spare:
	case <-s.stopped:
		return
	}
	defer func() { p.spare <- struct{}{} }()
	defer func() {
		if r := recover(); r != nil {
			at := 0
			if a, ok := r.(specAbort); ok {
				at = a.at
			}
			for _, g := range s.stack[at:] {
				s.failed[g] = true
			}
			for _, g := range s.stack {
				g.releaseCode()
			}
			if at > 0 && s.tried[f] < 1 {
				s.tried[f]++
				s.mu.Lock()
				s.retry = append(s.retry, f)
				s.mu.Unlock()
			}
			s.stack = s.stack[:0]
		}
	}()
	s.evaluate(p, f)
}

// evaluate speculates f unless its result is known or given up on.
func (s *speculator) evaluate(p *Program, f *fn) {
	if f.pub.final.Load() || f.pub.spec.Load() != nil {
		return
	}
	if k := slices.Index(s.stack, f); k >= 0 {
		panic(specAbort{k})
	}
	switch {
	case s.failed[f] || s.stopping():
		panic(specAbort{len(s.stack)})
	case len(s.stack) >= maxSpeculation:
		panic(specAbort{0})
	}
	s.stack = append(s.stack, f)
	fr := &frame{p: p, f: f, spec: &speculation{}}
	fr.spec.res = fr.run()
	s.stack = s.stack[:len(s.stack)-1]
	f.pub.spec.Store(fr.spec)
	f.releaseCode()
}

// specRes returns g's result for a speculative frame: the final one, or
// the one speculated, speculating it first when there is none.
func (fr *frame) specRes(g *fn) *result {
	s := fr.p.spec
	if s.stopping() {
		panic(specAbort{len(s.stack)})
	}
	s.evaluate(fr.p, g)
	var r *result
	if g.pub.final.Load() {
		r = g.res
	} else if sp := g.pub.spec.Load(); sp != nil {
		r = sp.res
	} else {
		panic(specAbort{len(s.stack)})
	}
	fr.spec.reads = append(fr.spec.reads, specRead{g, r})
	return r
}

// adopt makes, for f's first evaluation, the calls to need that
// evaluating f would make up to each result sp read, and reports whether
// every result read is the one sp read: then sp's result is f's.
func (p *Program) adopt(f *fn, sp *speculation) bool {
	for _, r := range sp.reads {
		p.need(f, r.g)
		if r.g.res != r.res {
			return false
		}
	}
	return true
}
