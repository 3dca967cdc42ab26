package pysrc

import (
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/residue-sec/residue/analyzers"
)

// TestDemandGivesTheWholeBuildsEvents builds the helpers project for
// each of its modules scanned alone, and checks that the module's events
// are those of the whole build, while a root of a module nothing scanned
// reads is left unevaluated.
func TestDemandGivesTheWholeBuildsEvents(t *testing.T) {
	files := maps.Clone(helpers)
	files["jobs/nightly.py"] = "from telemetry import emit\n\n\ndef run(request):\n    emit(request.body)\n"
	files["app/api.py"] = "from app.helpers import log_query\n\n\ndef search(request):\n    log_query(request.body)\n"
	parts := extractAll(t, files)
	whole, err := build(parts)
	if err != nil {
		t.Fatal(err)
	}
	paths := slices.Sorted(maps.Keys(files))
	for _, path := range paths {
		p, err := buildFor(&analyzers.BuildPass{Parts: extractAll(t, files), Scanned: []string{path}})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := events(p.(*Program), path), events(whole.(*Program), path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s scanned alone: events %q, want %q (the whole build's)", path, got, want)
		}
	}

	evaluated := func(p any, path string) bool {
		for _, f := range p.(*Program).byPath[path].fns {
			if f.Kind == KindDef && f.res != nil {
				return true
			}
		}
		return false
	}
	if !evaluated(whole, "jobs/nightly.py") {
		t.Fatal("the whole build did not evaluate jobs/nightly.py's root")
	}
	p, _ := buildFor(&analyzers.BuildPass{Parts: extractAll(t, files), Scanned: []string{"app/api.py"}})
	if evaluated(p, "jobs/nightly.py") {
		t.Error("scanning app/api.py evaluated jobs/nightly.py, which it does not read")
	}
	if !evaluated(p, "core/audit.py") {
		t.Error("scanning app/api.py did not evaluate core/audit.py, which its call passes data to")
	}
	// A scanned C file reads every module's native events: the whole
	// program is built.
	p, _ = buildFor(&analyzers.BuildPass{Parts: extractAll(t, files), Scanned: []string{"app/api.py", "native/codec.c"}})
	if !evaluated(p, "jobs/nightly.py") {
		t.Error("with a C file scanned, jobs/nightly.py's root was not evaluated")
	}
}

// TestDemandLeavesCodeEncoded builds on demand from parts read back from
// the cache's form: the scanned module's events are the whole build's,
// and the code of a function nothing scanned reads stays encoded: it is
// never decoded nor evaluated.
func TestDemandLeavesCodeEncoded(t *testing.T) {
	files := maps.Clone(helpers)
	files["jobs/nightly.py"] = "from telemetry import emit\n\n\ndef run(request):\n    emit(request.body)\n"
	files["app/api.py"] = "from app.helpers import log_query\n\n\ndef search(request):\n    log_query(request.body)\n"
	whole, err := build(extractAll(t, files))
	if err != nil {
		t.Fatal(err)
	}
	p, err := buildFor(&analyzers.BuildPass{Parts: roundTrip(t, extractAll(t, files)), Scanned: []string{"app/api.py"}, Root: onDisk(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := events(p.(*Program), "app/api.py"), events(whole.(*Program), "app/api.py"); !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Errorf("events %q, want %q (the whole build's)", got, want)
	}
	// A function evaluated is final, its code let go of since.
	encoded := func(path string) (n int) {
		for _, f := range p.(*Program).byPath[path].fns {
			if f.Kind == KindDef && f.lazy != nil && f.lazy.code.Load() == nil && !f.final {
				n++
			}
		}
		return n
	}
	if n := encoded("jobs/nightly.py"); n != 1 {
		t.Errorf("jobs/nightly.py: %d functions' code still encoded, want 1", n)
	}
	if n := encoded("app/api.py"); n != 0 {
		t.Errorf("app/api.py, scanned: %d functions' code still encoded, want 0", n)
	}
}
