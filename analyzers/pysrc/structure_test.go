package pysrc

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// The objects family follows handles: opener.open() returns one, an
// attribute of a handle is a function of it, and each assignment to an
// attribute of a function is noted as "line: handle.function.attr =
// value"; each call of a function, as "line: call function(args)"; and
// each evaluation's captures and tests as "line: capture …" and
// "line: test …".
const objHandle, objFunc = "test.handle", "test.func"

func init() {
	Register(&Vocabulary{
		Name:    "objects",
		Objects: []*ObjectKind{{Name: objHandle}, {Name: objFunc}},
		Call: func(c *CallSite) ([]Datum, bool) {
			if slices.Contains(c.Callees(), "opener.open") {
				return []Datum{{Tag: TagObject, Kind: objHandle, Key: fmt.Sprintf("h%d", c.Loc().Line())}}, true
			}
			return nil, false
		},
		Attr: func(_ *Eval, d Datum, name string, _ Loc) ([]Datum, bool) {
			if d.Kind == objHandle {
				return []Datum{{Tag: TagObject, Kind: objFunc, Key: d.Key + "." + name}}, true
			}
			return nil, false
		},
		Method: func(e *Eval, d Datum, name string, loc Loc) ([]Datum, bool) {
			if d.Kind == objHandle && name == "close" {
				e.Note("objects", fmt.Sprintf("%d: close %s in %s", loc.Line(), d.Key, e.Func()))
				return nil, true
			}
			return nil, false
		},
		Store: func(e *Eval, obj Datum, attr string, value []Datum, loc Loc) {
			if obj.Kind == objFunc {
				e.Note("objects", fmt.Sprintf("%d: %s.%s = %s", loc.Line(), obj.Key, attr, render(value)))
			}
		},
		Observe: func(c *CallSite, _ []Datum) {
			for _, d := range c.Callee() {
				if d.Kind == objFunc {
					var args []string
					for i := range c.NumArgs() {
						args = append(args, render(c.ArgData(i)))
					}
					c.Eval().Note("objects", fmt.Sprintf("%d: call %s(%s)", c.Loc().Line(), d.Key, strings.Join(args, ", ")))
				}
			}
		},
		Done: func(e *Eval) {
			data, at := e.Captures()
			for i := range data {
				e.Note("objects", fmt.Sprintf("%d: capture %s", at[i].Line(), render(data[i])))
			}
			for _, t := range e.Tests() {
				e.Note("objects", fmt.Sprintf("%d: test %s exits=%v", t.Loc(t.Span).Line(), render(t.Cond), t.Exits))
			}
		},
		Module: func(m *Module) bool { return strings.HasPrefix(m.File, "native/") },
		Watch:  func(attr string) bool { return attr == "size" },
	})
}

