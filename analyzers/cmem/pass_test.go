package cmem_test

import (
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/cmem"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// inProcess runs the cmem analyzer on C sources without the driver's file
// walking: one parser, one compiled query, one cursor, as a driver worker
// holds them. The analyzer is called directly, so a panic is not recovered.
type inProcess struct {
	parser *source.Parser
	query  *tsquery.Query
	cursor *tsquery.Cursor
}

func newInProcess(tb testing.TB) *inProcess {
	q, err := tsquery.Compile(source.C, cmem.Analyzer.Queries[source.C])
	if err != nil {
		tb.Fatal(err)
	}
	p := &inProcess{parser: source.NewParser(5 * time.Second), query: q, cursor: tsquery.NewCursor()}
	tb.Cleanup(func() {
		p.cursor.Close()
		p.query.Close()
		p.parser.Close()
	})
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

// analyze runs the query pass and the analyzer on a parsed file.
func (p *inProcess) analyze(tb testing.TB, f *source.File, settings analyzers.Settings) []analyzers.Finding {
	return p.run(tb, f, p.matches(tb, f), settings)
}

// matches runs the query pass on a parsed file.
func (p *inProcess) matches(tb testing.TB, f *source.File) []tsquery.Match {
	var matches []tsquery.Match
	err := p.query.Run(p.cursor, f, tsquery.Limits{MaxMatches: 100000, Deadline: time.Now().Add(10 * time.Second)}, func(_ int, m tsquery.Match) {
		matches = append(matches, m)
	})
	if err != nil {
		tb.Logf("query: %v", err)
	}
	return matches
}

// run runs the analyzer on a parsed file and its matches.
func (p *inProcess) run(tb testing.TB, f *source.File, matches []tsquery.Match, settings analyzers.Settings) []analyzers.Finding {
	var out []analyzers.Finding
	if settings == nil {
		settings = analyzers.Settings{}
	}
	pass := &analyzers.Pass{Analyzer: cmem.Analyzer, File: f, Matches: matches, Settings: settings,
		Report: func(fd analyzers.Finding) { out = append(out, fd) }}
	if err := cmem.Analyzer.Run(pass); err != nil {
		tb.Fatal(err)
	}
	return out
}
