package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestPatternRuleIsBounded scans a call of 3,000 arguments with a pattern
// rule whose query used to explode (one call of 200 arguments ran past
// two minutes): the scan ends, and says that the rule was cut.
func TestPatternRuleIsBounded(t *testing.T) {
	args := make([]string, 3000)
	for i := range args {
		args[i] = fmt.Sprintf("a%d", i)
	}
	call := "f(" + strings.Join(args, ", ") + ")\n"
	dir := tree(t, map[string]string{
		"rules/dup.yml": `id: user/dup
name: Dup
language: python
severity: warning
security-severity: 5.0
precision: high
tags: [security]
summary: An argument passed twice.
help: An argument passed twice.
message: "{{X}} passed twice"
pattern: f($...A, $X, $...B, $X, $...C, b)
`,
		"src/small.py": "f(a, c, a, b)\n",
		"src/huge.py":  call,
	})
	code, out, errs := residue("scan", "--no-builtin", "--rules", filepath.Join(dir, "rules"), filepath.Join(dir, "src"))
	if code != 1 || !strings.Contains(out, "small.py:1:1: warning user/dup: a passed twice") {
		t.Errorf("exit %d, want 1 and the finding in small.py\n%s%s", code, out, errs)
	}
	if want := "residue: huge.py: warning: analyzer query: pattern matching stopped after 1000000 steps for user/dup"; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
}
