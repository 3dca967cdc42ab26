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
	NotInside        string   `yaml:"not-inside"`
	Message          string   `yaml:"message"`
	Tests            Tests    `yaml:"tests"`

	// File is where the rule was loaded from ("rules/ctypes/x.yml" for a
	// built-in rule) and Line the line of its id.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
	// QueryLine and QueryColumn locate the first character of the query
	// block in File, to turn query errors into file:line:col.
	QueryLine   int `yaml:"-"`
	QueryColumn int `yaml:"-"`
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
