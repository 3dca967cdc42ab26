package gitdiff

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	diff := `diff --git a/app/views.py b/app/views.py
index 1..2 100644
--- a/app/views.py
+++ b/app/views.py
@@ -3 +3 @@ def view(request):
-    old()
+    new()
@@ -10,0 +11,2 @@
+++ b/not/a/header.py
+@@ -1 +1 @@
@@ -20,2 +22,0 @@
-gone()
-gone()
diff --git "a/caf\303\251 \"x\".py" "b/caf\303\251 \"x\".py"
--- "a/caf\303\251 \"x\".py"
+++ "b/caf\303\251 \"x\".py"
@@ -1,0 +1 @@
+x = 1
\ No newline at end of file
diff --git a/deleted.py b/deleted.py
deleted file mode 100644
--- a/deleted.py
+++ /dev/null
@@ -1,3 +0,0 @@
-a
-b
-c
diff --git a/logo.png b/logo.png
Binary files a/logo.png and b/logo.png differ
`
	c, err := Parse([]byte(diff))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]span{
		"app/views.py":  {{3, 3}, {11, 12}},
		"café \"x\".py": {{1, 1}},
	}
	if !reflect.DeepEqual(c.lines, want) {
		t.Errorf("lines = %v, want %v", c.lines, want)
	}
	for _, tc := range []struct {
		path        string
		first, last int
		want        bool
	}{
		{"app/views.py", 3, 3, true},
		{"app/views.py", 1, 2, false},
		{"app/views.py", 4, 10, false},
		{"app/views.py", 9, 11, true},
		{"app/views.py", 12, 40, true},
		{"app/views.py", 13, 40, false},
		{"app/views.py", 22, 22, false}, // a pure deletion changes no line
		{"not/a/header.py", 1, 1, false},
		{"deleted.py", 1, 3, false},
		{"café \"x\".py", 1, 1, true},
	} {
		if got := c.Touches(tc.path, tc.first, tc.last); got != tc.want {
			t.Errorf("Touches(%s, %d, %d) = %v", tc.path, tc.first, tc.last, got)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ diff, want string }{
		{"+++ b/a\n@@ -1 +x @@\n", `diff line 2: bad hunk header "@@ -1 +x @@"`},
		{"+++ b/a\n@@ -1 +1\n", "diff line 2: bad hunk header"},
		{"+++ b/a\n@@ -1 +1,2 @@\n+x\nplain\n", `diff line 4: "plain" inside a hunk`},
		{"+++ \"b/a\n", "diff line 1: bad quoted path"},
		{"+++ a\n", `diff line 1: new path "a" lacks the b/ prefix`},
		{"+++ b/a\n@@ -1,2 +1,2 @@\n-x\n+y\n", "the diff ends inside a hunk"},
	} {
		if _, err := Parse([]byte(tc.diff)); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %s", tc.diff, err, tc.want)
		}
	}
}

