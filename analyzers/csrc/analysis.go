package csrc

import (
	"fmt"
	"strings"
	"sync"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Config says which calls are outputs beyond the built-in ones.
type Config struct {
	// Sinks are functions that send a buffer out of the process.
	Sinks []Sink
}

// A Sink is a function that lets its argument Arg leave (positions
// counted from 0): the first Len bytes of the buffer it points to
// (BytesSink), its value (ValueSink), or the string it points to
// (StringSink).
type Sink struct {
	Name string
	Kind SinkKind
	Arg  int
	Len  int
}

// A SinkKind says what a configured sink lets leave.
type SinkKind uint8

// The kinds of sinks.
const (
	BytesSink SinkKind = iota
	ValueSink
	StringSink
)

// key identifies a configuration.
func (c Config) key() string {
	var b strings.Builder
	for _, s := range c.Sinks {
		fmt.Fprintf(&b, "%s:%d:%d:%d;", s.Name, s.Kind, s.Arg, s.Len)
	}
	return b.String()
}

// An Analysis follows uninitialized memory through the repository's C
// functions for one configuration. Function summaries are computed on
// first use, one strongly connected component of the call graph at a
// time, callees first; each is computed once, from its definitions and
// its callees' summaries only, so that it never depends on which
// goroutine asked for it first.
type Analysis struct {
	repo     *Repo
	sinks    map[string]sinkSpec
	printers map[string]printer
	graph    *callGraph
	once     []sync.Once
	sums     []*summary
	// outputters names the functions of the repository that may reach an
	// output: a sink, a printing function, or another of them.
	outputters map[string]bool
	// walks holds each function's outputs (a *walked by definition),
	// found once for cmem and for the summaries of exported functions;
	// exports their export summaries (an *exported by definition).
	walks, exports sync.Map
}

// Analysis returns the repository's analysis for cfg; every call with
// the same configuration returns the same one.
func (r *Repo) Analysis(cfg Config) *Analysis {
	g := r.callGraph()
	key := cfg.key()
	r.mu.Lock()
	a := r.analyses[key]
	r.mu.Unlock()
	if a != nil {
		return a
	}
	a = &Analysis{repo: r, sinks: sinkTable(cfg.Sinks), printers: printerTable(cfg.Sinks), graph: g,
		once: make([]sync.Once, len(g.comps)), sums: make([]*summary, len(g.funcs))}
	a.findOutputters()
	r.mu.Lock()
	defer r.mu.Unlock()
	if other := r.analyses[key]; other != nil {
		return other
	}
	r.analyses[key] = a
	return a
}

// isOutput reports whether a call of name may be an output.
func (a *Analysis) isOutput(name string) bool {
	_, prints := a.printers[name]
	return a.sinks[name].verb != "" || name == buildValue || prints || a.outputters[name]
}

// findOutputters marks the functions that call an output, directly or
// through others, component by component, callees first.
func (a *Analysis) findOutputters() {
	g := a.graph
	out := make([]bool, len(g.funcs))
	for _, members := range g.comps {
		for changed := true; changed; {
			changed = false
			for _, id := range members {
				if out[id] {
					continue
				}
				f := g.funcs[id]
				u := a.repo.unit(f.part.File)
				for _, name := range f.part.declarations().calls[f.node] {
					_, prints := a.printers[resolveAlias(u, name)]
					out[id] = out[id] || prints || a.sinks[resolveAlias(u, name)].verb != "" || name == buildValue
				}
				for _, j := range g.callees[id] {
					out[id] = out[id] || out[j]
				}
				changed = changed || out[id]
			}
		}
	}
	a.outputters = map[string]bool{}
	for id, f := range g.funcs {
		if out[id] {
			a.outputters[funcName(f.node)] = true
		}
	}
}

// callGraph builds the call graph on first use.
func (r *Repo) callGraph() *callGraph {
	r.graphOnce.Do(func() { r.graph = newCallGraph(r) })
	return r.graph
}

// Check walks the functions of a file and reports the uninitialized
// memory that leaves them. Functions whose text shows no buffer and no
// output are not walked, nor are those whose parse has errors.
func (a *Analysis) Check(file string, report func(Output)) {
	u := a.repo.unit(file)
	if u == nil {
		return
	}
	f := newContext(a.repo).scope(u)
	for _, fn := range u.part.declarations().defs {
		for _, o := range a.outputsOf(f, fn) {
			report(o)
		}
	}
}

// A walked holds the outputs of one function, found once.
type walked struct {
	once    sync.Once
	outputs []Output
}

// outputsOf returns the outputs of function fn of f's unit: none for a
// function whose parse has errors or whose text shows no buffer and no
// output. Each function is walked once, whoever asks first: the walk
// depends on its unit and the summaries alone.
func (a *Analysis) outputsOf(f *scope, fn syntax.Node) []Output {
	v, _ := a.walks.LoadOrStore(fn, &walked{})
	wk := v.(*walked)
	wk.once.Do(func() {
		if fn.HasError() || !a.interesting(f, fn) {
			return
		}
		w := newWalker(a, f, fn, func(Output) {})
		w.run(false)
		wk.outputs = w.outputs
	})
	return wk.outputs
}

// maxIterations bounds the rounds of a recursive component's summaries;
// a component that does not settle is unknown.
const maxIterations = 8

// summaryOf returns the summary of function id, nil when it is unknown.
func (a *Analysis) summaryOf(id int) *summary {
	c := a.graph.comp[id]
	a.once[c].Do(func() { a.component(c) })
	return a.sums[id]
}

// component computes the summaries of one component: once when it is a
// function that does not call itself, else from "writes nothing" until
// no summary changes.
func (a *Analysis) component(c int) {
	members := a.graph.comps[c]
	cur := map[int]*summary{}
	for _, id := range members {
		cur[id] = bottom(len(params(a.graph.funcs[id].node)))
	}
	inside := func(id int) (*summary, bool) {
		if a.graph.comp[id] == c {
			return cur[id], true
		}
		return nil, false
	}
	recursive := len(members) > 1 || containsInt(a.graph.callees[members[0]], members[0])
	for iter := 0; ; iter++ {
		changed := false
		for _, id := range members {
			s := a.summarize(id, inside)
			if !sameSummary(s, cur[id]) {
				cur[id], changed = s, true
			}
		}
		if !recursive || !changed {
			break
		}
		if iter == maxIterations {
			for _, id := range members {
				cur[id] = nil
			}
			break
		}
	}
	for _, id := range members {
		a.sums[id] = cur[id]
	}
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
