package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/driver"
)

// shardReports scans target as n shards, without a cache, and returns
// the paths of their SARIF reports.
func shardReports(t *testing.T, target string, n int) []string {
	t.Helper()
	var shards []string
	for k := 1; k <= n; k++ {
		p := filepath.Join(t.TempDir(), "shard.sarif")
		must(t, os.WriteFile(p, []byte(sarifOf(t, "--no-cache", "--shard", fmt.Sprintf("%d/%d", k, n), target)), 0o644))
		shards = append(shards, p)
	}
	return shards
}

// sarifOf scans paths with args into a SARIF file and returns its text.
func sarifOf(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.sarif")
	code, _, errs := residue(append([]string{"scan", "--format", "sarif", "-o", out}, args...)...)
	if code > 1 && !strings.Contains(errs, "the scan is incomplete") {
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
			if merged(t, shardReports(t, target, n)) != whole {
				t.Errorf("%s, %d shards: the merge differs from the whole scan", target, n)
			}
			if !strings.Contains(whole, `"ruleId"`) {
				t.Errorf("%s: the whole scan found nothing", target)
			}
		}
	}
}

// TestMergeCountsTheShardsFiles: merge's summary counts the files the
// shards scanned, as the whole scan's does.
func TestMergeCountsTheShardsFiles(t *testing.T) {
	summary := func(errs string) string {
		i := strings.LastIndex(errs, " in ")
		if i < 0 {
			t.Fatalf("no summary in %q", errs)
		}
		return strings.TrimSpace(errs[i:])
	}
	_, _, whole := residue("scan", "--no-cache", "--format", "sarif", "-o", filepath.Join(t.TempDir(), "w.sarif"), "../../testdata/demo")
	_, _, errs := residue(append([]string{"merge", "-o", filepath.Join(t.TempDir(), "m.sarif")}, shardReports(t, "../../testdata/demo", 3)...)...)
	if got, want := summary(errs), summary(whole); got != want || want == "in 0 files" {
		t.Errorf("merge says %q, the whole scan %q", got, want)
	}
}

