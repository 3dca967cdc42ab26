package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/source"
)

const pyShebang = "#!/usr/bin/env python3\nprint('hi')\n"

// writeTree creates the files of tree (slash path → content) under root.
func writeTree(tb testing.TB, root string, tree map[string]string) {
	tb.Helper()
	for name, content := range tree {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// symlink creates the symlink name (slash, relative to root) to target.
func symlink(t *testing.T, root, target, name string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.FromSlash(target), p); err != nil {
		if runtime.GOOS == "windows" {
			t.Skipf("cannot create symlinks here: %v", err)
		}
		t.Fatal(err)
	}
}

// walk runs Walk and fails the test on an error.
func walk(t *testing.T, paths []string, opt Options) ([]File, []Warning) {
	t.Helper()
	files, warnings, err := Walk(paths, opt)
	if err != nil {
		t.Fatalf("Walk(%q): %v", paths, err)
	}
	return files, warnings
}

// filePaths returns the Paths of files.
func filePaths(files []File) []string {
	out := []string{}
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func wantPaths(t *testing.T, files []File, want ...string) {
	t.Helper()
	if got := filePaths(files); !slices.Equal(got, want) {
		t.Errorf("files:\n got %q\nwant %q", got, want)
	}
}

func wantWarnings(t *testing.T, got []Warning, want ...Warning) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n got %q\nwant %q", got, want)
	}
}

func TestGitignore(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":             "# comment\n*.log\nsecret/\n/generated.py\n*.c\n",
		".git/info/exclude":      "local_only.py\n",
		"app.py":                 "",
		"generated.py":           "",
		"local_only.py":          "",
		"debug.log":              "",
		"lib.c":                  "",
		"secret/key.py":          "",
		"other/secret":           pyShebang, // a file: the dir-only "secret/" does not match it
		"sub/.gitignore":         "*.py\n!keep.py\n!keep.c\r\n",
		"sub/generated.py":       "",
		"sub/keep.py":            "",
		"sub/keep.c":             "",
		"sub/drop.py":            "",
		"deep/.gitignore":        "nested/x.py\n",
		"deep/nested/x.py":       "",
		"deep/nested/y.py":       "",
		"deep/other/nested/x.py": "", // "nested/x.py" is anchored to deep/
	})
	t.Run("honoured", func(t *testing.T) {
		files, warnings := walk(t, []string{root}, Options{Root: root})
		wantPaths(t, files, "app.py", "deep/nested/y.py", "deep/other/nested/x.py", "other/secret", "sub/keep.c", "sub/keep.py")
		wantWarnings(t, warnings)
	})
	t.Run("NoIgnore", func(t *testing.T) {
		files, _ := walk(t, []string{root}, Options{Root: root, NoIgnore: true})
		wantPaths(t, files, "app.py", "deep/nested/x.py", "deep/nested/y.py", "deep/other/nested/x.py",
			"generated.py", "lib.c", "local_only.py", "other/secret", "secret/key.py",
			"sub/drop.py", "sub/generated.py", "sub/keep.c", "sub/keep.py")
	})
	t.Run("subdirectory argument", func(t *testing.T) {
		// The .gitignore files above the argument apply too.
		files, _ := walk(t, []string{filepath.Join(root, "sub")}, Options{Root: root})
		wantPaths(t, files, "sub/keep.c", "sub/keep.py")
	})
	t.Run("ignored directory argument", func(t *testing.T) {
		files, warnings := walk(t, []string{filepath.Join(root, "secret")}, Options{Root: root})
		wantPaths(t, files)
		wantWarnings(t, warnings, Warning{"secret", "skipped: ignored by .gitignore (use --no-ignore to scan it)"})
	})
}

func TestIgnoredDirCannotBeReincluded(t *testing.T) {
	// As in git, a file in an ignored directory stays ignored whatever a
	// negation says.
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":   "out/\n!out/keep.py\n",
		"out/keep.py":  "",
		"main.py":      "",
		"out2/keep.py": "",
	})
	files, _ := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "main.py", "out2/keep.py")
}

