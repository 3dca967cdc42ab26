// Package rules embeds residue's built-in rule files: one YAML file per rule
// in rules/<family>/<name>.yml, with that rule's fixtures in
// rules/<family>/testdata/<name>.txtar.
package rules

import (
	"embed"

	"github.com/residue-sec/residue/analyzers/rule"
)

// FS holds the rule families' folders. The pattern is `*` rather than
// `*/*.yml` so that the package builds while a family has no rule yet;
// rule.LoadFS reads only the YAML files and skips testdata.
//
//go:embed *
var FS embed.FS

// Builtin loads and validates every built-in rule; rule files are named
// rules/<family>/<name>.yml in errors.
func Builtin() ([]*rule.Rule, error) {
	rs, err := rule.LoadFS(FS, ".", "rules")
	for _, r := range rs {
		r.Builtin = true
	}
	return rs, err
}

// BuiltinSet is Builtin as a rule set.
func BuiltinSet() (*rule.Set, error) {
	builtin, err := Builtin()
	if err != nil {
		return nil, err
	}
	return rule.NewSet(builtin)
}
