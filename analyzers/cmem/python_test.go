package cmem_test

import (
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/cmem"
)

// TestPythonSide checks what a finding of a C extension's output says of
// Python: the method table's entry that exports the function (also for a
// helper whose result it returns), and the place Python sends the bytes
// to a client; a function Python never calls says nothing.
func TestPythonSide(t *testing.T) {
	ar := txtar.Parse([]byte(`-- app/__init__.py --
-- app/_ext.c --
#include <Python.h>
#include <string.h>
static PyObject *build(const char *s) { char b[32]; strncpy(b, s, 4); return PyBytes_FromStringAndSize(b, sizeof b); }  /* want "cmem/uninitialized-output: .*; Python receives them from _ext.field\\(request.GET\\[.n.\\]\\) and sends them to a client at app/views.py:6: see the crosslang finding there" */
static PyObject *ext_field(PyObject *self, PyObject *args) { const char *s; if (!PyArg_ParseTuple(args, "s", &s)) return NULL; return build(s); }
int unused(int fd) { char b[8]; return write(fd, b, sizeof b); }  /* want "cmem/uninitialized-output: nothing writes the 8 bytes of b; all 8 are written to a file descriptor by write\\(\\)$" */
static PyMethodDef methods[] = {{"field", ext_field, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef mod = {PyModuleDef_HEAD_INIT, "app._ext", NULL, -1, methods};
-- app/views.py --
from django.http import HttpResponse
from . import _ext


def field(request):
    return HttpResponse(_ext.field(request.GET["n"]))
`))
	res := analyzertest.RunArchive(t, "python-side", ar, nil, cmem.Analyzer)
	if res == nil {
		return
	}
	var related []string
	for _, f := range res.Findings {
		for _, r := range f.Related {
			related = append(related, r.Path+":"+r.Message)
		}
	}
	want := "app/_ext.c:b (32 bytes) is declared here|app/_ext.c:Python calls ext_field as _ext.field|" +
		"app/views.py:Python sends them to a client here (crosslang)|app/_ext.c:b (8 bytes) is declared here"
	if got := strings.Join(related, "|"); got != want {
		t.Errorf("related locations:\n%s\nwant:\n%s", got, want)
	}
}
