package pysrc

import (
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// FuzzModel extracts two arbitrary modules, one importing the other,
// builds the program and reads its events and summaries: no input may
// make the model panic or fail, nor find other results when Build has a
// spare core to decode modules on.
func FuzzModel(f *testing.F) {
	for _, seed := range [][2]string{
		{helpers["app/views.py"], helpers["core/utils.py"]},
		{"from core.utils import *\ndef v(request):\n    f(request.body)\n", "def f(x):\n    return f(x)\n"},
		{"from . import utils\nclass V(utils.Base):\n    def get(self, request):\n        self.x = self.y or request.GET\n", "class Base:\n    @property\n    def y(self):\n        return self.x\n"},
		{"import core.utils as u\nu.g(*a, **k)\nsuper().x\n", "g = lambda: None\nclass C(C): pass\n"},
		{"def v(request):\n    for k, v in request.POST.items():\n        emit(k)\n    return {k: v for k, v in x if k}\n", "try:\n    from .x import *\nexcept ImportError:\n    pass\n"},
		{"T = [(\"a\", [1, 2]), (\"b\", (3,))]\nfor n, (x, *y) in T:\n    getattr(o, n).v = x[1:n] if len(y) > 2 else -x\n    setattr(o, n, [*y])\n", "g = None\ndef f(a, b=1):\n    global g\n    g = getattr(a, b)\n    g.w = lambda: a\n    assert not a < b <= 3\n    return a, b\n"},
		{"from . import _ext\n@cache_page(\n  60)\ndef v(request):\n    caches['x'].set(1, _ext.f(request.body))\n    return HttpResponse(_ext.g())\n", "@\ndef f(x):\n    return x\n"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, views, utils string) {
		files := map[string]string{"app/views.py": views, "core/utils.py": utils, "core/__init__.py": "from .utils import *\n"}
		parts := extractAll(t, files)
		p, err := build(parts)
		if err != nil {
			t.Fatal(err)
		}
		prog := p.(*Program)
		spare := make(chan struct{}, 1)
		spare <- struct{}{}
		q, err := buildFor(&analyzers.BuildPass{Parts: parts, Spare: spare})
		if err != nil {
			t.Fatal(err)
		}
		if want, got := summaries(prog), summaries(q.(*Program)); !slices.Equal(got, want) {
			t.Fatalf("with a spare core:\n%s\nalone:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		events(prog, "app/views.py")
		prog.Summary("core/utils.py", "f")
		for _, ne := range prog.NativeEvents() {
			for _, d := range ne.Data {
				if _, ok := ParseNativeRef(d.Key); !ok || !d.Origin.Valid() {
					t.Fatalf("bad native datum %+v", d)
				}
			}
			prog.FuncAt(ne.Event.Call)
		}
		prog.Defs(func(d Def) {
			if !d.Loc.Valid() || d.Name == "" {
				t.Fatalf("bad definition %+v", d)
			}
		})
	})
}
