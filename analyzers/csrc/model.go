// Package csrc is residue's model of a repository's C code, as the
// compiler sees it: each file with the headers it includes (resolved next
// to the file, in the include folders of compile_commands.json and of the
// settings, else by name), read in one configuration of its conditional
// compilation; the macros, enums, typedefs, struct and union layouts
// (LP64), constants and prototypes these declare; and the functions of
// every file, linked by name into a call graph.
//
// On this model it follows uninitialized memory: an Analysis walks a
// function's body statement by statement, tracking which bytes of each
// local array, struct, scalar and heap block are certainly written on
// every path, and reports (as Outputs) the unwritten bytes that leave the
// process. A call to a function of the repository applies that
// function's summary (which bytes of each pointer parameter it writes),
// computed once, bottom up over the call graph's components.
//
// cmem turns the outputs into findings; ctypes compares its bindings with
// the prototypes.
package csrc

import (
	"bytes"
	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// Model is the C model. It reads every C file of the repository, because
// a callee or a constant may be defined in any of them.
var Model = &analyzers.Model{
	Name:     "csrc",
	Language: source.C,
	Extract:  extract,
	Build:    build,
	Context:  contextKey,
}

// extract reads one file: its configuration, its includes, and, when a
// function failed to parse, the file parsed again in its configuration
// with the macros that broke it repaired.
func extract(pass *analyzers.ExtractPass) (analyzers.Part, error) {
	syn := pass.Syntax
	e := envFor(pass)
	dirs, defines, undefs := e.flagsFor(syn.Path)
	p := &Part{File: syn.Path, Snapshot: syn, Defines: defines}
	inactive, undecided, directives, decided := conditionals(syn.Src(), newMacroEnv(defines, undefs))
	p.Inactive, p.Undecided, p.Decided = inactive, undecided, decided
	if syn.Tree.Root().HasError() && pass.Parse != nil {
		if edits := repairs(syn.Src(), syn.Tree); len(edits) > 0 || brokenByDirective(syn.Tree, directives) {
			src := apply(blank(syn.Src(), inactive, undecided, directives), edits)
			c, err := pass.Parse(src)
			for round := 0; err == nil && round < maxRepairRounds; round++ {
				p.Configured = c
				// A macro that broke a function may have ended it early,
				// so that the next one starts a top-level node whose
				// header it seems: repaired, the function reads on, and
				// its next lines are repaired in turn.
				if !c.Tree.Root().HasError() {
					break
				}
				next := apply(src, repairs(src, c.Tree))
				if bytes.Equal(next, src) {
					break // no edit the last round did not make
				}
				src = next
				c, err = pass.Parse(src)
			}
			if err == nil && c != p.Configured && !c.Tree.Root().HasError() {
				p.Configured = c // the last round's parse, clean
			}
		}
	}
	p.Includes = readIncludes(p, e, dirs) // the declarations are read here, in parallel
	return p, nil
}

// maxRepairRounds bounds the parses of a file repaired again after a
// repair (each round adds only edits the last did not make).
const maxRepairRounds = 3

// brokenByDirective reports whether a top-level node with a syntax error
// (a function, or an ERROR that swallowed one) contains a conditional
// directive: parsed again with one branch, it may parse.
func brokenByDirective(t *syntax.Tree, directives []Span) bool {
	if len(directives) == 0 || !t.Root().HasError() {
		return false
	}
	for c := t.Root().FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.HasError() {
			continue
		}
		for _, d := range directives {
			if d.Start >= c.StartByte() && d.Start < c.EndByte() {
				return true
			}
		}
	}
	return false
}

// blank returns src with the given spans overwritten by spaces, line
// breaks kept, so that every offset stays the same.
func blank(src []byte, spans ...[]Span) []byte {
	out := append([]byte(nil), src...)
	for _, ss := range spans {
		for _, s := range ss {
			for i := s.Start; i < s.End && int(i) < len(out); i++ {
				if out[i] != '\n' && out[i] != '\r' {
					out[i] = ' '
				}
			}
		}
	}
	return out
}
