package pysrc

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// The tests' family: telemetry.emit(...) is its sink, and scrub(...)
// sanitizes for it.
func init() {
	Register(&Vocabulary{
		Name: "test",
		Sink: func(c *CallSite) (Sink, bool) {
			if !slices.Contains(c.Callees(), "telemetry.emit") {
				return Sink{}, false
			}
			uses := make([]Use, c.NumArgs())
			for i := range uses {
				uses[i] = UseData
			}
			return Sink{Family: "test", Kind: "emit", Uses: uses}, true
		},
		Candidate: func(name, method string) bool { return strings.HasSuffix(name, "emit") },
		Clean:     func(name string, _ analyzers.Settings) bool { return name == "scrub" },
	})
}

// extractAll extracts every file of a repository given by path.
func extractAll(t testing.TB, files map[string]string) []analyzers.Part {
	return extractWith(t, files, nil)
}

// extractWith extracts with list as the repository's files (the files
// themselves when nil).
func extractWith(t testing.TB, files map[string]string, list []string) []analyzers.Part {
	t.Helper()
	return extractParts(t, files, list, false)
}

// extractParts extracts with list as the repository's files; with
// lowered, each module as lowered, before extract makes it compact.
func extractParts(t testing.TB, files map[string]string, list []string, lowered bool) []analyzers.Part {
	t.Helper()
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	parser := source.NewParser(time.Second)
	defer parser.Close()
	var parts []analyzers.Part
	for _, path := range paths {
		f := source.NewFile(path, source.Python, []byte(files[path]))
		if err := parser.Parse(f); err != nil {
			t.Fatal(err)
		}
		syn, err := source.NewSyntax(f, 1<<20)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if list == nil {
			list = paths
		}
		pass := &analyzers.ExtractPass{Model: Model, Syntax: syn, Files: list, Settings: analyzers.Settings{}}
		if lowered {
			parts = append(parts, lower(pass))
			continue
		}
		part, err := extract(pass)
		if err != nil {
			t.Fatal(err)
		}
		// The files are not on disk, where a compact module's source is
		// read again from (TestPartRoundTrip reads it there): the module
		// keeps it.
		if m := part.(*Module); m.src == nil {
			m.src = syn.Src()
		}
		parts = append(parts, part)
	}
	return parts
}

