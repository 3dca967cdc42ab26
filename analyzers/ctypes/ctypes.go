// Package ctypes finds Python code that calls native code through ctypes
// in ways that leak native memory or corrupt it: output buffers that are
// read but never handed to the foreign function, lengths that are not the
// buffer's size, binary results read as NUL-terminated strings, module
// buffers whose stale bytes are returned to the next client, and bindings
// (argtypes, restype) that disagree with the calls or with the C
// prototypes of the repository.
//
// Python functions are analyzed one at a time, in document order, with
// variables resolved to their latest binding. What needs more than one
// file goes through facts: Python files export their libraries, bindings
// and foreign calls, and Finish compares them with the prototypes of the
// repository's C model (csrc).
package ctypes

import (
	"bytes"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// The rule ids this analyzer reports.
const (
	ruleIgnored   = "ctypes/ignored-output-buffer"
	ruleLength    = "ctypes/length-mismatch"
	ruleCharP     = "ctypes/char-p-result"
	ruleNulRead   = "ctypes/nul-terminated-read"
	ruleShared    = "ctypes/shared-buffer"
	ruleArity     = "ctypes/call-arity"
	ruleMissing   = "ctypes/missing-argtypes"
	rulePrototype = "ctypes/prototype-mismatch"
	ruleTypo      = "ctypes/attribute-typo"
)

// Analyzer is the ctypes analyzer.
var Analyzer = &analyzers.Analyzer{
	Name: "ctypes",
	Doc: "ctypes calls that leak or corrupt native memory: ignored output buffers, lengths that are not " +
		"the buffer's size, binary results read as C strings, shared buffers, bindings that disagree with " +
		"calls and C prototypes (CWE-805, CWE-170, CWE-226, CWE-628, CWE-685, CWE-686)",
	Languages: []source.Language{source.Python},
	Rules:     []string{ruleIgnored, ruleLength, ruleCharP, ruleNulRead, ruleShared, ruleArity, ruleMissing, rulePrototype, ruleTypo},
	Prefilter: pyLiterals,
	// The Python bindings of the whole repository are compared with its C
	// prototypes, also when only some of its files are scanned.
	FactPrefilter: pyLiterals,
	Queries: map[source.Language]string{
		source.Python: "(function_definition) @function\n(class_definition) @class",
	},
	SettingKeys: map[string]string{
		"loaders": "extra functions (bare or dotted names) that return a loaded library, like ctypes.CDLL",
	},
	ValidateSetting: func(_, value string) error { return pysrc.ValidateDottedName(value) },
	Uses:            []*analyzers.Model{csrc.Model},
	Run:             run,
	Finish:          finish,
}

func run(pass *analyzers.Pass) error {
	if pass.File.Root() == nil {
		return nil
	}
	if !containsAny(pass.File.Src, pyLiterals) {
		return nil
	}
	a := newAnalysis(pass)
	a.exportLibraries()
	for _, s := range a.scopes {
		a.exportBindings(s)
		a.checkTypos(s)
		a.foreignCalls(s)
		a.checkIgnored(s)
		a.checkShared(s)
	}
	return nil
}

func containsAny(src []byte, literals []string) bool {
	for _, l := range literals {
		if bytes.Contains(src, []byte(l)) {
			return true
		}
	}
	return false
}
