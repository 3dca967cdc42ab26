// Package rule is residue's rule model: one YAML file per rule, loaded and
// validated with file:line:col errors, from the embedded built-in rules and
// from users' rules directories.
package rule

// A Rule is the metadata (and, for declarative rules, the query) of one rule
// id. Field names follow the YAML keys of the rule-file format in DESIGN.md.
type Rule struct {
	ID               string   `yaml:"id"`
	Name             string   `yaml:"name"`
	Language         string   `yaml:"language"`
	Severity         string   `yaml:"severity"`
	SecuritySeverity float64  `yaml:"security-severity"`
	Precision        string   `yaml:"precision"`
	Tags             []string `yaml:"tags"`
	CWE              []string `yaml:"cwe"`
	OWASP            []string `yaml:"owasp"`
	References       []string `yaml:"references"`
	Paths            Paths    `yaml:"paths"`
	Summary          string   `yaml:"summary"`
	Help             string   `yaml:"help"`
	Analyzer         string   `yaml:"analyzer"`
	Query            string   `yaml:"query"`
	Pattern          string   `yaml:"pattern"`
	PatternNot       string   `yaml:"pattern-not"`
	Inside           string   `yaml:"inside"`
	NotInside        string   `yaml:"not-inside"`
	Message          string   `yaml:"message"`
	Tests            Tests    `yaml:"tests"`

	// File is where the rule was loaded from ("rules/ctypes/x.yml" for a
	// built-in rule) and Line the line of its id.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
	// Builtin marks a rule residue embeds (rules.Builtin).
	Builtin bool `yaml:"-"`
	// Positions locates the text of each matcher key (query, pattern,
	// pattern-not, inside, not-inside, message) in File, to turn errors
	// within that text into file:line:col.
	Positions map[string]Position `yaml:"-"`
}

// A Position is where a key's text starts in a rule file (1-based).
type Position struct{ Line, Column int }

// At returns the file position of line/column (1-based) within the text
// of key, for a block scalar or a one-line value.
func (r *Rule) At(key string, line, column int) (int, int) {
	p, ok := r.Positions[key]
	if !ok {
		return r.Line, 1
	}
	if line <= 1 {
		return p.Line, p.Column + column - 1
	}
	return p.Line + line - 1, p.Column + column - 1
}

// Paths limits a rule to some files: globs relative to the repository root.
type Paths struct {
	Include []string `yaml:"include"`
	Exclude []string `yaml:"exclude"`
}

// Tests are a rule's inline examples: every Bad snippet must match, no Good one.
type Tests struct {
	Bad  []string `yaml:"bad"`
	Good []string `yaml:"good"`
}
