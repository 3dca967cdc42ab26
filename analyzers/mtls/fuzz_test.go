package mtls

import (
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
)

// FuzzMtls models arbitrary Python as two modules, one importing the
// other, and checks both with every setting set, then runs Finish over
// the findings: nothing may panic, every finding must lie inside its
// file, and Finish may only update findings that exist. The seeds are
// the rule fixtures' files.
func FuzzMtls(f *testing.F) {
	archives, _ := filepath.Glob("../../rules/mtls/testdata/*.txtar")
	for _, path := range archives {
		ar, err := txtar.ParseFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range ar.Files {
			f.Add(file.Data, []byte("def check(request):\n    return request.META.get('SSL_CLIENT_VERIFY') == 'SUCCESS'\n"))
		}
	}
	for _, s := range []string{"", "def f(request:\n  request.META[", "class A(RemoteUserMiddleware):\n header = f'HTTP_{x}'\n",
		"def f(request):\n if request.META.get('SSL_CLIENT_VERIFY') ==:\n  request.user = 1\n"} {
		f.Add([]byte(s), []byte("from app.views import *\n"))
	}
	settings := analyzers.Settings{
		"cert-headers": {"X-Mesh-*", "X-Id"}, "verify-headers": {"X-Ok"}, "trusted-proxy-settings": {"EDGE"},
		"cert-validators": {"ok"}, "proxy-guards": {"edge"},
	}
	f.Fuzz(func(t *testing.T, views, helpers []byte) {
		files := map[string]string{"app/views.py": "from .helpers import *\n" + string(views), "app/helpers.py": string(helpers)}
		fds, _, ok := analyzeFiles(t, files, settings)
		if !ok {
			return
		}
		for _, fd := range fds {
			src := files[fd.Location.Path]
			for _, l := range append([]analyzers.Location{fd.Location}, fd.Related...) {
				size := len(files[l.Path])
				if l.Path == "" || l.StartLine < 1 || l.StartColumn < 1 || l.EndLine < l.StartLine || l.EndByte > size || l.StartByte > l.EndByte {
					t.Fatalf("bad location %+v in %+v (%d bytes)", l, fd, len(src))
				}
			}
		}
		sum := &analyzers.Summary{Analyzer: Analyzer, Findings: fds, Settings: settings}
		sum.Drop = func(i int) { t.Fatalf("Finish dropped finding %d", i) }
		sum.Update = func(i int, fd analyzers.Finding) {
			if i < 0 || i >= len(fds) || fd.RuleID != fds[i].RuleID {
				t.Fatalf("Finish updated finding %d of %d as %+v", i, len(fds), fd)
			}
		}
		sum.Report = func(fd analyzers.Finding) { t.Fatalf("Finish reported %+v", fd) }
		if err := finish(sum); err != nil {
			t.Fatal(err)
		}
	})
}
