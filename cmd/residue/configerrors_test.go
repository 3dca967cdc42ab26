package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigurationErrorsExitTwo checks that a malformed analyzer setting
// and a second YAML document stop the run with exit 2 and the file's line,
// before anything is scanned (a bad cmem sink used to fail cmem on every
// file and exit 0).
func TestConfigurationErrorsExitTwo(t *testing.T) {
	dir := tree(t, map[string]string{
		"native/n.c":    "#include <unistd.h>\nvoid f(int fd) { char b[8]; write(fd, b, sizeof b); }\n",
		"sinks.yml":     "analyzers:\n  cmem:\n    sinks: [\"send:0\"]\n",
		"loggers.yml":   "analyzers:\n  logging:\n    loggers: [\"self.log()\"]\n",
		"headers.yml":   "analyzers:\n  mtls:\n    cert-headers: [\"X Client Cert\"]\n",
		"two-docs.yml":  "exclude: [\"tests/**\"]\n---\nexclude: []\n",
		"good-sink.yml": "analyzers:\n  cmem:\n    sinks: [\"send_all:2:3\"]\n",
	})
	for _, tc := range []struct{ config, want string }{
		{"sinks.yml", `sinks.yml:3:13: analyzers.cmem.sinks: cmem: sinks setting "send:0": position "0" is not an argument position from 1 to 64; want NAME:BUF:LEN`},
		{"loggers.yml", `loggers.yml:3:15: analyzers.logging.loggers: "self.log()" is not a name or a dotted name`},
		{"headers.yml", `headers.yml:3:20: analyzers.mtls.cert-headers: "X Client Cert" is not a META key or header name`},
		{"two-docs.yml", "two-docs.yml:2:1: a configuration file holds one YAML document"},
	} {
		code, out, errs := residue("scan", "--config", dir+"/"+tc.config, dir)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", tc.config, code, errs, tc.want)
		}
	}
	code, out, errs := residue("scan", "--config", dir+"/good-sink.yml", dir)
	if code != 1 || strings.Contains(errs, "failed") {
		t.Errorf("good-sink.yml: exit %d, want 1 without analyzer failures\n%s%s", code, out, errs)
	}
}

// TestTestCommandIsStrict checks residue test like semgrep --test: a
// finding on a line no annotation expects fails, todo annotations do not,
// and a folder without rules is an error, not a pass.
func TestTestCommandIsStrict(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(example, "debug-true.yml"))
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "debug-true.yml"), data, 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "settings.py"), []byte(
		"# ruleid: example/debug-true\nDEBUG = True\n\nDEBUG = True\n# todook: example/debug-true\nDEBUG = True\n"), 0o644))
	code, out, _ := residue("test", dir)
	if code != 1 || !strings.Contains(out, "example/debug-true: "+filepath.Join(dir, "settings.py")+":4: unexpected finding (no ruleid annotation)") ||
		strings.Contains(out, "settings.py:6") || !strings.Contains(out, "1 rule tested, 1 failed") {
		t.Errorf("exit %d, want 1 and one unexpected finding on line 4:\n%s", code, out)
	}
	// Without any annotation, every finding of a fixture fails.
	must(t, os.WriteFile(filepath.Join(dir, "settings.py"), []byte("DEBUG = True\n"), 0o644))
	if code, out, _ := residue("test", dir); code != 1 || !strings.Contains(out, "settings.py:1: unexpected finding") {
		t.Errorf("unannotated fixture: exit %d, want 1:\n%s", code, out)
	}
	for _, d := range []string{t.TempDir(), filepath.Join(dir, "missing")} {
		code, _, errs := residue("test", d)
		if code != 2 || !(strings.Contains(errs, "holds no rule files") || strings.Contains(errs, "no such directory of rules")) {
			t.Errorf("test %s: exit %d, stderr %q, want 2", d, code, errs)
		}
	}
	// A rule with a built-in rule's id, which a scan refuses, fails the
	// test command too.
	builtin := t.TempDir()
	must(t, os.WriteFile(filepath.Join(builtin, "r.yml"), []byte(strings.Replace(string(data), "id: example/debug-true", "id: logging/request-body", 1)), 0o644))
	if code, _, errs := residue("test", builtin); code != 2 || !strings.Contains(errs, "r.yml:2:1: rule logging/request-body has the id of a built-in rule") {
		t.Errorf("built-in id: exit %d, stderr %q, want 2", code, errs)
	}
}
