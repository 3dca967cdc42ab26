package rules_test

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/all"
	"github.com/residue-sec/residue/analyzers/analyzertest"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/rules"
)

// TestRuleFiles checks both directions between analyzers and rule files:
// every rule an analyzer declares has a valid rule file naming that
// analyzer, and every rule file with `analyzer:` is claimed by it.
func TestRuleFiles(t *testing.T) {
	set := builtinSet(t)
	claimed := map[string]string{}
	for _, a := range all.Analyzers() {
		for _, id := range a.Rules {
			claimed[id] = a.Name
			r := set.Get(id)
			switch {
			case r == nil:
				t.Errorf("analyzer %s declares %s, which has no rule file", a.Name, id)
			case r.Analyzer != a.Name:
				t.Errorf("%s: analyzer: %q, but analyzer %s declares it", r.File, r.Analyzer, a.Name)
			case !strings.HasPrefix(id, a.Name+"/"):
				t.Errorf("analyzer %s declares %s outside its family", a.Name, id)
			}
		}
	}
	for _, r := range set.All() {
		want := "rules/" + r.ID + ".yml"
		if r.File != want {
			t.Errorf("%s: rule %s must live in %s", r.File, r.ID, want)
		}
		if r.Analyzer != "" && claimed[r.ID] == "" {
			t.Errorf("%s: no analyzer %s declares %s", r.File, r.Analyzer, r.ID)
		}
	}
}

// TestFixtures runs every rule's fixture archive with every analyzer: each
// rule needs rules/<family>/testdata/<name>.txtar, and its wants must match.
func TestFixtures(t *testing.T) {
	set := builtinSet(t)
	for _, r := range set.All() {
		family, name, _ := strings.Cut(r.ID, "/")
		archive := path.Join(family, "testdata", name+".txtar")
		t.Run(r.ID, func(t *testing.T) {
			if _, err := fs.Stat(os.DirFS("."), archive); err != nil {
				t.Fatalf("rule %s has no fixtures: %v", r.ID, err)
			}
			res := analyzertest.Run(t, archive, set, all.Analyzers()...)
			if res != nil && !hasFinding(res.Findings, r.ID) {
				t.Errorf("%s: no positive case: the fixtures never report %s", archive, r.ID)
			}
		})
	}
}

func hasFinding(fs []analyzers.Finding, id string) bool {
	for _, f := range fs {
		if f.RuleID == id {
			return true
		}
	}
	return false
}

// builtinSet loads the embedded rules, failing t on any invalid rule file.
func builtinSet(t *testing.T) *rule.Set {
	t.Helper()
	builtin, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	set, err := rule.NewSet(builtin)
	if err != nil {
		t.Fatal(err)
	}
	return set
}
