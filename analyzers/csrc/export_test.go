package csrc

import (
	"fmt"
	"strings"
	"testing"
)

var exportRepo = map[string]string{
	"native/lib.c": `#include <stdlib.h>
#include <string.h>
#include <stdint.h>
struct hdr { unsigned char tag; unsigned int len; };

int pack_header(uint8_t *out, unsigned char tag, unsigned int len)
{
    struct hdr h;
    h.tag = tag;
    h.len = len;
    memcpy(out, &h, sizeof h);
    return (int)sizeof h;
}

int seal(const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
    if (outlen < len + 8)
        return -1;
    int off = pack_header(out, 1, (unsigned int)len);
    memcpy(out + 8, data, len);
    return (int)(len + 8);
}

int tail_copy(const uint8_t *src, uint8_t *out, size_t outlen)
{
    uint8_t tmp[64];
    memcpy(tmp, src, 16);
    memcpy(out, tmp, sizeof tmp);
    return 16;
}

int cleared(uint8_t *out, size_t outlen)
{
    struct hdr h;
    memset(&h, 0, sizeof h);
    h.tag = 2;
    memcpy(out, &h, sizeof h);
    return (int)sizeof h;
}

int overwritten(uint8_t *out, size_t outlen)
{
    pack_header(out, 3, 0);
    memset(out, 0, 8);
    return 8;
}

uint8_t *token(void)
{
    uint8_t *t = malloc(48);
    if (t == NULL)
        return NULL;
    memset(t, 0x5a, 32);
    return t;
}

static int helper(uint8_t *out) { return pack_header(out, 4, 4); }
`,
	"native/ext.c": `#include <Python.h>
#include <string.h>

static PyObject *encode(const char *s)
{
    char buf[64];
    strncpy(buf, s, 8);
    return PyBytes_FromStringAndSize(buf, sizeof buf);
}

static PyObject *ext_fixed(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[64];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    strncpy(buf, s, 8);
    PyObject *out = PyBytes_FromStringAndSize(buf, sizeof buf);
    return out;
}

static PyObject *ext_via(PyObject *self, PyObject *args)
{
    const char *s;
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    return encode(s);
}

static PyObject *ext_stored(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[64];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    strncpy(buf, s, 8);
    PyObject *o = PyBytes_FromStringAndSize(buf, sizeof buf);
    PyObject_SetAttrString(self, "cache", o);
    Py_RETURN_NONE;
}

static PyObject *ext_empty(PyObject *self, PyObject *arg)
{
    PyObject *out = PyBytes_FromStringAndSize(NULL, 32);
    if (!out)
        return NULL;
    return out;
}

static PyObject *ext_exact(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[64];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    strncpy(buf, s, 8);
    return Py_BuildValue("y#", buf, (Py_ssize_t)strnlen(buf, 8));
}

static PyMethodDef methods[] = {
    {"fixed", ext_fixed, METH_VARARGS, NULL},
    {"via", ext_via, METH_VARARGS, NULL},
    {"stored", ext_stored, METH_VARARGS, NULL},
    {"empty", ext_empty, METH_NOARGS, NULL},
    {"exact", ext_exact, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL}
};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "pkg._ext", NULL, -1, methods};
`,
}

// describeExport renders an export summary: what its return value and
// each parameter's memory hold, with the source's buffer and the calls
// on the way.
func describeExport(x *Export) string {
	var b strings.Builder
	for _, r := range x.Returned {
		fmt.Fprintf(&b, "returns %s (%s, block %v, via %d)", r.Output.Buffer.Name, r.Output.Verb, r.Block, len(r.Via))
		if len(r.Output.Gaps) > 0 {
			fmt.Fprintf(&b, " gaps %v", r.Output.Gaps)
		}
		b.WriteString("; ")
	}
	for _, p := range x.Params {
		fmt.Fprintf(&b, "param %d holds %v inside %v from", p.Param, p.Spans, p.Inside)
		for _, s := range p.Sources {
			fmt.Fprintf(&b, " %s (%s, via %d, definite %v)", s.Buffer.Name, s.Verb, len(s.Via), s.Definite)
		}
		b.WriteString("; ")
	}
	return strings.TrimSuffix(b.String(), "; ")
}

func TestExports(t *testing.T) {
	r := buildRepo(t, exportRepo)
	a := r.Analysis(Config{})
	for name, want := range map[string]string{
		"pack_header": "param 0 holds [{1 4}] inside true from h (memcpy copies it, via 0, definite true)",
		"seal":        "param 2 holds [{1 4}] inside true from h (memcpy copies it, via 1, definite true)",
		"tail_copy":   "param 1 holds [{16 64}] inside false from tmp (memcpy copies it, via 0, definite true)",
		"cleared":     "",
		"overwritten": "",
		"token":       "returns t (returned, block true, via 0) gaps [{32 48}]",
	} {
		x, ok := a.Symbol(name)
		if !ok {
			t.Errorf("Symbol(%s) not found", name)
			continue
		}
		if got := describeExport(x); got != want {
			t.Errorf("%s: %s\nwant: %s", name, got, want)
		}
	}
	if _, ok := a.Symbol("helper"); ok {
		t.Error("a static function is a ctypes symbol")
	}
	if x, _ := a.Symbol("seal"); len(x.Writes) != 4 || x.Writes[2] != "the first n bytes, n returned" {
		t.Errorf("seal writes %q", x.Writes)
	}
	for name, want := range map[string]string{
		"fixed":  "returns buf (copied into a bytes object by PyBytes_FromStringAndSize(), block false, via 0) gaps [{8 64}]",
		"via":    "returns buf (copied into a bytes object by PyBytes_FromStringAndSize(), block false, via 1) gaps [{8 64}]",
		"stored": "",
		"empty":  "returns out (returned to Python, block false, via 0) gaps [{0 32}]",
		"exact":  "",
	} {
		m, ok := r.PyMethod("_ext", name)
		if !ok {
			t.Fatalf("no method %s", name)
		}
		x, ok := a.Method(m)
		if !ok {
			t.Errorf("Method(%s) not found", name)
			continue
		}
		if got := describeExport(x); got != want {
			t.Errorf("%s: %s\nwant: %s", name, got, want)
		}
	}
}