func TestMergeRefuses(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a.sarif")
	must(t, os.WriteFile(a, []byte(sarifOf(t, "--no-cache", "../../testdata/demo")), 0o644))
	b := filepath.Join(t.TempDir(), "b.sarif")
	must(t, os.WriteFile(b, []byte(sarifOf(t, "--no-cache", "--category", "other", "../../testdata/demo")), 0o644))
	notSarif := filepath.Join(t.TempDir(), "c.sarif")
	must(t, os.WriteFile(notSarif, []byte("{}"), 0o644))
	shard := func(k string, flags ...string) string {
		p := filepath.Join(t.TempDir(), "shard.sarif")
		args := append(append([]string{"--no-cache", "--shard", k}, flags...), "../../testdata/demo")
		must(t, os.WriteFile(p, []byte(sarifOf(t, args...)), 0o644))
		return p
	}
	s12, s22, s13 := shard("1/2"), shard("2/2"), shard("1/3")
	// Shards of the same scan of two checkouts, in one of which a file grew.
	checkout := func(grow bool) string {
		dir := filepath.Join(t.TempDir(), "repo")
		must(t, os.CopyFS(dir, os.DirFS("../../testdata/demo")))
		must(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
		if grow {
			f := filepath.Join(dir, "manage.py")
			src, err := os.ReadFile(f)
			must(t, err)
			must(t, os.WriteFile(f, append(src, "# grown\n"...), 0o644))
		}
		return dir
	}
	shardOf := func(dir, k string) string {
		p := filepath.Join(t.TempDir(), "shard.sarif")
		must(t, os.WriteFile(p, []byte(sarifOf(t, "--no-cache", "--shard", k, dir)), 0o644))
		return p
	}
	one, grown := checkout(false), checkout(true)
	oneShard, grownShard := shardOf(one, "1/2"), shardOf(grown, "2/2")
	if code, _, errs := residue("merge", "-o", filepath.Join(t.TempDir(), "m.sarif"), oneShard, shardOf(checkout(false), "2/2")); code != 0 {
		t.Errorf("shards of two copies of one tree: exit %d, %q", code, errs)
	}
	code := filepath.Join(t.TempDir(), "manage.py")
	must(t, os.WriteFile(code, []byte("import os\n"), 0o644))
	conf := filepath.Join(t.TempDir(), ".residue.yml")
	for name, c := range map[string]struct {
		args []string
		err  string
	}{
		"different categories":    {[]string{"merge", s12, shard("2/2", "--category", "other")}, "not shards of one scan"},
		"different filters":       {[]string{"merge", s12, shard("2/2", "--severity", "error")}, "not shards of one scan"},
		"different paths":         {[]string{"merge", s12, shard("2/2", "--exclude", "webhooks/**")}, "not shards of one scan"},
		"different checkouts":     {[]string{"merge", oneShard, grownShard}, "they scanned other files"},
		"two whole scans":         {[]string{"merge", a, b}, "not the report of a shard"},
		"not SARIF":               {[]string{"merge", a, notSarif}, ""},
		"nothing":                 {[]string{"merge"}, ""},
		"stdin":                   {[]string{"merge", s12, "-"}, "not from stdin"},
		"missing file":            {[]string{"merge", a, filepath.Join(t.TempDir(), "none.sarif")}, ""},
		"a whole scan":            {[]string{"merge", a}, "not the report of a shard"},
		"a whole scan and shards": {[]string{"merge", s12, s22, a}, "not the report of a shard"},
		"a shard missing":         {[]string{"merge", s12}, "shard 2/2 missing"},
		"a shard twice":           {[]string{"merge", s12, s22, s12}, "both shard 1/2"},
		"shards of two scans":     {[]string{"merge", s12, s22, s13}, "not one scan"},
		"into one of the shards":  {[]string{"merge", "-o", s12, s12, s22}, "one of the reports merged"},
		"into a Python file":      {[]string{"merge", "-o", code, s12, s22}, "a Python or C file"},
		"into a configuration":    {[]string{"merge", "-o", conf, s12, s22}, "the name of the configuration file"},
	} {
		code, _, errs := residue(c.args...)
		if code != 2 || errs == "" || !strings.Contains(errs, c.err) {
			t.Errorf("%s: exit %d, %q", name, code, errs)
		}
	}
	if b, err := os.ReadFile(code); err != nil || string(b) != "import os\n" {
		t.Errorf("the Python file -o named was replaced: %q, %v", b, err)
	}
	if code, _, errs := residue("scan", "--shard", "5/4", "."); code != 2 || !strings.Contains(errs, "K/N") {
		t.Errorf("--shard 5/4: exit %d, %q", code, errs)
	}
	for _, k := range []string{"1/65537", "1/4294967297"} {
		if code, _, errs := residue("scan", "--shard", k, "."); code != 2 || !strings.Contains(errs, "at most 65536") {
			t.Errorf("--shard %s: exit %d, %q", k, code, errs)
		}
	}
}

// TestMergeShardsWithABaseline: shards compared with a baseline merge
// into the whole scan's report, also when a shard has no new finding
// (which no result then marks as compared).
func TestMergeShardsWithABaseline(t *testing.T) {
	base := filepath.Join(t.TempDir(), "base.sarif")
	must(t, os.WriteFile(base, []byte(sarifOf(t, "--no-cache", "../../testdata/demo/accounts")), 0o644))
	whole := sarifOf(t, "--no-cache", "--baseline", base, "../../testdata/demo")
	var shards []string
	empty := 0
	for k := 1; k <= 4; k++ {
		p := filepath.Join(t.TempDir(), "shard.sarif")
		data := sarifOf(t, "--no-cache", "--baseline", base, "--shard", fmt.Sprintf("%d/4", k), "../../testdata/demo")
		if !strings.Contains(data, `"ruleId"`) {
			empty++
		}
		must(t, os.WriteFile(p, []byte(data), 0o644))
		shards = append(shards, p)
	}
	if empty == 0 || empty == 4 {
		t.Fatalf("%d of 4 shards without new findings: the test needs some", empty)
	}
	if merged(t, shards) != whole {
		t.Error("the merge differs from the whole scan")
	}
}

// merged returns the report residue merge writes of the shards' reports.
func merged(t *testing.T, shards []string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "merged.sarif")
	if code, _, errs := residue(append([]string{"merge", "-o", out}, shards...)...); code != 0 && !strings.Contains(errs, "the merged scan is incomplete") {
		t.Fatalf("merge: exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	must(t, err)
	return string(data)
}

// TestOneFileGivesTheWholeScansFindings scans each file of the demo
// alone, as pre-commit does when one file is staged: its findings are
// the whole scan's findings in that file (the Python model summarizes
// only what that file's findings read).
func TestOneFileGivesTheWholeScansFindings(t *testing.T) {
	type report struct {
		Findings []struct {
			Rule     string `json:"rule"`
			Message  string `json:"message"`
			Location struct {
				Path      string `json:"path"`
				StartLine int    `json:"startLine"`
			} `json:"location"`
		} `json:"findings"`
	}
	scan := func(path string) map[string][]string {
		out := filepath.Join(t.TempDir(), "r.json")
		code, _, errs := residue("scan", "--no-cache", "--format", "json", "-o", out, path)
		if code > 1 {
			t.Fatalf("%s: exit %d: %s", path, code, errs)
		}
		data, err := os.ReadFile(out)
		must(t, err)
		var r report
		must(t, json.Unmarshal(data, &r))
		byFile := map[string][]string{}
		for _, f := range r.Findings {
			byFile[f.Location.Path] = append(byFile[f.Location.Path], fmt.Sprintf("%d %s %s", f.Location.StartLine, f.Rule, f.Message))
		}
		return byFile
	}
	const demo = "../../testdata/demo"
	whole := scan(demo)
	var files []string
	must(t, filepath.WalkDir(demo, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".py") || strings.HasSuffix(path, ".c")) {
			files = append(files, path)
		}
		return err
	}))
	found := 0
	for _, path := range files {
		file := strings.TrimPrefix(filepath.ToSlash(path), "../../")
		alone := scan(path)
		if got, want := alone[file], whole[file]; !slices.Equal(got, want) {
			t.Errorf("%s scanned alone:\n%s\nthe whole scan:\n%s", file, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(alone) > 1 || len(alone) == 1 && alone[file] == nil {
			t.Errorf("%s scanned alone has findings in other files: %v", file, alone)
		}
		found += len(alone[file])
	}
	if found == 0 {
		t.Error("no file scanned alone had a finding")
	}
}

// TestShardIdentityIgnoresSpelling: shards of one scan whose paths and
// rules directories are written differently (no path or ".", a relative or
// an absolute --rules) merge, into the whole scan's report.
func TestShardIdentityIgnoresSpelling(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "import os\nos.system(x)\n", "b.py": "import os\nos.system(y)\n", "c.py": "x = 1\n"})
	git(t, dir, "init", "-q")
	must(t, os.MkdirAll(filepath.Join(dir, "myrules"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "myrules", "r.yml"), []byte("id: t/system\nname: System\nlanguage: python\nseverity: warning\n"+
		"security-severity: 5\nprecision: high\nsummary: s\nhelp: h\nmessage: os.system runs a shell\npattern: os.system($X)\n"), 0o644))
	scan := func(args ...string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.sarif")
		cmd := exec.Command(testResidue(t), append([]string{"scan", "--no-cache", "--no-builtin", "--format", "sarif", "-o", out}, args...)...)
		cmd.Dir = dir
		if err := cmd.Run(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("%q: %v", args, err)
			}
		}
		return out
	}
	whole := readFile(t, scan("--rules", "myrules"))
	if strings.Count(whole, `"ruleId": "t/system"`) != 2 {
		t.Fatalf("the whole scan does not find both calls:\n%s", whole)
	}
	shards := []string{scan("--rules", "myrules", "--shard", "1/2"), scan("--rules", filepath.Join(dir, "myrules"), "--shard", "2/2", ".")}
	if merged(t, shards) != whole {
		t.Error("the merge differs from the whole scan")
	}
}

