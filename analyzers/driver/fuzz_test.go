package driver

import (
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// FuzzParseAndAnalyze feeds arbitrary bytes, as Python and as C, through
// parsing, the shared query pass, the analyzers, positions, fingerprints
// and suppressions. Analyzer panics are recovered by design, so the
// panicking test analyzer is left out: any panic here is a driver bug.
func FuzzParseAndAnalyze(f *testing.F) {
	for _, seed := range []string{
		"leak(1)\n", "def f(:\n  leak(x)  # residue: ignore\n", "\xef\xbb\xbfleak('é')\r\n",
		"leak([[[[[[[[)", "void f(void) { leak(1); /* residue: ignore[test] */ }",
		"#define X leak(\nint a[] = {leak(1)};", "\xff\xfe\x00leak", "",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	cfg := Config{Analyzers: []*analyzers.Analyzer{testanalyzers.Leak, testanalyzers.CLeak, testanalyzers.Undeclared}, Rules: testanalyzers.Rules(), WarnUnusedIgnores: true}
	cfg.setDefaults()
	p, err := newPlan(cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(p.close)
	f.Fuzz(func(t *testing.T, src []byte, isC bool) {
		lang := source.Python
		if isC {
			lang = source.C
		}
		w := newWorker(p)
		defer w.close()
		fr := w.analyze("fuzz", lang, src, false)
		for _, fd := range fr.findings {
			loc := fd.Location
			if loc.StartLine < 1 || loc.StartColumn < 1 || loc.EndLine < loc.StartLine || fd.Fingerprint == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
	})
}
