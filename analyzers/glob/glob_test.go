package glob

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, g := range []string{"src/**/*.py", `docs/\*literal*`, `a\[b\]`, "**/tests/**", `x\\y`, `a\.py`} {
		if err := Check(g); err != nil {
			t.Errorf("%q: %v", g, err)
		}
	}
	for g, want := range map[string]string{
		`src\app\*.py`: `a backslash before 'a': paths are matched with /`,
		`vendor\*`:     "",
		"a[":           "a bracket or brace that does not close",
		`tail\`:        "a backslash at its end",
	} {
		err := Check(g)
		switch {
		case want == "" && err != nil:
			t.Errorf("%q: %v", g, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%q: got %v, want %q", g, err, want)
		}
	}
}

func TestMatchAny(t *testing.T) {
	globs := []string{"src/**/*.py", `docs/\*.md`}
	for path, want := range map[string]bool{"src/a/b.py": true, "src/b.py": true, "docs/*.md": true, "docs/x.md": false, "lib/a.py": false} {
		if got := MatchAny(globs, path); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}

func TestWithin(t *testing.T) {
	globs := []string{Clean("src/"), Clean("./lib"), "app/t*"}
	for path, want := range map[string]bool{"src/a.py": true, "src": true, "lib/x/y.c": true, "app/tests/a.py": true, "app/views.py": false, "srcs/a.py": false, "a/src/b.py": false} {
		if got := Within(globs, path); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
	if Within(nil, "a.py") {
		t.Error("no globs hold a.py")
	}
}

func TestIncludes(t *testing.T) {
	in := NewIncludes([]string{Clean("src/"), "**/migrations", "scripts/*"})
	for path, want := range map[string]bool{"src/a/b.py": true, "app/migrations/0001.py": true, "scripts/run": true, "scripts/sub/run": false, "srcs/a.py": false} {
		if got := in.Match(path); got != want {
			t.Errorf("%s: %v, want %v", path, got, want)
		}
	}
}

func TestIncludesNames(t *testing.T) {
	in := NewIncludes([]string{"build/**", "pkg/*/dist", "**/out/*.py", "**/*.c", "{venv,env}/lib/**", "*/x.py"})
	for dir, want := range map[string]bool{
		"build": true, "pkg/a/dist": true, "x/y/out": true, "out": true, "venv": true, "venv/lib": true,
		"build/lib": false, "src/build": false, "pkg/dist": false, "dist": false, "x/build": false, "": false,
	} {
		if got := in.Names(dir); got != want {
			t.Errorf("%q: %v, want %v", dir, got, want)
		}
	}
}