// TestMergeRefusesAnotherBuild: shards written by two builds of residue
// with the same version (a commit landing while a matrix runs) are not
// one scan: their findings' messages may differ.
func TestMergeRefusesAnotherBuild(t *testing.T) {
	self, err := os.Executable()
	must(t, err)
	data, err := os.ReadFile(self)
	must(t, err)
	dir := t.TempDir()
	other := filepath.Join(dir, "other-build")
	must(t, os.WriteFile(other, append(data, 0), 0o755))
	script := filepath.Join(dir, "residue")
	must(t, os.WriteFile(script, []byte("#!/bin/sh\n"+asResidueEnv+"=1 exec '"+other+"' \"$@\"\n"), 0o755))
	demo, err := filepath.Abs("../../testdata/demo")
	must(t, err)
	s1, s2 := filepath.Join(dir, "s1.sarif"), filepath.Join(dir, "s2.sarif")
	for _, c := range []struct{ bin, shard, out string }{{testResidue(t), "1/2", s1}, {script, "2/2", s2}} {
		cmd := exec.Command(c.bin, "scan", "--no-cache", "--shard", c.shard, "--format", "sarif", "-o", c.out, demo)
		if out, err := cmd.CombinedOutput(); err != nil {
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("shard %s: %v\n%s", c.shard, err, out)
			}
		}
	}
	if code, _, errs := residue("merge", s1, s2); code != 2 || !strings.Contains(errs, "not shards of one scan") {
		t.Errorf("shards of two builds merged: exit %d, %q", code, errs)
	}
}

