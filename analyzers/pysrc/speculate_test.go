package pysrc

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// speculationRepo is benchRepo with recursion, through two modules and
// within one function, which the speculator gives up on, and a chain of
// re-exports deeper than a resolution follows, which a view enters at its
// start and another half way.
func speculationRepo() map[string]string {
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

// TestSpeculationKeepsTheResults builds a repository with a spare core
// until the speculator's results were taken, and checks that every
// function's result is the one Build finds alone.
func TestSpeculationKeepsTheResults(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	parts := extractAll(t, speculationRepo())
	alone, err := buildFor(&analyzers.BuildPass{Parts: parts})
	if err != nil {
		t.Fatal(err)
	}
	want := summaries(alone.(*Program))
	if !slices.ContainsFunc(want, func(s string) bool { return strings.Contains(s, "visit:") && strings.Contains(s, "reaches") }) {
		t.Fatalf("the recursive sink is not found: %q", want)
	}
	adopted := 0
	for try := 0; try < 50 && adopted == 0; try++ {
		spare := make(chan struct{}, 1)
		spare <- struct{}{}
		built, err := buildFor(&analyzers.BuildPass{Parts: parts, Spare: spare})
		if err != nil {
			t.Fatal(err)
		}
		p := built.(*Program)
		if got := summaries(p); !slices.Equal(got, want) {
			t.Fatalf("with speculation:\n%s\nalone:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(spare) != 1 || p.spec != nil {
			t.Fatalf("the spare core was not given back (%d) or the speculator is still set", len(spare))
		}
		for _, m := range p.modules {
			for _, f := range m.fns {
				if f.pub.spec.Load() != nil {
					t.Fatalf("%s keeps its speculation after Build", f.Name)
				}
			}
		}
		adopted += p.sched.adopted
	}
	if adopted == 0 {
		t.Error("no speculated result was taken in 50 builds")
	}
}

// TestDemandSpeculationKeepsTheResults builds the repository on demand,
// each module scanned alone, with a spare core until the speculator's
// results were taken: the functions the scanned module calls by name are
// speculated too, and every function's result is the one Build finds
// alone.
func TestDemandSpeculationKeepsTheResults(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	files := speculationRepo()
	parts := extractAll(t, files)
	paths := slices.Sorted(maps.Keys(files))
	want := map[string][]string{}
	for _, path := range paths {
		alone, err := buildFor(&analyzers.BuildPass{Parts: parts, Scanned: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		want[path] = summaries(alone.(*Program))
	}
	// At least three rounds, and more until a speculated result was taken:
	// whether the speculator gets ahead is up to the scheduler of goroutines.
	adopted := 0
	for try := 0; try < 3 || adopted == 0 && try < 50; try++ {
		for _, path := range paths {
			spare := make(chan struct{}, 1)
			spare <- struct{}{}
			built, err := buildFor(&analyzers.BuildPass{Parts: parts, Scanned: []string{path}, Spare: spare})
			if err != nil {
				t.Fatal(err)
			}
			if got := summaries(built.(*Program)); !slices.Equal(got, want[path]) {
				t.Fatalf("%s scanned, with speculation:\n%s\nalone:\n%s", path, strings.Join(got, "\n"), strings.Join(want[path], "\n"))
			}
			adopted += built.(*Program).sched.adopted
		}
	}
	if adopted == 0 {
		t.Error("no speculated result was taken in 50 rounds")
	}
}

// TestAdoptChecksEveryRead gives the scheduler a speculation that read a
// result other than the final one: it is not taken.
func TestAdoptChecksEveryRead(t *testing.T) {
	built, err := buildFor(&analyzers.BuildPass{Parts: extractAll(t, speculationRepo())})
	if err != nil {
		t.Fatal(err)
	}
	p := built.(*Program)
	var caller, callee *fn
	for _, m := range p.modules {
		for _, f := range m.fns {
			switch f.Name {
			case "show":
				caller = f
			case "depth":
				callee = f
			}
		}
	}
	if caller == nil || callee == nil || callee.res == nil {
		t.Fatal("functions not found or not evaluated")
	}
	if !p.adopt(caller, &speculation{reads: []specRead{{callee, callee.res}}}) {
		t.Error("a speculation that read the final result is not taken")
	}
	if p.adopt(caller, &speculation{reads: []specRead{{callee, &result{}}}}) {
		t.Error("a speculation that read another result is taken")
	}
}

// TestImportsResolveTheSameInAnyOrder: a view that enters a chain of
// re-exports half way reaches the sink at its end, though a view
// evaluated before it entered the chain at its start and stopped short
// of the end (an import resolved at one depth is not reused at another).
func TestImportsResolveTheSameInAnyOrder(t *testing.T) {
	p := buildAll(t, speculationRepo())
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
