package driver

import (
	"fmt"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

// TestIncompleteIsAWarning keeps the findings of an analyzer that returns
// analyzers.Incomplete and reports its reason as a warning, not as a
// failure of the analyzer.
func TestIncompleteIsAWarning(t *testing.T) {
	cut := *testanalyzers.Leak
	run := cut.Run
	cut.Run = func(pass *analyzers.Pass) error {
		run(pass)
		return &analyzers.Incomplete{Reason: "a budget was spent"}
	}
	dir := writeTree(t, map[string]string{"a.py": "leak(1)\n"})
	res, err := Run(Config{Analyzers: []*analyzers.Analyzer{&cut}, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	findings, notes := summary(res)
	if fmt.Sprint(findings) != "[a.py:1:1 test/leak]" || fmt.Sprint(notes) != "[a.py: warning: analyzer testleak: a budget was spent]" {
		t.Errorf("findings %q, notifications %q", findings, notes)
	}
}
