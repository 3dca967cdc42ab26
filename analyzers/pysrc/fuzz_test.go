package pysrc

import (
	"testing"
)

// FuzzModel extracts two arbitrary modules, one importing the other,
// builds the program and reads its events and summaries: no input may
// make the model panic or fail.
func FuzzModel(f *testing.F) {
	for _, seed := range [][2]string{
		{helpers["app/views.py"], helpers["core/utils.py"]},
		{"from core.utils import *\ndef v(request):\n    f(request.body)\n", "def f(x):\n    return f(x)\n"},
		{"from . import utils\nclass V(utils.Base):\n    def get(self, request):\n        self.x = self.y or request.GET\n", "class Base:\n    @property\n    def y(self):\n        return self.x\n"},
		{"import core.utils as u\nu.g(*a, **k)\nsuper().x\n", "g = lambda: None\nclass C(C): pass\n"},
		{"def v(request):\n    for k, v in request.POST.items():\n        emit(k)\n    return {k: v for k, v in x if k}\n", "try:\n    from .x import *\nexcept ImportError:\n    pass\n"},
		{"T = [(\"a\", [1, 2]), (\"b\", (3,))]\nfor n, (x, *y) in T:\n    getattr(o, n).v = x[1:n] if len(y) > 2 else -x\n    setattr(o, n, [*y])\n", "g = None\ndef f(a, b=1):\n    global g\n    g = getattr(a, b)\n    g.w = lambda: a\n    assert not a < b <= 3\n    return a, b\n"},
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
		events(prog, "app/views.py")
		prog.Summary("core/utils.py", "f")
	})
}
