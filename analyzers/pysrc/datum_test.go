package pysrc

import "testing"

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
	steps, others := 0, 0
	for _, o := range got.Ops {
		if o.Kind == OpStep && !o.Call {
			steps++
		} else {
			others++
		}
	}
	if steps != maxSteps || others != maxOps {
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
