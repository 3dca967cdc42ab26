package config

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/rule"
)

// ApplySeverity returns set with the levels of c.Severity: a rule named by
// its id takes that level, else one whose family is named takes the
// family's. The rules of set are copied, never changed. Without overrides
// set itself is returned.
func (c *Config) ApplySeverity(set *rule.Set) (*rule.Set, error) {
	if len(c.Severity) == 0 {
		return set, nil
	}
	rules := make([]*rule.Rule, 0, len(set.All()))
	for _, r := range set.All() {
		family, _, _ := strings.Cut(r.ID, "/")
		level, ok := c.Severity[r.ID]
		if !ok {
			level, ok = c.Severity[family]
		}
		if ok && level != r.Severity {
			copied := *r
			copied.Severity = level
			r = &copied
		}
		rules = append(rules, r)
	}
	return rule.NewSet(rules)
}
