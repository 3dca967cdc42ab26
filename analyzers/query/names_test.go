package query

import (
	"slices"
	"testing"

	"github.com/residue-sec/residue/analyzers/pattern"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// TestPatternQueriesUncompiled checks what compileRule takes of a
// pattern's query without compiling it against the compiled query: its
// capture names, in order, and one pattern.
func TestPatternQueriesUncompiled(t *testing.T) {
	for _, tc := range []struct {
		lang    source.Language
		pattern string
	}{
		{source.Python, "logger.info($X)"},
		{source.Python, "foo($X, $X, $_)"},
		{source.Python, `send_mail("user@example.com", $BODY)`},
		{source.Python, `open('it\'s @x')`},
		{source.Python, "f($...A, $X, $...B, $X)"},
		{source.Python, "def $F($...P):\n    return request.body"},
		{source.C, "memcpy($D, $S, sizeof $S)"},
		{source.C, `printf("%s @here", $X)`},
	} {
		p, err := pattern.Compile(tc.lang, tc.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		q, err := tsquery.Compile(tc.lang, p.Query)
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		if got, want := captureNames(p.Query), q.CaptureNames(); !slices.Equal(got, want) || q.Patterns() != 1 {
			t.Errorf("%q: captures %q, want %q; %d patterns", tc.pattern, got, want, q.Patterns())
		}
		q.Close()
	}
}
