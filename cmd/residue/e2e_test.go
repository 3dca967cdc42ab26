package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

var update = flag.Bool("update", false, "rewrite testdata/demo.sarif.golden")

const golden = "../../testdata/demo.sarif.golden"

// TestDemo scans the bundled demo project with the real analyzers and
// compares the SARIF with the golden file; -update rewrites it. The report
// must pass the SARIF checker and be identical whatever --jobs is.
func TestDemo(t *testing.T) {
	var reports [][]byte
	for _, jobs := range []string{"1", "8"} {
		out := filepath.Join(t.TempDir(), "demo.sarif")
		code, _, errs := residue("scan", "--format", "sarif", "--jobs", jobs, "-o", out, "../../testdata/demo")
		if code != 0 && code != 1 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		sarifcheck.Check(t, out)
		reports = append(reports, data)
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Fatal("demo SARIF differs between --jobs 1 and --jobs 8")
	}
	if *update {
		if err := os.WriteFile(golden, reports[0], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/residue -run TestDemo -update)", err)
	}
	if !bytes.Equal(reports[0], want) {
		t.Errorf("demo SARIF differs from %s; rerun with -update if the change is intended", golden)
	}
}

// TestSARIFWithEveryField scans with the test analyzers, whose findings
// carry related locations, flows and (with --include-suppressed)
// suppressions, and checks the report against the schema and GitHub's needs.
func TestSARIFWithEveryField(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{
		"app/views.py": "def view(request):\n    s = \"é\"; leak(request.body)\n    leak(1)  # residue: ignore[test/leak] -- fixture\n",
		"native/x.c":   "void f(void) { leak(1); }\n",
		"bin.py":       "\x00",
	})
	out := filepath.Join(t.TempDir(), "r.sarif")
	code, _, errs := residue("scan", "--format", "sarif", "--include-suppressed", "--category", "residue/python", "-o", out, dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	sarifcheck.Check(t, out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			AutomationDetails struct{ ID string } `json:"automationDetails"`
			Results           []struct {
				RuleID              string
				Locations           []json.RawMessage
				RelatedLocations    []json.RawMessage
				CodeFlows           []json.RawMessage
				Suppressions        []struct{ Kind, Justification string }
				PartialFingerprints map[string]string
			}
			Invocations []struct {
				ToolExecutionNotifications []json.RawMessage
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if len(run.Results) != 3 || run.AutomationDetails.ID != "residue/python/" {
		t.Fatalf("results %d, automation id %q", len(run.Results), run.AutomationDetails.ID)
	}
	r := run.Results[0]
	if len(r.RelatedLocations) != 1 || len(r.CodeFlows) != 1 || r.PartialFingerprints["residue/v1"] == "" {
		t.Errorf("first result lacks related locations, code flow or fingerprint: %+v", r)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "inSource" || s[0].Justification != "fixture" {
		t.Errorf("suppressions %+v", s)
	}
	if len(run.Invocations[0].ToolExecutionNotifications) != 1 {
		t.Errorf("notifications %d, want 1 (the binary file)", len(run.Invocations[0].ToolExecutionNotifications))
	}
}
