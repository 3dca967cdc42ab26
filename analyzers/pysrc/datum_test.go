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
