package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/residue-sec/residue/analyzers/driver"
	"github.com/residue-sec/residue/analyzers/rule"
	"github.com/residue-sec/residue/rules"
)

// loadRules loads and validates the rules; tests substitute their own.
var loadRules = loadBuiltinRules

// loadBuiltinRules loads and validates the built-in rules.
func loadBuiltinRules() (*rule.Set, error) {
	builtin, err := rules.Builtin()
	if err != nil {
		return nil, fmt.Errorf("invalid rule file:\n%v", err)
	}
	return rule.NewSet(builtin)
}

const rulesUsage = `Usage: residue rules [--format text|json] [--rules DIR] [--no-builtin]

List every rule with its id, severity, language and summary, as a scan of
the current directory uses them: the built-in rules, those of the nearest
.residue.yml's rules-dirs (with its severities; a rule it disables has the
severity "disabled") and of each --rules directory. --format json adds
each rule's file, and "disabled": true.

Examples:
  residue rules
  residue rules --rules .residue/rules
  residue rules --format json | jq -r '.[].id'
`

func rulesCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newCommand("rules", rulesUsage, stdout)
	format := fs.String("format", "text", "output `FORMAT`: text or json")
	var src ruleSource
	src.register(fs)
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) > 0 {
		return exitError, &usageError{"rules takes no arguments"}
	}
	set, disabled, err := src.forRepository(stderr)
	if err != nil {
		return exitError, err
	}
	off := func(r *rule.Rule) bool { return driver.Disabled(disabled, r.ID) }
	switch *format {
	case "json":
		type entry struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Language string `json:"language"`
			Summary  string `json:"summary"`
			File     string `json:"file"`
			Disabled bool   `json:"disabled,omitempty"`
		}
		out := []entry{}
		for _, r := range set.All() {
			out = append(out, entry{r.ID, r.Severity, r.Language, r.Summary, r.File, off(r)})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return exitClean, enc.Encode(out)
	case "text":
		var shown []*rule.Rule
		for _, r := range set.All() {
			if off(r) {
				c := *r
				c.Severity = "disabled"
				r = &c
			}
			shown = append(shown, r)
		}
		writeRuleTable(stdout, shown)
		fmt.Fprintf(stdout, "%s; 'residue explain RULE' shows a rule's documentation and file\n", count(len(set.All()), "rule"))
		return exitClean, nil
	}
	return exitError, &usageError{fmt.Sprintf("unknown --format %q (want text or json)", *format)}
}

const explainUsage = `Usage: residue explain RULE|FAMILY

Print a rule's documentation: why it matters, how to fix it, examples. For
a family (ctypes, cmem, mtls, logging, crosslang, or one of your rules' families),
list its rules.

Examples:
  residue explain logging/request-body
  residue explain logging
`

func explainCmd(args []string, stdout, stderr io.Writer) (int, error) {
	fs := newCommand("explain", explainUsage, stdout)
	var src ruleSource
	src.register(fs)
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) != 1 {
		return exitError, &usageError{"explain takes one rule id"}
	}
	set, _, err := src.forRepository(stderr)
	if err != nil {
		return exitError, err
	}
	r := set.Get(rest[0])
	if r == nil {
		family := familyRules(set, rest[0])
		switch {
		case len(family) == 0 && strings.Contains(rest[0], "/"):
			if near := rule.Closest(set.All(), rest[0]); near != "" {
				return exitError, &usageError{fmt.Sprintf("no rule %q; did you mean %s?", rest[0], near)}
			}
			return exitError, &usageError{fmt.Sprintf("no rule %q; 'residue rules' lists them", rest[0])}
		case len(family) == 0:
			return exitError, &usageError{fmt.Sprintf("no rule or rule family %q; 'residue rules' lists them", rest[0])}
		}
		fmt.Fprintf(stdout, "The %s family has %s:\n\n", rest[0], count(len(family), "rule"))
		writeRuleTable(stdout, family)
		fmt.Fprintf(stdout, "\n'residue explain RULE' shows one rule's documentation.\n")
		return exitClean, nil
	}
	fmt.Fprintf(stdout, "%s (%s, %s, precision %s, security severity %.1f)\n\n%s\n\n%s\n",
		r.ID, r.Severity, r.Language, r.Precision, r.SecuritySeverity, r.Summary, strings.TrimSpace(r.Help))
	if len(r.CWE) > 0 {
		fmt.Fprintf(stdout, "\nCWE: %s\n", strings.Join(r.CWE, ", "))
	}
	for _, ref := range r.References {
		fmt.Fprintf(stdout, "See: %s\n", ref)
	}
	fmt.Fprintf(stdout, "Rule file: %s\n", r.File)
	return exitClean, nil
}

// familyRules returns the rules of set whose id starts with family + "/".
func familyRules(set *rule.Set, family string) []*rule.Rule {
	var out []*rule.Rule
	for _, r := range set.All() {
		if strings.HasPrefix(r.ID, family+"/") {
			out = append(out, r)
		}
	}
	return out
}

// tableWidth is the width the rule table fits in.
const tableWidth = 100

// writeRuleTable writes rules as a table of id, severity, language and
// summary, no wider than tableWidth columns: the summaries wrap, indented
// under their column.
func writeRuleTable(w io.Writer, rules []*rule.Rule) {
	head := []string{"ID", "SEVERITY", "LANGUAGE"}
	widths := []int{len(head[0]), len(head[1]), len(head[2])}
	for _, r := range rules {
		for i, v := range []string{r.ID, r.Severity, r.Language} {
			widths[i] = max(widths[i], len(v))
		}
	}
	indent := widths[0] + widths[1] + widths[2] + 3*2
	room := max(tableWidth-indent, 30)
	row := func(cols []string, summary string) {
		line := fmt.Sprintf("%-*s  %-*s  %-*s  ", widths[0], cols[0], widths[1], cols[1], widths[2], cols[2])
		for i, part := range wrap(summary, room) {
			if i > 0 {
				line = strings.Repeat(" ", indent)
			}
			fmt.Fprintln(w, strings.TrimRight(line+part, " "))
		}
	}
	row(head, "SUMMARY")
	for _, r := range rules {
		row([]string{r.ID, r.Severity, r.Language}, r.Summary)
	}
}

// wrap splits text into lines of at most width characters at blanks; a
// longer word gets a line of its own. It returns one line for empty text.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}
