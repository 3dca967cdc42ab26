package csrc

import (
	"bytes"
	"encoding/gob"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

var small = map[string]string{
	"inc/defs.h": "#ifndef DEFS_H\n#define DEFS_H\n#define SIZE (4 * 4)\nenum { A = 3, B };\ntypedef struct { char tag; int len; } hdr_t;\nextern const int LIMIT;\n#endif\n",
	"src/a.c":    "#include \"defs.h\"\nconst int LIMIT = SIZE + B;\nint helper(char *p) { p[0] = 0; return 1; }\n",
	"src/b.c":    "#include \"../inc/defs.h\"\nstatic int only(void) { return LIMIT; }\n",
}

// TestPartRoundTrip stores parts as residue's cache does and checks that
// the decoded parts build the same model.
func TestPartRoundTrip(t *testing.T) {
	parts := extractAll(t, small, nil)
	var decoded []analyzers.Part
	for _, p := range parts {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(&p); err != nil {
			t.Fatal(err)
		}
		var q analyzers.Part
		if err := gob.NewDecoder(&buf).Decode(&q); err != nil {
			t.Fatal(err)
		}
		if q.Path() != p.Path() || len(q.Needs()) != len(p.Needs()) {
			t.Fatalf("decoded %s: path %q needs %v, want %v", p.Path(), q.Path(), q.Needs(), p.Needs())
		}
		decoded = append(decoded, q)
	}
	for _, ps := range [][]analyzers.Part{parts, decoded} {
		m, err := Model.Build(&analyzers.BuildPass{Parts: ps})
		if err != nil {
			t.Fatal(err)
		}
		r := m.(*Repo)
		if v, ok := constIn(r, "src/b.c", "LIMIT"); !ok || v != 20 {
			t.Errorf("LIMIT in b.c = %d, %v; want 20 (const of a.c, SIZE and B of the header)", v, ok)
		}
	}
}

func TestIncludes(t *testing.T) {
	parts := extractAll(t, small, nil)
	want := map[string][]string{"inc/defs.h": nil, "src/a.c": {"inc/defs.h"}, "src/b.c": {"inc/defs.h"}}
	for _, p := range parts {
		if got := p.Needs(); len(got) != len(want[p.Path()]) || len(got) > 0 && got[0] != want[p.Path()][0] {
			t.Errorf("%s needs %v, want %v", p.Path(), got, want[p.Path()])
		}
	}
}

func TestFunctionLikeMacros(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.h": "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#define WORDS(n) (((n) + 7) / 8)\n#define BIG MAX(WORDS(100), 3)\n"})
	if v, ok := constIn(r, "m.h", "BIG"); !ok || v != 13 {
		t.Errorf("BIG = %d, %v; want 13", v, ok)
	}
}
