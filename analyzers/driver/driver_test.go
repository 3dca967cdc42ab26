package driver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// writeTree creates files (relative path → content) under a new temp dir.
func writeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func scan(t testing.TB, dir string, jobs int) *Result {
	t.Helper()
	res, err := Run(Config{Analyzers: testanalyzers.All, Rules: testanalyzers.Rules(), Paths: []string{dir}, Root: dir, Jobs: jobs, WarnUnusedIgnores: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summary renders findings as "path:line:col rule" and notifications as
// "path: level: message" lines, for comparison.
func summary(res *Result) (findings, notes []string) {
	for _, f := range res.Findings {
		s := fmt.Sprintf("%s:%d:%d %s", f.Location.Path, f.Location.StartLine, f.Location.StartColumn, f.RuleID)
		if f.Suppression != nil {
			s += " suppressed"
		}
		findings = append(findings, s)
	}
	for _, n := range res.Notifications {
		where := n.Path
		if n.Line > 0 {
			where += fmt.Sprintf(":%d", n.Line)
		}
		notes = append(notes, fmt.Sprintf("%s: %s: %s", where, n.Level, strings.SplitN(n.Message, "\n", 2)[0]))
	}
	return findings, notes
}

func TestBadInput(t *testing.T) {
	deep := "leak(" + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + ")\n"
	dir := writeTree(t, map[string]string{
		"binary.py":  "leak(1)\x00\x01\x02",
		"invalid.py": "s = \"\xff\xfe\"; leak(s)\n",
		"bom.py":     "\xef\xbb\xbfleak(1)\n",
		"crlf.py":    "x = 1\r\nleak(2)\r\n",
		"syntax.py":  "def f(:\n    pass\nleak(3)\n",
		"deep.py":    deep,
		"empty.py":   "",
		"wide.py":    "s = \"é😀\"; leak(s)\n",
		"panic.py":   "PANIC = 1\nleak(4)\n",
		"other.py":   "UNDECLARED = 1\n",
		"c/x.c":      "#define X 1\nvoid f(void) { leak(X); }\n",
		"c/x.h":      "class A { public: int x; };\nint leak(int);\n",
	})
	big := bytes.Repeat([]byte("leak(1)\n"), 20<<20/8)
	if err := os.WriteFile(filepath.Join(dir, "huge.py"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("missing.py", filepath.Join(dir, "dangling.py")); err != nil {
		t.Fatal(err)
	}
	res := scan(t, dir, 2)
	findings, notes := summary(res)
	wantFindings := []string{
		"bom.py:1:1 test/leak",
		"c/x.c:2:16 test/cleak",
		"crlf.py:2:1 test/leak",
		"invalid.py:1:11 test/leak",
		"panic.py:2:1 test/leak",
		"syntax.py:3:1 test/leak",
		"wide.py:1:12 test/leak",
	}
	if !reflect.DeepEqual(findings, wantFindings) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(findings, "\n"), strings.Join(wantFindings, "\n"))
	}
	wantNotes := []string{
		"binary.py: warning: skipped: binary file",
		"c/x.h:1: note: syntax errors",
		"dangling.py: warning: ",
		"deep.py: warning: skipped: syntax nested deeper than 2000 levels",
		"huge.py: warning: skipped: ",
		"other.py: error: analyzer testundeclared reported undeclared rule \"test/other\"",
		"panic.py: error: analyzer testpanic panicked: boom",
		"syntax.py:1: note: syntax errors",
	}
	for _, w := range wantNotes {
		found := false
		for _, n := range notes {
			if strings.HasPrefix(n, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("no notification %q in:\n%s", w, strings.Join(notes, "\n"))
		}
	}
	if len(notes) != len(wantNotes) {
		t.Errorf("got %d notifications, want %d:\n%s", len(notes), len(wantNotes), strings.Join(notes, "\n"))
	}
	for _, f := range res.Findings {
		if strings.ContainsRune(f.Location.Snippet, '\r') || strings.HasPrefix(f.Location.Snippet, "\ufeff") {
			t.Errorf("%s: snippet %q keeps a CR or BOM", f.Location.Path, f.Location.Snippet)
		}
	}
}

func TestDeterministicAcrossJobs(t *testing.T) {
	files := map[string]string{}
	for i := range 60 {
		files[fmt.Sprintf("pkg%d/m%d.py", i%7, i)] = strings.Repeat("def f():\n    leak(1)\n", i%4+1)
		files[fmt.Sprintf("c%d.c", i)] = "void g(void) { leak(1); leak(2); }\n"
	}
	dir := writeTree(t, files)
	one, eight := scan(t, dir, 1), scan(t, dir, 8)
	if !reflect.DeepEqual(one, eight) {
		t.Fatal("results differ between --jobs 1 and --jobs 8")
	}
	if len(one.Findings) != 60*2+(15*1+15*2+15*3+15*4) {
		t.Fatalf("%d findings", len(one.Findings))
	}
	seen := map[string]bool{}
	for _, f := range one.Findings {
		if seen[f.Fingerprint] {
			t.Errorf("fingerprint %s not unique", f.Fingerprint)
		}
		seen[f.Fingerprint] = true
	}
}

func TestFingerprintStableWhenCodeMoves(t *testing.T) {
	before := scan(t, writeTree(t, map[string]string{"a.py": "def view():\n    leak(request)\n"}), 1)
	after := scan(t, writeTree(t, map[string]string{"a.py": "import os\n\n\ndef view():\n        leak(request)\n"}), 1)
	changed := scan(t, writeTree(t, map[string]string{"a.py": "def other():\n    leak(request)\n"}), 1)
	fp := func(r *Result) string { return r.Findings[0].Fingerprint }
	if fp(before) != fp(after) {
		t.Error("fingerprint changed when the code moved and was re-indented")
	}
	if fp(before) == fp(changed) {
		t.Error("fingerprint did not change when the enclosing function did")
	}
	if before.Findings[0].Function != "view" {
		t.Errorf("function %q", before.Findings[0].Function)
	}
}

func TestSuppressions(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"a.py": `leak(1)  # residue: ignore[test/leak] -- reviewed
# residue: ignore[test/leak]
leak(2)
x = 1  # residue: ignore
leak(3)
leak(4,
     5)  # residue: ignore[test] -- family
leak(6)  # residue: ignore[other/rule]
s = "residue: ignore"; leak(7)
# residue: ignore[test/leak] -- unused
x = 2
if leak(8):  # residue: ignore
    pass
if x:
    # residue: ignore
    pass
leak(9)
`,
		"bom.py":    "\xef\xbb\xbf# residue: ignore\nleak(1)\n",
		"noleak.py": "x = 1  # residue: ignore[test]\n",
		"elif.py":   "if a:\n    y = 1  # residue: ignore\nelif leak(2):\n    pass\n",
		"b.c":       "void f(void) {\n  leak(1); // residue: ignore[test/cleak] -- ok\n  /* residue: ignore */\n  leak(2);\n  leak(3);\n}\n",
	})
	findings, notes := summary(scan(t, dir, 1))
	want := []string{
		"a.py:1:1 test/leak suppressed",
		"a.py:3:1 test/leak suppressed",
		"a.py:5:1 test/leak",
		"a.py:6:1 test/leak suppressed",
		"a.py:8:1 test/leak",
		"a.py:9:24 test/leak",
		"a.py:12:4 test/leak suppressed",
		"a.py:17:1 test/leak",
		"b.c:2:3 test/cleak suppressed",
		"b.c:4:3 test/cleak suppressed",
		"b.c:5:3 test/cleak",
		"bom.py:2:1 test/leak suppressed",
		"elif.py:3:6 test/leak",
	}
	if !reflect.DeepEqual(findings, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(findings, "\n"), strings.Join(want, "\n"))
	}
	wantNotes := []string{
		"a.py:4: warning: residue: ignore comment matches no finding",
		"a.py:8: warning: residue: ignore comment matches no finding",
		"a.py:10: warning: residue: ignore comment matches no finding",
		"a.py:15: warning: residue: ignore comment matches no finding",
		// A name that is no rule or family is a typo, always warned of.
		`a.py:8: warning: residue: ignore names "other/rule", which is no rule or family: it suppresses nothing`,
		"elif.py:2: warning: residue: ignore comment matches no finding",
		"noleak.py:1: warning: residue: ignore comment matches no finding",
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}
}

func TestPrefilterSkipsParsing(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.py": "x = 1\n", "b.py": "leak(1)\n", "c.c": "int x;\n"})
	res := scan(t, dir, 1)
	if res.FilesScanned != 3 || res.FilesParsed != 1 {
		t.Errorf("scanned %d parsed %d, want 3 and 1", res.FilesScanned, res.FilesParsed)
	}
}

func TestMissingRuleFileIsAnError(t *testing.T) {
	a := *testanalyzers.Leak
	a.Rules = []string{"test/leak", "test/nofile"}
	_, err := Run(Config{Analyzers: []*analyzers.Analyzer{&a}, Rules: testanalyzers.Rules(), Paths: []string{t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), "test/nofile, which has no rule file") {
		t.Errorf("got %v", err)
	}
}

func TestBadQueryIsAnError(t *testing.T) {
	a := *testanalyzers.Leak
	a.Queries = map[source.Language]string{source.Python: "(call\n  (no_such_node))"}
	_, err := Run(Config{Analyzers: []*analyzers.Analyzer{&a}, Rules: testanalyzers.Rules(), Paths: []string{t.TempDir()}})
	if err == nil || !strings.Contains(err.Error(), `analyzer testleak: python query: 2:4: unknown node type "no_such_node"`) {
		t.Errorf("got %v", err)
	}
}

// TestDropDuplicates: a finding that reports what another reports (its
// span, rule and message) is reported once, with the first flow, also
// when the two sort together without being adjacent; one at another
// span, or suppressed where the other is not, is kept.
func TestDropDuplicates(t *testing.T) {
	at := func(line int, msg, via string) analyzers.Finding {
		return analyzers.Finding{RuleID: "logging/x", Message: msg, Fingerprint: msg + via,
			Location: analyzers.Location{Path: "a.py", Range: source.Range{StartLine: line, StartColumn: 1}},
			Flow:     []analyzers.Step{{Location: analyzers.Location{Path: "a.py", Message: via}}}}
	}
	wider := at(2, "m", "q")
	wider.Location.EndLine = 3
	ignored := at(2, "m", "r")
	ignored.Suppression = &analyzers.Suppression{Justification: "test"}
	in := []analyzers.Finding{at(1, "m", "p"), at(1, "m", "q"), at(1, "m", "p"), at(1, "n", "p"), at(2, "m", "p"), at(2, "m", "p"), wider, ignored}
	analyzers.SortFindings(in)
	got := dropDuplicates(in)
	var keys []string
	for _, f := range got {
		keys = append(keys, fmt.Sprintf("%d %s %s", f.Location.StartLine, f.Message, f.Flow[0].Location.Message))
	}
	if want := []string{"1 m p", "1 n p", "2 m p", "2 m q", "2 m r"}; !slices.Equal(keys, want) {
		t.Errorf("kept %q, want %q", keys, want)
	}
}

// TestCxxHeadersAreNotC: a header of C++ sources (a namespace, classes)
// beside C is not parsed as C, which would only give syntax errors; a C
// header is (source.LooksCxx tells C++ behind __cplusplus guards from C++).
func TestCxxHeadersAreNotC(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"deps/conv/bignum.h": "namespace conv {\nclass Bignum {\n public:\n  void leak(int x);\n};\n}\n",
		"src/api.h":          "#include <stdint.h>\n\nstatic void f(void) { leak(1); }\n",
	})
	findings, notes := summary(scan(t, dir, 2))
	if fmt.Sprint(findings) != "[src/api.h:3:23 test/cleak]" || len(notes) != 0 {
		t.Errorf("findings %q, notifications %q", findings, notes)
	}
}
