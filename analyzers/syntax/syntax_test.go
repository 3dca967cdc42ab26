package syntax

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// tree builds `f(a, b)`: call{function: identifier, arguments:
// argument_list{"(", identifier, ",", identifier, ")"}} from records.
func tree() *Tree {
	k := NewKinds("test", []string{"end", "call", "identifier", "argument_list", "(", ",", ")"}, []string{"", "function", "arguments"})
	src := []byte("f(a, b)")
	named := uint8(FlagNamed)
	return New(k, src, []Record{
		{Sym: 1, Flags: named, Start: 0, End: 7, Parent: -1},
		{Sym: 2, Field: 1, Flags: named, Start: 0, End: 1, Parent: 0},
		{Sym: 3, Field: 2, Flags: named, Start: 1, End: 7, Parent: 0},
		{Sym: 4, Start: 1, End: 2, Parent: 2},
		{Sym: 2, Flags: named, Start: 2, End: 3, Parent: 2},
		{Sym: 5, Start: 3, End: 4, Parent: 2},
		{Sym: 2, Flags: named, Start: 5, End: 6, Parent: 2},
		{Sym: 6, Start: 6, End: 7, Parent: 2},
	})
}

func TestNavigation(t *testing.T) {
	root := tree().Root()
	if root.Type() != "call" || root.ChildCount() != 2 || root.NamedChildCount() != 2 || root.Text() != "f(a, b)" {
		t.Fatalf("root: %s %d %d %q", root.Type(), root.ChildCount(), root.NamedChildCount(), root.Text())
	}
	args := root.ChildByFieldName("arguments")
	if args.Type() != "argument_list" || args.ChildCount() != 5 || args.NamedChildCount() != 2 || args.FieldName() != "arguments" {
		t.Fatalf("arguments: %s %d %d", args.Type(), args.ChildCount(), args.NamedChildCount())
	}
	b := args.NamedChild(1)
	if b.Text() != "b" || b.Parent() != args || b.PrevNamedSibling().Text() != "a" || !b.NextNamedSibling().IsNull() ||
		b.PrevSibling().Type() != "," || args.Child(4).Type() != ")" || !args.Child(5).IsNull() || !args.NamedChild(2).IsNull() {
		t.Errorf("siblings of b are wrong")
	}
	if !root.ChildByFieldName("nope").IsNull() || root.ChildByFieldName("function").Text() != "f" || len(args.ChildrenByFieldName("arguments")) != 0 {
		t.Errorf("fields are wrong")
	}
	if !root.Contains(b) || args.Contains(root) || root.HasError() {
		t.Errorf("Contains or HasError wrong")
	}
	var nilNode Node
	if nilNode.Type() != "" || !nilNode.Parent().IsNull() || !nilNode.ChildByFieldName("x").IsNull() || nilNode.Text() != "" || nilNode.NamedChildCount() != 0 {
		t.Errorf("a nil node answers")
	}
}

func TestWalkSkips(t *testing.T) {
	var seen []string
	tree().Root().Walk(func(n Node) bool {
		seen = append(seen, n.Type())
		return n.Type() != "argument_list"
	})
	if got := strings.Join(seen, " "); got != "call identifier argument_list" {
		t.Errorf("walk visited %s", got)
	}
	seen = nil
	tree().Root().Walk(func(n Node) bool { seen = append(seen, n.Text()); return true })
	if len(seen) != 8 || seen[4] != "a" {
		t.Errorf("full walk: %q", seen)
	}
}

func TestHolds(t *testing.T) {
	root := tree().Root()
	args := root.ChildByFieldName("arguments")
	if !root.Holds("call") || !root.Holds(",") || !args.Holds("identifier") || args.Holds("call") || root.Holds("nope") {
		t.Errorf("Holds is wrong")
	}
	var nilNode Node
	if nilNode.Holds("call") {
		t.Errorf("a nil node holds a call")
	}
}

