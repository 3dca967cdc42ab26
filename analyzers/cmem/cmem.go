// Package cmem finds uninitialized C memory that leaves the process: a
// local array, struct or heap block that is only partly written before it
// is sent, written, returned, copied out or turned into a Python object.
//
// The analysis is flow-sensitive and intra-procedural over the
// tree-sitter C tree. For each tracked buffer it computes, at every
// program point, which bytes are certainly written on every path: constant
// byte ranges (from initializers, memset, memcpy, strncpy, member and
// element assignments, fill loops with constant bounds), plus at most one
// write whose length is known only at run time (a string and its NUL, the
// count read() returns). At a sink it compares that with the bytes that
// leave. Sizes are evaluated from constants, sizeof, #define constants,
// enumerators and simple arithmetic; anything unknown counts as written,
// so it never produces a finding. Calls to functions defined in the same
// file are resolved through a summary of their definition; other calls
// are assumed to fill the buffers they receive. A function whose parse
// has errors (statement macros without semicolons) is skipped, and only
// functions whose text shows a buffer and a sink are walked.
package cmem

import (
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// Analyzer is the cmem analyzer.
var Analyzer = &analyzers.Analyzer{
	Name:      "cmem",
	Doc:       "partly written C arrays, structs and heap blocks that are sent, written, returned or turned into Python objects (CWE-908, CWE-200)",
	Languages: []source.Language{source.C},
	Rules:     []string{ruleOutput, rulePadding, ruleBytes},
	Prefilter: []string{"write", "send", "memcpy", "memmove", "FromStringAndSize", "FromMemory", "Py_BuildValue", "alloc", "struct"},
	// A file naming only a configured sink is analyzed too.
	PrefilterSettings: []string{"sinks"},
	Queries: map[source.Language]string{
		source.C: `(function_definition) @function
(preproc_def name: (identifier) @macro value: (preproc_arg) @body)
(struct_specifier name: (type_identifier) @name body: (field_declaration_list)) @record
(union_specifier name: (type_identifier) @name body: (field_declaration_list)) @record
(type_definition) @typedef
(enumerator_list) @enums
(translation_unit (declaration) @global)
(preproc_ifdef (declaration) @global)
(preproc_if (declaration) @global)
(preproc_else (declaration) @global)`,
	},
	SettingKeys: map[string]string{
		"sinks": "extra sink functions as NAME:BUF:LEN, the 1-based positions of the buffer and of its byte count (copy_to_user:2:3)",
	},
	ValidateSetting: validateSetting,

	Run: run,
}

func run(pass *analyzers.Pass) error {
	table, err := sinkTable(pass.Settings["sinks"])
	if err != nil {
		return err
	}
	f := newFacts(pass)
	f.sinks = table
	for _, fn := range f.defs {
		if !f.interesting(fn) || fn.HasError() {
			continue
		}
		// Summaries of the file's functions cost a walk each: they are
		// computed only when a sink saw a buffer one of them received.
		w := newWalker(f, fn, pass)
		w.run(false)
		if w.needSummaries {
			w = newWalker(f, fn, pass)
			w.useSummaries = true
			w.run(false)
		}
		for _, fd := range w.findings {
			pass.Report(fd)
		}
	}
	return nil
}