func TestNegatedDirectory(t *testing.T) {
	// As in git (git ls-files -oc --exclude-standard), negating a
	// directory re-includes the directory, not the files in it that
	// another pattern excludes; a file an excluded directory's glob does
	// not name is kept.
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":      "*.py\n!d/\n!top.py\n",
		"d/y.py":          "",
		"top.py":          "",
		"e/.gitignore":    "docs/*\n!docs/keep/\n",
		"e/docs/keep/y.c": "",
		"e/docs/other.c":  "",
	})
	files, _ := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "e/docs/keep/y.c", "top.py")
}

func TestIncludeExclude(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"app/views.py":                 "",
		"app/migrations/0001_init.py":  "",
		"app/migrations/__init__.py":   "",
		"app/tests/test_views.py":      "",
		"vendor/lib/x.py":              "",
		"third_party/y.c":              "",
		"src/ext.c":                    "",
		"src/ext.h":                    "",
		"gen/out.py":                   "",
		"docs/conf.py":                 "",
		"scripts/manage":               pyShebang,
		"app/templates/index.html.py~": "",
	})
	cases := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{"no globs", nil, nil, []string{"app/migrations/0001_init.py", "app/migrations/__init__.py", "app/tests/test_views.py", "app/views.py", "docs/conf.py", "gen/out.py", "scripts/manage", "src/ext.c", "src/ext.h", "third_party/y.c", "vendor/lib/x.py"}},
		{"include python", []string{"**/*.py"}, nil, []string{"app/migrations/0001_init.py", "app/migrations/__init__.py", "app/tests/test_views.py", "app/views.py", "docs/conf.py", "gen/out.py", "vendor/lib/x.py"}},
		{"include two globs", []string{"src/**", "scripts/*"}, nil, []string{"scripts/manage", "src/ext.c", "src/ext.h"}},
		{"include dir forms", []string{"src", "scripts/", "./app/migrations"}, nil, []string{"app/migrations/0001_init.py", "app/migrations/__init__.py", "scripts/manage", "src/ext.c", "src/ext.h"}},
		{"include by globs", []string{"app/t*", "**/migrations"}, nil, []string{"app/migrations/0001_init.py", "app/migrations/__init__.py"}},
		{"exclude dir forms", nil, []string{"vendor", "/third_party/**", "gen/", "./docs", "**/migrations/*.py", "**/test_*.py"}, []string{"app/views.py", "scripts/manage", "src/ext.c", "src/ext.h"}},
		{"both", []string{"app/**"}, []string{"**/migrations/**"}, []string{"app/tests/test_views.py", "app/views.py"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files, _ := walk(t, []string{root}, Options{Root: root, Include: c.include, Exclude: c.exclude})
			wantPaths(t, files, c.want...)
		})
	}
}

func TestInvalidGlob(t *testing.T) {
	root := t.TempDir()
	_, _, err := Walk([]string{root}, Options{Root: root, Exclude: []string{"a/[b"}})
	if err == nil || !strings.Contains(err.Error(), `invalid exclude glob "a/[b"`) {
		t.Errorf("err = %v, want an invalid exclude glob error", err)
	}
}

func TestSkipTable(t *testing.T) {
	root := t.TempDir()
	tree := map[string]string{
		"main.py":                 "",
		"env/settings.py":         "", // "env" is only skipped when it is a virtualenv
		"myenv/pyvenv.cfg":        "home = /usr/bin\n",
		"myenv/lib/x.py":          "",
		"pkg.egg-info/setup.py":   "",
		"src/node_modules/x.py":   "",
		"src/__pycache__/x.py":    "",
		"src/build/gen.c":         "",
		"src/building/ok.c":       "",
		"src/.venv/pyvenv.cfg":    "",
		"src/.venv/lib/site.py":   "",
		"lib/site-packages/d.py":  "",
		"lib/python/.tox/t.py":    "",
		"lib/.eggs/e.py":          "",
		"lib/.nox/n.py":           "",
		"lib/.mypy_cache/m.py":    "",
		"lib/.pytest_cache/p.py":  "",
		"lib/.hg/h.py":            "",
		"lib/.svn/s.py":           "",
		"lib/.git/g.py":           "",
		"lib/venv/v.py":           "",
		"dist/d.c":                "",
		"notvenv/pyvenv.cfg.orig": "",
		"notvenv/ok.py":           "",
	}
	writeTree(t, root, tree)
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "env/settings.py", "main.py", "notvenv/ok.py", "src/building/ok.c")
	wantWarnings(t, warnings)

	t.Run("named directory is walked", func(t *testing.T) {
		files, _ := walk(t, []string{filepath.Join(root, "src", "build"), filepath.Join(root, "myenv")}, Options{Root: root})
		wantPaths(t, files, "myenv/lib/x.py", "src/build/gen.c")
	})
	t.Run("directory an include glob names is walked", func(t *testing.T) {
		files, _ := walk(t, []string{root}, Options{Root: root, Include: []string{"src/build/**", "myenv/**", "dist", "**/*.py", "lib/.git/**"}})
		wantPaths(t, files, "dist/d.c", "env/settings.py", "main.py", "myenv/lib/x.py", "notvenv/ok.py", "src/build/gen.c")
	})
}

