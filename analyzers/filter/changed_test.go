package filter

import (
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/gitdiff"
)

func TestOnChangedLines(t *testing.T) {
	changes, err := gitdiff.Parse([]byte("+++ b/a.py\n@@ -4,0 +5,2 @@\n+x\n+y\n"))
	if err != nil {
		t.Fatal(err)
	}
	multi := finding("a.py", 3, "multi")
	multi.Location.EndLine = 5
	kept, dropped := OnChangedLines([]analyzers.Finding{
		finding("a.py", 4, "before"), finding("a.py", 5, "first"), finding("a.py", 6, "last"),
		finding("a.py", 7, "after"), finding("b.py", 5, "other file"), multi,
	}, changes)
	var got []string
	for _, f := range kept {
		got = append(got, f.Fingerprint)
	}
	if dropped != 3 || len(got) != 3 || got[0] != "first" || got[1] != "last" || got[2] != "multi" {
		t.Errorf("kept %q, dropped %d", got, dropped)
	}
}
