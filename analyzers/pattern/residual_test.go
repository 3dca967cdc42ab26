package pattern

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// residualMatches compiles pattern, runs its query over src and checks
// each match against the residuals with budget b; it returns the text of
// each match that passes, with its metavariables' texts.
func residualMatches(t *testing.T, lang source.Language, pattern, src string, b *Budget) ([]string, error) {
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
	var matchErr error
	err = q.Run(cur, f, tsquery.Limits{}, func(_ int, m tsquery.Match) {
		bound := map[string]string{}
		for _, c := range m.Captures {
			bound[c.Name] = f.Text(c.Node)
		}
		for _, r := range p.Residuals {
			caps, ok, err := r.Match(f, m.Node(r.Capture), bound, b)
			if err != nil {
				matchErr = err
			}
			if !ok {
				return
			}
			for name, n := range caps {
				bound[name] = f.Text(n)
			}
		}
		s := f.Text(m.Node("finding"))
		for _, v := range p.Metavariables {
			s += " " + v + "=" + bound[v]
		}
		out = append(out, s)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, matchErr
}

// TestResidualPatterns checks patterns whose sequence metavariables sit
// among two or more other items: they are matched in Go, with the
// semantics the query would have.
func TestResidualPatterns(t *testing.T) {
	src := `f(a, b, a, b)
f(a, b, c)
f(x, a, y, a, b)
f(1, 2)
g(a, [1, a])
g(b, [1, c])
h(k=1, a, b, c)
s(1, 'x', 2)
s(1, "x", 2)
`
	cases := []struct {
		pattern string
		want    []string
	}{
		{"f($...A, $X, $...B, $X, $...C, b)", []string{"f(a, b, a, b) X=a", "f(x, a, y, a, b) X=a"}},
		{"f($X, $...A, $Y)", []string{"f(a, b, a, b) X=a Y=b", "f(a, b, c) X=a Y=c", "f(x, a, y, a, b) X=x Y=b", "f(1, 2) X=1 Y=2"}},
		{"f($...A, a, $...B, c)", []string{"f(a, b, c)"}},
		{"g($X, [$...A, 1, $X])", []string{"g(a, [1, a]) X=a"}},
		{"h($...A, a, $...B, c)", []string{"h(k=1, a, b, c)"}},
		{`s($...A, "x", $B)`, []string{"s(1, 'x', 2) B=2", `s(1, "x", 2) B=2`}},
	}
	for _, tc := range cases {
		p, err := Compile(source.Python, tc.pattern)
		if err != nil || len(p.Residuals) == 0 {
			t.Errorf("%s: %v, %d residuals; want some", tc.pattern, err, len(p.Residuals))
			continue
		}
		got, err := residualMatches(t, source.Python, tc.pattern, src, &Budget{Limit: DefaultSteps})
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: %v\n got %q\nwant %q", tc.pattern, err, got, tc.want)
		}
	}
	// Patterns the query matches in bounded time have no residual.
	for _, pat := range []string{"logger.info($...ARGS, request.body)", "foo($X, $X)", "foo(1, $...REST)"} {
		if p, err := Compile(source.Python, pat); err != nil || len(p.Residuals) != 0 {
			t.Errorf("%s: %v, %d residuals, want none", pat, err, len(p.Residuals))
		}
	}
}

// TestResidualBudget runs the pattern that used to keep tree-sitter's
// query engine busy for minutes on one call of 200 arguments: it now
// takes a bounded number of steps, and a budget too small for it stops it
// with ErrBudget instead of running on.
func TestResidualBudget(t *testing.T) {
	args := make([]string, 200)
	for i := range args {
		args[i] = fmt.Sprintf("a%d", i)
	}
	src := "f(" + strings.Join(args, ", ") + ")\nf(" + strings.Join(args, ", ") + ", a7, b)\n"
	const pat = "f($...A, $X, $...B, $X, $...C, b)"
	b := &Budget{Limit: DefaultSteps}
	got, err := residualMatches(t, source.Python, pat, src, b)
	if err != nil || len(got) != 1 || !strings.HasSuffix(got[0], "X=a7") {
		t.Errorf("got %q, %v; want the second call with X=a7", got, err)
	}
	if b.Steps > 200_000 {
		t.Errorf("%d steps for two calls of 200 arguments", b.Steps)
	}
	small := &Budget{Limit: 1000}
	if _, err := residualMatches(t, source.Python, pat, src, small); err != ErrBudget {
		t.Errorf("with 1000 steps: err %v, want ErrBudget", err)
	}
}
