package ctypes

import (
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/source"
)

// FuzzCtypes runs the analyzer over arbitrary Python and C: no input may
// make it fail or report a malformed finding.
func FuzzCtypes(f *testing.F) {
	for _, seed := range []struct {
		src string
		c   bool
	}{
		{"import ctypes\nlib = ctypes.CDLL('x')\ndef f(d):\n    b = ctypes.create_string_buffer(8)\n    lib.g(d, len(d), b, len(d))\n    return b.value\n", false},
		{"from ctypes import *\nlib = cdll.LoadLibrary('x')\nlib.f.argtypes = [c_char_p, c_size_t]\nlib.f.restype = c_char_p\nB = create_string_buffer(64)\ndef v(r):\n    lib.f(r, B, sizeof(B) + 1)\n    return B.raw\n", false},
		{"import ctypes as ct\nP = ct.CFUNCTYPE(ct.c_int, ct.c_char_p)\nf = P(('f', ct.CDLL(None)), ((1, 'a'), (2, 'b')))\nf()\nf.restypes = 1\n", false},
		{"import ctypes\nclass C:\n    _b = (ctypes.c_ubyte * 4)()\n    def m(self, x):\n        if len(x) > 4:\n            raise ValueError\n        ctypes.memmove(self._b, x, len(x))\n        return bytes(self._b)\n", false},
		{"import ctypes\ndef f(x):\n    b = ctypes.create_unicode_buffer(size=x)\n    getattr(lib, 'g')(b, ctypes.sizeof(b))\n    lib['h'](ctypes.byref(b, 4), min(len(x), 3))\n", false},
		{"import ctypes, numpy as np\nclass S(ctypes.Structure):\n    _fields_ = [('p', ctypes.c_void_p), ('n', ctypes.c_size_t * 2)]\nT = [('f', [ctypes.c_int], None)]\nlib = ctypes.cdll.LoadLibrary('x')\nfor a, b, c in T:\n    setattr(getattr(lib, a), 'argtypes', b)\ndef g(d):\n    s = S(ctypes.cast(d, ctypes.c_void_p), 9)\n    a = np.empty((4, 2), dtype=np.uint8)\n    lib.f(a.ctypes.data_as(ctypes.c_void_p), s.n[0], ctypes.byref(s.p))\n    return ctypes.c_void_p(lib.h())\n", false},
		{"#include <stdint.h>\ntypedef unsigned char byte;\nuint8_t *sign(const byte *d, size_t n, ...);\nstatic int h(void);\nPyAPI_FUNC(PyObject *) g(int);\n", true},
		{"int f(int (*cb)(void *), char buf[], struct s *p);\nX int g(void) { return 0; }\n", true},
	} {
		f.Add([]byte(seed.src), seed.c)
	}
	f.Fuzz(func(t *testing.T, src []byte, c bool) {
		lang := source.Python
		if c {
			lang = source.C
		}
		analyzertest.Robust(t, lang, src, Analyzer)
	})
}
