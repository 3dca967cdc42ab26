package syntax

import "testing"

// TestDecodedNodesBelongToTheTree checks that the nodes of a decoded tree
// name it as their tree: a model that maps its trees to files finds the
// file of any node, also when its part came from residue's cache.
func TestDecodedNodesBelongToTheTree(t *testing.T) {
	kinds := NewKinds("decode-test", []string{"root", "leaf"}, []string{"", "child"})
	Register(kinds)
	src := []byte("ab")
	orig := New(kinds, src, []Record{
		{Sym: 0, Flags: FlagNamed, Start: 0, End: 2, Parent: -1},
		{Sym: 1, Field: 1, Flags: FlagNamed, Start: 0, End: 1, Parent: 0},
		{Sym: 1, Flags: FlagNamed, Start: 1, End: 2, Parent: 0},
	})
	data, err := orig.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Tree
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	root := back.Root()
	for _, n := range []Node{root, root.NamedChild(0), root.NamedChild(1), root.ChildByFieldName("child")} {
		if n.IsNull() || n.Tree() != &back {
			t.Fatalf("node %v does not belong to the decoded tree", n)
		}
	}
	if root.NamedChild(1).Text() != "b" || root.NamedChild(0).Parent() != root {
		t.Error("the decoded tree navigates differently")
	}
}
