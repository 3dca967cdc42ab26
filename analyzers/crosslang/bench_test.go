package crosslang

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/driver"
)

// benchRepo is a Django-like repository of n apps, each with a C
// extension of four methods (two that return unwritten bytes) and views
// that send, cache and log what they return through a helper.
func benchRepo(n int) map[string]string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("app%d/__init__.py", i)] = ""
		files[fmt.Sprintf("app%d/_codec.c", i)] = `#include <Python.h>
#include <string.h>
static PyObject *fixed(PyObject *self, PyObject *args) { const char *s; char b[64]; if (!PyArg_ParseTuple(args, "s", &s)) return NULL; strncpy(b, s, 8); return PyBytes_FromStringAndSize(b, sizeof b); }
static PyObject *exact(PyObject *self, PyObject *args) { const char *s; char b[64]; if (!PyArg_ParseTuple(args, "s", &s)) return NULL; strncpy(b, s, 8); return PyBytes_FromStringAndSize(b, (Py_ssize_t)strnlen(b, 8)); }
static PyObject *empty(PyObject *self, PyObject *arg) { PyObject *o = PyBytes_FromStringAndSize(NULL, 16); return o; }
static PyObject *none(PyObject *self, PyObject *arg) { Py_RETURN_NONE; }
static PyMethodDef methods[] = {{"fixed", fixed, METH_VARARGS, NULL}, {"exact", exact, METH_VARARGS, NULL},
    {"empty", empty, METH_NOARGS, NULL}, {"none", none, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "_codec", NULL, -1, methods};
`
		files[fmt.Sprintf("app%d/fields.py", i)] = "from . import _codec\n\n\ndef field(name):\n    return _codec.fixed(name)\n"
		files[fmt.Sprintf("app%d/views.py", i)] = `import logging
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse
from . import _codec
from .fields import field

log = logging.getLogger(__name__)


def show(request):
    value = field(request.GET["name"])
    log.info("field %r", value)
    cache.set("k", _codec.empty(), 60)
    return HttpResponse(value)


def exact(request):
    return JsonResponse({"tag": _codec.exact(request.GET["name"]).hex(), "n": _codec.none()})
`
	}
	return files
}

// BenchmarkScan scans the repository with crosslang alone: both models,
// the export summaries and the Python model's events.
func BenchmarkScan(b *testing.B) {
	dir := b.TempDir()
	for name, src := range benchRepo(50) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	as := []*analyzers.Analyzer{Analyzer}
	for b.Loop() {
		res, err := driver.Run(driver.Config{Analyzers: as, Rules: analyzertest.Rules("warning", as...), Paths: []string{dir}, Root: dir, Jobs: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Findings) != 150 {
			b.Fatalf("%d findings, want 150", len(res.Findings))
		}
	}
}
