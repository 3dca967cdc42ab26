package ctypes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// TestOneScannedFileSeesTheRepository scans only a Python file: the C
// prototypes and the bindings of the repository's other files still
// decide its findings, which are reported in the scanned file only.
func TestOneScannedFileSeesTheRepository(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"native/sig.h": "#include <stddef.h>\nint sig_digest(const unsigned char *d, size_t n, unsigned char *out, size_t outlen);\n",
		"app/native.py": "import ctypes\nlib = ctypes.CDLL('libsig.so')\n" +
			"lib.sig_digest.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]\n",
		"app/views.py": "import ctypes\nfrom .native import lib\n\ndef view(request):\n" +
			"    out = ctypes.create_string_buffer(32)\n" +
			"    lib.sig_digest(request.body, len(request.body), out, len(request.body))\n" +
			"    lib.sig_other(out, len(out))\n" +
			"    return out.raw\n",
	}
	for name, src := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	scan := func(paths ...string) []string {
		res, err := driver.Run(driver.Config{Analyzers: []*analyzers.Analyzer{Analyzer}, Rules: analyzertest.Rules("warning", Analyzer),
			Paths: paths, Root: dir, Jobs: 2})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Location.Path+":"+f.RuleID)
		}
		return got
	}
	whole := strings.Join(scan(dir), " ")
	if want := "app/native.py:ctypes/prototype-mismatch app/views.py:ctypes/length-mismatch app/views.py:ctypes/missing-argtypes"; whole != want {
		t.Errorf("whole repository: %s\nwant %s", whole, want)
	}
	one := strings.Join(scan(filepath.Join(dir, "app", "views.py")), " ")
	if want := "app/views.py:ctypes/length-mismatch app/views.py:ctypes/missing-argtypes"; one != want {
		t.Errorf("one file: %s\nwant %s", one, want)
	}
	native := strings.Join(scan(filepath.Join(dir, "app", "native.py")), " ")
	if want := "app/native.py:ctypes/prototype-mismatch"; native != want {
		t.Errorf("the binding file: %s\nwant %s", native, want)
	}
}

func TestLengthParam(t *testing.T) {
	p := func(names ...string) *proto {
		out := &proto{}
		for _, n := range names {
			name, ptr := strings.CutPrefix(n, "*")
			c := cparam{name: name, base: "size_t"}
			if ptr {
				c = cparam{name: name, base: "uint8_t", stars: 1}
			}
			out.params = append(out.params, c)
		}
		return out
	}
	cases := []struct {
		proto *proto
		i     int
		want  int
	}{
		{p("*in", "inlen", "*out", "outlen"), 2, 3},
		{p("*out", "*in", "inlen", "outlen"), 0, 3},
		{p("*out", "*in", "inlen", "out_size"), 0, 3},
		{p("*outbuf", "*in", "n_out"), 0, 2},
		{p("*buf", "len"), 0, 1},
		{p("*a", "*b", "blen"), 0, -1},
		{p("*a", "flags"), 0, -1},
	}
	for _, tc := range cases {
		if got := lengthParam(tc.proto, tc.i); got != tc.want {
			t.Errorf("lengthParam(%v, %d) = %d, want %d", tc.proto.params, tc.i, got, tc.want)
		}
	}
}

func TestMismatch(t *testing.T) {
	cases := []struct {
		py, c  ctype
		differ bool
	}{
		{cTypes["c_size_t"], cScalars["size_t"], false},
		{cTypes["c_long"], cScalars["long"], false},
		{cTypes["c_uint"], cScalars["int"], false},
		{cTypes["c_char_p"], ptrType(pointeeBytes), false},
		{cTypes["c_void_p"], ptrType(pointeeChar), false},
		{cTypes["c_void_p"], cScalars["uintptr_t"], false},
		{cTypes["c_int"], cScalars["size_t"], true},
		{cTypes["c_void_p"], cScalars["long"], true},
		{cTypes["c_int"], ptrType(pointeeVoid), true},
		{cTypes["c_float"], cScalars["double"], true},
		{cTypes["c_int"], cScalars["double"], true},
		{ctype{kind: kindStruct}, cScalars["int"], false},
		{ctype{}, cScalars["int"], false},
	}
	for _, tc := range cases {
		if got := mismatch(tc.py, tc.c) != ""; got != tc.differ {
			t.Errorf("mismatch(%+v, %+v) = %v, want %v", tc.py, tc.c, got, tc.differ)
		}
	}
}

func TestNearAttribute(t *testing.T) {
	for attr, want := range map[string]string{
		"restypes": "restype", "argtype": "argtypes", "arg_types": "argtypes", "ArgTypes": "argtypes",
		"errchek": "errcheck", "restype": "", "argtypes": "", "__doc__": "", "value": "", "types": "",
	} {
		if got := nearAttribute(attr); got != want {
			t.Errorf("nearAttribute(%q) = %q, want %q", attr, got, want)
		}
	}
}

// TestIntLike tells arithmetic from text: n % m and len(b) * 2 are
// integers, "%d" % n and b"\0" * n are text (an operation's literal
// operand is a string constant).
func TestIntLike(t *testing.T) {
	str := []pysrc.Datum{{Tag: pysrc.TagConst, Kind: "str"}}
	sym := []pysrc.Datum{{Tag: pysrc.TagSym}}
	expr := func(op string, items ...[]pysrc.Datum) []pysrc.Datum {
		return []pysrc.Datum{{Tag: pysrc.TagExpr, Kind: op, Items: items}}
	}
	for _, tc := range []struct {
		ds   []pysrc.Datum
		want bool
	}{
		{expr("%", sym, sym), true},
		{expr("%", str, sym), false},
		{expr("%", nil, sym), false},
		{expr("*", expr("len", sym), sym), true},
		{expr("*", str, sym), false},
		{expr("+", expr("*", str, sym), sym), false},
		{expr("len", expr("+", expr("*", str, sym), sym)), true},
		{expr("int", expr("+", str, sym)), true},
	} {
		if got := intLike(tc.ds, "x"); got != tc.want {
			t.Errorf("%s: intLike %v, want %v", tc.ds[0].Kind, got, tc.want)
		}
	}
}
