package rule

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

const good = `id: logging/request-body
name: RequestBodyLogged
language: python
severity: error
security-severity: 7.5
precision: high
tags: [security, logging]
cwe: [CWE-532]
paths: {exclude: ["tests/**"]}
summary: Request body written to a log unsanitized.
help: |
  Why it matters.
analyzer: logging
`

func TestParseGood(t *testing.T) {
	rs, err := Parse("r.yml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.ID != "logging/request-body" || r.SecuritySeverity != 7.5 || r.Paths.Exclude[0] != "tests/**" || r.Help != "Why it matters.\n" || r.Line != 1 || r.File != "r.yml" {
		t.Errorf("decoded %+v", r)
	}
}

func TestQueryPosition(t *testing.T) {
	src := strings.Replace(good, "analyzer: logging\n", "message: x\nquery: |\n    (call) @finding\n", 1)
	rs, err := Parse("r.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if p := rs[0].Positions["query"]; p.Line != 15 || p.Column != 5 {
		t.Errorf("query at %d:%d, want 15:5", p.Line, p.Column)
	}
	if line, col := rs[0].At("query", 1, 3); line != 15 || col != 7 {
		t.Errorf("query 1:3 at %d:%d, want 15:7", line, col)
	}
	if p := rs[0].Positions["message"]; p.Line != 13 || p.Column != 10 {
		t.Errorf("message at %d:%d, want 13:10", p.Line, p.Column)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown key", good + "sevrity: high\n", "r.yml:14:1: unknown key \"sevrity\""},
		{"unknown nested key", strings.Replace(good, "{exclude:", "{exlude:", 1), "r.yml:9:9: unknown key \"exlude\""},
		{"bad severity", strings.Replace(good, "severity: error", "severity: critical", 1), "r.yml:4:1: severity \"critical\" is not one of error, warning, note"},
		{"missing field", strings.Replace(good, "summary: Request body written to a log unsanitized.\n", "", 1), "r.yml:1:1: missing required key \"summary\""},
		{"empty field", strings.Replace(good, "severity: error", "severity:", 1), "r.yml:4:1: severity: empty; a value is required"},
		{"empty string field", strings.Replace(good, "severity: error", `severity: ""`, 1), "r.yml:4:1: severity: empty; a value is required"},
		{"missing security-severity", strings.Replace(good, "security-severity: 7.5\n", "", 1), "missing required key \"security-severity\""},
		{"missing keys", strings.Replace(strings.Replace(good, "security-severity: 7.5\n", "", 1), "summary: Request body written to a log unsanitized.\n", "", 1), "r.yml:1:1: missing required keys summary, security-severity"},
		{"bad id", strings.Replace(good, "logging/request-body", "RequestBody", 1), "r.yml:1:1: id \"RequestBody\" is not of the form"},
		{"security-severity range", strings.Replace(good, "7.5", "11", 1), "r.yml:5:1: security-severity 11 is not between"},
		{"security-severity NaN", strings.Replace(good, "7.5", ".nan", 1), "r.yml:5:1: security-severity NaN is not between"},
		{"security-severity type", strings.Replace(good, "7.5", "high", 1), "r.yml:5:"},
		{"bad cwe", strings.Replace(good, "CWE-532", "532", 1), "r.yml:8:1: cwe \"532\""},
		{"bad exclude glob", strings.Replace(good, `"tests/**"`, `"tests/**", "[a-"`, 1), `r.yml:9:31: paths.exclude: invalid glob "[a-"`},
		{"bad include glob", strings.Replace(good, `{exclude: ["tests/**"]}`, `{include: ["[a-"]}`, 1), `r.yml:9:19: paths.include: invalid glob "[a-"`},
		{"windows include glob", strings.Replace(good, `{exclude: ["tests/**"]}`, `{include: ['app\views\*.py']}`, 1), `r.yml:9:19: paths.include: invalid glob "app\\views\\*.py": a backslash before 'v'`},
		{"neither analyzer nor query", strings.Replace(good, "analyzer: logging\n", "", 1), "a rule needs `pattern:` or `query:`"},
		{"yaml syntax", good + "tags: [unclosed\n", "r.yml:14:1: did not find expected ',' or ']'"},
		{"yaml indentation", "id: a/b\n name: x\n", "r.yml:2:1: mapping values are not allowed"},
		{"not a mapping", "- a\n- b\n", "r.yml:1:1: a rule file must be a mapping"},
		{"empty", "", "r.yml: empty rule file"},
		{"second document", good + "---\n" + good, "a rule file holds one YAML document; a second one starts here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("r.yml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadFSAndSet(t *testing.T) {
	fsys := fstest.MapFS{
		"rules/logging/a.yml":          {Data: []byte(good)},
		"rules/logging/testdata/x.yml": {Data: []byte("not: a rule\n")},
		"rules/logging/list.yaml":      {Data: []byte("rules:\n  - " + strings.ReplaceAll(strings.Replace(good, "request-body", "other", 1), "\n", "\n    ") + "\n")},
		"rules/logging/README.md":      {Data: []byte("ignored")},
	}
	rs, err := LoadFS(fsys, "rules", "builtin")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].File != "builtin/logging/a.yml" || rs[1].ID != "logging/other" {
		t.Fatalf("loaded %d rules: %+v", len(rs), rs)
	}
	set, err := NewSet(rs, rs[:1])
	if err == nil || !strings.Contains(err.Error(), "rule logging/request-body is already defined at builtin/logging/a.yml:1") {
		t.Errorf("duplicate: %v", err)
	}
	if set.Get("logging/other") == nil || len(set.All()) != 2 || set.All()[0].ID != "logging/other" {
		t.Errorf("set: %+v", set.All())
	}
	builtin := *rs[0]
	builtin.Builtin = true
	if _, err := NewSet([]*Rule{&builtin}, rs[:1]); err == nil || !strings.Contains(err.Error(), "rule logging/request-body is already defined as a built-in rule") {
		t.Errorf("a built-in rule's id: %v", err)
	}
}

func TestLower(t *testing.T) {
	for level, want := range map[string]string{"error": "warning", "warning": "note", "note": "note", "bogus": "bogus"} {
		if got := Lower(level); got != want {
			t.Errorf("Lower(%q) = %q, want %q", level, got, want)
		}
	}
}

// TestLoadFSSymlinkedFolder: a symlink to a folder inside a rules
// directory is an error, not a folder of rules silently left out; a
// symlinked rule file is read.
func TestLoadFSSymlinkedFolder(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "a.yml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(other, "a.yml"), filepath.Join(dir, "a.yml")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if rs, err := LoadFS(os.DirFS(dir), ".", "mine"); err != nil || len(rs) != 1 {
		t.Fatalf("a symlinked rule file: %d rules, %v", len(rs), err)
	}
	if err := os.Symlink(other, filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFS(os.DirFS(dir), ".", "mine"); err == nil || !strings.Contains(err.Error(), "mine/sub: a symlink to a folder of rules") {
		t.Errorf("a symlinked folder: %v", err)
	}
	// A link to a folder without rules (fixtures, a linked testdata) is
	// not one.
	os.Remove(filepath.Join(dir, "sub"))
	fixtures := t.TempDir()
	if err := os.WriteFile(filepath.Join(fixtures, "x.py"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"fixtures", "testdata"} {
		if err := os.Symlink(fixtures, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(other, filepath.Join(dir, "testdata", "rules")); err == nil {
		defer os.Remove(filepath.Join(fixtures, "rules"))
	}
	if rs, err := LoadFS(os.DirFS(dir), ".", "mine"); err != nil || len(rs) != 1 {
		t.Errorf("links to folders without rules: %d rules, %v", len(rs), err)
	}
}

// TestLoadFSFIFO names a FIFO among the rule files as not a regular file,
// rather than waiting for a writer to it.
func TestLoadFSFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yml"), 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := LoadFS(os.DirFS(dir), ".", "mine"); err == nil || !strings.Contains(err.Error(), "mine/fifo.yml: not a regular file") {
		t.Errorf("a FIFO: %v", err)
	}
}

// TestTrailingDocumentMarker: a "---" with no document after it is no
// second rule.
func TestTrailingDocumentMarker(t *testing.T) {
	if _, err := Parse("r.yml", []byte(good+"---\n")); err != nil {
		t.Errorf("trailing ---: %v", err)
	}
}
