package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/discover"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

const testUsage = `Usage: residue test DIR

Test the rules of DIR (the built-in rules are tested by their fixtures,
with go test ./rules/...):
  - each rule's inline tests: every 'bad' snippet must be reported by the
    rule, no 'good' snippet may be;
  - every Python or C file under DIR is a fixture, annotated in the style of
    'semgrep --test': a comment 'ruleid: ID' above a line that rule ID must
    report, 'ok: ID' above a line it must not. A finding on a line without
    'ruleid' for its rule fails too ('todoruleid' and 'todook' mark known
    gaps, which do not fail).
Prints a pass/fail table; exits 1 when a test fails, 2 when a rule file is
malformed.

Examples:
  residue test .residue/rules
  residue test testdata/rules-example
`

var annotation = regexp.MustCompile(`(?:#|//|/\*)\s*(ruleid|ok|todoruleid|todook):\s*([A-Za-z0-9_/, -]+?)\s*(?:\*/)?\s*$`)

// ruleResult is one rule's test outcome.
type ruleResult struct {
	passed, failed int
	problems       []string
}

func testCmd(args []string, stdout, _ io.Writer) (int, error) {
	fs := newCommand("test", testUsage, stdout)
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) != 1 {
		// The built-in rules have no inline tests: their fixtures are
		// txtar archives that go test runs.
		return exitError, &usageError{"test takes one directory of rules (the built-in rules are tested with go test ./rules/...)"}
	}
	dir := rest[0]
	if fi, err := os.Stat(dir); err != nil {
		return exitError, &usageError{fmt.Sprintf("test %s: no such directory of rules", dir)}
	} else if !fi.IsDir() {
		return exitError, &usageError{fmt.Sprintf("test %s: not a directory of rules", dir)}
	}
	src := ruleSource{dirs: listFlag{dir}, noBuiltin: true}
	set, err := src.load()
	if err != nil {
		return exitError, err
	}
	if len(set.All()) == 0 {
		return exitError, fmt.Errorf("%s holds no rule files (*.yml, *.yaml); nothing to test", dir)
	}
	if err := builtinIDs(set); err != nil {
		return exitError, err
	}
	as, err := analyzersFor(set)
	if err != nil {
		return exitError, err
	}
	results := map[string]*ruleResult{}
	for _, r := range set.All() {
		results[r.ID] = &ruleResult{}
	}
	if err := runInlineTests(set, as, results); err != nil {
		return exitError, err
	}
	if err := runFixtures(dir, set, as, results); err != nil {
		return exitError, err
	}
	return printResults(stdout, set, results), nil
}

// builtinIDs refuses a rule whose id is a built-in rule's, which a scan
// that loads both refuses: a rule that passes its tests must load.
func builtinIDs(set *rule.Set) error {
	builtin, err := loadRules()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range set.All() {
		if builtin.Get(r.ID) != nil {
			errs = append(errs, &rule.Error{File: r.File, Line: r.Line, Col: 1,
				Msg: fmt.Sprintf("rule %s has the id of a built-in rule, which a scan refuses; name it otherwise", r.ID)})
		}
	}
	return errors.Join(errs...)
}

// scanDir scans dir with the analyzers and returns every finding.
func scanDir(dir string, set *rule.Set, as []*analyzers.Analyzer) ([]analyzers.Finding, error) {
	res, err := driver.Run(driver.Config{Analyzers: as, Rules: set, Paths: []string{dir}, Root: dir, NoIgnore: true})
	if err != nil {
		return nil, err
	}
	return res.Findings, nil
}

