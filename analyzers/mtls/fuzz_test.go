package mtls

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
)

// FuzzMtls runs the analyzer over arbitrary Python, without the driver's
// recover, with every setting set, then its Finish step over the file's
// facts and findings: neither may panic, every finding must lie inside
// the file, and Finish may only drop or update findings that exist. The
// seeds are the rule fixtures' files.
func FuzzMtls(f *testing.F) {
	archives, _ := filepath.Glob("../../rules/mtls/testdata/*.txtar")
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			f.Add(file.Data)
		}
	}
	for _, s := range []string{"", "def f(request:\n  request.META[", "class A(RemoteUserMiddleware):\n header = f'HTTP_{x}'\n",
		"def f(request):\n if request.META.get('SSL_CLIENT_VERIFY') ==:\n  request.user = 1\n"} {
		f.Add([]byte(s))
	}
	q := compile(f)
	settings := analyzers.Settings{
		"cert-headers": {"X-Mesh-*", "X-Id"}, "verify-headers": {"X-Ok"}, "trusted-proxy-settings": {"EDGE"},
		"cert-validators": {"ok"}, "proxy-guards": {"edge"},
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		fds, facts, _ := analyzeFacts(t, q, src, settings)
		sum := &analyzers.Summary{Analyzer: Analyzer, Facts: facts, Findings: fds, Settings: settings}
		sum.Drop = func(i int) {
			if i < 0 || i >= len(fds) {
				t.Fatalf("Finish dropped finding %d of %d", i, len(fds))
			}
		}
		sum.Update = func(i int, fd analyzers.Finding) {
			if i < 0 || i >= len(fds) || fd.RuleID != fds[i].RuleID {
				t.Fatalf("Finish updated finding %d of %d as %+v", i, len(fds), fd)
			}
		}
		sum.Report = func(fd analyzers.Finding) { t.Fatalf("Finish reported %+v", fd) }
		if err := finish(sum); err != nil {
			t.Fatal(err)
		}
		for _, fd := range fds {
			for _, l := range append([]analyzers.Location{fd.Location}, fd.Related...) {
				if l.StartLine < 1 || l.StartColumn < 1 || l.EndLine < l.StartLine || l.EndByte > len(src) || l.StartByte > l.EndByte {
					t.Fatalf("bad location %+v in %+v", l, fd)
				}
			}
		}
	})
}
