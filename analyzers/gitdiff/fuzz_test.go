package gitdiff

import "testing"

// FuzzParse feeds arbitrary text to the diff parser: it must return
// changes or an error, never panic, and every span it keeps is a real
// range of lines.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"+++ b/a.py\n@@ -1 +1 @@\n-a\n+b\n", "+++ \"b/\\303\\251\"\n@@ -0,0 +1,3 @@\n+a\n+b\n+c\n",
		"@@ -1,2 +0,0 @@\n-a\n-b\n", "+++ /dev/null\n", "@@ -x +1 @@\n", "+++ b/a\n@@ -1 +1,99999999999999999999 @@\n", "+++ b/a\n@@ -1 +9000000000000000000,9000000000000000000 @@\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, diff []byte) {
		c, err := Parse(diff)
		if err != nil {
			return
		}
		for path, spans := range c.lines {
			for _, s := range spans {
				if s.first > s.last {
					t.Fatalf("%s: span %d..%d", path, s.first, s.last)
				}
			}
		}
	})
}
