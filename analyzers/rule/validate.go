package rule

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers/glob"
)

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$`)
	cwePattern = regexp.MustCompile(`^CWE-[0-9]+$`)
)

// Severities are the valid `severity:` values, highest first (SARIF levels).
var Severities = []string{"error", "warning", "note"}

// Precisions are the valid `precision:` values (GitHub code scanning's).
var Precisions = []string{"very-high", "high", "medium", "low"}

// SeverityRank orders severities: error 3, warning 2, note 1, unknown 0.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return len(Severities) - i
		}
	}
	return 0
}

// Lower returns the severity one level below level ("error" → "warning"),
// level itself for "note" or an unknown level.
func Lower(level string) string {
	for i, s := range Severities {
		if s == level && i+1 < len(Severities) {
			return Severities[i+1]
		}
	}
	return level
}

// validate checks the decoded rule r against the format, locating each
// problem at its key in n.
func validate(file string, n *yaml.Node, r *Rule) error {
	fail := func(key, msg string) error {
		if k := mappingKey(n, key); k != nil {
			return at(file, k, msg)
		}
		return at(file, n, msg)
	}
	required := []struct{ key, val string }{
		{"id", r.ID}, {"name", r.Name}, {"language", r.Language}, {"severity", r.Severity},
		{"precision", r.Precision}, {"summary", r.Summary}, {"help", r.Help},
	}
	var missing []string // every one, so that one run names them all
	for _, f := range required {
		if strings.TrimSpace(f.val) != "" {
			continue
		}
		if mappingKey(n, f.key) != nil {
			// Written but empty (`severity:`): at its line, not the
			// file's first.
			return fail(f.key, fmt.Sprintf("%s: empty; a value is required", f.key))
		}
		missing = append(missing, f.key)
	}
	if mappingKey(n, "security-severity") == nil {
		missing = append(missing, "security-severity")
	}
	switch len(missing) {
	case 0:
	case 1:
		return at(file, n, fmt.Sprintf("missing required key %q", missing[0]))
	default:
		return at(file, n, fmt.Sprintf("missing required keys %s", strings.Join(missing, ", ")))
	}
	switch {
	case !idPattern.MatchString(r.ID):
		return fail("id", fmt.Sprintf("id %q is not of the form family/name (lower case, digits, - and _)", r.ID))
	case r.Language != "python" && r.Language != "c":
		return fail("language", fmt.Sprintf("language %q is not python or c", r.Language))
	case SeverityRank(r.Severity) == 0:
		return fail("severity", fmt.Sprintf("severity %q is not one of %s", r.Severity, strings.Join(Severities, ", ")))
	case !contains(Precisions, r.Precision):
		return fail("precision", fmt.Sprintf("precision %q is not one of %s", r.Precision, strings.Join(Precisions, ", ")))
	case !(r.SecuritySeverity >= 0 && r.SecuritySeverity <= 10): // NaN too
		return fail("security-severity", fmt.Sprintf("security-severity %g is not between 0.0 and 10.0", r.SecuritySeverity))
	case r.Query != "" && r.Pattern != "":
		return fail("pattern", "`query:` and `pattern:` both given: a rule matches with one of them")
	case count(r.Analyzer, r.Query, r.Pattern) != 1:
		return at(file, n, "a rule needs `pattern:` or `query:` (a built-in rule names its `analyzer:` instead)")
	case r.Analyzer == "" && r.Message == "":
		return at(file, n, "a `query:` or `pattern:` rule needs a `message:`")
	case r.Analyzer != "" && count(r.NotInside, r.Inside, r.PatternNot) > 0:
		return at(file, n, "`inside:`, `not-inside:` and `pattern-not:` apply only to `query:` and `pattern:` rules")
	case r.Query != "" && r.PatternNot != "":
		return fail("pattern-not", "`pattern-not:` applies to `pattern:` rules; a `query:` rule excludes with predicates or `not-inside:`")
	}
	for _, c := range r.CWE {
		if !cwePattern.MatchString(c) {
			return fail("cwe", fmt.Sprintf("cwe %q is not of the form CWE-<number>", c))
		}
	}
	for _, p := range []struct {
		key   string
		globs []string
	}{{"include", r.Paths.Include}, {"exclude", r.Paths.Exclude}} {
		key := p.key
		for i, g := range p.globs {
			if err := glob.Check(g); err != nil {
				item := n
				if paths := mappingValue(n, "paths"); paths != nil {
					if list := mappingValue(paths, key); list != nil && i < len(list.Content) {
						item = list.Content[i]
					}
				}
				return at(file, item, fmt.Sprintf("paths.%s: invalid glob %q: %v", key, g, err))
			}
		}
	}
	return nil
}

func mappingKey(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// count returns how many of values are set.
func count(values ...string) int {
	n := 0
	for _, v := range values {
		if v != "" {
			n++
		}
	}
	return n
}
