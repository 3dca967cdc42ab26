// Package ctypes finds Python code that calls native code through ctypes
// in ways that leak native memory or corrupt it: output buffers that are
// read but never handed to the foreign function, lengths that are not the
// buffer's size, binary results read as NUL-terminated strings, module
// buffers whose stale bytes are returned to the next client, results cut
// to a C int or leaked, and bindings (argtypes, restype) that disagree
// with the calls or with the C prototypes of the repository.
//
// It follows the objects on the Python model (package pysrc): its
// vocabulary (vocab.go) makes libraries, foreign functions, buffers and
// ctypes types objects of the model, wherever the code keeps them, and
// notes what evaluated code does with them (notes.go). Check reads the
// notes of the whole program once (index.go), compares the bindings with
// the prototypes of the C model (csrc), and reports each file's findings.
package ctypes

import (
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
	ruleRestype   = "ctypes/missing-restype"
	ruleLeak      = "ctypes/char-p-leak"
)

// Analyzer is the ctypes analyzer.
var Analyzer = &analyzers.Analyzer{
	Name: "ctypes",
	Doc: "ctypes calls that leak or corrupt native memory: ignored output buffers, lengths that are not " +
		"the buffer's size, binary results read as C strings, shared buffers, results cut to a C int or " +
		"leaked, bindings that disagree with calls and C prototypes (CWE-805, CWE-170, CWE-226, CWE-401, " +
		"CWE-628, CWE-685, CWE-686, CWE-704)",
	Languages: []source.Language{source.Python},
	Rules: []string{ruleIgnored, ruleLength, ruleCharP, ruleNulRead, ruleShared, ruleArity, ruleMissing, rulePrototype,
		ruleTypo, ruleRestype, ruleLeak},
	SettingKeys: map[string]string{
		"loaders": "extra functions (bare or dotted names) that return a loaded library, like ctypes.CDLL",
	},
	ValidateSetting: func(_, value string) error { return pysrc.ValidateDottedName(value) },
	Uses:            []*analyzers.Model{pysrc.Model, csrc.Model},
	Check:           check,
}

// check reports the findings of the program's index that are in the
// checked file.
func check(pass *analyzers.CheckPass) error {
	prog, _ := pass.Model(pysrc.Model).(*pysrc.Program)
	if prog == nil {
		return nil
	}
	repo, _ := pass.Model(csrc.Model).(*csrc.Repo)
	ix := prog.Memo("ctypes", func() any { return newIndex(prog, repo) }).(*index)
	for _, fd := range ix.findings[pass.Path] {
		pass.Report(fd)
	}
	return nil
}
