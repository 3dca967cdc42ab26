package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sarifOf scans paths with args into a SARIF file and returns its text.
func sarifOf(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.sarif")
	code, _, errs := residue(append([]string{"scan", "--format", "sarif", "-o", out}, args...)...)
	if code > 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	must(t, err)
	return string(data)
}

// TestShardsMergeToTheWholeScan: the merge of N shards' reports is byte for
// byte the whole scan's report, on the demo and on a generated tree.
func TestShardsMergeToTheWholeScan(t *testing.T) {
	tree := t.TempDir()
	must(t, os.Mkdir(filepath.Join(tree, ".git"), 0o755))
	for i := range 60 {
		dir := filepath.Join(tree, fmt.Sprintf("app%d", i%7))
		must(t, os.MkdirAll(dir, 0o755))
		body := fmt.Sprintf("import logging\nlogger = logging.getLogger(__name__)\n\ndef view%d(request):\n    logger.info(request.body)\n", i)
		if i%5 == 0 {
			body += "x = (\n" // a syntax error: a notification
		}
		must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("v%d.py", i)), []byte(body), 0o644))
	}
	for _, target := range []string{"../../testdata/demo", tree} {
		for _, n := range []int{2, 4} {
			whole := sarifOf(t, "--no-cache", target)
			var shards []string
			for k := 1; k <= n; k++ {
				p := filepath.Join(t.TempDir(), "shard.sarif")
				must(t, os.WriteFile(p, []byte(sarifOf(t, "--no-cache", "--shard", fmt.Sprintf("%d/%d", k, n), target)), 0o644))
				shards = append(shards, p)
			}
			out := filepath.Join(t.TempDir(), "merged.sarif")
			if code, _, errs := residue(append([]string{"merge", "-o", out}, shards...)...); code != 0 {
				t.Fatalf("merge: exit %d: %s", code, errs)
			}
			merged, err := os.ReadFile(out)
			must(t, err)
			if string(merged) != whole {
				t.Errorf("%s, %d shards: the merge differs from the whole scan", target, n)
			}
			if !strings.Contains(whole, `"ruleId"`) {
				t.Errorf("%s: the whole scan found nothing", target)
			}
		}
	}
}

func TestMergeRefuses(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a.sarif")
	must(t, os.WriteFile(a, []byte(sarifOf(t, "--no-cache", "../../testdata/demo")), 0o644))
	b := filepath.Join(t.TempDir(), "b.sarif")
	must(t, os.WriteFile(b, []byte(sarifOf(t, "--no-cache", "--category", "other", "../../testdata/demo")), 0o644))
	notSarif := filepath.Join(t.TempDir(), "c.sarif")
	must(t, os.WriteFile(notSarif, []byte("{}"), 0o644))
	for name, args := range map[string][]string{
		"different categories": {"merge", a, b},
		"not SARIF":            {"merge", a, notSarif},
		"nothing":              {"merge"},
		"missing":              {"merge", a, filepath.Join(t.TempDir(), "none.sarif")},
	} {
		if code, _, errs := residue(args...); code != 2 || errs == "" {
			t.Errorf("%s: exit %d, %q", name, code, errs)
		}
	}
	if code, _, errs := residue("scan", "--shard", "5/4", "."); code != 2 || !strings.Contains(errs, "K/N") {
		t.Errorf("--shard 5/4: exit %d, %q", code, errs)
	}
}
