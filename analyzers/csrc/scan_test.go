package csrc

import (
	"regexp"
	"slices"
	"testing"
)

// The repairs find attribute macros and the type arguments of CPython's
// allocation macros with scanners of their own: these are the regular
// expressions they stand for, which FuzzRepairScanners compares them to.
var (
	underscoreMacroRE = regexp.MustCompile(`\b_[a-z][A-Za-z0-9_]*_\b(?:[ \t]*\([^()\n]*\))?`)
	upperMacroRE      = regexp.MustCompile(`\b[A-Z][A-Z0-9]*_[A-Z0-9_]*\b(?:[ \t]*\([^()\n]*\))?`)
	gnuAttributeRE    = regexp.MustCompile(`\b__attribute__[ \t]*\(\((?:[^()\n]|\([^()\n]*\))*\)\)`)
	allocationTypeRE  = regexp.MustCompile(`\b(?:PyMem_(?:New|NEW)|PyObject_(?:GC_)?(?:New|NEW|NewVar|NEWVAR))[ \t]*\(([^,()]*),|\bPyMem_(?:Resize|RESIZE)[ \t]*\([^,()]*,([^,()]*),`)
)

// regexSpans returns the spans of re's matches in text, or of the first
// group that matched in each when it has groups.
func regexSpans(re *regexp.Regexp, text []byte) [][2]int {
	var out [][2]int
	for _, m := range re.FindAllSubmatchIndex(text, -1) {
		sp := [2]int{m[0], m[1]}
		for g := 2; g+1 < len(m); g += 2 {
			if m[g] >= 0 {
				sp = [2]int{m[g], m[g+1]}
				break
			}
		}
		out = append(out, sp)
	}
	return out
}

func checkScanners(t *testing.T, text []byte) {
	t.Helper()
	for shape, re := range map[attributeShape]*regexp.Regexp{underscoreMacro: underscoreMacroRE, upperMacro: upperMacroRE, gnuAttribute: gnuAttributeRE} {
		if got, want := attributeSpans(text, shape), regexSpans(re, text); !slices.Equal(got, want) {
			t.Errorf("attributeSpans(%q, %d) = %v, want %v", text, shape, got, want)
		}
	}
	if got, want := allocationTypes(text), regexSpans(allocationTypeRE, text); !slices.Equal(got, want) {
		t.Errorf("allocationTypes(%q) = %v, want %v", text, got, want)
	}
	// The repairs keep offsets: blankLiterals keeps the length, each
	// iso646 edit replaces a whole word of its own length, and a call's
	// arguments close at a parenthesis after the one they open.
	if b := blankLiterals(text); len(b) != len(text) {
		t.Errorf("blankLiterals(%q) has %d bytes, want %d", text, len(b), len(text))
	}
	for _, all := range []bool{true, false} {
		for _, e := range iso646Edits(text, 0, all) {
			word := string(text[e.off:min(e.off+len(e.text), len(text))])
			if op, ok := alternativeTokens[word]; !ok || op != string(e.text) {
				t.Errorf("iso646Edits(%q) replaces %q at %d with %q", text, word, e.off, e.text)
			}
		}
	}
	for i, c := range text {
		if c == '(' {
			if end := argumentsClose(text, i); end >= 0 && (end <= i || text[end] != ')') {
				t.Errorf("argumentsClose(%q, %d) = %d", text, i, end)
			}
		}
	}
}

var scannerSeeds = []string{
	"static void f(PyObject *self _unused_, int x ATTRIBUTE_UNUSED) {}",
	"_cleanup_(freep) char *p = NULL; _cleanup_free_ char *q;",
	"int g(int a G_GNUC_UNUSED, int b ATTRIBUTE_NONNULL(1), int c __attribute__((unused)));",
	"void h(const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));",
	"__attribute__((a)(b)) __attribute__((x)\n)) __attribute__(( )) __attribute__((((",
	"x_ABC _a_ A_ _A_ a_B_ 9A_B _9_ _ab_(x(y)) FOO_( ) BAR_BAZ\t(1,\n2) Q__ __a_",
	"p = PyMem_New(char *, n); q = PyMem_RESIZE(p, struct s, n); o = PyObject_GC_NewVar(T, &Type, n);",
	"PyMem_NewX(a, b) _PyMem_New(a, b) PyMem_New (a b) PyMem_New(f(x), n) PyObject_New(PyObject_New(a,b), c)",
	"PyMem_Resize(p,,) PyMem_Resize(p) PyObject_NEWVAR(\xff\xfe, 1) PyMem_New(é, 2)",
	"if (n < 0 or not fd) return; /* and */ s = \"or\"; x and_eq y; not(x) compl a bitand b",
	"DEBUG(\"a; (b\" 'c',\n  f(x), \"\\\"\")  // )\n\"unterminated ( ' x",
}

func TestRepairScanners(t *testing.T) {
	for _, s := range scannerSeeds {
		checkScanners(t, []byte(s))
	}
	if got := attributeSpans([]byte("int f(int x ATTRIBUTE_UNUSED(1), int y)"), upperMacro); len(got) != 1 {
		t.Fatalf("one upper-case macro with its arguments, got %v", got)
	}
}

// FuzzRepairScanners compares the repairs' scanners with the regular
// expressions they stand for.
func FuzzRepairScanners(f *testing.F) {
	for _, s := range scannerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		checkScanners(t, text)
	})
}
