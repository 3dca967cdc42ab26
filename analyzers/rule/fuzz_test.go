package rule

import "testing"

// FuzzRuleParse checks that no rule file, however malformed, panics the
// loader, and that every rule it accepts passed validation.
func FuzzRuleParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("rules:\n  - id: a/b\n"))
	f.Add([]byte("id: [\n"))
	f.Add([]byte("paths: {exclude: 3}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, err := Parse("fuzz.yml", data)
		if err != nil {
			return
		}
		for _, r := range rules {
			if !idPattern.MatchString(r.ID) || SeverityRank(r.Severity) == 0 {
				t.Fatalf("accepted invalid rule %+v", r)
			}
		}
	})
}
