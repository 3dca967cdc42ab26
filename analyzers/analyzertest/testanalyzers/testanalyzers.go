// Package testanalyzers holds analyzers that exist only to test the driver,
// the harness and the command: they report calls to a function named leak.
package testanalyzers

import (
	"strings"

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

// All lists the test analyzers that need no facts.
var All = []*analyzers.Analyzer{Leak, CLeak, Panicky, Undeclared}

// Rules returns rule metadata for every test analyzer's rules.
func Rules() *rule.Set {
	var rs []*rule.Rule
	for _, a := range append(All, Facts, Calls) {
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

// Facts reports calls to functions that no file of the repository defines
// (test/undefined), and functions defined twice (test/duplicate), through
// facts and a Finish step. It panics in Finish when a file defines
// finish_panics, and lowers to a note a finding about a name starting
// with "note_".
var Facts = &analyzers.Analyzer{
	Name:          "testfacts",
	Doc:           "cross-file facts",
	Languages:     []source.Language{source.Python},
	Rules:         []string{"test/undefined", "test/duplicate"},
	Prefilter:     []string{"def ", "call_"},
	FactPrefilter: []string{"def "},
	Queries: map[source.Language]string{
		source.Python: "(function_definition name: (identifier) @def)\n" +
			`(call function: (identifier) @call (#match? @call "^call_"))`,
	},
	Run: func(pass *analyzers.Pass) error {
		for _, m := range pass.Matches {
			if d := m.Node("def"); d != nil {
				pass.Export(analyzers.Fact{Kind: "def", Key: pass.File.Text(d), Location: pass.Location(d, "defined here")})
			}
			if c := m.Node("call"); c != nil {
				name := strings.TrimPrefix(pass.File.Text(c), "call_")
				pass.Report(analyzers.Finding{RuleID: "test/undefined", Message: name + " is not defined",
					Location: pass.Location(c, ""), Data: map[string]string{"name": name}})
			}
		}
		return nil
	},
	Finish: func(sum *analyzers.Summary) error {
		defs := map[string][]analyzers.Fact{}
		for _, f := range sum.Facts {
			defs[f.Key] = append(defs[f.Key], f)
		}
		if len(defs["finish_panics"]) > 0 {
			panic("finish boom")
		}
		for i, fd := range sum.Findings {
			switch name := fd.Data["name"]; {
			case len(defs[name]) > 0:
				sum.Drop(i)
			case strings.HasPrefix(name, "note_"):
				fd.Message += " (lowered)"
				fd.Level = "note"
				sum.Update(i, fd)
			}
		}
		for name, fs := range defs {
			for _, f := range fs[1:] {
				sum.Report(analyzers.Finding{RuleID: "test/duplicate", Message: name + " is defined twice",
					Location: f.Location, Related: []analyzers.Location{fs[0].Location}, Function: f.Function})
			}
		}
		return nil
	},
}