// runInlineTests writes each rule's bad and good snippets to files of the
// rule's language and checks the rule's findings on them, whatever files
// the rule's paths limit it to.
func runInlineTests(set *rule.Set, as []*analyzers.Analyzer, results map[string]*ruleResult) error {
	tmp, err := os.MkdirTemp("", "residue-test-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	type snippet struct {
		rule *rule.Rule
		bad  bool
		n    int
	}
	snippets := map[string]snippet{}
	codes := map[string]string{}
	var unlimited []*rule.Rule
	for ri, r := range set.All() {
		c := *r
		c.Paths = rule.Paths{}
		unlimited = append(unlimited, &c)
		ext := ".py"
		if r.Language == "c" {
			ext = ".c"
		}
		for i, code := range append(append([]string{}, r.Tests.Bad...), r.Tests.Good...) {
			name := fmt.Sprintf("rule%d_%d%s", ri, i, ext) // ids may map to the same name
			if err := os.WriteFile(filepath.Join(tmp, name), []byte(code+"\n"), 0o644); err != nil {
				return err
			}
			bad := i < len(r.Tests.Bad)
			n := i + 1
			if !bad {
				n = i - len(r.Tests.Bad) + 1
			}
			snippets[name] = snippet{r, bad, n}
			codes[name] = code
		}
	}
	if len(snippets) == 0 {
		return nil
	}
	if set, err = rule.NewSet(unlimited); err != nil {
		return err
	}
	findings, err := scanDir(tmp, set, as)
	if err != nil {
		return err
	}
	hits := map[string]bool{}
	for _, f := range findings {
		if s, ok := snippets[f.Location.Path]; ok && f.RuleID == s.rule.ID {
			hits[f.Location.Path] = true
		}
	}
	for name, s := range snippets {
		res := results[s.rule.ID]
		switch {
		case s.bad && !hits[name]:
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("tests.bad item %d (%s) is not reported%s", s.n, snippetText(codes[name]), parseHint(s.rule.Language, codes[name])))
		case !s.bad && hits[name]:
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("tests.good item %d (%s) is reported", s.n, snippetText(codes[name])))
		default:
			res.passed++
		}
	}
	return nil
}

// snippetText shows a test snippet in a message: its first line, quoted,
// cut at 60 characters, with an ellipsis for what is left out.
func snippetText(code string) string {
	line, rest, more := strings.Cut(strings.TrimSpace(code), "\n")
	if r := []rune(line); len(r) > 60 {
		line, more = string(r[:60]), true
	}
	if more || strings.TrimSpace(rest) != "" {
		line += "…"
	}
	return strconv.Quote(line)
}

// langName names a rule language for a message.
func langName(lang string) string {
	if lang == "c" {
		return "C"
	}
	return "Python"
}

// parseHint says why a snippet that is not reported may not be: it does
// not parse as its rule's language.
func parseHint(lang, code string) string {
	p := source.NewParser(0)
	defer p.Close()
	f := source.NewFile("snippet", source.Language(lang), []byte(code+"\n"))
	if p.Parse(f) != nil {
		return ""
	}
	defer f.Close()
	if !f.Root().HasError() {
		return ""
	}
	return fmt.Sprintf(" (it does not parse as %s, and matches near syntax errors may be missing)", langName(lang))
}

// expectation is one annotation: rule id on path:line, which must report
// there (ruleid) or must not (ok); todo marks a known gap (todoruleid,
// todook), which is not checked.
type expectation struct {
	path string
	at   int // the annotation's own line
	line int
	id   string
	want bool
	todo bool
}

