package glob

import "testing"

// FuzzGlob checks and matches any glob against any path: no panic, and
// a path a glob matches is within it.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"src/**/*.py", "src/a/b.py"}, {`a\[b\]`, "a[b]"}, {`src\app`, "srcapp"}, {"./x/", "x/y"}, {"{a,b}/*", "a/c"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, g, path string) {
		g = Clean(g)
		if Check(g) != nil {
			return
		}
		if MatchAny([]string{g}, path) && !Within([]string{g}, path) {
			t.Fatalf("%q matches %q but does not hold it", g, path)
		}
	})
}
