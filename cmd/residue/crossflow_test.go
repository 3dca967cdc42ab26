package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoCrossLanguageFlows checks what GitHub's code-flow view needs of
// the demo's cross-language findings: a thread flow whose every location
// has a message, that starts in the C file and ends at the Python sink,
// each file listed in the run's artifacts at the index its locations
// give.
func TestDemoCrossLanguageFlows(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", out, "../../testdata/demo"); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	must(t, err)
	type location struct {
		Physical struct {
			Artifact struct {
				URI   string `json:"uri"`
				Index *int   `json:"index"`
			} `json:"artifactLocation"`
		} `json:"physicalLocation"`
		Message struct{ Text string } `json:"message"`
	}
	var doc struct {
		Runs []struct {
			Artifacts []struct {
				Location struct{ URI string } `json:"location"`
			} `json:"artifacts"`
			Results []struct {
				RuleID    string     `json:"ruleId"`
				Locations []location `json:"locations"`
				CodeFlows []struct {
					ThreadFlows []struct {
						Locations []struct {
							Location location `json:"location"`
						} `json:"locations"`
					} `json:"threadFlows"`
				} `json:"codeFlows"`
			} `json:"results"`
		} `json:"runs"`
	}
	must(t, json.Unmarshal(data, &doc))
	run := doc.Runs[0]
	seen := 0
	for _, res := range run.Results {
		if !strings.HasPrefix(res.RuleID, "crosslang/") {
			continue
		}
		seen++
		steps := res.CodeFlows[0].ThreadFlows[0].Locations
		first, last := steps[0].Location, steps[len(steps)-1].Location
		if !strings.HasSuffix(first.Physical.Artifact.URI, ".c") || last.Physical.Artifact.URI != res.Locations[0].Physical.Artifact.URI {
			t.Errorf("%s: the flow runs from %s to %s", res.RuleID, first.Physical.Artifact.URI, last.Physical.Artifact.URI)
		}
		for _, s := range steps {
			a := s.Location.Physical.Artifact
			if s.Location.Message.Text == "" || a.Index == nil || *a.Index >= len(run.Artifacts) || run.Artifacts[*a.Index].Location.URI != a.URI {
				t.Errorf("%s: step %+v has no message or is not among the artifacts", res.RuleID, s.Location)
			}
		}
	}
	if seen < 3 {
		t.Errorf("%d cross-language findings in the demo, want at least 3", seen)
	}
}
