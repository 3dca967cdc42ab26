package cmem_test

import (
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cmem"
	"github.com/residue-sec/residue/analyzers/csrc"
	"github.com/residue-sec/residue/analyzers/source"
)

// inProcess runs the C model and the cmem analyzer on one C source without
// the driver's file walking: one parser, as a driver worker holds it. The
// steps are called directly, so a panic is not recovered.
type inProcess struct {
	parser *source.Parser
}

func newInProcess(tb testing.TB) *inProcess {
	p := &inProcess{parser: source.NewParser(5 * time.Second)}
	tb.Cleanup(p.parser.Close)
	return p
}

// parse parses src; ok is false when the driver would skip the file (a
// parse failure, nesting deeper than its default limit).
func (p *inProcess) parse(src []byte) (*source.File, bool) {
	f := source.NewFile("fuzz.c", source.C, src)
	if err := p.parser.Parse(f); err != nil {
		return nil, false
	}
	if source.NestingEstimate(src) > 2000 && source.MaxDepth(f.Root(), 2000) > 2000 {
		f.Close()
		return nil, false
	}
	return f, true
}

// snapshot copies a parsed file's tree, as the driver does for models.
func (p *inProcess) snapshot(tb testing.TB, f *source.File) *source.Syntax {
	syn, err := source.NewSyntax(f, 1<<23)
	if err != nil {
		tb.Fatal(err)
	}
	return syn
}

// extract runs the model's Extract on a snapshot.
func (p *inProcess) extract(tb testing.TB, syn *source.Syntax) analyzers.Part {
	pass := &analyzers.ExtractPass{Model: csrc.Model, Syntax: syn, Files: []string{syn.Path}, Settings: analyzers.Settings{},
		Parse: func(src []byte) (*source.Syntax, error) {
			g := source.NewFile(syn.Path, source.C, src)
			if err := p.parser.Parse(g); err != nil {
				return nil, err
			}
			defer g.Close()
			return source.NewSyntax(g, 1<<23)
		}}
	part, err := csrc.Model.Extract(pass)
	if err != nil {
		tb.Fatal(err)
	}
	return part
}

// build links parts into the model.
func (p *inProcess) build(tb testing.TB, parts ...analyzers.Part) any {
	m, err := csrc.Model.Build(&analyzers.BuildPass{Parts: parts})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// check runs cmem's Check on one file against a built model.
func (p *inProcess) check(tb testing.TB, syn *source.Syntax, model any, settings analyzers.Settings) []analyzers.Finding {
	var out []analyzers.Finding
	if settings == nil {
		settings = analyzers.Settings{}
	}
	pass := &analyzers.CheckPass{Analyzer: cmem.Analyzer, Syntax: syn, Settings: settings,
		Model:  func(*analyzers.Model) any { return model },
		Report: func(fd analyzers.Finding) { out = append(out, fd) }}
	if err := cmem.Analyzer.Check(pass); err != nil {
		tb.Fatal(err)
	}
	return out
}

// analyze runs every step on one parsed file.
func (p *inProcess) analyze(tb testing.TB, f *source.File, settings analyzers.Settings) []analyzers.Finding {
	syn := p.snapshot(tb, f)
	return p.check(tb, syn, p.build(tb, p.extract(tb, syn)), settings)
}