func TestShebang(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"bin/tool":        pyShebang,
		"bin/tool2":       "#!/usr/bin/python2.7 -u\n",
		"bin/sh":          "#!/bin/sh\necho python\n",
		"bin/late":        "\n#!/usr/bin/env python\n",
		"bin/empty":       "",
		"bin/binary":      "\x7fELF\x00\x00python",
		"bin/tool.txt":    pyShebang, // has an extension: not a script
		"bin/long":        "#!/usr/bin/env " + strings.Repeat("x", 300) + " python\n",
		"Makefile":        "all:\n",
		"bin/.pythonrc":   pyShebang, // ".pythonrc" is an extension for filepath.Ext
		"bin/script.pyw":  "",
		"bin/stubs.pyi":   "",
		"bin/Upper.PY":    "",
		"include/a.h":     "",
		"include/a.hpp":   "",
		"include/a.cpp":   "",
		"include/a.c.bak": "",
	})
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "bin/Upper.PY", "bin/script.pyw", "bin/stubs.pyi", "bin/tool", "bin/tool2", "include/a.h")
	wantWarnings(t, warnings)
	for _, f := range files {
		want := source.Python
		if f.Path == "include/a.h" {
			want = source.C
		}
		if f.Lang != want {
			t.Errorf("%s: Lang = %q, want %q", f.Path, f.Lang, want)
		}
	}
}

func TestFileFields(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a/b.c": "int x;\n"})
	files, _ := walk(t, []string{root}, Options{Root: root})
	info, err := os.Stat(filepath.Join(root, "a", "b.c"))
	if err != nil {
		t.Fatal(err)
	}
	want := []File{{Path: "a/b.c", Abs: filepath.Join(root, "a", "b.c"), Lang: source.C, Stat: StatOf(info)}}
	if want[0].Size != 7 || runtime.GOOS == "linux" && (want[0].CTime == 0 || want[0].Inode == 0) {
		t.Errorf("stat %+v: want 7 bytes, and on Linux the status change time and the inode", want[0].Stat)
	}
	if !slices.Equal(files, want) {
		t.Errorf("got %+v, want %+v", files, want)
	}
}

func TestSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"x.py": "", "a/f.py": "", "a/b/g.py": ""})
	symlink(t, root, "..", "a/up")
	symlink(t, root, ".", "a/self")
	symlink(t, root, "../..", "a/b/top")
	symlink(t, root, "loop2", "loop1")
	symlink(t, root, "loop1", "loop2")
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "a/b/g.py", "a/f.py", "x.py")
	wantWarnings(t, warnings, Warning{"loop1", "skipped: symlink loop"}, Warning{"loop2", "skipped: symlink loop"})

	t.Run("link above the argument", func(t *testing.T) {
		// a/b/top leads to the root, which holds a/b: not followed, so
		// x.py is not scanned as a/b/top/x.py.
		files, warnings := walk(t, []string{filepath.Join(root, "a", "b")}, Options{Root: root})
		wantPaths(t, files, "a/b/g.py")
		wantWarnings(t, warnings)
	})
}

