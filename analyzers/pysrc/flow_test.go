package pysrc

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// flowText renders a Func's flow for tests, one statement a line,
// indented by depth: its kind, its calls' names, and what it tests,
// assigns or returns.
func flowText(m *Module, f *Func) string {
	var b strings.Builder
	var walk func(r Run, depth int)
	walk = func(r Run, depth int) {
		for _, st := range f.Block(r) {
			fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", depth), stmtNames[st.Kind])
			for i := st.From; i < st.To; i++ {
				fmt.Fprintf(&b, " %s()", f.Code().Calls[i].Name)
			}
			switch st.Kind {
			case StmtIf, StmtWhile, StmtAssert:
				fmt.Fprintf(&b, " [%s]", testText(m, f, st.Cond))
			case StmtReturn:
				fmt.Fprintf(&b, " const=%d", st.Const)
			}
			for _, t := range f.Assigned(st.Targets) {
				fmt.Fprintf(&b, " ->%d:%s", t.Kind, t.Name)
			}
			b.WriteByte('\n')
			walk(st.Body, depth+1)
			if st.Else.Len > 0 {
				fmt.Fprintf(&b, "%selse\n", strings.Repeat("  ", depth))
				walk(st.Else, depth+1)
			}
			for _, h := range f.Clauses(st.Handlers) {
				fmt.Fprintf(&b, "%shandler\n", strings.Repeat("  ", depth))
				walk(h, depth+1)
			}
			if st.Finally.Len > 0 {
				fmt.Fprintf(&b, "%sfinally\n", strings.Repeat("  ", depth))
				walk(st.Finally, depth+1)
			}
		}
	}
	walk(f.Code().Body, 0)
	return b.String()
}

var stmtNames = map[StmtKind]string{
	StmtExpr: "expr", StmtAssign: "assign", StmtReturn: "return", StmtRaise: "raise", StmtIf: "if", StmtFor: "for",
	StmtWhile: "while", StmtTry: "try", StmtWith: "with", StmtMatch: "match", StmtAssert: "assert", StmtBreak: "break",
	StmtContinue: "continue", StmtDef: "def",
}

// testText renders a test: and, or, not, comparisons of operands given by
// their source text, truth tests.
func testText(m *Module, f *Func, i int32) string {
	t := f.Code().Conds[i]
	text := func(o Operand) string {
		s := string(m.src[o.Span.Start:o.Span.End])
		if o.Literal {
			s += fmt.Sprintf("%q", o.Lits)
		}
		return s
	}
	switch t.Kind {
	case CondNot:
		return "not " + testText(m, f, t.Kids[0])
	case CondAnd, CondOr:
		op := map[CondKind]string{CondAnd: " and ", CondOr: " or "}[t.Kind]
		return "(" + testText(m, f, t.Kids[0]) + op + testText(m, f, t.Kids[1]) + ")"
	case CondCompare:
		var parts []string
		for _, o := range t.Operands {
			parts = append(parts, text(o))
		}
		return strings.Join(parts, " "+t.Op+" ")
	}
	return "truth " + text(t.Operands[0])
}

