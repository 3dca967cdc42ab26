package crosslang

import (
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
)

// FuzzCrosslang runs the analyzer over an arbitrary view module and an
// arbitrary C extension it imports: no input may make it fail or report
// a malformed finding (a flow step outside the files).
func FuzzCrosslang(f *testing.F) {
	ext := `#include <Python.h>
#include <string.h>
static PyObject *f(PyObject *self, PyObject *args) { char b[16]; strncpy(b, "x", 1); return PyBytes_FromStringAndSize(b, sizeof b); }
static PyMethodDef m[] = {{"f", f, METH_VARARGS, NULL}, {NULL}};
static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, m};
`
	for _, seed := range [][2]string{
		{"from . import _ext\nfrom django.http import HttpResponse\ndef v(request):\n    return HttpResponse(_ext.f())\n", ext},
		{"from ._ext import f\nfrom django.core.cache import caches\ndef v(request):\n    caches['x'].set('k', f()[:3])\n", ext},
		{"from . import _ext\nimport logging\nlog = logging.getLogger()\ndef v(request):\n    log.info('%r', _ext.f().hex())\n", ext},
		{"from . import _ext\n@cache_page(\ndef v(request):\n    return Response(_ext.f(", ext},
		{"from . import _ext\ndef v(request):\n    return HttpResponse(_ext.f())\n", "static PyMethodDef m[] = {{\"f\", (PyCFunction)f, 0}, X_METHODDEF {0}};\nstatic PyObject *f(void) { return g(); }\n"},
		{"from . import _ext\ndef v(request):\n    return HttpResponse(_ext.f())\n", "static struct PyModuleDef d = {.m_methods = m, .m_name = \"\"};\nPyMethodDef m[] = {{\"f\"}, {\"f\", f}, {f, \"f\"}};\n"},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	f.Fuzz(func(t *testing.T, py, c []byte) {
		analyzertest.RobustFiles(t, map[string][]byte{"app/__init__.py": nil, "app/views.py": py, "app/_ext.c": c}, Analyzer)
	})
}
