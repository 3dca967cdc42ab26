package cmem_test

import (
	"path/filepath"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/cmem"
	"github.com/residue-sec/residue/rules"
)

// TestFixtures runs the cmem fixtures of rules/cmem/testdata with this
// analyzer alone (rules/rules_test.go runs them with every analyzer).
func TestFixtures(t *testing.T) {
	set, err := rules.BuiltinSet()
	if err != nil {
		t.Fatal(err)
	}
	archives, err := filepath.Glob("../../rules/cmem/testdata/*.txtar")
	if err != nil || len(archives) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, a := range archives {
		t.Run(filepath.Base(a), func(t *testing.T) {
			analyzertest.Run(t, a, set, cmem.Analyzer)
		})
	}
}
