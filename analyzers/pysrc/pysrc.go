// Package pysrc is residue's model of a repository's Python, as the
// interpreter sees it: modules and what they import (absolute, relative,
// star imports, re-exports of packages, imports in functions and try
// blocks), classes and their bases across modules, the attributes their
// methods assign, and for every function a summary of what it does with
// its parameters: which reach its return value, which reach a sink of
// some family (directly or through the functions it calls), and what
// kind of value it returns (request data, a response, a constant).
//
// Each file's part (Module) is its code lowered to call sites and values
// (Extract); Build links the parts and computes the summaries bottom-up
// over the call graph; families Check their scanned files against the
// built Program. What names the repository does not define mean (a
// request's body, a logger) is told by vocabularies: the model's own, of
// Django, DRF and HTTP clients, and each family's (Register).
package pysrc

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// Model is the Python model. Its prefilter is the literals the
// registered vocabularies give.
var Model = &analyzers.Model{
	Name:     "pysrc",
	Language: source.Python,
	Admit:    admit,
	Extract:  extract,
	Build:    func(pass *analyzers.BuildPass) (any, error) { return buildFor(pass) },
}
