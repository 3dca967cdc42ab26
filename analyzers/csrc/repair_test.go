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
	want := "m.c:10 0 buf written by write() true|m.c:20 0 buf written by write() true"
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
	if got, want := strings.Join(render(r, "m.c"), "|"), "m.c:10 0 t written by write() true"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}

// TestNULInComment: a NUL byte in a comment is read as a space, so the
// statement around it is analyzed (tree-sitter's input ended there, and
// the function had syntax errors).
func TestNULInComment(t *testing.T) {
	r := buildRepo(t, map[string]string{"m.c": "void f(int fd) { char b[16]; /* \x00 */ write(fd, b, sizeof b); }\n"})
	if got, want := strings.Join(render(r, "m.c"), "|"), "m.c:1 0 b written by write() true"; got != want {
		t.Errorf("outputs %q, want %q", got, want)
	}
}
