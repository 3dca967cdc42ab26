package crosslang

import (
	"slices"
	"testing"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// TestModelReadsNativeImports: a module that may import a compiled
// extension is one the Python model reads for crosslang.
func TestModelReadsNativeImports(t *testing.T) {
	for _, lit := range []string{"import _", "from ._"} {
		if !slices.Contains(pysrc.Model.Prefilter, lit) {
			t.Errorf("the Python model's prefilter lacks %q: %q", lit, pysrc.Model.Prefilter)
		}
	}
	if pysrc.Model.Admit == nil {
		t.Error("the Python model has no Admit to tell an extension's import from a private module's")
	}
}
