package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

// settingsAnalyzer is an analyzer with settings, for the `analyzers:` key.
var settingsAnalyzer = &analyzers.Analyzer{
	Name: "logging",
	SettingKeys: map[string]string{
		"sanitizers":   "functions whose result is safe to log",
		"cert-headers": "headers that carry the client certificate",
	},
}

func known() Known {
	return Known{Rules: testanalyzers.Rules(), Analyzers: append([]*analyzers.Analyzer{settingsAnalyzer}, testanalyzers.All...)}
}

func TestParse(t *testing.T) {
	src := `# a comment
include: ["app/**", "lib/**"]
exclude:
  - tests/**
rules:
  disable: [test/panic, testdecl]
  severity:
    test: error
    test/leak: note
analyzers:
  logging:
    sanitizers: [redact, scrub]
max-file-size: 2MiB
`
	src = strings.Replace(src, "testdecl", "test/declared", 1)
	c, err := Parse("x.yml", []byte(src), known())
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Include:     []string{"app/**", "lib/**"},
		Exclude:     []string{"tests/**"},
		Disable:     []string{"test/panic", "test/declared"},
		Severity:    map[string]string{"test": "error", "test/leak": "note"},
		Settings:    map[string]analyzers.Settings{"logging": {"sanitizers": {"redact", "scrub"}}},
		MaxFileSize: 2 << 20,
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	// Anchors and aliases stand for their values.
	aliased, err := Parse("a.yml", []byte("exclude: &shared [\"tests/**\", build]\ninclude: *shared\nrules:\n  severity: {test/leak: note}\n"+
		"  disable: [&first test/leak, *first]\n"), known())
	if err != nil || !slices.Equal(aliased.Include, []string{"tests/**", "build"}) || !slices.Equal(aliased.Exclude, aliased.Include) || !slices.Equal(aliased.Disable, []string{"test/leak", "test/leak"}) {
		t.Errorf("aliases: %+v, %v", aliased, err)
	}
	for _, empty := range []string{"", "# only comments\n", "---\n", "exclude:\nrules:\n"} {
		c, err := Parse("e.yml", []byte(empty), known())
		if err != nil || !reflect.DeepEqual(c, &Config{}) {
			t.Errorf("Parse(%q) = %+v, %v; want the zero Config", empty, c, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"exclud: [a]\n", `c.yml:1:1: unknown key "exclud": did you mean "exclude"?`},
		{"- a\n", "c.yml:1:1: the configuration must be a mapping"},
		{"exclude: tests/**\n", "c.yml:1:10: exclude must be a list of globs"},
		{"exclude: [\"a[\"]\n", `c.yml:1:11: invalid glob "a["`},
		{"include: ['src\\app\\*.py']\n", `c.yml:1:11: invalid glob "src\\app\\*.py": a backslash before 'a': paths are matched with /`},
		{"include: [ok, {a: b}]\n", "c.yml:1:15: include must be a list of globs; this item is not one"},
		{"rules: [a]\n", "c.yml:1:8: rules must be a mapping of disable and severity"},
		{"rules:\n  disabled: [test/leak]\n", `c.yml:2:3: unknown key "disabled": did you mean "disable"?`},
		{"rules:\n  disable: [test/leek]\n", `c.yml:2:13: no rule or rule family "test/leek": did you mean "test/leak"?`},
		{"rules:\n  disable: [tes]\n", `c.yml:2:13: no rule or rule family "tes": did you mean "test"?`},
		{"rules:\n  severity:\n    test/leak: high\n", "c.yml:3:16: severity of test/leak must be error, warning or note"},
		{"rules:\n  severity:\n    nope: note\n", `c.yml:3:5: no rule or rule family "nope" ('residue rules' lists them)`},
		{"analyzers:\n  loging: {}\n", `c.yml:2:3: unknown analyzer "loging": did you mean "logging"?`},
		{"analyzers:\n  nothing: {}\n", `c.yml:2:3: unknown analyzer "nothing" (analyzers: logging, testcleak, testleak, testpanic, testundeclared)`},
		{"analyzers:\n  testleak: {x: [a]}\n", "c.yml:2:3: analyzer testleak has no settings"},
		{"analyzers:\n  logging:\n    sanitiser: [a]\n", `c.yml:3:5: unknown key "sanitiser": did you mean "sanitizers"?`},
		{"analyzers:\n  logging:\n    sanitizers: redact\n", "c.yml:3:17: analyzers.logging.sanitizers must be a list of names"},
		{"analyzers:\n  logging:\n    sanitizers: [\"\"]\n", "c.yml:3:18: analyzers.logging.sanitizers must be a list of names; this item is not one"},
		{"rules:\n  severity: {test: note, test: error}\n", `c.yml:2:26: key "test" is already set at line 2`},
		{"max-file-size: 0\n", "c.yml:1:16: max-file-size must be a positive number of bytes"},
		{"max-file-size: 5 parsecs\n", "c.yml:1:16: max-file-size must be a positive number"},
		{"max-file-size: [1]\n", "c.yml:1:16: max-file-size must be a positive number"},
		{"max-file-size: 99999999999999999999GiB\n", "c.yml:1:16: max-file-size: too large a size (at most 8 EiB)"},
		{"max-file-size: 9000000000GiB\n", "c.yml:1:16: max-file-size: too large a size"},
		{"cache-dir: ~\n", "c.yml:1:12: cache-dir must be a directory path: ~ alone is YAML's null"},
		{"cache-dir: null\n", "c.yml:1:12: cache-dir must be a directory path"},
		{"cache-dir:\n", "c.yml:1:11: cache-dir must be a directory path"},
		{"exclude: [a\n", "c.yml:2:1: did not find expected ',' or ']'"},
		{"exclude: [a]\nexclude: [b]\n", `c.yml:2:1: key "exclude" is already set at line 1`},
	} {
		_, err := Parse("c.yml", []byte(tc.src), known())
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q):\n got %v\nwant %s…", tc.src, err, tc.want)
		}
	}
	// Every problem is reported, not only the first.
	_, err := Parse("c.yml", []byte("a: 1\nb: 2\n"), known())
	if err == nil || strings.Count(err.Error(), "unknown key") != 2 {
		t.Errorf("two unknown keys: got %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "512KiB": 512 << 10, "5 MiB": 5 << 20, "10MB": 10e6, "2gib": 2 << 30, "7b": 7, "3 kb": 3000,
	} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MiB", "-1", "0", "1.5MiB", "5 parsecs", "99999999999 GiB", "1e6"} {
		if got, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, got)
		}
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"svc/app", "lib"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(rel string) string {
		p := filepath.Join(root, rel)
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	view := write("svc/app/views.py")
	if got, err := Find(view, root); err != nil || got != "" {
		t.Errorf("no file anywhere: Find = %q, %v", got, err)
	}
	// A file above the root is never used.
	if err := os.WriteFile(filepath.Join(filepath.Dir(root), FileName), nil, 0o644); err == nil {
		defer os.Remove(filepath.Join(filepath.Dir(root), FileName))
		if got, _ := Find(view, root); got != "" {
			t.Errorf("found %q above the root", got)
		}
	}
	top := write(FileName)
	for _, start := range []string{view, filepath.Join(root, "svc", "app"), filepath.Join(root, "lib"), root} {
		if got, err := Find(start, root); err != nil || got != top {
			t.Errorf("Find(%s) = %q, %v; want %s", start, got, err, top)
		}
	}
	nested := write("svc/" + FileName)
	if got, _ := Find(view, root); got != nested {
		t.Errorf("Find = %q, want the nearer %s", got, nested)
	}
	if got, _ := Find(filepath.Join(root, "lib"), root); got != top {
		t.Errorf("Find(lib) = %q, want %s", got, top)
	}
	if _, err := Find(filepath.Join(root, "missing.py"), root); err == nil {
		t.Error("Find of a missing path did not fail")
	}
	if err := os.Mkdir(filepath.Join(root, "lib", FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Find(filepath.Join(root, "lib"), root); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("a directory named %s: got %v", FileName, err)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), FileName+": cannot read the configuration file: no such file or directory") {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("exclude: [vendor/**]\nrules-dirs: [rules]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := Read(path); err != nil {
		t.Fatal(err)
	} else if _, err := f.RulesDirs(); err == nil || !strings.Contains(err.Error(), FileName+":2:14: rules-dirs: rules is not a directory") {
		t.Errorf("a missing rules dir: %v", err)
	}
	if err := os.Mkdir(filepath.Join(filepath.Dir(path), "rules"), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	// The file is read once: what it held then configures both.
	if err := os.WriteFile(path, []byte("exclude: [other/**]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dirs, err := f.RulesDirs()
	if err != nil || !reflect.DeepEqual(dirs, []string{filepath.Join(filepath.Dir(path), "rules")}) {
		t.Errorf("RulesDirs = %q, %v", dirs, err)
	}
	c, err := f.Load(known())
	if err != nil || !reflect.DeepEqual(c.Exclude, []string{"vendor/**"}) {
		t.Errorf("Load = %+v, %v", c, err)
	}
}

func TestApplySeverity(t *testing.T) {
	set := testanalyzers.Rules()
	c := &Config{Severity: map[string]string{"test": "note", "test/leak": "error"}}
	got, err := c.ApplySeverity(set)
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{"test/leak": "error", "test/cleak": "note", "test/panic": "note"} {
		if level := got.Get(id).Severity; level != want {
			t.Errorf("%s: %s, want %s", id, level, want)
		}
	}
	if set.Get("test/leak").Severity != "warning" {
		t.Error("ApplySeverity changed the original rule")
	}
	if same, _ := (&Config{}).ApplySeverity(set); same != set {
		t.Error("no overrides: the set was copied")
	}
}

func TestStarter(t *testing.T) {
	k := known()
	starter := Starter(k)
	c, err := Parse(FileName, starter, k)
	if err != nil || !reflect.DeepEqual(c, &Config{}) {
		t.Errorf("the starter file, all commented out, gives %+v, %v; want the zero Config", c, err)
	}
	for _, want := range []string{
		"# exclude:\n#   - \"tests/**\"\n",
		"#   disable:\n#     - test/cleak\n",
		"#   logging:\n#     # headers that carry the client certificate\n#     cert-headers: []\n#     # functions whose result is safe to log\n#     sanitizers: []\n",
		"# max-file-size: 5MiB\n",
	} {
		if !strings.Contains(string(starter), want) {
			t.Errorf("starter lacks %q:\n%s", want, starter)
		}
	}
	// Uncommenting every example gives a valid file that sets every key.
	var all strings.Builder
	for _, s := range starterSections(k) {
		all.WriteString(s.example)
	}
	c, err = Parse("all.yml", []byte(all.String()), k)
	if err != nil {
		t.Fatalf("the starter's examples do not parse: %v\n%s", err, all.String())
	}
	if len(c.Include) == 0 || len(c.Exclude) == 0 || len(c.Disable) == 0 || c.Severity["test"] != "warning" ||
		c.Settings["logging"] == nil || c.MaxFileSize != 5<<20 {
		t.Errorf("examples give %+v", c)
	}
	bare := string(Starter(Known{}))
	if !strings.Contains(bare, "No analyzer has settings yet.") || !strings.Contains(bare, "placeholders") {
		t.Errorf("starter without rules or settings:\n%s", bare)
	}
	if _, err := Parse(FileName, []byte(bare), Known{}); err != nil {
		t.Errorf("bare starter: %v", err)
	}
}

// A cache-dir or rules dir written with ~ is under the home directory, as
// a shell would expand it, not a folder named ~ beside the file.
func TestLoadExpandsHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte("cache-dir: ~/.cache/residue\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Load(known())
	if err != nil || c.CacheDir != filepath.Join(home, ".cache", "residue") {
		t.Errorf("cache-dir = %q, %v", c.CacheDir, err)
	}
	for in, want := range map[string]string{"~": home, "~/r": filepath.Join(home, "r"), "~user/r": "~user/r", "a/~": "a/~"} {
		if got := ExpandHome(in); got != want {
			t.Errorf("ExpandHome(%q) = %q, want %q", in, got, want)
		}
	}
}
