// Package all is residue's registry: the one list of analyzers a scan runs,
// and the only package that imports the analyzer families.
package all

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/logging"
)

// Analyzers returns every registered analyzer, in a fixed order.
func Analyzers() []*analyzers.Analyzer {
	return []*analyzers.Analyzer{logging.Analyzer}
}
