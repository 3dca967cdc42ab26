package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/all"
	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/pattern"
	"github.com/residue-sec/residue/analyzers/report"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/analyzers/source"
)

const queryUsage = `Usage: residue query --lang python|c [--pattern] QUERY [PATH ...]

Search PATHs (default: .) with a tree-sitter query, or with --pattern a code
snippet with metavariables ($X, $...ARGS, $_), and print every match with
its source line: the quickest way to write a rule. The query reports
@finding, or each top-level pattern's whole match. Exit status 0 when
something matched, 1 when nothing did.

Examples:
  residue query --lang python '(call function: (attribute attribute: (identifier) @m) (#eq? @m "info")) @finding' .
  residue query --lang python --pattern 'logger.info($...ARGS, request.body)' app/
  residue query --lang c --pattern 'memcpy($D, $S, sizeof $S)' native/
`

func queryCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newCommand("query", queryUsage, stdout)
	lang := fs.String("lang", "", "the query's language, `LANG`: python or c (required)")
	isPattern := fs.Bool("pattern", false, "QUERY is a code pattern, not a tree-sitter query")
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	l, ok := source.ParseLanguage(*lang)
	if !ok {
		return exitError, &usageError{"--lang must be python or c"}
	}
	if len(rest) == 0 {
		return exitError, &usageError{"query needs a QUERY"}
	}
	r := &rule.Rule{ID: "query/match", Name: "Match", Language: string(l), Severity: "note",
		Precision: "high", Summary: "A match of the ad-hoc query.", Help: "An ad-hoc query.",
		Message: "match", File: "<query>", Line: 1,
		Positions: map[string]rule.Position{"query": {Line: 1, Column: 1}, "pattern": {Line: 1, Column: 1}}}
	if *isPattern {
		r.Pattern = rest[0]
		if p, err := pattern.Compile(l, rest[0]); err == nil {
			for _, v := range p.Metavariables {
				r.Message += fmt.Sprintf(" %s={{%s}}", v, v)
			}
		}
	} else {
		r.Query = rest[0]
	}
	a, err := all.Declarative([]*rule.Rule{r})
	if err != nil {
		return exitError, &usageError{strings.TrimPrefix(err.Error(), "<query>:")}
	}
	set, _ := rule.NewSet([]*rule.Rule{r})
	res, err := driver.Run(driver.Config{Analyzers: []*analyzers.Analyzer{a}, Rules: set, Paths: rest[1:], SkipIgnoreNames: true})
	if err != nil {
		return exitError, err
	}
	for _, n := range res.Notifications {
		printNotification(stderr, n)
	}
	run := &report.Run{ToolVersion: toolVersion(), Rules: res.Rules, Findings: res.Findings, FilesScanned: res.FilesScanned, FilesSkipped: res.FilesSkipped}
	if err := report.WriteText(stdout, run, report.TextOptions{}); err != nil {
		return exitError, err
	}
	if len(res.Findings) == 0 {
		return exitFindings, nil
	}
	return exitClean, nil
}
