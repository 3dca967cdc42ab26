package csrc

import (
	"strings"
	"testing"
)

func TestSizedType(t *testing.T) {
	for in, want := range map[string]string{
		"unsigned long int": "unsigned long", "long long": "long long", "unsigned": "unsigned int",
		"short int": "short", "unsigned char": "unsigned char", "signed char": "signed char", "long double": "long double",
	} {
		if got := sizedType(strings.Fields(in)); got != want {
			t.Errorf("sizedType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrototypes(t *testing.T) {
	r := buildRepo(t, map[string]string{
		"api.h":  "#include <stdint.h>\ntypedef unsigned char byte;\ntypedef byte *bytes_t;\nuint8_t *sign(const byte *d, size_t n, ...);\nstatic int h(void);\nPyAPI_FUNC(PyObject *) g(int);\n#ifdef _WIN32\nint win_only(void);\n#endif\n",
		"impl.c": "#include \"api.h\"\nint put(bytes_t out, unsigned long int n) { return 0; }\n",
	})
	var got []string
	for _, p := range r.Prototypes() {
		var ps []string
		for _, q := range p.Params {
			ps = append(ps, q.Base+strings.Repeat("*", q.Stars)+" "+q.Name)
		}
		if p.Variadic {
			ps = append(ps, "...")
		}
		got = append(got, p.Ret.Base+strings.Repeat("*", p.Ret.Stars)+" "+p.Name+"("+strings.Join(ps, ", ")+") @"+p.Location.Path)
	}
	want := []string{
		"uint8_t* sign(const byte* d, size_t n, ...) @api.h",
		"PyObject* g(int ) @api.h",
		"int put(bytes_t out, unsigned long n) @impl.c",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("prototypes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if base, stars, ok := r.TypedefShape("bytes_t"); !ok || base != "byte" || stars != 1 {
		t.Errorf("bytes_t = %q %d %v, want byte 1", base, stars, ok)
	}
}