// runFixtures scans the Python and C files under dir, those a scan of
// dir reads (.pyi files and Python scripts too, not what it skips), and
// checks them against their ruleid/ok annotations. dir may be a symlink
// to a folder. Fixtures are named as dir is (their paths under it).
func runFixtures(dir string, set *rule.Set, as []*analyzers.Analyzer, results map[string]*ruleResult) error {
	given := dir
	shown := func(path string) string { return filepath.Join(given, filepath.FromSlash(path)) }
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	files, _, err := discover.Walk([]string{dir}, discover.Options{Root: dir, NoIgnore: true})
	if err != nil || len(files) == 0 {
		return err
	}
	var exps []expectation
	langs := map[string]source.Language{}
	for _, f := range files {
		data, err := os.ReadFile(f.Abs)
		if err != nil {
			return err
		}
		exps = append(exps, annotations(f.Path, string(data))...)
		langs[f.Path] = f.Lang
	}
	ruleLang := map[string]string{}
	for _, r := range set.All() {
		ruleLang[r.ID] = r.Language
	}
	findings, err := scanDir(dir, set, as)
	if err != nil {
		return err
	}
	got := map[string]bool{}
	for _, f := range findings {
		got[f.Location.Path+":"+strconv.Itoa(f.Location.StartLine)+":"+f.RuleID] = true
	}
	annotated := map[string]bool{}
	for _, e := range exps {
		key := e.path + ":" + strconv.Itoa(e.line) + ":" + e.id
		annotated[key] = true
		res := results[e.id]
		if res == nil {
			return fmt.Errorf("%s:%d: annotation names unknown rule %q", shown(e.path), e.at, e.id)
		}
		if e.todo {
			continue
		}
		if lang, ok := ruleLang[e.id]; ok && e.want && string(langs[e.path]) != lang {
			// A rule of one language never reports in a file of the
			// other: "expected a finding, got none" did not say why.
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("%s:%d: a ruleid annotation of %s, a %s rule, in a %s file, where it never reports",
				shown(e.path), e.at, e.id, langName(lang), langName(string(langs[e.path]))))
			continue
		}
		switch found := got[key]; {
		case e.want && !found:
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("%s:%d: expected a finding, got none", shown(e.path), e.line))
		case !e.want && found:
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("%s:%d: unexpected finding", shown(e.path), e.line))
		default:
			res.passed++
		}
	}
	// As in semgrep --test, a finding where no annotation expects one fails.
	for _, f := range findings {
		key := f.Location.Path + ":" + strconv.Itoa(f.Location.StartLine) + ":" + f.RuleID
		if res := results[f.RuleID]; res != nil && !annotated[key] {
			res.failed++
			res.problems = append(res.problems, fmt.Sprintf("%s:%d: unexpected finding (no ruleid annotation)", shown(f.Location.Path), f.Location.StartLine))
		}
	}
	return nil
}

// annotations parses a fixture's ruleid/ok comments; each applies to the
// next line that is not itself a comment.
func annotations(path, text string) []expectation {
	lines := strings.Split(text, "\n")
	var out []expectation
	for i, line := range lines {
		loc := annotation.FindStringSubmatchIndex(line)
		if loc == nil {
			continue
		}
		m := annotation.FindStringSubmatch(line)
		// An annotation after code is about its own line; one on a line
		// of its own, about the next line that is not an annotation.
		target := i
		if strings.TrimSpace(line[:loc[0]]) == "" {
			target = i + 1
			for target < len(lines) && annotation.MatchString(lines[target]) {
				target++
			}
		}
		for _, id := range strings.Split(m[2], ",") {
			if id = strings.TrimSpace(id); id != "" {
				out = append(out, expectation{path: path, at: i + 1, line: target + 1, id: id, want: m[1] == "ruleid", todo: strings.HasPrefix(m[1], "todo")})
			}
		}
	}
	return out
}

// printResults prints the table and the failures; it returns the exit code.
func printResults(w io.Writer, set *rule.Set, results map[string]*ruleResult) int {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tPASSED\tFAILED\tRESULT")
	failed, tested := 0, 0
	var problems []string
	for _, r := range set.All() {
		res := results[r.ID]
		status := "ok"
		switch {
		case res.failed > 0:
			status = "FAIL"
			failed++
		case res.passed == 0:
			status = "no tests"
		}
		if res.passed+res.failed > 0 {
			tested++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", r.ID, res.passed, res.failed, status)
		for _, p := range res.problems {
			problems = append(problems, r.ID+": "+p)
		}
	}
	tw.Flush()
	slices.SortFunc(problems, naturalCompare)
	for _, p := range problems {
		fmt.Fprintln(w, p)
	}
	fmt.Fprintf(w, "%s tested, %d failed\n", count(tested, "rule"), failed)
	if failed > 0 {
		return exitFindings
	}
	return exitClean
}

// naturalCompare orders strings as text, but runs of digits by their
// value: fixture.py:8 before fixture.py:10.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digitRun returns the length of the digits s starts with.
func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