func TestSymlinkInsideRoot(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":          "hidden/\n",
		"real.py":             "",
		"hidden/target.py":    "",
		"lib/m.py":            "",
		"src/app.py":          "",
		"ztools/implement.py": "",
	})
	symlink(t, root, "real.py", "alias.py")                           // target reached directly
	symlink(t, root, "hidden/target.py", "exposed.py")                // target ignored: only the link reaches it
	symlink(t, root, "../lib", "src/lib")                             // dir also reached directly
	symlink(t, root, "../ztools/implement.py", "src/a_first_link.py") // met before its target

	t.Run("whole root", func(t *testing.T) {
		files, warnings := walk(t, []string{root}, Options{Root: root})
		wantPaths(t, files, "exposed.py", "lib/m.py", "real.py", "src/app.py", "ztools/implement.py")
		wantWarnings(t, warnings)
	})
	t.Run("directory reached only by a symlink", func(t *testing.T) {
		files, _ := walk(t, []string{filepath.Join(root, "src")}, Options{Root: root})
		wantPaths(t, files, "src/a_first_link.py", "src/app.py", "src/lib/m.py")
		if f := files[2]; f.Abs != filepath.Join(root, "src", "lib", "m.py") {
			t.Errorf("Abs = %s, want the path through the link", f.Abs)
		}
	})
}

func TestSymlinkEscapingRoot(t *testing.T) {
	base := t.TempDir()
	root, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	writeTree(t, base, map[string]string{"repo/main.py": "", "outside/o.py": "", "outside/d/p.py": ""})
	symlink(t, root, "../outside", "out")
	symlink(t, root, "../outside/o.py", "o.py")
	symlink(t, root, outside, "abs_out")

	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "main.py")
	wantWarnings(t, warnings)

	// Named on the command line (a staged symlink in a pre-commit run),
	// a symlink that leads out, or to nothing, is skipped with a warning,
	// and the other arguments are walked.
	symlink(t, root, "gone.py", "dangling.py")
	files, warnings = walk(t, []string{filepath.Join(root, "out"), filepath.Join(root, "o.py"), filepath.Join(root, "dangling.py"), filepath.Join(root, "main.py")}, Options{Root: root})
	wantPaths(t, files, "main.py")
	wantWarnings(t, warnings,
		Warning{"dangling.py", "skipped: dangling symlink"},
		Warning{"o.py", "skipped: a symlink that leads outside the repository root"},
		Warning{"out", "skipped: a symlink that leads outside the repository root"})

	// A path that is outside the root without a symlink is a mistake.
	for _, arg := range []string{outside, filepath.Join(outside, "o.py")} {
		_, _, err := Walk([]string{arg}, Options{Root: root})
		if err == nil || !strings.Contains(err.Error(), "is outside the repository root "+root) {
			t.Errorf("Walk(%s): err = %v, want outside the repository root", arg, err)
		}
	}
}

func TestRootThroughSymlink(t *testing.T) {
	base := t.TempDir()
	writeTree(t, base, map[string]string{"real/pkg/a.py": ""})
	symlink(t, base, "real", "link")
	// Root is the symlinked path, the argument the real one.
	files, _ := walk(t, []string{filepath.Join(base, "real", "pkg")}, Options{Root: filepath.Join(base, "link")})
	wantPaths(t, files, "pkg/a.py")
}

func TestDanglingSymlink(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"ok.py": ""})
	symlink(t, root, "missing.py", "broken.py")
	symlink(t, root, "nowhere", "sub/dir")
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "ok.py")
	wantWarnings(t, warnings, Warning{"broken.py", "skipped: dangling symlink"}, Warning{"sub/dir", "skipped: dangling symlink"})
	// One the walk would not follow (ignored, excluded, a skipped name)
	// or that names a file residue does not read (a template) is no
	// warning.
	writeTree(t, root, map[string]string{".gitignore": "ignored.py\n"})
	symlink(t, root, "missing.py", "ignored.py")
	symlink(t, root, "missing.py", "excluded.py")
	symlink(t, root, "gone", ".residue_cache")
	symlink(t, root, "missing.tpl", "templates/added_empty.tpl")
	files, warnings = walk(t, []string{root}, Options{Root: root, Exclude: []string{"excluded.py"}})
	wantPaths(t, files, "ok.py")
	wantWarnings(t, warnings, Warning{"broken.py", "skipped: dangling symlink"}, Warning{"sub/dir", "skipped: dangling symlink"})
}

