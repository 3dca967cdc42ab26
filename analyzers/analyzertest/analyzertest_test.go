package analyzertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/testanalyzers"
)

// recorder is a Testing that records errors instead of failing.
type recorder struct {
	*testing.T
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "harness", name) }

func TestPassingFixture(t *testing.T) {
	res := Run(t, fixture("pass.txtar"), testanalyzers.Rules(), testanalyzers.Leak, testanalyzers.CLeak)
	if res == nil {
		t.Fatal("scan failed")
	}
	if len(res.Findings) != 6 {
		t.Fatalf("want 6 findings (one suppressed), got %d", len(res.Findings))
	}
}

func TestFailures(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"missing.txtar", []string{
			`a.py:1: no finding matched want "test/leak"`,
			`a.py:2: no finding matched want "test/cleak"`,
			`a.py:2:1: unexpected finding test/leak: leak called with (1)`,
		}},
		{"extra.txtar", []string{`a.py:1:1: unexpected finding test/leak: leak called with (1)`}},
		{"todo-found.txtar", []string{`a.py:1: todo "test/leak" is now found (test/leak: leak called with (1)): make it a want`}},
		{"malformed.txtar", []string{`a.py:1: malformed want comment near "test/leak"`}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			r := &recorder{T: t}
			Run(r, fixture(tc.file), nil, testanalyzers.Leak, testanalyzers.CLeak)
			if len(r.errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(r.errs), len(tc.want), strings.Join(r.errs, "\n"))
			}
			for i, w := range tc.want {
				if !strings.HasSuffix(r.errs[i], w) {
					t.Errorf("error %d: got %q, want suffix %q", i, r.errs[i], w)
				}
			}
		})
	}
}

func TestSettings(t *testing.T) {
	got, err := parseSettings([]byte("intro\nsettings: logging.sanitizers = clean, tidy\nsettings: logging.loggers=audit\n"))
	if err != nil || strings.Join(got["logging"]["sanitizers"], "+") != "clean+tidy" || got["logging"]["loggers"][0] != "audit" {
		t.Errorf("got %v %v", got, err)
	}
	if _, err := parseSettings([]byte("settings: nodot = x")); err == nil {
		t.Error("malformed line accepted")
	}
	if Run(t, fixture("settings.txtar"), nil, testanalyzers.Leak) == nil {
		t.Error("scan with settings failed")
	}
}
