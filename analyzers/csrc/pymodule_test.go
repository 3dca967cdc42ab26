package csrc

import (
	"fmt"
	"strings"
	"testing"
)

var extensionModules = map[string]string{
	"src/_codec.c": `#include <Python.h>
#include "clinic/_codec.h"
static PyObject *codec_pack(PyObject *self, PyObject *args) { return NULL; }
static PyObject *codec_kw(PyObject *self, PyObject *args, PyObject *kw) { return NULL; }
static PyMethodDef codec_methods[] = {
    {"pack", codec_pack, METH_VARARGS, "Pack."},
    {"kw", (PyCFunction)(void(*)(void))codec_kw, METH_VARARGS | METH_KEYWORDS, NULL},
    CODEC_CLINIC_METHODDEF
    {NULL, NULL, 0, NULL}
};
static struct PyModuleDef codec_module = {
    PyModuleDef_HEAD_INIT, "pkg._codec", NULL, -1, codec_methods,
};
PyMODINIT_FUNC PyInit__codec(void) { return PyModule_Create(&codec_module); }
`,
	"src/clinic/_codec.h": `#define CODEC_CLINIC_METHODDEF    \
    {"clinic", (PyCFunction)(void(*)(void))codec_clinic, METH_FASTCALL, codec_clinic__doc__},
`,
	"src/_designated.c": `#include <Python.h>
static PyObject *d_get(PyObject *self, PyObject *arg) { return NULL; }
static PyMethodDef methods[] = {{"get", d_get, METH_O, NULL}, {NULL}};
static PyModuleDef mod = {PyModuleDef_HEAD_INIT, .m_methods = methods, .m_name = "_designated"};
`,
	"src/_noname.c": `#include <Python.h>
static PyObject *n_get(PyObject *self, PyObject *arg) { return NULL; }
static PyMethodDef noname_methods[] = {{"get", n_get, METH_O, NULL}, {NULL}};
static PyMethodDef __pyx_mdef_one = {"one", (PyCFunction)(void*)n_get, METH_O, 0};
PyMODINIT_FUNC PyInit__noname(void) { return NULL; }
`,
	"src/legacy.c": `#include <Python.h>
static PyObject *l_get(PyObject *self, PyObject *arg) { return NULL; }
static PyMethodDef legacy_methods[] = {{"get", l_get, METH_O, NULL}, {NULL}};
void initlegacy(void) { Py_InitModule("legacy", legacy_methods); }
`,
	"src/plain.c": `struct PyMethodDef { const char *name; };
int not_a_table[] = {1, 2};
`,
}

func TestPyMethods(t *testing.T) {
	r := buildRepo(t, extensionModules)
	var got []string
	for _, m := range r.pyMethods() {
		got = append(got, fmt.Sprintf("%s %s.%s=%s", m.File, m.Module, m.Name, m.Func))
	}
	want := []string{
		"src/_codec.c _codec.pack=codec_pack",
		"src/_codec.c _codec.kw=codec_kw",
		"src/_codec.c _codec.clinic=codec_clinic",
		"src/_designated.c _designated.get=d_get",
		"src/_noname.c _noname.one=n_get",
		"src/_noname.c _noname.get=n_get",
		"src/legacy.c legacy.get=l_get",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("method tables:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m, ok := r.PyMethod("_codec", "kw"); !ok || m.Func != "codec_kw" || !strings.HasPrefix(m.Entry.Text(), `{"kw"`) {
		t.Errorf(`PyMethod("_codec", "kw") = %+v, %v`, m, ok)
	}
	if _, ok := r.PyMethod("_codec", "missing"); ok {
		t.Error("PyMethod found a name no table has")
	}
	if ms := r.PyMethods(); len(ms) != len(want) || ms[3].Func != "d_get" {
		t.Errorf("PyMethods() = %+v", ms)
	}
}
