// Package all is residue's registry: the one list of analyzers a scan runs,
// and the only package that imports the analyzer families.
package all

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cmem"
	"github.com/residue-sec/residue/analyzers/crosslang"
	"github.com/residue-sec/residue/analyzers/ctypes"
	"github.com/residue-sec/residue/analyzers/logging"
	"github.com/residue-sec/residue/analyzers/mtls"
	"github.com/residue-sec/residue/analyzers/query"
	"github.com/residue-sec/residue/analyzers/rule"
)

// Analyzers returns every registered analyzer, in a fixed order.
func Analyzers() []*analyzers.Analyzer {
	return []*analyzers.Analyzer{cmem.Analyzer, crosslang.Analyzer, ctypes.Analyzer, logging.Analyzer, mtls.Analyzer}
}

// Declarative returns the analyzer that runs the query and pattern rules
// among rules (built-in or a user's), or nil when there are none.
func Declarative(rules []*rule.Rule) (*analyzers.Analyzer, error) {
	return query.New(rules)
}
