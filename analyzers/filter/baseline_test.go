package filter

import (
	"reflect"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

func finding(path string, line int, fp string) analyzers.Finding {
	return analyzers.Finding{RuleID: "a/b", Message: "m", Level: "warning", Fingerprint: fp,
		Location: analyzers.Location{Path: path, Range: source.Range{StartLine: line, StartColumn: 1, EndLine: line, EndColumn: 2}}}
}

func TestBaseline(t *testing.T) {
	b := NewBaseline([]string{"fp1", "fp1:2"})
	if !reflect.DeepEqual(b, Baseline{"fp1": true, "fp1:2": true}) {
		t.Fatalf("baseline = %v", b)
	}
	now := []analyzers.Finding{finding("a.py", 3, "fp1"), finding("a.py", 5, "new"), finding("a.py", 12, "fp1:2"), finding("a.py", 20, "fp1:3")}
	kept, dropped := b.Drop(now)
	if dropped != 2 || len(kept) != 2 || kept[0].Fingerprint != "new" || kept[1].Fingerprint != "fp1:3" {
		t.Errorf("Drop kept %+v, dropped %d", kept, dropped)
	}
}
