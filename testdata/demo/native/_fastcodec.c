/* signing._fastcodec: hex and fixed-width field helpers used on the hot path. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define FIELD_WIDTH 64
#define TAG_LEN 8

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode hex digits from s into dst, skipping ':' and whitespace. Returns bytes written or -1. */
static Py_ssize_t decode_hex(const char *s, Py_ssize_t len, char *dst)
{
    Py_ssize_t w = 0;
    int hi = -1;
    for (Py_ssize_t i = 0; i < len; i++) {
        if (s[i] == ':' || s[i] == ' ' || s[i] == '\n')
            continue;
        int v = hexval(s[i]);
        if (v < 0)
            return -1;
        if (hi < 0) {
            hi = v;
        } else {
            dst[w++] = (char)((hi << 4) | v);
            hi = -1;
        }
    }
    return hi < 0 ? w : -1;
}

/* parse_fingerprint("AB:CD:...") -> bytes */
static PyObject *fastcodec_parse_fingerprint(PyObject *self, PyObject *args)
{
    const char *s;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#", &s, &len))
        return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, len / 2);
    if (out == NULL)
        return NULL;
    if (decode_hex(s, len, PyBytes_AS_STRING(out)) < 0) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_ValueError, "invalid fingerprint");
        return NULL;
    }
    /* BUG(cmem): separators mean fewer than len/2 bytes were decoded; the rest of `out` is uninitialized heap */
    return out;
}

/* unhex(s) -> bytes */
static PyObject *fastcodec_unhex(PyObject *self, PyObject *args)
{
    const char *s;
    Py_ssize_t len;
    if (!PyArg_ParseTuple(args, "s#", &s, &len))
        return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, len / 2);
    if (out == NULL)
        return NULL;
    Py_ssize_t n = decode_hex(s, len, PyBytes_AS_STRING(out));
    if (n < 0) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_ValueError, "invalid hex string");
        return NULL;
    }
    if (_PyBytes_Resize(&out, n) < 0)
        return NULL;
    /* OK(cmem): _PyBytes_Resize shrank `out` to the n bytes actually decoded */
    return out;
}

/* fixed_field(name) -> bytes: a FIELD_WIDTH-byte column of the legacy archive format */
static PyObject *fastcodec_fixed_field(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[FIELD_WIDTH];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    strncpy(buf, s, TAG_LEN);
    /* BUG(cmem): strncpy wrote at most 8 bytes; the other 56 bytes of stack go into the result */
    return PyBytes_FromStringAndSize(buf, sizeof buf);
}

/* short_tag(name) -> bytes: the first TAG_LEN bytes of name */
static PyObject *fastcodec_short_tag(PyObject *self, PyObject *args)
{
    const char *s;
    char buf[FIELD_WIDTH];
    if (!PyArg_ParseTuple(args, "s", &s))
        return NULL;
    strncpy(buf, s, TAG_LEN);
    size_t n = strnlen(buf, TAG_LEN);
    /* OK(cmem): only the n bytes strncpy wrote are copied into the result */
    return PyBytes_FromStringAndSize(buf, (Py_ssize_t)n);
}

static PyMethodDef fastcodec_methods[] = {
    {"parse_fingerprint", fastcodec_parse_fingerprint, METH_VARARGS, "Decode a colon-separated hex fingerprint."},
    {"unhex", fastcodec_unhex, METH_VARARGS, "Decode a hex string, ignoring separators."},
    {"fixed_field", fastcodec_fixed_field, METH_VARARGS, "Encode a fixed-width archive field."},
    {"short_tag", fastcodec_short_tag, METH_VARARGS, "Return the short tag of a name."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef fastcodec_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_fastcodec",
    .m_doc = "Hex and fixed-width field helpers for keysign.",
    .m_size = -1,
    .m_methods = fastcodec_methods,
};

PyMODINIT_FUNC PyInit__fastcodec(void)
{
    return PyModule_Create(&fastcodec_module);
}
