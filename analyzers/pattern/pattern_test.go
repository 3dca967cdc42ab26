package pattern

import (
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// matches compiles pattern and returns the text of each @finding in src,
// with the metavariables' texts.
func matches(t *testing.T, lang source.Language, pattern, src string) []string {
	t.Helper()
	p, err := Compile(lang, pattern)
	if err != nil {
		t.Fatalf("%s: %v", pattern, err)
	}
	q, err := tsquery.Compile(lang, p.Query)
	if err != nil {
		t.Fatalf("%s: query %q: %v", pattern, p.Query, err)
	}
	defer q.Close()
	f := source.NewFile("x", lang, []byte(src))
	parser := source.NewParser(time.Second)
	defer parser.Close()
	if err := parser.Parse(f); err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cur := tsquery.NewCursor()
	defer cur.Close()
	var out []string
	if err := q.Run(cur, f, tsquery.Limits{}, func(_ int, m tsquery.Match) {
		s := f.Text(m.Node("finding"))
		for _, v := range p.Metavariables {
			s += " " + v + "=" + f.Text(m.Node(v))
		}
		out = append(out, s)
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

const pySrc = `logger.info(request.body)
logger.info("x %s", request.body)
logger.debug(request.body)
log.info(request.body)
foo(a, a)
foo(a, b)
foo()
foo(1, 2, 3)
x = request.GET["q"]
if x == "admin":
    grant()
open('x')
open("x")
open(b'x')
open('it\'s')
`

func TestPythonPatterns(t *testing.T) {
	cases := []struct {
		pattern string
		want    []string
	}{
		{"logger.info($X)", []string{"logger.info(request.body) X=request.body"}},
		{"logger.info($...ARGS)", []string{"logger.info(request.body)", `logger.info("x %s", request.body)`}},
		{"logger.info($...ARGS, request.body)", []string{"logger.info(request.body)", `logger.info("x %s", request.body)`}},
		{"$L.info($X)", []string{"logger.info(request.body) L=logger X=request.body", "log.info(request.body) L=log X=request.body"}},
		{"foo($X, $X)", []string{"foo(a, a) X=a"}},
		{"foo($_, $_)", []string{"foo(a, a)", "foo(a, b)"}},
		{"foo()", []string{"foo()"}},
		{"foo(1, $...REST)", []string{"foo(1, 2, 3)"}},
		{`request.GET["q"]`, []string{`request.GET["q"]`}},
		{`$V == "admin"`, []string{`x == "admin" V=x`}},
		{"$A = request.GET[$K]", []string{`x = request.GET["q"] A=x K="q"`}},
		// A string matches whatever quotes write the same value.
		{`request.GET['q']`, []string{`request.GET["q"]`}},
		{`open("x")`, []string{"open('x')", `open("x")`}},
		{`open(b"x")`, []string{"open(b'x')"}},
		{`open("it's")`, nil},
	}
	for _, tc := range cases {
		got := matches(t, source.Python, tc.pattern, pySrc)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", tc.pattern, got, tc.want)
		}
	}
}

func TestCPatterns(t *testing.T) {
	src := "void f(char *d, const char *s) {\n  memcpy(d, s, 16);\n  memcpy(d, s, sizeof d);\n  strcpy(d, s);\n}\n"
	cases := []struct {
		pattern string
		want    []string
	}{
		{"memcpy($D, $S, sizeof $D)", []string{"memcpy(d, s, sizeof d) D=d S=s"}},
		{"memcpy($...ARGS)", []string{"memcpy(d, s, 16)", "memcpy(d, s, sizeof d)"}},
		{"strcpy($D, $S);", []string{"strcpy(d, s) D=d S=s"}},
	}
	for _, tc := range cases {
		got := matches(t, source.C, tc.pattern, src)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s:\n got %q\nwant %q", tc.pattern, got, tc.want)
		}
	}
}

// TestEllipsisOutsideArguments compiles `...` where it is not a call's
// argument: a stub's body, a subscript.
func TestEllipsisOutsideArguments(t *testing.T) {
	for _, snippet := range []string{"def $F($...P):\n    ...", "$X[..., 0]"} {
		if _, err := Compile(source.Python, snippet); err != nil {
			t.Errorf("%q: %v", snippet, err)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		lang          source.Language
		pattern, want string
	}{
		{source.Python, "", "1:1: empty pattern"},
		{source.Python, "foo(", "does not parse as python"},
		{source.Python, "a = 1\nb = 2", "one expression or statement, not 2"},
		{source.C, "memcpy(", "does not parse as c"},
		{source.Python, "pickle.loads(...)", "1:14: `...` is Python's Ellipsis here, which only matches itself: write $...ARGS"},
		{source.Python, "logger.info(\"%s\", ...)", "1:19: `...` is Python's Ellipsis"},
		{source.C, "memcpy($D, $S, n$)", "1:16: `$` starts a metavariable"},
		{source.Python, "logger.info($X, ...)", "1:17: `...` is Python's Ellipsis"},
		{source.Python, "  f($...ARGS,\n  $X) +", "1:3: the pattern does not parse"},
		{source.Python, "f($A蛷)", "1:3: a metavariable's name is capital letters"},
		{source.Python, "f($...Aé)", "1:3: a metavariable's name is capital letters"},
		{source.C, "($A$)", "`$` starts a metavariable ($X, $...X) and is no part of a name"},
		// Nested deeper than tree-sitter's query compiler recurses safely.
		{source.Python, "f" + strings.Repeat("(", 100_000) + strings.Repeat(")", 100_000), "1:202: pattern nested deeper than 200 levels"},
	}
	for _, tc := range cases {
		_, err := Compile(tc.lang, tc.pattern)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.80q: got %v, want %q", tc.pattern, err, tc.want)
		}
	}
	// Brackets in a string are no nesting.
	if _, err := Compile(source.Python, "f(\""+strings.Repeat("(", 300)+"\")"); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
}