func TestFlow(t *testing.T) {
	src := `def view(request):
    ok = request.META.get("X") == "SUCCESS"
    if not ok and check(request):
        raise Denied()
    elif request.META.get("Y") in ("A", "B"):
        request.user = lookup(request)
    else:
        log()
    for part in split(request):
        names.append(part)
        if part is None:
            break
    else:
        done()
    try:
        verify(request)
    except KeyError as e:
        handle(e)
    finally:
        close()
    while more():
        continue
    with open_it() as f:
        request.META["REMOTE_USER"] = f.read()
    assert any(p in n for n in nets()), "nope"
    match status():
        case "SUCCESS":
            return True
        case _:
            return
`
	m := opened(t, extractAll(t, map[string]string{"app/views.py": src})[0])
	got := flowText(m, &m.Funcs[1])
	want := `assign request.META.get()
if check() [(not truth ok and truth check(request))]
  raise Denied()
else
  if request.META.get() [request.META.get("Y") in ("A", "B")["A" "B"]]
    assign lookup() ->2:user
  else
    expr log()
for split()
  expr names.append()
  if [part is None]
    break
else
  expr done()
try
  expr verify()
handler
  expr handle()
finally
  expr close()
while more() [truth more()]
  continue
with open_it()
  assign f.read() ->3:REMOTE_USER
assert nets() any() [truth any(p in n for n in nets())]
if status() [status() in "SUCCESS"["SUCCESS"]]
  return const=2
else
  return const=1
`
	if got != want {
		t.Errorf("flow:\n%s\nwant:\n%s", got, want)
	}
	// ok is the test bound to it; names holds what was appended.
	f := &m.Funcs[1]
	if ok := f.Code().Calls[1].Args; len(ok) != 1 || len(ok[0].Value) == 0 {
		t.Fatalf("check's argument: %+v", ok)
	}
	var rootTest, appended bool
	for _, st := range f.Block(f.Code().Body) {
		if st.Kind == StmtIf {
			cond := f.Code().Conds[st.Cond]
			not := f.Code().Conds[cond.Kids[0]]
			for _, a := range f.Code().Conds[not.Kids[0]].Operands[0].Value {
				rootTest = rootTest || a.Root == RootCond
			}
			break
		}
	}
	for _, c := range f.Code().Calls {
		if c.Name == "names.append" {
			appended = true
		}
	}
	if !rootTest || !appended {
		t.Errorf("ok is a test: %v; names.append lowered: %v", rootTest, appended)
	}
}

func TestFlowDeclarations(t *testing.T) {
	src := `import os
from django.utils.decorators import method_decorator

MIDDLEWARE = ["a.A"]
MIDDLEWARE += ["b.B"]
KEY = os.environ.get("KEY", "SSL_CLIENT_S_DN")


@method_decorator(require_cert, name="dispatch")
class V(View):
    header = "HTTP_X_REMOTE_USER"
    methods = ("get",)

    @method_decorator(other)
    @staticmethod
    def get(self, request):
        pass
`
	m := opened(t, extractAll(t, map[string]string{"app/views.py": src})[0])
	var settings []string
	for _, s := range m.Settings {
		settings = append(settings, fmt.Sprintf("%s=%d:%s%q", s.Name, s.Value.Kind, s.Value.Text, s.Value.Strings()))
	}
	if got, want := strings.Join(settings, " "), `MIDDLEWARE=3:["a.A"] MIDDLEWARE=3:["b.B"] KEY=4:os.environ.get[]`; got != want {
		t.Errorf("settings: %s, want %s", got, want)
	}
	if key := m.Settings[2].Value; len(key.Items) != 2 || key.Items[1].Text != "SSL_CLIENT_S_DN" {
		t.Errorf("KEY's arguments: %+v", key.Items)
	}
	c := m.Classes[0]
	if len(c.Decorators) != 1 || c.Decorators[0] != "method_decorator" || m.Funcs[0].Code().Calls[c.DecoratorCalls[0]].Name != "method_decorator" {
		t.Errorf("class decorators: %q at %v", c.Decorators, c.DecoratorCalls)
	}
	if len(c.Consts) != 2 || c.Consts[0].Name != "header" || c.Consts[0].Value.Text != "HTTP_X_REMOTE_USER" || len(c.Consts[1].Value.Strings()) != 1 {
		t.Errorf("class constants: %+v", c.Consts)
	}
	get := m.Funcs[2]
	if get.Name != "V.get" || len(get.DecoratorCalls) != 2 || get.DecoratorCalls[1] != -1 || m.Funcs[1].Code().Calls[get.DecoratorCalls[0]].Name != "method_decorator" {
		t.Errorf("%s's decorators: %q at %v", get.Name, get.Decorators, get.DecoratorCalls)
	}
}

