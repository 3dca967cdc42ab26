package csrc

import (
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A callGraph is the repository's function definitions, the definitions
// each one calls, and the strongly connected components in callee-first
// order: summaries are computed one component at a time, bottom up.
type callGraph struct {
	funcs   []funcRef
	index   map[syntax.Node]int
	callees [][]int
	// comp is each function's component; comps lists the members of
	// each component, components ordered callees first.
	comp  []int
	comps [][]int
}

// newCallGraph links every definition's calls through its unit.
func newCallGraph(r *Repo) *callGraph {
	g := &callGraph{index: map[syntax.Node]int{}}
	for _, path := range r.paths {
		p := r.parts[path]
		for _, fn := range p.declarations().defs {
			g.index[fn] = len(g.funcs)
			g.funcs = append(g.funcs, funcRef{p, fn})
		}
	}
	g.callees = make([][]int, len(g.funcs))
	for i, f := range g.funcs {
		u := r.unit(f.part.File)
		for _, name := range f.part.declarations().calls[f.node] {
			if ref, ok := u.function(resolveAlias(u, name)); ok {
				if j, ok := g.index[ref.node]; ok {
					g.callees[i] = append(g.callees[i], j)
				}
			}
		}
	}
	g.components()
	return g
}

// components finds the strongly connected components (Tarjan's
// algorithm, iterative so that deep call chains cost no stack). Tarjan
// emits a component after every component it reaches: callees first.
func (g *callGraph) components() {
	n := len(g.funcs)
	g.comp = make([]int, n)
	index, low := make([]int, n), make([]int, n)
	onStack := make([]bool, n)
	for i := range index {
		index[i] = -1
	}
	var stack []int
	next := 0
	type frame struct{ v, edge int }
	for root := range n {
		if index[root] >= 0 {
			continue
		}
		calls := []frame{{root, 0}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(calls) > 0 {
			top := &calls[len(calls)-1]
			v := top.v
			if top.edge < len(g.callees[v]) {
				w := g.callees[v][top.edge]
				top.edge++
				switch {
				case index[w] < 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					calls = append(calls, frame{w, 0})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			calls = calls[:len(calls)-1]
			if len(calls) > 0 {
				parent := calls[len(calls)-1].v
				low[parent] = min(low[parent], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			c := len(g.comps)
			var members []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				g.comp[w] = c
				members = append(members, w)
				if w == v {
					break
				}
			}
			// members in definition order, for a deterministic iteration
			for i, j := 0, len(members)-1; i < j; i, j = i+1, j-1 {
				members[i], members[j] = members[j], members[i]
			}
			g.comps = append(g.comps, members)
		}
	}
}

// resolveAlias follows macros that rename a function: `#define ALLOCA
// alloca`, `#define xmalloc(n) malloc(n)`.
func resolveAlias(u *unit, name string) string {
	for range 4 {
		m := u.macro(name)
		if m == nil {
			return name
		}
		target, ok := aliasTarget(m)
		if !ok {
			return name
		}
		name = target
	}
	return name
}

// aliasTarget returns the function a macro renames: an object-like
// macro whose body is one identifier, or a function-like macro whose
// body calls one function with the macro's parameters, in order.
func aliasTarget(m *macro) (string, bool) {
	m.alias.once.Do(func() { m.alias.target, m.alias.ok = readAlias(m) })
	return m.alias.target, m.alias.ok
}

// readAlias reads what aliasTarget returns from the macro's body.
func readAlias(m *macro) (string, bool) {
	toks := tokenize(m.body)
	if !m.fn {
		if len(toks) == 1 && isWord([]byte(toks[0])) && !keywords[toks[0]] {
			return toks[0], true
		}
		return "", false
	}
	// NAME ( p1 , p2 ... )
	if len(toks) < 3 || !isWord([]byte(toks[0])) || toks[1] != "(" || toks[len(toks)-1] != ")" {
		return "", false
	}
	var args []string
	for _, t := range toks[2 : len(toks)-1] {
		if t != "," {
			args = append(args, t)
		}
	}
	if len(args) != len(m.params) {
		return "", false
	}
	for i, a := range args {
		if a != m.params[i] {
			return "", false
		}
	}
	return toks[0], true
}
