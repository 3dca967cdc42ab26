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
		if r.Analyzer == "" && len(r.Tests.Bad) == 0 {
			t.Errorf("%s: a query or pattern rule needs tests.bad examples", r.File)
		}
	}
}

// TestFixtures runs every fixture archive in rules/<family>/testdata with
// every analyzer: its wants must match. Each rule needs its own
// <name>.txtar, which must report the rule at least once; a family may add
// archives of its own (settings, cross-rule cases).
func TestFixtures(t *testing.T) {
	set := builtinSet(t)
	archives, err := fs.Glob(os.DirFS("."), "*/testdata/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	reported := map[string]map[string]bool{} // archive → rule ids found
	for _, archive := range archives {
		t.Run(archive, func(t *testing.T) {
			res := analyzertest.Run(t, archive, set, withDeclarative(t, set)...)
			if res == nil {
				return
			}
			reported[archive] = map[string]bool{}
			for _, f := range res.Findings {
				reported[archive][f.RuleID] = true
			}
		})
	}
	for _, r := range set.All() {
		family, name, _ := strings.Cut(r.ID, "/")
		archive := path.Join(family, "testdata", name+".txtar")
		if _, err := fs.Stat(os.DirFS("."), archive); err != nil {
			t.Errorf("rule %s has no fixtures: %v", r.ID, err)
		} else if found, ok := reported[archive]; ok && !found[r.ID] {
			t.Errorf("%s: no positive case: the fixtures never report %s", archive, r.ID)
		}
	}
}

// builtinSet loads the embedded rules, failing t on any invalid rule file.
func builtinSet(t *testing.T) *rule.Set {
	t.Helper()
	set, err := rules.BuiltinSet()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// withDeclarative returns the registered analyzers plus the runner of the
// built-in query and pattern rules.
func withDeclarative(t *testing.T, set *rule.Set) []*analyzers.Analyzer {
	t.Helper()
	as := all.Analyzers()
	decl, err := all.Declarative(set.All())
	if err != nil {
		t.Fatal(err)
	}
	if decl != nil {
		as = append(as, decl)
	}
	return as
}