func TestSizeCap(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"big.py":    strings.Repeat("x", 200),
		"small.py":  strings.Repeat("x", 100),
		"big.txt":   strings.Repeat("x", 500), // not Python or C: no warning
		"bin/big":   "#!/usr/bin/python\n" + strings.Repeat("x", 300),
		"bin/other": strings.Repeat("x", 300),
	})
	files, warnings := walk(t, []string{root}, Options{Root: root, MaxFileSize: 100})
	wantPaths(t, files, "small.py")
	wantWarnings(t, warnings,
		Warning{"big.py", "skipped: 200 bytes exceeds the 100 bytes size cap (--max-file-size)"},
		Warning{"bin/big", "skipped: 318 bytes exceeds the 100 bytes size cap (--max-file-size)"})

	files, warnings = walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "big.py", "bin/big", "small.py")
	wantWarnings(t, warnings)
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		20 << 20:   "20.0 MiB",
		5 << 20:    "5.0 MiB",
		1536:       "1.5 KiB",
		1023:       "1023 bytes",
		3<<20 + 99: "3.0 MiB",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestNamedFile(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		".gitignore":       "ignored.py\nignored_dir/\n",
		"ignored.py":       "",
		"ignored_dir/x.py": "",
		"excluded.py":      "",
		"gen/y.py":         "",
		"README.md":        "",
		"notes":            "plain text\n",
		"run.sh":           "#!/bin/sh\n",
		"manage.py-tpl":    "#!/usr/bin/env python\nimport os\n",
	})
	opt := Options{Root: root, Exclude: []string{"excluded.py", "gen"}}
	arg := func(name string) string { return filepath.Join(root, name) }

	t.Run("bypasses gitignore", func(t *testing.T) {
		files, warnings := walk(t, []string{arg("ignored.py"), arg("ignored_dir/x.py")}, opt)
		wantPaths(t, files, "ignored.py", "ignored_dir/x.py")
		wantWarnings(t, warnings)
	})
	t.Run("not Exclude", func(t *testing.T) {
		files, warnings := walk(t, []string{arg("excluded.py"), arg("gen/y.py")}, opt)
		wantPaths(t, files)
		wantWarnings(t, warnings)
	})
	t.Run("not Include", func(t *testing.T) {
		files, _ := walk(t, []string{arg("ignored.py")}, Options{Root: root, Include: []string{"src/**"}})
		wantPaths(t, files)
	})
	t.Run("not Python or C", func(t *testing.T) {
		files, warnings := walk(t, []string{arg("README.md"), arg("notes"), arg("run.sh")}, opt)
		wantPaths(t, files)
		wantWarnings(t, warnings,
			Warning{"README.md", "skipped: not a Python or C file"},
			Warning{"notes", "skipped: not a Python or C file"},
			Warning{"run.sh", "skipped: not a Python or C file"})
	})
	// pre-commit's types: [python] names a script by its shebang, whatever
	// its extension; a walk leaves such a file alone.
	t.Run("a Python shebang", func(t *testing.T) {
		files, warnings := walk(t, []string{arg("manage.py-tpl")}, opt)
		wantPaths(t, files, "manage.py-tpl")
		wantWarnings(t, warnings)
		if len(files) == 1 && files[0].Lang != source.Python {
			t.Errorf("manage.py-tpl read as %q", files[0].Lang)
		}
		files, _ = walk(t, []string{root}, opt)
		if slices.ContainsFunc(files, func(f File) bool { return f.Path == "manage.py-tpl" }) {
			t.Error("a walk took manage.py-tpl")
		}
	})
}

func TestSortedAndDeduplicated(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a.py":     "",
		"a/b.py":   "",
		"a_b.py":   "",
		"a-b.py":   "",
		"B.py":     "",
		"a/c/d.py": "",
	})
	t.Chdir(root)
	files, _ := walk(t, []string{"a", root, "a/b.py", filepath.Join(root, "a", "c"), ".", "./a/../a.py"}, Options{Root: root})
	wantPaths(t, files, "B.py", "a-b.py", "a.py", "a/b.py", "a/c/d.py", "a_b.py")
}

