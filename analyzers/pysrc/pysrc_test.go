package pysrc

import (
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/source"
)

func TestDotted(t *testing.T) {
	f := source.NewFile("x.py", source.Python, []byte("a.b.c\nf().g\nx\n@d\ndef h(): pass\n"))
	p := source.NewParser(time.Second)
	defer p.Close()
	if err := p.Parse(f); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	root := f.Root()
	want := []string{"a.b.c", "", "x"}
	for i, w := range want {
		expr := root.NamedChild(i).NamedChild(0)
		if got := Dotted(f, expr); got != w {
			t.Errorf("statement %d: %q, want %q", i, got, w)
		}
	}
	if def := Unwrap(root.NamedChild(3)); def.Type() != "function_definition" {
		t.Errorf("Unwrap gave %s", def.Type())
	}
	if Dotted(f, nil) != "" || Unwrap(nil) != nil {
		t.Error("nil handling")
	}
}
