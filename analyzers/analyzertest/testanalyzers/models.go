package testanalyzers

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// Defs is a Python model for driver tests: each module's top-level
// function names, and the modules it imports (`import lib.b` needs
// lib/b.py). Only files that mention "import" are extracted at first;
// the rest are read when a part needs them.
var Defs = &analyzers.Model{
	Name:      "testdefs",
	Language:  source.Python,
	Prefilter: []string{"import"},
	Extract: func(pass *analyzers.ExtractPass) (analyzers.Part, error) {
		root := pass.Syntax.Tree.Root()
		if strings.Contains(string(pass.Syntax.Src()), "PANIC_EXTRACT") {
			panic("extract panics")
		}
		part := &defsPart{File: pass.Syntax.Path, Snapshot: pass.Syntax}
		// Lines starting "#@" are code in another configuration of the
		// file: parse it with them uncommented.
		if src := pass.Syntax.Src(); bytes.Contains(src, []byte("\n#@")) {
			other, err := pass.Parse(bytes.ReplaceAll(src, []byte("\n#@"), []byte("\n  ")))
			if err != nil {
				return nil, err
			}
			root = other.Tree.Root()
		}
		for c := root.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			switch c.Type() {
			case "function_definition":
				part.Defs = append(part.Defs, c.ChildByFieldName("name").Text())
			case "import_statement":
				// The module's file, if the repository has it: a part
				// depends on its own file alone (the cache keys it so).
				for _, n := range c.ChildrenByFieldName("name") {
					part.Need = append(part.Need, strings.ReplaceAll(n.Text(), ".", "/")+".py")
				}
			}
		}
		return part, nil
	},
	Build: func(pass *analyzers.BuildPass) (any, error) {
		defs := map[string]string{}
		for _, p := range pass.Parts {
			dp := p.(*defsPart)
			for _, d := range dp.Defs {
				if _, ok := defs[d]; !ok {
					defs[d] = dp.File
				}
			}
		}
		return defs, nil
	},
}

// defsPart is a file's part of Defs; it keeps the file's snapshot.
type defsPart struct {
	File       string
	Snapshot   *source.Syntax
	Defs, Need []string
}

func init() { gob.Register(&defsPart{}) }

func (p *defsPart) Path() string           { return p.File }
func (p *defsPart) Needs() []string        { return p.Need }
func (p *defsPart) Syntax() *source.Syntax { return p.Snapshot }

// Calls reports, in its Check step, each call of a function that another
// module defines, naming that module: test/imported-call.
var Calls = &analyzers.Analyzer{
	Name:      "testcalls",
	Doc:       "reports calls of functions defined in other modules",
	Languages: []source.Language{source.Python},
	Rules:     []string{"test/imported-call"},
	Uses:      []*analyzers.Model{Defs},
	Check: func(pass *analyzers.CheckPass) error {
		defs, _ := pass.Model(Defs).(map[string]string)
		if strings.Contains(string(pass.Outline.Src()), "PANIC_CHECK") {
			panic("check panics")
		}
		pass.Syntax.Tree.Root().Walk(func(n syntax.Node) bool {
			if n.Type() != "call" {
				return true
			}
			name := n.ChildByFieldName("function").Text()
			if where, ok := defs[name]; ok && where != pass.Path {
				pass.Report(analyzers.Finding{
					RuleID:   "test/imported-call",
					Message:  fmt.Sprintf("%s is defined in %s", name, where),
					Location: pass.Location(n, ""),
					Related:  []analyzers.Location{pass.Location(n.ChildByFieldName("function"), "the callee")},
				})
			}
			return true
		})
		return nil
	},
}