// gitRepo makes a repository with one commit of files and returns its path.
func gitRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is not installed (.ci/run installs it)")
		}
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	runGit(t, dir, "init", "-q", "-b", "main")
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
	return dir
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestSince(t *testing.T) {
	dir := gitRepo(t, map[string]string{
		"app/views.py": "a = 1\nb = 2\nc = 3\nd = 4\n",
		"old.py":       "x = 1\n",
		"gone.py":      "y = 1\n",
		"mac.py":       "a = 1\rb = 2\rc = 3\r",
		"macsame.py":   "a = 1\rb = 2\r",
		".gitignore":   "ignored.py\nbuild/\n",
		// Binary to git: a NUL byte, and a -diff attribute.
		"nul.py":         "a = 1  # \x00\nb = 2\nc = 3\n",
		"gen_table.py":   "a = 1\nb = 2\n",
		".gitattributes": "gen_*.py -diff\n",
	})
	writeFile(t, dir, "nul.py", "a = 1  # \x00\nB = 2\nc = 3\n")
	writeFile(t, dir, "gen_table.py", "a = 1\nB = 2\n")
	writeFile(t, dir, "build/out.py", "o = 1\n")
	writeFile(t, dir, "mac.py", "a = 1\rb = 2\rC = 3\r")
	writeFile(t, dir, "app/views.py", "a = 1\nB = 2\nc = 3\nd = 4\ne = 5\n")
	runGit(t, dir, "mv", "old.py", "moved.py")
	runGit(t, dir, "rm", "-q", "gone.py")
	writeFile(t, dir, "sub/new file é.py", "n = 1\n")
	writeFile(t, dir, "ignored.py", "i = 1\n")
	writeFile(t, dir, "staged.py", "s = 1\n")
	runGit(t, dir, "add", "staged.py")
	// A clone never added: git lists the folder, not its files.
	writeFile(t, dir, "vendored/lib/x.py", "v = 1\n")
	runGit(t, filepath.Join(dir, "vendored"), "init", "-q")

	c, err := Since(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path        string
		first, last int
		want        bool
	}{
		{"app/views.py", 1, 1, false},
		{"app/views.py", 2, 2, true},
		{"app/views.py", 3, 4, false},
		{"app/views.py", 5, 5, true},
		{"moved.py", 1, 1, false}, // moved unchanged: no line changed
		{"sub/new file é.py", 1, 1, true},
		{"staged.py", 1, 1, true},
		{"vendored/lib/x.py", 1, 1, true},
		// Ignored, and so not at HEAD: new, for a scan that reads it
		// (--no-ignore, or named), as an ignored folder's files are.
		{"ignored.py", 1, 1, true},
		{"build/out.py", 1, 1, true},
		// Binary to git: no lines to tell apart, all of it changed.
		{"nul.py", 1, 1, true},
		{"nul.py", 2, 2, true},
		{"gen_table.py", 1, 1, true},
		{"gen_table.py", 2, 2, true},
		{"moved.py", 1, 1, false},
		// Old Mac line endings: one line to git, three to residue.
		{"mac.py", 3, 3, true},
		{"macsame.py", 2, 2, false},
	} {
		if got := c.Touches(tc.path, tc.first, tc.last); got != tc.want {
			t.Errorf("Touches(%s, %d, %d) = %v", tc.path, tc.first, tc.last, got)
		}
	}

	// A range is git diff's to read: the merge base's changes.
	if _, err := Since(dir, "HEAD...HEAD"); err != nil {
		t.Errorf("Since(HEAD...HEAD) = %v", err)
	}

	// Run from a subdirectory, paths are relative to it.
	sub, err := Since(filepath.Join(dir, "app"), "HEAD")
	if err != nil || !sub.Touches("views.py", 2, 2) || sub.Touches("app/views.py", 2, 2) {
		t.Errorf("from app/: %v %+v", err, sub)
	}
}