func TestErrorsPropagate(t *testing.T) {
	k := NewKinds("test", []string{"end", "module", "x"}, []string{""})
	tr := New(k, []byte("xy"), []Record{
		{Sym: 1, Flags: FlagNamed, Start: 0, End: 2, Parent: -1},
		{Sym: 2, Flags: FlagNamed, Start: 0, End: 1, Parent: 0},
		{Sym: 0xFFFF, Flags: FlagNamed, Start: 1, End: 2, Parent: 0},
	})
	root := tr.Root()
	if !root.HasError() || root.NamedChild(0).HasError() || !root.NamedChild(1).IsError() {
		t.Errorf("error flags: root %v, x %v, error %v", root.HasError(), root.NamedChild(0).HasError(), root.NamedChild(1).IsError())
	}
	data, _ := tr.MarshalBinary()
	Register(k)
	var back Tree
	if err := back.UnmarshalBinary(data); err != nil || !back.Root().HasError() || back.Len() != 3 {
		t.Errorf("round trip: %v", err)
	}
}

// dump renders every node of t with what navigation reads of it.
func dump(t *Tree) string {
	var b strings.Builder
	t.Root().Walk(func(n Node) bool {
		fmt.Fprintf(&b, "%s %q kids %d/%d parent %q next %q err %v\n", n.Type(), n.Text(), n.ChildCount(), n.NamedChildCount(),
			n.Parent().Type(), n.NextSibling().Type(), n.HasError())
		return true
	})
	return b.String()
}

func TestBuilderReusesMemory(t *testing.T) {
	want := tree()
	recs := want.Records()
	var b Builder
	// A bigger tree first, whose nodes the next tree is built in: a root
	// with nine ERROR children.
	big := []Record{{Sym: 1, Flags: FlagNamed, End: 7, Parent: -1}}
	for range 9 {
		big = append(big, Record{Sym: errorSym, Flags: FlagNamed, Start: 1, End: 2, Parent: 0})
	}
	first := b.New(want.Kinds(), want.Src(), big)
	if !first.Root().HasError() || first.Len() != 10 {
		t.Fatalf("first tree: %s", dump(first))
	}
	mem := &first.nodes[0]
	b.Reuse(first)
	if !first.Root().IsNull() || first.Len() != 0 {
		t.Fatal("a tree handed back still has nodes")
	}
	got := b.New(want.Kinds(), want.Src(), recs)
	if &got.nodes[0] != mem {
		t.Error("the second tree was not built in the first one's memory")
	}
	if dump(got) != dump(want) {
		t.Errorf("built in reused memory:\n%s\nwant:\n%s", dump(got), dump(want))
	}
	// A tree that fills less than half of the memory is not built in it,
	// which is kept for the next; a tree handed back takes its place.
	b.Reuse(got)
	small := b.New(want.Kinds(), want.Src(), recs[:3])
	if &small.nodes[0] == mem || cap(small.nodes) != 3 || cap(b.nodes) != 10 {
		t.Errorf("a 3-node tree built in %d nodes (10 held: %d)", cap(small.nodes), cap(b.nodes))
	}
	b.Reuse(small)
	if cap(b.nodes) != 3 {
		t.Errorf("after a 3-node tree is handed back, %d nodes are held", cap(b.nodes))
	}
	// Handed back twice, or empty, a tree leaves b its memory.
	b.Reuse(small)
	b.Reuse(New(want.Kinds(), want.Src(), nil))
	if cap(b.nodes) != 3 {
		t.Errorf("after an empty tree is handed back, %d nodes are held", cap(b.nodes))
	}
	// A tree past the bound is not kept: the next one is allocated.
	huge := make([]Record, maxReused+1)
	huge[0].Parent = -1
	h := b.New(want.Kinds(), want.Src(), huge)
	hugeMem := &h.nodes[0]
	b.Reuse(h)
	if next := b.New(want.Kinds(), want.Src(), recs); &next.nodes[0] == hugeMem || dump(next) != dump(want) {
		t.Error("a tree past maxReused nodes was kept for the next")
	}
}

// TestNodesHoldNoPointer: a tree's array of nodes holds no pointer, so
// that the collector does not scan it (a C part keeps its tree until the
// models are built; on Pillow those arrays were half the live heap).
func TestNodesHoldNoPointer(t *testing.T) {
	var holds func(reflect.Type) bool
	holds = func(typ reflect.Type) bool {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				if holds(typ.Field(i).Type) {
					return true
				}
			}
			return false
		case reflect.Array:
			return holds(typ.Elem())
		case reflect.Bool, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int,
			reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint, reflect.Float32, reflect.Float64:
			return false
		}
		return true
	}
	if typ := reflect.TypeFor[node](); holds(typ) {
		t.Errorf("%v holds a pointer: the collector scans every tree's nodes", typ)
	}
}
