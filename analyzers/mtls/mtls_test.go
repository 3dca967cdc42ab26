package mtls

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
	"github.com/residue-sec/residue/analyzers/tsquery"
)

// analyze runs the analyzer over src as the driver would (without its
// recover) and returns the findings; ok is false when the driver would
// have skipped the file (no parse, or nested too deep).
func analyze(tb testing.TB, q *tsquery.Query, src []byte, settings analyzers.Settings) (out []analyzers.Finding, ok bool) {
	out, _, ok = analyzeFacts(tb, q, src, settings)
	return out, ok
}

// analyzeFacts is analyze that also returns the facts the file exports.
func analyzeFacts(tb testing.TB, q *tsquery.Query, src []byte, settings analyzers.Settings) (out []analyzers.Finding, facts []analyzers.Fact, ok bool) {
	tb.Helper()
	file := source.NewFile("app/x.py", source.Python, src)
	p := source.NewParser(5 * time.Second)
	defer p.Close()
	if p.Parse(file) != nil {
		return nil, nil, false
	}
	defer file.Close()
	if source.MaxDepth(file.Root(), maxDepth) > maxDepth {
		return nil, nil, false
	}
	c := tsquery.NewCursor()
	defer c.Close()
	var matches []tsquery.Match
	_ = q.Run(c, file, tsquery.Limits{}, func(_ int, m tsquery.Match) { matches = append(matches, m) })
	pass := &analyzers.Pass{Analyzer: Analyzer, File: file, Matches: matches, Settings: settings}
	pass.Report = func(fd analyzers.Finding) { out = append(out, fd) }
	pass.Export = func(f analyzers.Fact) { facts = append(facts, f) }
	if err := Analyzer.Run(pass); err != nil {
		tb.Fatal(err)
	}
	return out, facts, true
}

// maxDepth is the driver's default nesting cap: deeper files are skipped
// before any analyzer runs.
const maxDepth = 2000

func compile(tb testing.TB) *tsquery.Query {
	tb.Helper()
	q, err := tsquery.Compile(source.Python, Analyzer.Queries[source.Python])
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(q.Close)
	return q
}

// TestLargeInputs checks that shapes which make a naive evaluator
// quadratic or exponential (long attribute chains, thousands of early
// returns, calls fanning out through helpers, long boolean chains) are
// analyzed quickly and still found.
func TestLargeInputs(t *testing.T) {
	var ifs, calls strings.Builder
	ifs.WriteString("def f(request):\n")
	for i := range 3000 {
		fmt.Fprintf(&ifs, "    if request.META.get('HTTP_X_SSL_CLIENT_S_DN_%d'):\n        return None\n", i)
	}
	ifs.WriteString("    request.user = User.objects.get(dn=request.META['SSL_CLIENT_S_DN'])\n")
	calls.WriteString("def g(request):\n" + strings.Repeat("    h(request)\n", 300) + "    return 1\n")
	calls.WriteString("def h(request):\n" + strings.Repeat("    k(request)\n", 300) + "    return 1\n")
	calls.WriteString("def k(request):\n    request.user = User.objects.get(dn=request.META['SSL_CLIENT_S_DN'])\n")
	calls.WriteString("class M:\n    def process_request(self, request):\n" + strings.Repeat("        g(request)\n", 300))
	var tests []string
	for i := range 1000 {
		tests = append(tests, fmt.Sprintf("request.META.get('SSL_CLIENT_VERIFY') != 'x%d'", i))
	}
	cases := map[string]string{
		"attribute chain": "def f(request):\n    x = request.META['SSL_CLIENT_S_DN']" + strings.Repeat(".a", 1500) + "\n    request.user = x\n",
		"early returns":   ifs.String(),
		"call fan-out":    calls.String(),
		"boolean chain":   "def f(request):\n    if " + strings.Join(tests, " and ") + ":\n        request.user = request.META['SSL_CLIENT_S_DN']\n",
	}
	q := compile(t)
	for name, src := range cases {
		start := time.Now()
		fds, ok := analyze(t, q, []byte(src), analyzers.Settings{})
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s: %s", name, d)
		}
		if ok && len(fds) == 0 {
			t.Errorf("%s: no finding", name)
		}
	}
}