// TestShardsMergeToTheWholeScanPastGitHubsLimits: with more findings in
// each shard than a SARIF report keeps for GitHub (25,000), each shard's
// report keeps everything, and the merge, in either order of the shards,
// cuts what the whole scan cuts: the same results, fingerprints left out
// and notifications.
func TestShardsMergeToTheWholeScanPastGitHubsLimits(t *testing.T) {
	useTestAnalyzers(t)
	files := map[string]string{".git/HEAD": "ref: refs/heads/main\n"}
	var body strings.Builder
	for j := range 3000 {
		fmt.Fprintf(&body, "leak(%d)\n", j)
	}
	for i := range 20 {
		files[fmt.Sprintf("m/f%02d.py", i)] = body.String()
	}
	dir := tree(t, files)
	whole := sarifOf(t, "--no-cache", dir)
	if !strings.Contains(whole, "results truncated: 25000 of 60000 written") {
		t.Fatal("the whole scan was not cut at 25,000 results")
	}
	shards := shardReports(t, dir, 2)
	for k, p := range shards {
		if strings.Contains(readFile(t, p), "truncated") {
			t.Errorf("shard %d/2's report was cut", k+1)
		}
	}
	for _, order := range [][]string{shards, {shards[1], shards[0]}} {
		if merged(t, order) != whole {
			t.Errorf("the merge of %d shards differs from the whole scan", len(order))
		}
	}
}

// TestShardsMergeToTheWholeScanPastTheRuleCap: a rule with more findings
// in the scan than a run reports of one rule reports none in the whole
// scan, with an error; its shards, each within the cap or not, merge to
// the same report.
func TestShardsMergeToTheWholeScanPastTheRuleCap(t *testing.T) {
	useTestAnalyzers(t)
	old := driver.MaxRuleFindings
	driver.MaxRuleFindings = 7
	t.Cleanup(func() { driver.MaxRuleFindings = old })
	files := map[string]string{".git/HEAD": "ref: refs/heads/main\n", "big.py": "leak(1)\nleak(2)\nleak(3)\nleak(4)\nleak(5)\nleak(6)\nleak(7)\nleak(8)\n"}
	for i := range 6 {
		files[fmt.Sprintf("m/f%d.py", i)] = "leak(1)\n"
		files[fmt.Sprintf("n/g%d.c", i)] = "void f(void) { leak(1); leak(2); }\n"
	}
	dir := tree(t, files)
	// The report is written, and the run exits 2: it is incomplete.
	if code, _, errs := residue("scan", "--no-cache", "--format", "sarif", "-o", filepath.Join(t.TempDir(), "r.sarif"), dir); code != 2 || !strings.Contains(errs, "residue: the scan is incomplete: 2 errors above") {
		t.Errorf("a scan past the cap: exit %d, stderr %q", code, errs)
	}
	whole := sarifOf(t, "--no-cache", dir)
	for _, want := range []string{"rule test/leak: 14 findings, more than the 7", "rule test/cleak: 12 findings, more than the 7"} {
		if !strings.Contains(whole, want) || strings.Contains(whole, `"ruleId": "test/leak"`) || strings.Contains(whole, `"ruleId": "test/cleak"`) {
			t.Fatalf("the whole scan did not drop both rules (%s):\n%s", want, whole)
		}
	}
	for _, n := range []int{2, 3, 2, 3} {
		if merged(t, shardReports(t, dir, n)) != whole {
			t.Errorf("%d shards: the merge differs from the whole scan", n)
		}
	}
}
