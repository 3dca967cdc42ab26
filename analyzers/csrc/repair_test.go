package csrc

import (
	"slices"
	"strings"
	"testing"
)

func TestRepairs(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": `#define MY_STATIC static
MY_STATIC int helper(int x) { return x; }

int threads(int fd)
{
    char buf[16];
    Py_BEGIN_ALLOW_THREADS
    buf[0] = 1;
    Py_END_ALLOW_THREADS
    return write(fd, buf, sizeof buf);
}

int each(struct node *list, int fd)
{
    struct node *n;
    char buf[16];
    list_foreach(n, list) {
        buf[0] = 2;
    }
    return write(fd, buf, sizeof buf);
}

int args(int k, ...)
{
    va_list ap;
    va_start(ap, k);
    char *s = va_arg(ap, char *);
    va_end(ap);
    return s[0];
}
`})
	p := reparsedClean(t, r, "m.c")
	if len(p.declarations().defs) != 4 {
		t.Errorf("%d functions, want 4", len(p.declarations().defs))
	}
	if !isStatic(p.declarations().funcs["helper"]) {
		t.Error("helper is not static once MY_STATIC reads as static")
	}
	want := "m.c:10 0 buf written to a file descriptor by write() true|m.c:20 0 buf written to a file descriptor by write() true"
	if got := strings.Join(render(r, "m.c"), "|"); got != want {
		t.Errorf("outputs %q, want %q (the loop writes buf[0] on some path, never the rest)", got, want)
	}
}

// TestAttributeRepairs: attribute macros named between underscores
// (systemd's _unused_, _cleanup_free_, _cleanup_(f)) are blanked before
// a declaration's type and after a parameter's name, and the functions
// they broke are read; a call of such a name in an expression is kept.
func TestAttributeRepairs(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": `static PyObject *get_id(PyObject *self _unused_, PyObject *args _unused_)
{
    _cleanup_free_ char *p = NULL;
    _cleanup_(freep) char *q = NULL;
    char buf[16];
    buf[0] = 1;
    return PyBytes_FromStringAndSize(buf, sizeof(buf));
}

static int kept(int x)
{
    int y = _scale_(x) + 1;
    return y +;
}
`})
	p := reparsedClean(t, r, "m.c", "kept")
	src := string(p.Configured.Src())
	if strings.Contains(src, "_unused_") || strings.Contains(src, "_cleanup_") || !strings.Contains(src, "_scale_(x)") {
		t.Errorf("repaired text:\n%s", src)
	}
}

// reparsedClean returns the part of file, which must have been parsed
// again, and reports each of its functions but those named in broken
// that still has syntax errors.
func reparsedClean(t *testing.T, r *Repo, file string, broken ...string) *Part {
	t.Helper()
	p := r.parts[file]
	if p.Configured == nil {
		t.Fatalf("%s was not parsed again", file)
	}
	for _, fn := range p.declarations().defs {
		if name := funcName(fn); fn.HasError() && !slices.Contains(broken, name) {
			t.Errorf("%s still has errors after the repair", name)
		}
	}
	return p
}

// TestBlockAfterStatementMacro: a statement macro without arguments that
// a block follows (Py_END_ALLOW_THREADS, then { … }) gets its semicolon,
// and the function is read; a macro with arguments before a block stays a
// loop macro's header.
func TestBlockAfterStatementMacro(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": `int f(int fd)
{
    char t[16];
    Py_BEGIN_ALLOW_THREADS
    t[1] = 2;
    Py_END_ALLOW_THREADS
    {
        t[0] = 1;
    }
    return write(fd, t, sizeof t);
}
`})
	reparsedClean(t, r, "m.c")
	if got, want := strings.Join(render(r, "m.c"), "|"), "m.c:10 0 t written to a file descriptor by write() true"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// TestNULInComment: a NUL byte in a comment is read as a space, so the
// statement around it is analyzed (tree-sitter's input ended there, and
// the function had syntax errors).
func TestNULInComment(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": "void f(int fd) { char b[16]; /* \x00 */ write(fd, b, sizeof b); }\n"})
	if got, want := strings.Join(render(r, "m.c"), "|"), "m.c:1 0 b written to a file descriptor by write() true"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// TestJumpAndTypeArguments: a macro call whose last argument is a jump
// (with or without its semicolon, a string among its arguments) is the
// jump under an unknown condition, so the code after it is read on one
// path, with an empty else, so that an else after the call stays its
// if's (guarded writes buf on both paths); a type given to CPython's
// allocation macros is a name; a statement macro after such a call gets
// its semicolon too.
func TestJumpAndTypeArguments(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": `static PyObject *checked(Conn *self, int fd)
{
    char buf[16];
    CHECK_OPEN(self, return NULL);
    buf[0] = 1;
    write(fd, buf, sizeof buf);
    return NULL;
}

static PyObject *protected(double x, int fd)
{
    char buf[16];
    PyFPE_START_PROTECT("checked", return NULL)
    buf[0] = 2;
    PyFPE_END_PROTECT(x)
    write(fd, buf, sizeof buf);
    return NULL;
}

static PyObject *guarded(Conn *self, int fd, int flag)
{
    char buf[16];
    if (flag)
        CHECK_OPEN(self, return NULL);
    else
        memset(buf, 0, sizeof buf);
    if (flag)
        memset(buf, 0, sizeof buf);
    write(fd, buf, sizeof buf);
    return NULL;
}

static int keys(Py_ssize_t n, int fd)
{
    char **list = PyMem_New(char *, n);
    list = PyMem_Resize(list, char *, n + 1);
    char buf[16];
    buf[0] = 3;
    return write(fd, buf, sizeof buf);
}
`})
	p := reparsedClean(t, r, "m.c")
	if src := string(p.Configured.Src()); !strings.Contains(src, "if(_)return NULL;else        ;") || !strings.Contains(src, `if(PyFPE_START_PROTECT)return NULL;else;`) {
		t.Errorf("repaired text:\n%s", src)
	}
	want := "m.c:16 0 buf written to a file descriptor by write() true|m.c:39 0 buf written to a file descriptor by write() true|m.c:6 0 buf written to a file descriptor by write() true"
	if got := strings.Join(render(r, "m.c"), "|"); got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// TestJumpEditLeavesOthers: only a call that starts a line, ends on it and
// whose last argument is a jump, with room for the rewrite, is rewritten.
func TestJumpEditLeavesOthers(t *testing.T) {
	for _, line := range []string{
		"    x = CHECK(self, return NULL);",
		"    CHECK(self, cleanup());",
		"    CHECK(self,",
		"    CHECK(a,return 0)",
		"    if (a) return b;",
		`    LOG("x, return y");`,
	} {
		if es := jumpArgEdits([]byte(line), 0); len(es) != 0 {
			t.Errorf("%q rewritten: %q", line, es[0].text)
		}
	}
}

// TestUndecidedBranchesKept: a syntax error in one function makes the
// file be parsed again in one configuration, whose undecided #else
// branches are blanked; the functions there are still read from the
// first parse, as in a file without the error.
func TestUndecidedBranchesKept(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": `static double broken(double x)
{
    x = 1.0;
    END_MACRO(x)
    return x +;
}
#if PY_VERSION_HEX >= 0x030E0000
static int modern(int fd) { char b[8]; b[0] = 1; return write(fd, b, sizeof b); }
#else
static int legacy(int fd) { char b[8]; b[0] = 1; return write(fd, b, sizeof b); }
#endif
`})
	p := reparsedClean(t, r, "m.c", "broken")
	var names []string
	for _, fn := range p.declarations().defs {
		names = append(names, funcName(fn))
	}
	if got := strings.Join(names, " "); got != "broken modern legacy" {
		t.Errorf("functions %q, want broken modern legacy", got)
	}
	if got, want := strings.Join(render(r, "m.c"), "|"), "m.c:10 0 b written to a file descriptor by write() true|m.c:8 0 b written to a file descriptor by write() true"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// TestRepairRounds: a statement macro before an if statement (after a
// comment of several lines) ends the function early, so that the macro
// after the if's else block seems the header of a new top-level node;
// once the first is repaired the function reads on, and a second round
// repairs the second.
func TestRepairRounds(t *testing.T) {
	r := buildRepo(t, map[string]string{"frame.c": `static PyObject *frame_bound(PyObject *self, PyObject *args)
{
    size_t bound;
    char buf[16];
    int flag = PyTuple_GET_SIZE(args);

    /* With autoflush the bound is smaller; without it, buffered
       data counts too. */
    Py_BEGIN_ALLOW_THREADS
    if (flag == 1)
      {
        bound = 1;
      }
    else
      {
        bound = 2;
      }
    Py_END_ALLOW_THREADS

    if (bound > 8)
      {
        buf[0] = 1; /* the tag */
      }
    return PyBytes_FromStringAndSize(buf, sizeof buf);
}
`})
	reparsedClean(t, r, "frame.c")
	want := "frame.c:24 0 buf copied into a bytes object by PyBytes_FromStringAndSize() true"
	if got := strings.Join(render(r, "frame.c"), "|"); got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}