// opened returns the part's module decoded, as Build decodes it
// (Module.open).
func opened(t testing.TB, part analyzers.Part) *Module {
	t.Helper()
	m, err := part.(*Module).open()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func buildAll(t testing.TB, files map[string]string) *Program {
	t.Helper()
	p, err := build(extractAll(t, files))
	if err != nil {
		t.Fatal(err)
	}
	return p.(*Program)
}

// describe renders a datum for tests: "sym0.body", "data request.body
// at core/utils.py:2", "object django.response".
func describe(p *Program, d Datum) string {
	switch d.Tag {
	case TagSym:
		var b strings.Builder
		fmt.Fprintf(&b, "sym%d", d.Param)
		for _, o := range d.Ops {
			switch {
			case o.Call:
				fmt.Fprintf(&b, ".%s()", o.Name)
			case o.Kind == OpAttr:
				fmt.Fprintf(&b, ".%s", o.Name)
			case o.Kind == OpIndex:
				fmt.Fprintf(&b, "[%q]", o.Name)
			case o.Kind == OpEscape:
				b.WriteString("!r")
			}
		}
		return b.String()
	case TagData:
		s := "data " + d.Kind
		if d.Key != "" {
			s += "[" + d.Key + "]"
		}
		return fmt.Sprintf("%s at %s:%d", s, d.Origin.Path(), d.Origin.Line())
	case TagObject:
		if d.Class != nil {
			return "instance " + d.Class.Name
		}
		return "object " + d.Kind
	}
	return fmt.Sprintf("tag %d %s", d.Tag, d.Key)
}

// events renders the events of family test in path: "line: kinds".
func events(p *Program, path string) []string {
	var out []string
	p.Check(path, "test", func(ev *Event) {
		var kinds []string
		for _, a := range ev.Args {
			for _, d := range a.Data {
				kinds = append(kinds, describe(p, d))
			}
		}
		through := ""
		if ev.At != ev.Call {
			through = fmt.Sprintf(" through %s:%d", ev.At.Path(), ev.At.Line())
		}
		out = append(out, fmt.Sprintf("%d: %s%s", ev.Call.Line(), strings.Join(kinds, ", "), through))
	})
	return out
}

// helpers is a small project: helpers in core/ reached through a
// package's re-exports, a star import, a relative import, an import in a
// function's try block, and aliases.
var helpers = map[string]string{
	"core/__init__.py": "from .utils import summarize, body_size\nfrom .audit import *\n",
	"core/utils.py": `def summarize(req_obj):
    return {"body": req_obj.body}


def body_size(req_obj):
    return len(req_obj.body)


def passthrough(x):
    y = x
    return y


def redacted(x):
    return scrub(x)
`,
	"core/audit.py": `from telemetry import emit


def audit(event, payload):
    emit("%s %s", event, payload)


def audit_event(event, payload):
    emit(event)
`,
	"app/helpers.py": `from core import audit as record


def log_query(q):
    record("query", q)
`,
	"core/labels.py": "def label(x):\n    return x\n",
	"app/views.py": `from core import summarize, body_size, audit
from core.audit import audit_event as event
from core.labels import label
from . import helpers


def view(request):
    try:
        from core.utils import passthrough as pt, redacted
    except ImportError:
        pt = None
    audit("view", summarize(request))
    audit("size", body_size(request))
    event("x", request.body)
    audit("pt", pt(request.POST))
    audit("redacted", redacted(request.POST))
    helpers.log_query(request.GET)
    label("a constant")
`,
}

func TestSummariesAcrossModules(t *testing.T) {
	p := buildAll(t, helpers)
	got := events(p, "app/views.py")
	want := []string{
		"12: data request.body at core/utils.py:2 through core/audit.py:5",
		"15: data request.body at app/views.py:15 through core/audit.py:5",
		"17: data request.body at app/views.py:17 through core/audit.py:5",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sum, ok := p.Summary("core/utils.py", "summarize")
	if !ok || len(sum.Returns) != 1 || describe(p, sum.Returns[0]) != "sym0.body" {
		t.Errorf("summarize: %+v", sum)
	}
	sum, ok = p.Summary("core/audit.py", "audit")
	if !ok || len(sum.Sinks) != 2 || sum.Sinks[0].Param != 0 || sum.Sinks[1].Param != 1 {
		t.Errorf("audit's flows: %+v", sum.Sinks)
	}
	sum, _ = p.Summary("core/audit.py", "audit_event")
	if len(sum.Sinks) != 1 || sum.Sinks[0].Param != 0 {
		t.Errorf("audit_event's flows: %+v", sum.Sinks)
	}
	sum, _ = p.Summary("app/helpers.py", "log_query")
	if len(sum.Sinks) != 1 || len(sum.Sinks[0].Via) != 1 {
		t.Errorf("log_query passes its parameter on through audit: %+v", sum.Sinks)
	}
}

// TestNeedsFollowsDataImports checks which of the repository's files a
// part needs: the modules of the names its active code calls with data
// (the view), and a package's re-exports by name (not its star
// re-exports: core/audit.py is read because the view imports from it);
// not a module whose function it
// calls with a constant, nor those of code that takes no request and
// writes nothing (log_query passes its parameter on: its module is read
// because the view needs it, and core/audit.py because it writes).
func TestNeedsFollowsDataImports(t *testing.T) {
	files := maps.Clone(helpers)
	// A middleware's hook takes the request whatever its parameter's name.
	files["app/middleware.py"] = "from core.clip import clip\n\n\nclass M:\n    def process_request(self, r):\n        clip(r.body)\n"
	files["core/clip.py"] = "def clip(x):\n    return x\n"
	parts := extractAll(t, files)
	needs := map[string][]string{}
	for _, part := range parts {
		for _, n := range part.Needs() {
			if _, ok := files[n]; ok {
				needs[part.Path()] = append(needs[part.Path()], n)
			}
		}
		sort.Strings(needs[part.Path()])
	}
	want := map[string][]string{
		"app/views.py":      {"app/helpers.py", "core/__init__.py", "core/audit.py", "core/utils.py"},
		"core/__init__.py":  {"core/utils.py"},
		"app/middleware.py": {"core/clip.py"},
	}
	if !reflect.DeepEqual(needs, want) {
		t.Errorf("needs %q, want %q", needs, want)
	}
}

// roundTrip encodes parts with gob through the Part interface and
// decodes them.
func roundTrip(t testing.TB, parts []analyzers.Part) []analyzers.Part {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(parts); err != nil {
		t.Fatal(err)
	}
	var back []analyzers.Part
	if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
		t.Fatal(err)
	}
	return back
}

// TestPartRoundTrip stores parts as the cache does, through the Part
// interface, and builds the same program from what it reads back. A part
// is a function of its file alone: the cache keeps it while other files
// come and go.
func TestPartRoundTrip(t *testing.T) {
	parts := extractAll(t, helpers)
	if alone := extractWith(t, helpers, []string{"other.py"}); !reflect.DeepEqual(parts, alone) {
		t.Error("a part depends on the repository's other files")
	}
	back := roundTrip(t, parts)
	if !reflect.DeepEqual(loadedParts(parts), loadedParts(back)) {
		t.Fatal("a part differs once decoded")
	}
	p1, _ := build(parts)
	root := onDisk(t, helpers)
	p2, _ := buildFor(&analyzers.BuildPass{Parts: back, Root: root})
	if a, b := events(p1.(*Program), "app/views.py"), events(p2.(*Program), "app/views.py"); !reflect.DeepEqual(a, b) {
		t.Errorf("events differ: %q, %q", a, b)
	}
	// A file edited since it was stored gives its locations no text, not
	// another file's.
	if err := os.WriteFile(filepath.Join(root, "app/views.py"), []byte("# edited\n"+helpers["app/views.py"]), 0o644); err != nil {
		t.Fatal(err)
	}
	p3, _ := buildFor(&analyzers.BuildPass{Parts: roundTrip(t, parts), Root: root})
	m := p3.(*Program).Module("app/views.py")
	if src := m.Source(); src != nil || m.Text(m.Funcs[1].NameSpan) != "" {
		t.Errorf("an edited file's source: %q", src)
	}
	if got := p3.(*Program).Changed(); !slices.Equal(got, []string{"app/views.py"}) {
		t.Errorf("Changed() = %q, want the edited file", got)
	}
	if a := events(p3.(*Program), "app/views.py"); len(a) == 0 {
		t.Error("no events once the file's source is gone")
	}
}

// onDisk writes files under a new folder and returns it: the root where
// a Build reads the sources of parts the cache stored.
func onDisk(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestSettingsPutExamplesLast: a setting an example of the configuration
// also defines is read from the project's settings first.
func TestSettingsPutExamplesLast(t *testing.T) {
	p := buildAll(t, map[string]string{
		"proj/configuration_example.py": "REMOTE_AUTH_HEADER = 'HTTP_X_EXAMPLE'\n",
		"proj/settings.py":              "REMOTE_AUTH_HEADER = 'HTTP_REMOTE_USER'\n",
		"proj/settings_sample.py":       "REMOTE_AUTH_HEADER = 'HTTP_X_SAMPLE'\n",
	})
	var got []string
	for _, s := range p.Settings("REMOTE_AUTH_HEADER") {
		got = append(got, s.Path)
	}
	want := []string{"proj/settings.py", "proj/configuration_example.py", "proj/settings_sample.py"}
	if !slices.Equal(got, want) {
		t.Errorf("Settings = %v, want %v", got, want)
	}
}
