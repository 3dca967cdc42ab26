package crosslang

import (
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
)

// FuzzCrosslang runs the analyzer over an arbitrary view module and an
// arbitrary C extension it imports (or C library it loads with ctypes): no input may make it fail or report
// a malformed finding (a flow step outside the files).
func FuzzCrosslang(f *testing.F) {
	ext := `#include <Python.h>
#include <string.h>
static PyObject *f(PyObject *self, PyObject *args) { char b[16]; strncpy(b, "x", 1); return PyBytes_FromStringAndSize(b, sizeof b); }
static PyMethodDef m[] = {{"f", f, METH_VARARGS, NULL}, {NULL}};
static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, m};
`
	ctypesLib := `#include <stdlib.h>
#include <string.h>
int g(unsigned char *out) { unsigned char t[16]; t[0] = 1; memcpy(out, t, sizeof t); return 1; }
char *h(void) { char *p = malloc(48); if (p == NULL) return NULL; memset(p, 1, 8); return p; }
`
	for _, seed := range [][2]string{
		{"from . import _ext\nfrom django.http import HttpResponse\ndef v(request):\n    return HttpResponse(_ext.f())\n", ext},
		{"from ._ext import f\nfrom django.core.cache import caches\ndef v(request):\n    caches['x'].set('k', f()[:3])\n", ext},
		{"from . import _ext\nimport logging\nlog = logging.getLogger()\ndef v(request):\n    log.info('%r', _ext.f().hex())\n", ext},
		{"from . import _ext\n@cache_page(\ndef v(request):\n    return Response(_ext.f(", ext},
		{"from . import _ext\ndef v(request):\n    return HttpResponse(_ext.f())\n", "static PyMethodDef m[] = {{\"f\", (PyCFunction)f, 0}, X_METHODDEF {0}};\nstatic PyObject *f(void) { return g(); }\n"},
		{"from . import _ext\ndef v(request):\n    return HttpResponse(_ext.f())\n", "static struct PyModuleDef d = {.m_methods = m, .m_name = \"\"};\nPyMethodDef m[] = {{\"f\"}, {\"f\", f}, {f, \"f\"}};\n"},
		{"import ctypes\nfrom django.http import HttpResponse\nlib = ctypes.CDLL('x')\nlib.g.argtypes = [ctypes.c_void_p]\ndef v(request):\n    b = ctypes.create_string_buffer(16)\n    n = lib.g(b)\n    return HttpResponse(b.raw + b.raw[:n] + bytes(b)[:4] + ctypes.string_at(b, 8))\n", ctypesLib},
		{"import ctypes\nlib = ctypes.CDLL('x')\nlib.h.restype = ctypes.c_void_p\ndef v(request):\n    p = lib.h()\n    cache.set('k', ctypes.string_at(p, 48) + ctypes.cast(p, ctypes.POINTER(ctypes.c_char * 48)).contents.raw + p[:-1])\n", ctypesLib},
		{"import ctypes\ndef v(request):\n    b = (ctypes.c_ubyte * 8)()\n    ctypes.CDLL('x').g(ctypes.byref(b, 2))\n    return HttpResponse(memoryview(b)[1:], bytes(b, 3))\n", "int g(unsigned char *o) { char t[8]; t[0] = 1; memcpy(o, t, 8); return"},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	f.Fuzz(func(t *testing.T, py, c []byte) {
		analyzertest.RobustFiles(t, map[string][]byte{"app/__init__.py": nil, "app/views.py": py, "app/_ext.c": c}, Analyzer)
	})
}
