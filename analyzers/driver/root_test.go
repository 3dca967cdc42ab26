package driver

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFindRootOf: the paths of a scan share the root of the first's
// repository; files of two directories of a tree that is no repository
// share their deepest common directory, as one path does its own.
func TestFindRootOf(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"plain/a/x.py":    "x = 1\n",
		"plain/b/c/y.py":  "y = 2\n",
		"repo/app/x.py":   "x = 1\n",
		"repo/lib/y.py":   "y = 2\n",
		"repo/.git/HEAD":  "ref: refs/heads/main\n",
		"other/z.py":      "z = 3\n",
		"plain/a/deep.py": "d = 4\n",
	})
	p := func(rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }
	for _, tc := range []struct {
		paths []string
		want  string
	}{
		{[]string{p("plain/a/x.py")}, p("plain/a")},
		{[]string{p("plain/a/x.py"), p("plain/a/deep.py")}, p("plain/a")},
		{[]string{p("plain/a/x.py"), p("plain/b/c/y.py")}, p("plain")},
		{[]string{p("plain/b/c"), p("plain/a")}, p("plain")},
		{[]string{p("repo/app/x.py"), p("repo/lib/y.py")}, p("repo")},
		// The first path's repository decides: a path outside it is an
		// error of the scan, not a wider root.
		{[]string{p("repo/app/x.py"), p("other/z.py")}, p("repo")},
		{[]string{p("plain/a/x.py"), p("repo/app/x.py")}, dir},
	} {
		got, err := FindRootOf(tc.paths)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("FindRootOf(%q) = %s, want %s", tc.paths, got, tc.want)
		}
	}
	if _, err := FindRootOf([]string{p("missing.py"), p("plain/a/x.py")}); !os.IsNotExist(err) {
		t.Errorf("a missing first path: %v, want a not-exist error", err)
	}
}
