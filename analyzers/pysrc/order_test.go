package pysrc

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// recursionRepo is benchRepo with recursion, through two modules and
// within one function, and a chain of re-exports deeper than a resolution
// follows, which a view enters at its start and another half way.
func recursionRepo() map[string]string {
	files := benchRepo(60)
	files["core/tree.py"] = `from telemetry import emit
from core.walk import walk


def visit(node, payload):
    emit("node", payload)
    if node:
        walk(node.children, payload)


def depth(node):
    return 1 + depth(node.parent) if node else 0
`
	files["core/walk.py"] = `from core.tree import visit


def walk(nodes, payload):
    for n in nodes:
        visit(n, payload)
`
	files["app0/tree_views.py"] = `from core.tree import visit, depth


def show(request):
    visit(request.tree, request.body)
    return depth(request.tree)
`
	for k := range 8 {
		files[fmt.Sprintf("relay/c%d.py", k)] = fmt.Sprintf("from relay.c%d import relay_emit\n", k+1)
	}
	files["relay/c8.py"] = "from telemetry import emit\n\n\ndef relay_emit(x):\n    emit(x)\n"
	files["app0/deep.py"] = "from relay.c0 import relay_emit\n\n\ndef first(request):\n    relay_emit(request.body)\n"
	files["app9/half.py"] = "from relay.c4 import relay_emit\n\n\ndef second(request):\n    relay_emit(request.body)\n"
	return files
}

// summaries renders what Build found of every function (its returns, the
// sinks its parameters reach, what it stores, binds and assigns to
// globals, the events it heard) and the scheduler's state.
func summaries(p *Program) []string {
	out := []string{fmt.Sprintf("%d evaluations", p.sched.evals)}
	all := func(b *strings.Builder, what string, ds []Datum) {
		for _, d := range ds {
			fmt.Fprintf(b, " %s %s;", what, describe(p, d))
		}
	}
	keyed := func(b *strings.Builder, what string, m map[string][]Datum) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			all(b, what+" "+k, m[k])
		}
	}
	for _, m := range p.modules {
		for i, f := range m.fns {
			var b strings.Builder
			fmt.Fprintf(&b, "%s#%d %s: visited %d low %d recursive %v;", m.File, i, f.Name, f.index, f.low, f.recursive)
			if f.res == nil {
				out = append(out, b.String()+" not evaluated")
				continue
			}
			all(&b, "returns", f.res.returns)
			for _, s := range f.res.sinks {
				fmt.Fprintf(&b, " param %d reaches %s at %s:%d via %d;", s.Param, s.Sink.Kind, s.At.Path(), s.At.Span.Start, len(s.Via))
			}
			keyed(&b, "stores", f.res.stores)
			keyed(&b, "binds", f.res.env)
			keyed(&b, "global", f.res.globals)
			fmt.Fprintf(&b, " %d events, %d store flows, %d notes", len(f.res.events), len(f.res.storeFlows), len(f.res.notes))
			out = append(out, b.String())
		}
	}
	for _, m := range p.modules {
		out = append(out, events(p, m.File)...)
	}
	return out
}

// TestImportsResolveTheSameInAnyOrder: a view that enters a chain of
// re-exports half way reaches the sink at its end, though a view
// evaluated before it entered the chain at its start and stopped short
// of the end (an import resolved at one depth is not reused at another).
func TestImportsResolveTheSameInAnyOrder(t *testing.T) {
	p := buildAll(t, recursionRepo())
	if evs := events(p, "app0/deep.py"); len(evs) != 0 {
		t.Errorf("the chain from its start is followed to its end: %q", evs)
	}
	if evs := events(p, "app9/half.py"); len(evs) != 1 {
		t.Errorf("the chain from half way: %q, want one event", evs)
	}
}

// TestClassOrderDoesNotDependOnSubclasses: a view inherits a sink from
// a base it reaches through a chain of re-exports, whether or not a
// subclass of the same parent is resolved before it.
func TestClassOrderDoesNotDependOnSubclasses(t *testing.T) {
	repo := func(sibling string) map[string]string {
		files := map[string]string{
			"k5.py":  "from telemetry import emit\n\n\nclass Base:\n    def hook(self, x):\n        emit(x)\n",
			"mid.py": "from k0 import Base\n\n\nclass Mid(Base):\n    pass\n",
			sibling:  "from mid import Mid\n\n\nclass Sibling(Mid):\n    pass\n",
			"v.py":   "from mid import Mid\n\n\nclass V(Mid):\n    def post(self, request):\n        self.hook(request.body)\n",
		}
		for k := range 5 {
			files[fmt.Sprintf("k%d.py", k)] = fmt.Sprintf("from k%d import Base\n", k+1)
		}
		return files
	}
	before := events(buildAll(t, repo("aa.py")), "v.py")
	after := events(buildAll(t, repo("zz.py")), "v.py")
	if len(before) != 1 || len(after) != 1 {
		t.Errorf("v.py's events with the sibling resolved first: %q, last: %q; want one each", before, after)
	}
}
