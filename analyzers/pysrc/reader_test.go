package pysrc

import (
	"fmt"
	"sync"
	"testing"
)

// readerRepo: constants of a settings module and of a class, a checker
// instance made at module level, and a view class whose method is
// inherited from another module's base.
var readerRepo = map[string]string{
	"app/__init__.py": "",
	"app/conf.py": `HEADER = "X-SSL-Client-S-DN"
STATUSES = ("SUCCESS",)
`,
	"app/checks.py": `from .conf import HEADER


class Checker:
    def verify(self, request):
        return request.headers.get(HEADER)


checker = Checker()
`,
	"app/base.py": `class Base:
    KEY = "SSL_CLIENT_VERIFY"

    def status(self, request):
        return request.META.get(self.KEY)
`,
	"app/views.py": `from app import conf
from .base import Base
from .checks import checker, HEADER


class View(Base):
    def get(self, request):
        checker.verify(request)
        return self.status(request), conf.STATUSES, HEADER, Base.KEY
`,
}

func TestReader(t *testing.T) {
	p := buildAll(t, readerRepo)
	r := p.Reader()
	views := p.Module("app/views.py")
	var get *FuncDef
	for _, f := range views.Code() {
		if f.Name == "View.get" {
			get = f
		}
	}
	if get == nil || !get.IsMethod() || get.Owner().Qualified() != "app.views.View" {
		t.Fatalf("View.get: %+v", get)
	}
	// checker.verify is the bound method of the module-level instance.
	verify := r.Resolve(get, get.Code().Calls[0].Recv)
	if len(verify) != 1 || verify[0].Tag != TagObject || verify[0].Class == nil || verify[0].Class.Qualified() != "app.checks.Checker" {
		t.Fatalf("checker: %+v", verify)
	}
	if m := verify[0].Class.Method("verify"); m == nil || m.Qualified() != "app.checks.Checker.verify" {
		t.Errorf("Checker.verify: %+v", m)
	}
	// status is inherited from another module's class, with its constant.
	base := get.Owner().Order()
	if len(base) != 2 || base[1].Qualified() != "app.base.Base" || get.Owner().Method("status") == nil {
		t.Fatalf("order: %v", base)
	}
	if lit, at, ok := get.Owner().Const("KEY"); !ok || lit.Value.Text != "SSL_CLIENT_VERIFY" || at.Path() != "app/base.py" {
		t.Errorf("View.KEY: %+v %v", lit, ok)
	}
	// The constants the return names, through imports and a module.
	var got []string
	for _, a := range get.Content(get.Code().Returns) {
		lit, at, ok := r.Constant(get, Value{a})
		if ok {
			got = append(got, fmt.Sprintf("%s@%s:%d", lit.Value.Text+fmt.Sprint(lit.Value.Strings()), at.Path(), at.Line()))
		}
	}
	want := fmt.Sprint([]string{`[SUCCESS]@app/conf.py:2`, `X-SSL-Client-S-DN[]@app/conf.py:1`, `SSL_CLIENT_VERIFY[]@app/base.py:2`})
	if fmt.Sprint(got) != want {
		t.Errorf("constants: %s, want %s", got, want)
	}
	if ds := r.Lookup("app.checks.Checker"); len(ds) != 1 || ds[0].Tag != TagClass {
		t.Errorf("lookup: %+v", ds)
	}
	if cs := p.Callers("verify"); len(cs) != 1 || cs[0].Fn != get || cs[0].Call != 0 {
		t.Errorf("callers of verify: %+v", cs)
	}
}

// TestReadersInParallel: readers on several goroutines evaluate what
// Build did not for themselves (run with -race), and a memo is made once.
func TestReadersInParallel(t *testing.T) {
	p := buildAll(t, readerRepo)
	get := p.Module("app/views.py").Code()[2]
	var wg sync.WaitGroup
	made := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ds := p.Reader().Resolve(get, get.Code().Calls[0].Recv); len(ds) != 1 {
				t.Errorf("checker: %+v", ds)
			}
			p.Memo("k", func() any { made++; return made })
		}()
	}
	wg.Wait()
	if made != 1 {
		t.Errorf("memo made %d times", made)
	}
}

// TestTestDoubles: an import of a package the repository does not hold
// does not find a test double of it in a folder of tests, but a test
// of that folder does.
func TestTestDoubles(t *testing.T) {
	p := buildAll(t, map[string]string{
		"tests/fakes/toolkit.py": "def verify(request):\n    return True\n",
		"tests/fakes/test_it.py": "from toolkit import verify\n",
		"app/mw.py":              "from toolkit import verify\n",
	})
	if m := p.resolve("toolkit", "app/mw.py"); m != nil {
		t.Errorf("app/mw.py's toolkit is %s", m.File)
	}
	if m := p.resolve("toolkit", "tests/fakes/test_it.py"); m == nil {
		t.Errorf("the test's toolkit is not the fake")
	}
}
