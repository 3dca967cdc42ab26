package pysrc

import (
	"slices"
	"testing"
)

// TestUnionNeverWritesIntoItsArguments adds two datums to the same list,
// which has room for one more: each result keeps its own.
func TestUnionNeverWritesIntoItsArguments(t *testing.T) {
	str := func(s string) Datum { return Datum{Tag: TagConst, Kind: "str", Key: s} }
	shared := make([]Datum, 1, 4)
	shared[0] = str("a")
	x := union(shared, str("x"))
	y := union(shared, str("y"))
	if len(x) != 2 || x[1].Key != "x" || len(y) != 2 || y[1].Key != "y" {
		t.Errorf("union(a, x) = %+v, union(a, y) = %+v", x, y)
	}
	if spare := shared[:2]; spare[1].Key != "" {
		t.Errorf("union wrote into its argument's room: %+v", spare)
	}
}

// TestDeferredAllDefersInTurn: a parameter's path gains a chain of
// operations at once as it would one by one, each within the bounds
// (maxOps operations, maxSteps steps, a method call counted as an
// operation), and the path it started from keeps its own.
func TestDeferredAllDefersInTurn(t *testing.T) {
	attr := DOp{Op: Op{Kind: OpAttr, Name: "a"}}
	step := DOp{Op: Op{Kind: OpStep}}
	call := DOp{Op: Op{Kind: OpStep, Name: "get"}, Call: true}
	start := Datum{Tag: TagSym}
	start = start.deferred(attr).deferred(step)
	chain := []DOp{}
	for i := range 3 * (maxOps + maxSteps) {
		chain = append(chain, [...]DOp{attr, step, call}[i%3])
	}
	got := start.deferredAll(chain)
	steps := 0
	for _, o := range got.Ops {
		if o.isStep() {
			steps++
		}
	}
	if others := len(got.Ops) - steps; steps != maxSteps || others != maxOps {
		t.Errorf("%d steps and %d other operations, want %d and %d", steps, others, maxSteps, maxOps)
	}
	want := start
	for _, o := range chain {
		want = want.deferred(o)
	}
	if !got.same(&want) {
		t.Errorf("at once %+v, one by one %+v", got.Ops, want.Ops)
	}
	if len(start.Ops) != 2 || cap(got.Ops) != len(got.Ops) {
		t.Errorf("the start's path %+v, the result's room %d", start.Ops, cap(got.Ops)-len(got.Ops))
	}
}

// TestSequenceCarriesItsSteps: a list a comprehension builds from request
// data, assigned and then written whole, shows the assignment among the
// steps of the data it holds, as a plain assignment does; the list
// itself, not changed by it, is the one stepped.
func TestSequenceCarriesItsSteps(t *testing.T) {
	p := buildAll(t, map[string]string{"app/views.py": `from telemetry import emit


def view(request):
    names = [request.GET[k] for k in ("a", "b")]
    emit(names)
    other = request.GET["c"]
    emit(other)
`})
	lines := map[int][]int{}
	p.Check("app/views.py", "test", func(ev *Event) {
		for _, a := range ev.Args {
			for _, d := range a.Data {
				for _, s := range d.Steps {
					lines[ev.Call.Line()] = append(lines[ev.Call.Line()], s.Line())
				}
			}
		}
	})
	if !slices.Contains(lines[6], 5) || !slices.Contains(lines[8], 7) {
		t.Errorf("steps of the data emitted, by line of the call: %v; want line 5 in 6's and 7 in 8's", lines)
	}
	seq := Datum{Tag: TagSeq, Items: [][]Datum{{{Tag: TagConst, Kind: "str"}}}}
	if loc := (Loc{Mod: &module{}, Span: Span{1, 2}}); seq.addsStep(loc) || &seq.step(loc).Items[0][0] != &seq.Items[0][0] {
		t.Error("a list of constants gains a step")
	}
}
