package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

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

List every rule with its id, severity, language, summary and rule file:
the built-in rules and those of each --rules directory.

Examples:
  residue rules
  residue rules --rules .residue/rules
  residue rules --format json | jq -r '.[].id'
`

func rulesCmd(args []string, stdout, _ io.Writer) (int, error) {
	fs := newCommand("rules", rulesUsage, stdout)
	format := fs.String("format", "text", "output format: text or json")
	var src ruleSource
	src.register(fs)
	rest, err := fs.parse(args)
	if err != nil {
		return exitError, err
	}
	if len(rest) > 0 {
		return exitError, &usageError{"rules takes no arguments"}
	}
	set, err := src.load()
	if err != nil {
		return exitError, err
	}
	switch *format {
	case "json":
		type entry struct {
			ID       string `json:"id"`
			Severity string `json:"severity"`
			Language string `json:"language"`
			Summary  string `json:"summary"`
			File     string `json:"file"`
		}
		out := []entry{}
		for _, r := range set.All() {
			out = append(out, entry{r.ID, r.Severity, r.Language, r.Summary, r.File})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return exitClean, enc.Encode(out)
	case "text":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSEVERITY\tLANGUAGE\tSUMMARY\tFILE")
		for _, r := range set.All() {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Language, r.Summary, r.File)
		}
		if err := tw.Flush(); err != nil {
			return exitError, err
		}
		fmt.Fprintf(stdout, "%d rules\n", len(set.All()))
		return exitClean, nil
	}
	return exitError, &usageError{fmt.Sprintf("unknown --format %q (want text or json)", *format)}
}

const explainUsage = `Usage: residue explain RULE

Print a rule's documentation: why it matters, how to fix it, examples.

Example:
  residue explain logging/request-body
`

func explainCmd(args []string, stdout, _ io.Writer) (int, error) {
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
	set, err := src.load()
	if err != nil {
		return exitError, err
	}
	r := set.Get(rest[0])
	if r == nil {
		return exitError, &usageError{fmt.Sprintf("no rule %q; 'residue rules' lists them", rest[0])}
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
