// Package testanalyzers holds analyzers that exist only to test the driver,
// the harness and the command: they report calls to a function named leak.
package testanalyzers

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

// Leak reports every Python call `leak(...)` as test/leak.
var Leak = &analyzers.Analyzer{
	Name:      "testleak",
	Doc:       "reports calls to leak() in Python",
	Languages: []source.Language{source.Python},
	Rules:     []string{"test/leak"},
	Prefilter: []string{"leak"},
	Queries: map[source.Language]string{
		source.Python: `(call function: (identifier) @fn arguments: (argument_list) @args (#eq? @fn "leak")) @call`,
	},
	Run: func(pass *analyzers.Pass) error {
		for _, m := range pass.Matches {
			call := m.Node("call")
			pass.Report(analyzers.Finding{
				RuleID:   "test/leak",
				Message:  "leak called with " + pass.File.Text(m.Node("args")),
				Location: pass.Location(call, ""),
				Related:  []analyzers.Location{pass.Location(m.Node("fn"), "the callee")},
				Flow:     []analyzers.Step{{Location: pass.Location(m.Node("args"), "arguments")}, {Location: pass.Location(call, "call")}},
			})
		}
		return nil
	},
}

// CLeak reports every C call `leak(...)` as test/cleak.
var CLeak = &analyzers.Analyzer{
	Name:      "testcleak",
	Doc:       "reports calls to leak() in C",
	Languages: []source.Language{source.C},
	Rules:     []string{"test/cleak"},
	Prefilter: []string{"leak"},
	Queries: map[source.Language]string{
		source.C: `(call_expression function: (identifier) @fn (#eq? @fn "leak")) @call`,
	},
	Run: func(pass *analyzers.Pass) error {
		for _, m := range pass.Matches {
			pass.Reportf("test/cleak", m.Node("call"), "leak called in C")
		}
		return nil
	},
}

// Panicky panics on every Python file containing PANIC.
var Panicky = &analyzers.Analyzer{
	Name:      "testpanic",
	Doc:       "panics",
	Languages: []source.Language{source.Python},
	Rules:     []string{"test/panic"},
	Prefilter: []string{"PANIC"},
	Run:       func(*analyzers.Pass) error { panic("boom") },
}

// Undeclared reports a rule it did not declare.
var Undeclared = &analyzers.Analyzer{
	Name:      "testundeclared",
	Doc:       "reports an undeclared rule",
	Languages: []source.Language{source.Python},
	Rules:     []string{"test/declared"},
	Prefilter: []string{"UNDECLARED"},
	Run: func(pass *analyzers.Pass) error {
		pass.Reportf("test/other", pass.File.Root(), "not declared")
		return nil
	},
}

// All lists the test analyzers.
var All = []*analyzers.Analyzer{Leak, CLeak, Panicky, Undeclared}

// Rules returns rule metadata for every test analyzer's rules.
func Rules() *rule.Set {
	var rs []*rule.Rule
	for _, a := range All {
		for _, id := range a.Rules {
			lang := "python"
			if a == CLeak {
				lang = "c"
			}
			rs = append(rs, &rule.Rule{ID: id, Name: "Test", Language: lang, Severity: "warning",
				SecuritySeverity: 5, Precision: "high", Tags: []string{"security"}, CWE: []string{"CWE-200"},
				Summary: "Test rule " + id + ".", Help: "Help for " + id + ".", Analyzer: a.Name,
				File: "test/" + id + ".yml", Line: 1})
		}
	}
	set, err := rule.NewSet(rs)
	if err != nil {
		panic(err)
	}
	return set
}
