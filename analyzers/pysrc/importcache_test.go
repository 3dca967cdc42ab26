package pysrc

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// randomImportRepo returns modules p/m0..p/m(n-1) that import names of
// one another: re-exports, star imports, modules' attributes, imports
// tried in turn, cycles, class bases, globals set by functions.
func randomImportRepo(r *rand.Rand, n int) map[string]string {
	files := map[string]string{"p/__init__.py": "", "telemetry.py": "def emit(*a):\n    pass\n"}
	names := []string{"a", "b", "c", "d"}
	for k := 0; k < n; k++ {
		var b strings.Builder
		defined := map[string]bool{}
		for l := 0; l < 2+r.Intn(4); l++ {
			t := r.Intn(n)
			nm := names[r.Intn(len(names))]
			if defined[nm] && r.Intn(3) > 0 {
				continue
			}
			switch r.Intn(11) {
			case 9:
				fmt.Fprintf(&b, "import p\n%s = p.m%d.%s\n", nm, t, names[r.Intn(len(names))])
			case 10:
				fmt.Fprintf(&b, "from p.m%d import %s as Base%d\n\n\nclass %s(Base%d):\n    pass\n", t, names[r.Intn(len(names))], l, nm, l)
			case 0, 1, 2:
				fmt.Fprintf(&b, "from p.m%d import %s\n", t, nm)
			case 3:
				fmt.Fprintf(&b, "from p.m%d import *\n", t)
			case 4:
				fmt.Fprintf(&b, "import p.m%d as mod%d\n%s = mod%d.%s\n", t, l, nm, l, names[r.Intn(len(names))])
			case 5:
				fmt.Fprintf(&b, "try:\n    from p.m%d import %s\nexcept ImportError:\n    from p.m%d import %s\n", t, nm, r.Intn(n), nm)
			case 6:
				fmt.Fprintf(&b, "def %s(x):\n    from telemetry import emit\n    emit(x)\n", nm)
			case 7:
				fmt.Fprintf(&b, "from p import m%d as %s\n", t, nm)
			case 8:
				fmt.Fprintf(&b, "from . import m%d\n%s = m%d.%s\n", t, nm, t, names[r.Intn(len(names))])
			}
			defined[nm] = true
		}
		if r.Intn(4) == 0 {
			nm := names[r.Intn(len(names))]
			fmt.Fprintf(&b, "\n\ndef setter():\n    global %s\n    %s = 1\n", nm, nm)
		}
		files[fmt.Sprintf("p/m%d.py", k)] = b.String()
	}
	return files
}

// TestImportCacheIsPure resolves every import of random repositories at
// every depth, in random orders, with the cache and frames shared or not,
// and checks each against its resolution with nothing cached: what a
// resolution finds must not depend on what was resolved before.
func TestImportCacheIsPure(t *testing.T) {
	// A query is an import of m (name "") or a name at its top level.
	type query struct {
		m     *module
		i     int32
		name  string
		depth int
	}
	resolve := func(fr *frame, k query) string {
		if k.name != "" {
			return fmt.Sprintf("%+v", fr.global(k.m, k.name, k.depth))
		}
		return fmt.Sprintf("%+v", fr.importValue(k.m, k.i, k.depth))
	}
	bad := 0
	for seed := int64(0); seed < 100 && bad == 0; seed++ {
		r := rand.New(rand.NewSource(seed))
		files := randomImportRepo(r, 6+r.Intn(10))
		p := buildAll(t, files)
		var all []query
		ref := map[query]string{}
		for _, m := range p.modules {
			for d := 0; d <= maxDepth+1; d++ {
				for i := range m.Imports {
					all = append(all, query{m, int32(i), "", d})
				}
				for _, name := range []string{"a", "b", "c", "d", "x"} {
					all = append(all, query{m, -1, name, d})
				}
			}
		}
		for _, k := range all {
			ref[k] = resolve(&frame{p: p}, k)
		}
		for round := 0; round < 10 && bad == 0; round++ {
			p.resolutions = map[resolutionKey]resolution{}
			r.Shuffle(len(all), func(a, b int) { all[a], all[b] = all[b], all[a] })
			fr := &frame{p: p}
			for _, k := range all {
				if r.Intn(5) == 0 {
					fr = &frame{p: p}
				}
				if got := resolve(fr, k); got != ref[k] {
					bad++
					t.Errorf("seed %d round %d: %s %d %q at depth %d:\n cached   %s\n uncached %s", seed, round, k.m.File, k.i, k.name, k.depth, got, ref[k])
					for f, s := range files {
						t.Logf("%s:\n%s", f, s)
					}
					break
				}
			}
		}
		p.resolutions = nil
	}
}