func TestBadArguments(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a.py": ""})
	t.Run("missing", func(t *testing.T) {
		_, _, err := Walk([]string{filepath.Join(root, "a.py"), filepath.Join(root, "nope")}, Options{Root: root})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("err = %v, want fs.ErrNotExist", err)
		}
		if want := filepath.Join(root, "nope") + ": "; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("err = %q, want it to start with %q", err, want)
		}
	})
	t.Run("outside the root", func(t *testing.T) {
		other := t.TempDir()
		_, _, err := Walk([]string{other}, Options{Root: root})
		if want := fmt.Sprintf("%s is outside the repository root %s", other, root); err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
	t.Run("relative root", func(t *testing.T) {
		if _, _, err := Walk([]string{root}, Options{Root: "repo"}); err == nil {
			t.Error("no error for a relative Root")
		}
	})
}

// BenchmarkWalk walks a generated tree of about 5,000 files: Python, C and
// other files over nested directories, some ignored by .gitignore files.
func BenchmarkWalk(b *testing.B) {
	root := b.TempDir()
	tree := map[string]string{".gitignore": "*.log\n/generated/\n"}
	exts := []string{".py", ".py", ".c", ".h", ".txt", ".html", ".log", ""}
	for i := range 5000 {
		dir := fmt.Sprintf("pkg%02d/sub%02d", i%40, i/40%10)
		name := fmt.Sprintf("%s/f%04d%s", dir, i, exts[i%len(exts)])
		tree[name] = "x = 1\n"
		if exts[i%len(exts)] == "" && i%16 == 7 {
			tree[name] = pyShebang
		}
		if i%400 == 0 {
			tree[dir+"/.gitignore"] = "f*3.py\n!f0003.py\n"
		}
	}
	for i := range 100 {
		tree[fmt.Sprintf("generated/g%03d.py", i)] = ""
	}
	writeTree(b, root, tree)
	b.ResetTimer()
	for b.Loop() {
		files, _, err := Walk([]string{root}, Options{Root: root})
		if err != nil || len(files) < 2000 {
			b.Fatalf("Walk: %d files, %v", len(files), err)
		}
	}
}

// TestWalkOnEveryCoreIsDeterministic walks a tree whose directories are
// walked on several goroutines and whose hidden directory is reached only
// through two symlinks: every walk gives the same files and warnings, the
// hidden files under the first link in path order.
func TestWalkOnEveryCoreIsDeterministic(t *testing.T) {
	root := t.TempDir()
	tree := map[string]string{".gitignore": "hidden/\n", "hidden/h.py": "", "hidden/deep/d.py": ""}
	for i := range 40 {
		tree[fmt.Sprintf("pkg%02d/sub/m%d.py", i, i)] = ""
		tree[fmt.Sprintf("pkg%02d/n.py", i)] = ""
	}
	writeTree(t, root, tree)
	symlink(t, root, "../hidden", "pkg31/zlink")
	symlink(t, root, "../hidden", "pkg07/alink")
	symlink(t, root, "missing", "pkg20/dangling")
	first, firstWarnings := walk(t, []string{root}, Options{Root: root})
	if len(first) != 82 || !slices.Contains(filePaths(first), "pkg07/alink/deep/d.py") {
		t.Fatalf("got %d files, want 82 with pkg07/alink/deep/d.py: %q", len(first), filePaths(first))
	}
	for range 20 {
		files, warnings := walk(t, []string{root}, Options{Root: root})
		if !slices.Equal(files, first) || !slices.Equal(warnings, firstWarnings) {
			t.Fatalf("walks differ:\n%q\n%q", filePaths(files), filePaths(first))
		}
	}
}

// TestLinkedDirectoriesInArgumentOrder: of two symlinks to one hidden
// directory, the one under the first path argument reaches it.
func TestLinkedDirectoriesInArgumentOrder(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{".gitignore": "hidden/\n", "hidden/h.py": "", "a/x.py": "", "b/y.py": ""})
	symlink(t, root, "../hidden", "a/zl")
	symlink(t, root, "../hidden", "b/zl")
	files, _ := walk(t, []string{filepath.Join(root, "b"), filepath.Join(root, "a")}, Options{Root: root})
	wantPaths(t, files, "a/x.py", "b/y.py", "b/zl/h.py")
}
