package query

import (
	"slices"
	"testing"

	"github.com/residue-sec/residue/analyzers/pattern"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// FuzzPatternQuery compiles any snippet as a pattern: no panic, and a
// pattern that compiles gives a query that compiles, with the captures
// compileRule reads from its text and one pattern.
func FuzzPatternQuery(f *testing.F) {
	for _, s := range []string{"logger.info($X)", "f($...A, $X, $...B, $X)", `open('x')`, "memcpy($D, $S, sizeof $S)", `d["@k"]`, "print(...)"} {
		f.Add(false, s)
		f.Add(true, s)
	}
	f.Fuzz(func(t *testing.T, c bool, snippet string) {
		lang := source.Python
		if c {
			lang = source.C
		}
		p, err := pattern.Compile(lang, snippet)
		if err != nil {
			return
		}
		q, err := tsquery.Compile(lang, p.Query)
		if err != nil {
			t.Fatalf("%q compiled to a query that does not compile: %v\n%s", snippet, err, p.Query)
		}
		defer q.Close()
		if got, want := captureNames(p.Query), q.CaptureNames(); !slices.Equal(got, want) || q.Patterns() != 1 {
			t.Fatalf("%q: captures %q, want %q; %d patterns", snippet, got, want, q.Patterns())
		}
	})
}