// TestBuiltValues: a container holds what a loop appends to it, and a
// comprehension's element what its loop variable is.
func TestBuiltValues(t *testing.T) {
	p := buildAll(t, map[string]string{"app/views.py": `from telemetry import emit


def view(request):
    lines = []
    for key in ("a", "b"):
        lines.append(request.POST.get(key))
    emit(lines)
    seen = set()
    seen.add(request.body)
    emit(seen)
    emit([h for h in request.headers.values() if h])
    emit(len(lines))
`})
	got := events(p, "app/views.py")
	want := []string{
		// One field, of one of the loop's names.
		"8: data request.field[a|b] at app/views.py:7",
		"11: data request.body at app/views.py:10",
		"12: data request.headers at app/views.py:12",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMatchChain: a match of string cases is the if statement it is; a
// match of other patterns stays one.
func TestMatchChain(t *testing.T) {
	src := `def view(request):
    match status(request):
        case "SUCCESS":
            ok()
        case "A" | "B":
            meh()
        case _:
            deny()
    match request:
        case {"k": v}:
            use(v)
`
	m := opened(t, extractAll(t, map[string]string{"app/views.py": src})[0])
	got := flowText(m, &m.Funcs[1])
	want := `if status() [status(request) in "SUCCESS"["SUCCESS"]]
  expr ok()
else
  if [status(request) in "A" | "B"["A" "B"]]
    expr meh()
  else
    expr deny()
match
handler
  expr use()
`
	if got != want {
		t.Errorf("flow:\n%s\nwant:\n%s", got, want)
	}
}

// TestConditionsLoweredOnce: a condition is lowered once, and that
// lowering gives the flow's Cond, the operations' Exprs and the Test of
// an if, elif or assert; a comparison used as a value is its RootExpr
// atom and its RootCond atom.
func TestConditionsLoweredOnce(t *testing.T) {
	src := `def f(request):
    if size(request) < limit() and not closed():
        pass
    elif other() == 1:
        pass
    assert ready() or late()
    while more() > 0:
        pass
    ok = left() == right()
    return ok
`
	m := opened(t, extractAll(t, map[string]string{"app/views.py": src})[0])
	f := &m.Funcs[1]
	var names []string
	for _, c := range f.Code().Calls {
		names = append(names, c.Name)
	}
	if got, want := strings.Join(names, " "), "size limit closed other ready late more left right"; got != want {
		t.Errorf("calls: %s, want %s", got, want)
	}
	var ops []string
	for _, e := range f.Code().Exprs {
		ops = append(ops, e.Op)
	}
	if got, want := strings.Join(ops, " "), "< not and == or > =="; got != want {
		t.Errorf("operations: %s, want %s", got, want)
	}
	if len(f.Code().Conds) != 10 {
		t.Errorf("%d conditions, want 10", len(f.Code().Conds))
	}
	// The tests of the if, the elif and the assert are their operations.
	var tests []string
	for _, tt := range f.Code().Tests {
		if len(tt.Cond) == 0 || tt.Cond[0].Root != RootExpr {
			t.Fatalf("test %+v", tt)
		}
		tests = append(tests, f.Code().Exprs[tt.Cond[0].Index].Op)
	}
	if got, want := strings.Join(tests, " "), "and == or"; got != want {
		t.Errorf("tests: %s, want %s", got, want)
	}
	// and's operands are the values of its sides: the comparison's
	// operation, and not's.
	and := f.Code().Exprs[2]
	if len(and.Args) != 2 || len(and.Args[0]) != 1 || and.Args[0][0].Root != RootExpr || f.Code().Exprs[and.Args[0][0].Index].Op != "<" ||
		len(and.Args[1]) != 1 || f.Code().Exprs[and.Args[1][0].Index].Op != "not" {
		t.Errorf("and: %+v", and)
	}
	// ok is the comparison's operation and its condition.
	var roots []RootKind
	for _, a := range f.Code().Returns {
		roots = append(roots, a.Root)
	}
	if !slices.Equal(roots, []RootKind{RootExpr, RootCond}) {
		t.Errorf("ok: %v", roots)
	}
}