// render writes datums for the tests: constants, sequences, operations,
// handles and functions.
func render(ds []Datum) string {
	var out []string
	for _, d := range ds {
		switch d.Tag {
		case TagConst:
			out = append(out, d.Key)
		case TagSeq:
			var items []string
			for _, it := range d.Items {
				items = append(items, render(it))
			}
			out = append(out, "["+strings.Join(items, ", ")+"]")
		case TagExpr:
			var items []string
			for _, it := range d.Items {
				items = append(items, render(it))
			}
			out = append(out, d.Kind+"("+strings.Join(items, ", ")+")")
		case TagObject:
			out = append(out, d.Key)
		case TagSym:
			out = append(out, fmt.Sprintf("sym%d", d.Param))
		case TagExt:
			out = append(out, d.Name)
		default:
			out = append(out, fmt.Sprintf("tag%d", d.Tag))
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return "{" + strings.Join(out, " | ") + "}"
}

// notes returns the objects family's notes of a program.
func notes(p *Program) []string {
	var out []string
	p.Notes("objects", func(v any) {
		if s, ok := v.(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	})
	return out
}

func TestTablesApplyRowByRow(t *testing.T) {
	p := buildAll(t, map[string]string{
		"native/_native.py": `import opener

TABLE = [
    ("f", [1, 2], None),
    ("g", [3], 4),
]
lib = opener.open()
for name, args, res in TABLE:
    fn = getattr(lib, name)
    fn.argtypes = args
    setattr(fn, "restype", res)
`,
	})
	want := []string{
		"10: h7.f.argtypes = [1, 2]", "11: h7.f.restype = None",
		"10: h7.g.argtypes = [3]", "11: h7.g.restype = 4",
	}
	if got := notes(p); !reflect.DeepEqual(got, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLibrariesFollowed follows a handle through a loader of another
// module kept in a global, a setup function that binds through its
// parameter and returns it, a binder that takes the function's name
// (getattr on a parameter), a class attribute set by a classmethod,
// an instance attribute and a returned tuple; a method of the handle is
// the vocabulary's, called directly or by a helper it is passed to.
func TestLibrariesFollowed(t *testing.T) {
	p := buildAll(t, map[string]string{
		"native/loader.py": `import opener

_lib = None


def load():
    global _lib
    if _lib is None:
        _lib = opener.open()
    return _lib


def pair():
    return opener.open(), opener.open()
`,
		"native/setup.py": `from native.loader import load, pair


def setup(lib, size):
    lib.f.size = size
    return lib


def link(name, size):
    fn = getattr(load(), name)
    fn.size = size
    return fn


lib = setup(load(), 8)
lib.f(1)
g = link("g", 16)
g(2)
libs = pair()
libs[1].h(3)


class Wrapper:
    @classmethod
    def init(cls):
        cls._lib = load()

    def __init__(self):
        self.lib = load()

    def call(self):
        Wrapper._lib.k(4)
        self.lib.m(5)


def shut(h):
    return h.close()


def done():
    load().close()
    shut(load())
`,
	})
	want := []string{
		"5: h9.f.size = 8", "16: call h9.f(1)", "11: h9.g.size = 16", "18: call h9.g(2)",
		"20: call h14.h(3)", "32: call h9.k(4)", "33: call h9.m(5)",
		"41: close h9 in done", "41: call h9.close()", "37: close h9 in done",
	}
	var got []string
	for _, n := range notes(p) {
		if !strings.Contains(n, "test") && !strings.Contains(n, "capture") {
			got = append(got, n)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOperationsAndCaptures checks the values of operations, slices and
// unpacked items, and what an evaluation's Done sees: tests and captures.
// An arithmetic operation's value holds its operands too, which carry its
// content; a comparison's does not.
func TestOperationsAndCaptures(t *testing.T) {
	p := buildAll(t, map[string]string{
		"native/ops.py": `import opener

lib = opener.open()
N = 64


def f(data, n):
    if len(data) > N * 2:
        raise ValueError
    a, b = data[:n], (n, 1)
    lib.f(len(a) + 1, b[1], min(n, N))
    lib.g(not data, a is None)

    def inner():
        return b

    return inner
`,
	})
	want := []string{
		"11: call h3.f({+(len({slice(sym0, {}, sym1) | sym0}), 1) | len({slice(sym0, {}, sym1) | sym0}) | 1}, 1, min(sym1, 64))",
		"12: call h3.g(not(sym0), is({slice(sym0, {}, sym1) | sym0}, None))",
		"14: capture [sym1, 1]",
		"8: test >(len(sym0), {*(64, 2) | 64 | 2}) exits=true",
	}
	if got := notes(p); !reflect.DeepEqual(got, want) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestStructureRoundTrip stores parts with sequences, operations, sets,
// loops, tests, global assignments and captures as the cache does, and
// builds the same program from what it reads back.
func TestStructureRoundTrip(t *testing.T) {
	files := map[string]string{
		"native/a.py": `import opener
T = [("f", 1)]
lib = opener.open()
for n, v in T:
    getattr(lib, n).size = v
_g = None


def f(x):
    global _g
    _g = x[1:2]
    assert len(x) < 3
    while x:
        lib.h(x)
    return lambda: x
`,
	}
	parts := extractAll(t, files)
	back := roundTrip(t, parts)
	if !reflect.DeepEqual(loadedParts(parts), loadedParts(back)) {
		t.Fatal("a part differs once decoded")
	}
	m := opened(t, parts[0])
	f := m.Funcs[1]
	if len(m.Funcs[0].Code().Seqs) == 0 || len(m.Funcs[0].Code().Sets) != 1 || len(m.Funcs[0].Code().Loops) != 1 || len(f.Globals) != 1 ||
		len(f.Code().Tests) != 1 || len(f.Code().Loops) != 1 || len(f.Code().Captures) != 1 || len(f.Code().Exprs) == 0 {
		t.Errorf("lowered: %+v\n%+v", m.Funcs[0], f)
	}
	p1, _ := build(parts)
	p2, _ := buildFor(&analyzers.BuildPass{Parts: back, Root: onDisk(t, files)})
	if a, b := notes(p1.(*Program)), notes(p2.(*Program)); !reflect.DeepEqual(a, b) || len(a) == 0 {
		t.Errorf("notes differ: %q, %q", a, b)
	}
}
