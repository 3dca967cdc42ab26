// Package cmem finds uninitialized C memory that leaves the process: a
// local array, struct or heap block that is only partly written before it
// is sent, written, returned, copied out or turned into a Python object.
//
// The analysis is csrc's: it follows each buffer through a function on the
// repository's C model (headers, macros, layouts, conditional compilation)
// and through the summaries of the functions it calls. This package is
// the rules: which outputs are reported under which rule, in which words.
// It runs in the model phase, on every scanned C file, without a tree.
package cmem

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/pysrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// Analyzer is the cmem analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "cmem",
	Doc:       "partly written C arrays, structs and heap blocks that are sent, written, returned or turned into Python objects (CWE-908, CWE-200)",
	Languages: []source.Language{source.C},
	Rules:     []string{ruleOutput, ruleValue, rulePointer, ruleMaybe, rulePadding, ruleBytes},
	SettingKeys: map[string]string{
		"sinks":                 "extra outputs: NAME:BUF:LEN (a buffer and its byte count, copy_to_user:2:3), NAME:ARG (a value, log_value:2) or NAME:ARG:string (a string, log_line:1:string); positions count from 1",
		csrc.SettingIncludeDirs: "folders, relative to the repository root, searched for #include files (as -I)",
		csrc.SettingDefines:     "macros the build defines, NAME or NAME=VALUE (as -D); they choose the branches of #if and #ifdef",
	},
	ValidateSetting: validateSetting,
	Uses:            []*analyzers.Model{csrc.Model, pysrc.Model},
	Check:           check,
}

func check(pass *analyzers.CheckPass) error {
	repo, _ := pass.Model(csrc.Model).(*csrc.Repo)
	if repo == nil {
		return nil
	}
	cfg, err := ParseSinks(pass.Settings["sinks"])
	if err != nil {
		return err
	}
	an := repo.Analysis(cfg)
	py := &python{repo: repo, an: an, model: pass.Model}
	an.Check(pass.Path, func(o csrc.Output) {
		fd := finding(pass, o)
		py.annotate(&fd, o)
		pass.Report(fd)
	})
	return nil
}
