// Package analyzertest runs analyzers over txtar fixtures and checks their
// findings against `want` comments, in the style of
// golang.org/x/tools/go/analysis/analysistest.
//
// A fixture is a txtar archive: a small tree of files. An expected finding
// is a comment on its line, `# want "regexp"` in Python and
// `/* want "regexp" */` or `// want "regexp"` in C, matched against
// "<rule-id>: <message>". A comment may hold several expectations, each
// optionally preceded by +N to expect it N lines below the comment:
// `# want "logging/a" +2 "logging/b"`. `todo "regexp"` documents a known
// gap: it does not fail while the finding is missing, and fails once it
// appears, so that it is turned into a want.
//
// The archive's comment (the text before its first file) may set analyzer
// settings, one per line: `settings: logging.sanitizers = clean, tidy`.
package analyzertest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/txtar"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/filter"
	"github.com/residue-sec/residue/analyzers/rule"
)

// Testing is the part of *testing.T the harness uses.
type Testing interface {
	Helper()
	Errorf(format string, args ...any)
	TempDir() string
}

// Run extracts the txtar archive at path, scans it with as (rule metadata
// from rules, or synthesized for each declared rule when rules is nil), and
// reports every missing or unexpected finding through t. It returns the
// scan's result, or nil when the scan could not run.
func Run(t Testing, path string, rules *rule.Set, as ...*analyzers.Analyzer) *driver.Result {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return nil
	}
	return RunArchive(t, path, ar, rules, as...)
}

// RunArchive is Run for an archive already in memory; name labels errors.
func RunArchive(t Testing, name string, ar *txtar.Archive, rules *rule.Set, as ...*analyzers.Analyzer) *driver.Result {
	t.Helper()
	dir := t.TempDir()
	if err := Write(dir, ar); err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	var exps []*expectation
	for _, f := range ar.Files {
		fe, err := expectations(f.Name, f.Data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return nil
		}
		exps = append(exps, fe...)
	}
	if rules == nil {
		rules = Rules("warning", as...)
	}
	settings, err := parseSettings(ar.Comment)
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	res, err := driver.Run(driver.Config{Analyzers: as, Rules: rules, Paths: []string{dir}, Root: dir, Jobs: 1, Settings: settings})
	if err != nil {
		t.Errorf("%s: %v", name, err)
		return nil
	}
	for _, n := range res.Notifications {
		if n.Level == "error" {
			t.Errorf("%s: %s: %s", name, n.Path, n.Message)
		}
	}
	check(t, name, filter.Report(res.Findings, "", false), exps)
	return res
}

// parseSettings reads `settings: ANALYZER.KEY = V1, V2` lines of an
// archive's comment.
func parseSettings(comment []byte) (map[string]analyzers.Settings, error) {
	out := map[string]analyzers.Settings{}
	for _, line := range strings.Split(string(comment), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "settings:")
		if !ok {
			continue
		}
		key, vals, ok := strings.Cut(rest, "=")
		an, k, dotted := strings.Cut(strings.TrimSpace(key), ".")
		if !ok || !dotted || an == "" || k == "" {
			return nil, fmt.Errorf("malformed settings line %q (want settings: ANALYZER.KEY = V1, V2)", line)
		}
		if out[an] == nil {
			out[an] = analyzers.Settings{}
		}
		for _, v := range strings.Split(vals, ",") {
			if v = strings.TrimSpace(v); v != "" {
				out[an][k] = append(out[an][k], v)
			}
		}
	}
	return out, nil
}

// An expectation is one want or todo: a regexp for a finding on a line.
type expectation struct {
	path string
	line int
	re   *regexp.Regexp
	todo bool
	met  bool
}

var (
	commentPattern = regexp.MustCompile(`(?:#|//|/\*)\s*(want|todo)\s+(.*?)\s*(?:\*/)?\s*$`)
	itemPattern    = regexp.MustCompile(`^\s*(?:\+(\d+)\s+)?("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)
)

// expectations parses the want and todo comments of one fixture file.
func expectations(path string, data []byte) ([]*expectation, error) {
	var out []*expectation
	for i, line := range strings.Split(string(data), "\n") {
		m := commentPattern.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rest := m[2]
		for strings.TrimSpace(rest) != "" {
			item := itemPattern.FindStringSubmatch(rest)
			if item == nil {
				return nil, fmt.Errorf("%s:%d: malformed %s comment near %q", path, i+1, m[1], rest)
			}
			rest = rest[len(item[0]):]
			offset := 0
			if item[1] != "" {
				offset, _ = strconv.Atoi(item[1])
			}
			pat, err := strconv.Unquote(item[2])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
			}
			re, err := regexp.Compile(pat)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
			}
			out = append(out, &expectation{path: path, line: i + 1 + offset, re: re, todo: m[1] == "todo"})
		}
	}
	return out, nil
}

// check matches findings against expectations, one finding per expectation.
func check(t Testing, name string, findings []analyzers.Finding, exps []*expectation) {
	t.Helper()
	var problems []string
	for _, f := range findings {
		text := f.RuleID + ": " + f.Message
		var hit *expectation
		for _, e := range exps {
			if !e.met && e.path == f.Location.Path && e.line == f.Location.StartLine && e.re.MatchString(text) {
				hit = e
				break
			}
		}
		switch {
		case hit == nil:
			problems = append(problems, fmt.Sprintf("%s:%d:%d: unexpected finding %s", f.Location.Path, f.Location.StartLine, f.Location.StartColumn, text))
		case hit.todo:
			hit.met = true
			problems = append(problems, fmt.Sprintf("%s:%d: todo %q is now found (%s): make it a want", hit.path, hit.line, hit.re, text))
		default:
			hit.met = true
		}
	}
	for _, e := range exps {
		if !e.met && !e.todo {
			problems = append(problems, fmt.Sprintf("%s:%d: no finding matched want %q", e.path, e.line, e.re))
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Errorf("%s: %s", name, p)
	}
}

// Rules makes minimal rule metadata, at severity, for analyzers used
// without rule files.
func Rules(severity string, as ...*analyzers.Analyzer) *rule.Set {
	var rs []*rule.Rule
	for _, a := range as {
		for _, id := range a.Rules {
			rs = append(rs, &rule.Rule{ID: id, Name: id, Language: "python", Severity: severity, Precision: "high", Summary: id, Help: id, Analyzer: a.Name})
		}
	}
	set, _ := rule.NewSet(rs)
	return set
}

// Write writes the files of a txtar archive under dir.
func Write(dir string, ar *txtar.Archive) error {
	for _, f := range ar.Files {
		dst := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
