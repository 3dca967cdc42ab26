package driver

import (
	"fmt"
	"strings"
	"testing"
)

// TestNoWayToHideAFile checks two ways a file used to escape the scan: one
// NUL byte in a C comment (gcc compiles it; residue took the file for
// binary) and Python nested deeper than 64 blocks (CPython accepts 99;
// the grammar's scanner lost the indentation).
func TestNoWayToHideAFile(t *testing.T) {
	var deep strings.Builder
	deep.WriteString("def view(request):\n")
	for d := 1; d <= 98; d++ {
		fmt.Fprintf(&deep, "%sif request.GET.get('k%d'):\n", strings.Repeat("    ", d), d)
	}
	fmt.Fprintf(&deep, "%sleak(request.body)\n", strings.Repeat("    ", 99))
	dir := writeTree(t, map[string]string{
		"native/n.c": "/* build \x00 note */\nvoid f(void) {\n  leak(1);\n}\n",
		"deep.py":    deep.String(),
		"binary.py":  "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00leak(1)",
	})
	findings, notes := summary(scan(t, dir, 1))
	want := []string{"deep.py:100:397 test/leak", "native/n.c:3:3 test/cleak"}
	if fmt.Sprint(findings) != fmt.Sprint(want) {
		t.Errorf("findings %q, want %q", findings, want)
	}
	for _, n := range notes {
		if strings.HasPrefix(n, "deep.py") {
			t.Errorf("notification about the deep file: %s", n)
		}
	}
	if len(notes) == 0 || !strings.HasPrefix(notes[0], "binary.py: warning: skipped: binary file") {
		t.Errorf("notifications %q, want binary.py skipped", notes)
	}
}