// TestSinceSubmodule: the lines a submodule's new commit adds, and those
// its work tree adds since, are changed lines of the superproject's scan;
// the context git shows around them is not.
func TestSinceSubmodule(t *testing.T) {
	lib := gitRepo(t, map[string]string{"a.py": "a = 1\nb = 2\nc = 3\n"})
	dir := gitRepo(t, map[string]string{"main.py": "m = 1\n"})
	runGit(t, dir, "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "lib")
	runGit(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "lib")
	writeFile(t, filepath.Join(dir, "lib"), "a.py", "a = 1\nb = 2\nc = 3\nd = 4\n")
	runGit(t, filepath.Join(dir, "lib"), "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "d")
	runGit(t, dir, "add", "lib")
	runGit(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "bump")
	writeFile(t, filepath.Join(dir, "lib"), "a.py", "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n")

	c, err := Since(dir, "HEAD~1")
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]bool{1: false, 3: false, 4: true, 5: true} {
		if got := c.Touches("lib/a.py", line, line); got != want {
			t.Errorf("since the bump's parent, Touches(lib/a.py, %d) = %v", line, got)
		}
	}
	// A range compares commits, in the submodule as in the superproject:
	// the work tree's line 5 is not in it.
	c, err = Since(dir, "HEAD~1...HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Touches("lib/a.py", 4, 4) || c.Touches("lib/a.py", 5, 5) {
		t.Errorf("a range: %+v", c.lines)
	}
	c, err = Since(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if c.Touches("lib/a.py", 4, 4) || !c.Touches("lib/a.py", 5, 5) {
		t.Errorf("since HEAD, the work tree's line 5 only: %+v", c.lines)
	}

	// The submodule's untracked file is new; its diff is residue's, not
	// the user's diff configuration (an external diff tool, blank context
	// lines without their space).
	writeFile(t, filepath.Join(dir, "lib"), "new.py", "n = 1\n")
	t.Setenv("GIT_EXTERNAL_DIFF", "true")
	runGit(t, dir, "config", "diff.suppressBlankEmpty", "true")
	c, err = Since(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Touches("lib/new.py", 1, 1) || !c.Touches("lib/a.py", 5, 5) {
		t.Errorf("untracked in the submodule, under the user's diff settings: %+v %+v", c.lines, c.whole)
	}

	// As a pre-commit hook runs it (GIT_INDEX_FILE names the
	// superproject's index), and whatever the submodule's ignore setting.
	t.Setenv("GIT_INDEX_FILE", ".git/index")
	runGit(t, dir, "config", "submodule.lib.ignore", "all")
	c, err = Since(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Touches("lib/new.py", 1, 1) || !c.Touches("lib/a.py", 5, 5) {
		t.Errorf("in a hook, with submodule.lib.ignore=all: %+v %+v", c.lines, c.whole)
	}

	// Moved, the submodule is new at its new path: all of it changed.
	runGit(t, dir, "mv", "lib", "vendor")
	c, err = Since(dir, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Touches("vendor/a.py", 1, 1) {
		t.Errorf("a moved submodule: %+v %+v", c.lines, c.whole)
	}
}

// emptyRepo returns a git repository with no commit.
func emptyRepo(t *testing.T) string {
	dir := gitRepo(t, map[string]string{"a.py": "x = 1\n"})
	empty := filepath.Join(dir, "empty")
	runGit(t, dir, "init", "-q", empty)
	return empty
}

// brokenRepo returns a folder whose .git file git cannot read.
func brokenRepo(t *testing.T) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".git"), []byte("garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSinceErrors(t *testing.T) {
	dir := gitRepo(t, map[string]string{"a.py": "x = 1\n"})
	for _, tc := range []struct{ dir, rev, want string }{
		{dir, "no-such-branch", "--diff-base no-such-branch: no such commit in this clone"},
		// the commit before a force-push, gone from the clone
		{dir, "0123456789abcdef0123456789abcdef01234567", "--diff-base 0123456789abcdef0123456789abcdef01234567: no such commit in this clone (a force-push"},
		{dir, "--output=/tmp/x", `--diff-base "--output=/tmp/x" is not a revision`},
		{dir, "", `--diff-base "" is not a revision`},
		{t.TempDir(), "HEAD", "--diff-base HEAD: not in a git work tree"},
		{brokenRepo(t), "HEAD", "--diff-base HEAD: git: fatal: invalid gitfile format"},
		{emptyRepo(t), "HEAD", "--diff-base HEAD: the repository has no commit yet"},
		{dir, "no-such-branch...HEAD", "--diff-base no-such-branch...HEAD: git: fatal: "},
	} {
		if _, err := Since(tc.dir, tc.rev); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Since(%s) = %v, want %s…", tc.rev, err, tc.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/srv/app":      "/srv/app",
		"/srv/my app":   "'/srv/my app'",
		"/srv/it's":     `'/srv/it'\''s'`,
		"C:/x/y-1.2_@=": "C:/x/y-1.2_@=",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
