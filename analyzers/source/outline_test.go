package source

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOutlineRelease: a released outline keeps no bytes but gives them
// back from its file, with the same lines and stamp, as long as the file
// still has them; an outline the cache stored (Released) does the same.
func TestOutlineRelease(t *testing.T) {
	const src = "def f(a):\n    return g(a)\n\nclass K:\n    x = 1\n"
	f := parsed(t, Python, src)
	s, err := NewSyntax(f, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "m.py")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	kept := NewOutline(s)
	stamp := kept.Stamp()
	if stamp != StampOf([]byte(src)) {
		t.Fatalf("stamp %+v, want %+v", stamp, StampOf([]byte(src)))
	}
	released := NewOutline(s)
	released.Release(file)
	if released.src != nil || released.lines != nil {
		t.Fatal("a released outline keeps its bytes or lines")
	}
	released.Release(file) // a second release keeps the stamp
	stored := (&Outline{Path: kept.Path, Lang: kept.Lang, Stmts: kept.Stmts, Defs: kept.Defs}).Released(file, stamp)
	for name, o := range map[string]*Outline{"released": released, "stored": stored} {
		if got := string(o.Src()); got != src {
			t.Errorf("%s: Src() = %q, want the file", name, got)
		}
		if o.Stamp() != stamp {
			t.Errorf("%s: stamp %+v, want %+v", name, o.Stamp(), stamp)
		}
		for line := 1; line <= kept.Lines().Count(); line++ {
			if got, want := o.Lines().Text(line), kept.Lines().Text(line); got != want {
				t.Errorf("%s: line %d %q, want %q", name, line, got, want)
			}
		}
		if got, want := o.EnclosingFunction(20), kept.EnclosingFunction(20); got != want || got != "f" {
			t.Errorf("%s: EnclosingFunction = %q, want %q", name, got, want)
		}
	}
	// Edited since, even to the same size: no bytes, rather than others.
	edited := []byte(src)
	edited[len(edited)-2] = '2'
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	again := NewOutline(s)
	again.Release(file)
	if got := again.Src(); got != nil {
		t.Errorf("Src() of an edited file = %q, want nil", got)
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if got := again.Src(); got != nil {
		t.Errorf("Src() of a removed file = %q, want nil", got)
	}
}
