package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/cache"
)

// TestCacheKeepsTheDemoReport scans the demo with no cache, a cold cache
// and a warm one: the three SARIF reports are byte for byte the same.
func TestCacheKeepsTheDemoReport(t *testing.T) {
	cacheDir := filepath.Join(t.TempDir(), "cache")
	report := func(args ...string) string {
		t.Helper()
		out := filepath.Join(t.TempDir(), "r.sarif")
		args = append([]string{"scan", "--format", "sarif", "-o", out}, append(args, "../../testdata/demo")...)
		if code, _, errs := residue(args...); code != 1 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		data, err := os.ReadFile(out)
		must(t, err)
		return string(data)
	}
	none := report("--no-cache")
	cold := report("--cache-dir", cacheDir)
	warm := report("--cache-dir", cacheDir)
	if cold != none || warm != none {
		t.Errorf("reports differ: no cache %d bytes, cold %d, warm %d", len(none), len(cold), len(warm))
	}
	if _, err := os.Stat(filepath.Join(cacheDir, ".gitignore")); err != nil {
		t.Errorf("the cache has no .gitignore: %v", err)
	}
	configs, _ := filepath.Glob(filepath.Join(cacheDir, cache.Format+"-*"))
	if len(configs) != 1 {
		t.Errorf("cache folders: %q", configs)
	}
}

// TestCacheWarningPaths: a cache that cannot be used is a warning whose
// paths are relative to the repository root, as the report's others are
// (an uploaded report named the CI runner's folders), and the warning
// says what failed once.
func TestCacheWarningPaths(t *testing.T) {
	t.Setenv(CacheDirEnv, "")
	useTestAnalyzers(t)
	repo := t.TempDir()
	must(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	must(t, os.WriteFile(filepath.Join(repo, "v.py"), []byte("leak(1)\n"), 0o644))
	// A file where the cache's folder should be: no directory can be
	// made in it, even by root.
	must(t, os.WriteFile(filepath.Join(repo, DefaultCacheDir), nil, 0o644))
	out := filepath.Join(t.TempDir(), "r.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", out, repo); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	report := readFile(t, out)
	if !strings.Contains(report, `"no cache: .residue_cache is not a directory"`) || strings.Contains(report, repo) {
		t.Errorf("the warning of the report:\n%s", report)
	}
}

// TestNoCacheOutsideWorkTree: a folder that is no git work tree gets no
// default cache (scanning /etc/passwd wrote /etc/.residue_cache), unless
// one is there already.
func TestNoCacheOutsideWorkTree(t *testing.T) {
	t.Setenv(CacheDirEnv, "")
	useTestAnalyzers(t)
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "v.py"), []byte("leak(1)\n"), 0o644))
	if code, _, errs := residue("scan", dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, DefaultCacheDir)); err == nil {
		t.Error("a cache in a folder that is no work tree")
	}
	must(t, os.Mkdir(filepath.Join(dir, DefaultCacheDir), 0o755))
	if code, _, errs := residue("scan", dir); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, DefaultCacheDir)); len(entries) == 0 {
		t.Error("the cache folder that exists was not used")
	}
}

// TestCacheDirectoryChoice: --no-cache writes nothing, the configuration's
// cache-dir is relative to the configuration file, and the default is at
// the repository root.
func TestCacheDirectoryChoice(t *testing.T) {
	t.Setenv(CacheDirEnv, "")
	useTestAnalyzers(t)
	repo := t.TempDir()
	must(t, os.Mkdir(filepath.Join(repo, ".git"), 0o755))
	must(t, os.MkdirAll(filepath.Join(repo, "app"), 0o755))
	must(t, os.WriteFile(filepath.Join(repo, "app", "v.py"), []byte("leak(1)\n"), 0o644))

	if code, _, errs := residue("scan", "--no-cache", repo); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(repo, DefaultCacheDir)); err == nil {
		t.Error("--no-cache made a cache")
	}
	if code, _, errs := residue("scan", filepath.Join(repo, "app")); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(repo, DefaultCacheDir, ".gitignore")); err != nil {
		t.Errorf("no cache at the repository root: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(repo, "app", ".residue.yml"), []byte("cache-dir: ../build/rc\n"), 0o644))
	if code, _, errs := residue("scan", filepath.Join(repo, "app")); code != 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(repo, "build", "rc", ".gitignore")); err != nil {
		t.Errorf("cache-dir not relative to the configuration file: %v", err)
	}
	must(t, os.WriteFile(filepath.Join(repo, "app", ".residue.yml"), []byte("cache-dir: [a]\n"), 0o644))
	if code, _, errs := residue("scan", filepath.Join(repo, "app")); code != 2 || !strings.Contains(errs, ".residue.yml:1:12: cache-dir must be a directory path") {
		t.Errorf("exit %d, want 2 with file:line:col: %s", code, errs)
	}
}

// TestCacheDirAmongTheUsersFiles: a cache directory that is the
// repository's root or the home folder is refused, with a clear error,
// before anything is written there.
func TestCacheDirAmongTheUsersFiles(t *testing.T) {
	repo, _ := agedDemo(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	for name, dir := range map[string]string{"the repository's root": repo, "your home folder": home} {
		code, _, errs := residue("scan", "--cache-dir", dir, repo)
		if code != 2 || !strings.Contains(errs, "is "+name) {
			t.Errorf("--cache-dir %s: exit %d, %q", name, code, errs)
		}
		if folders, _ := filepath.Glob(filepath.Join(dir, cache.Format+"-*")); len(folders) > 0 {
			t.Errorf("--cache-dir %s: wrote %v", name, folders)
		}
	}
	t.Setenv(CacheDirEnv, "") // the tests' own cache would win
	must(t, os.WriteFile(filepath.Join(repo, ".residue.yml"), []byte("cache-dir: .\n"), 0o644))
	if code, _, errs := residue("scan", repo); code != 2 || !strings.Contains(errs, "the repository's root") {
		t.Errorf("cache-dir: . in .residue.yml: exit %d, %q", code, errs)
	}
}

// agedDemo copies the demo into a new folder and dates its files an hour
// back, so that the cache's index trusts their size and time; it returns
// the folder and the time.
func agedDemo(t *testing.T) (string, time.Time) {
	t.Helper()
	dir := t.TempDir()
	must(t, os.CopyFS(dir, os.DirFS("../../testdata/demo")))
	return dir, age(dir)
}

// age dates every file below dir an hour back, and returns the time.
func age(dir string) time.Time {
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	return old
}

// sarifScan runs residue scan with args and returns its SARIF report.
func sarifScan(t *testing.T, args ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "r.sarif")
	if code, _, errs := residue(append([]string{"scan", "--format", "sarif", "-o", out}, args...)...); code > 1 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(out)
	must(t, err)
	return string(data)
}

// editInPlace replaces from with to, of the same length, in the file at
// path and gives it back its modification time old: an edit the cache's
// index cannot see.
func editInPlace(t *testing.T, path, from, to string, old time.Time) {
	t.Helper()
	src, err := os.ReadFile(path)
	must(t, err)
	edited := strings.Replace(string(src), from, to, 1)
	if edited == string(src) || len(edited) != len(src) {
		t.Fatalf("%s no longer holds %q, or the edit changes its size", path, from)
	}
	must(t, os.WriteFile(path, []byte(edited), 0o644))
	must(t, os.Chtimes(path, old, old))
}

// TestCacheSeesAnEditTheIndexMisses edits a demo file without changing its
// size or modification time, so that the cache's index still trusts it:
// the cache keeps no sources, the file read back does not match what was
// stored, and the warm report is the one of the edited project. The same
// holds for a C file, whose part keeps a snapshot as old as its outline.
func TestCacheSeesAnEditTheIndexMisses(t *testing.T) {
	for _, c := range []struct{ file, from, to string }{
		{"signing/views.py", `    logger.info("payload %s", request.body)`, `#   logger.info("payload %s", request.body)`},
		{"native/signer.c", `write(fd, buf, sizeof buf) < 0 ? fail("audit write failed") : 0;`, `write(fd, buf, strlen(buf)) < 0 ? fail("audit write failed"): 0;`},
	} {
		t.Run(c.file, func(t *testing.T) {
			dir, old := agedDemo(t)
			cacheDir := filepath.Join(t.TempDir(), "cache")
			before := sarifScan(t, "--cache-dir", cacheDir, dir)
			editInPlace(t, filepath.Join(dir, filepath.FromSlash(c.file)), c.from, c.to, old)
			warm := sarifScan(t, "--cache-dir", cacheDir, dir)
			if none := sarifScan(t, "--no-cache", dir); warm != none || warm == before {
				t.Errorf("the warm report is not the edited project's (same as before the edit: %v)", warm == before)
			}
		})
	}
}

// TestCacheKeysWhatItAnalyzesAgain edits a helper without changing its
// size or modification time, scans (the helper's stored outline does not
// match it: it is analyzed again), then restores the helper's first
// content with a new time and scans a view that calls it: the helper's
// entry for its first content must still be that content's, not the
// edit's results stored under the key the index gave.
func TestCacheKeysWhatItAnalyzesAgain(t *testing.T) {
	t.Setenv(CacheDirEnv, "")
	first := "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef log_it(value):\n    logger.info(\"value: %s\", value)\n"
	dir := tree(t, map[string]string{
		".git/HEAD":       "ref: refs/heads/main\n",
		"app/__init__.py": "",
		"app/helpers.py":  first,
		"app/views.py":    "from app.helpers import log_it\n\n\ndef index(request):\n    log_it(request.headers)\n    return None\n",
	})
	old := age(dir)
	cacheDir := filepath.Join(t.TempDir(), "cache")
	helpers := filepath.Join(dir, "app", "helpers.py")
	sarifScan(t, "--cache-dir", cacheDir, dir)
	editInPlace(t, helpers, "logger.info(", "print      (", old)
	sarifScan(t, "--cache-dir", cacheDir, dir)
	must(t, os.WriteFile(helpers, []byte(first), 0o644))
	newer := old.Add(time.Hour / 2)
	must(t, os.Chtimes(helpers, newer, newer))
	views := filepath.Join(dir, "app", "views.py")
	warm, none := sarifScan(t, "--cache-dir", cacheDir, views), sarifScan(t, "--no-cache", views)
	const rule = `"ruleId": "logging/request-secrets"`
	if warm != none || !strings.Contains(none, rule) {
		t.Errorf("the view's warm report is not its report without a cache (request-secrets warm %v, without %v)",
			strings.Contains(warm, rule), strings.Contains(none, rule))
	}
}

// TestCheckoutsShareACache: two checkouts that share a cache directory
// hold different files under one path, with the same size and time (a
// copy, a time restored): each scan reports its own checkout's findings.
func TestCheckoutsShareACache(t *testing.T) {
	useTestAnalyzers(t)
	shared := filepath.Join(t.TempDir(), "cache")
	a := tree(t, map[string]string{"app/v.py": "leak(1)\n"})
	b := tree(t, map[string]string{"app/v.py": "lean(1)\n"})
	age(a)
	old := age(b)
	for _, dir := range []string{a, b} {
		must(t, os.Chtimes(filepath.Join(dir, "app", "v.py"), old, old))
	}
	for i, c := range []struct {
		dir  string
		want int
	}{{a, 1}, {b, 0}, {a, 1}, {b, 0}} {
		if code, _, errs := residue("scan", "--cache-dir", shared, c.dir); code != c.want {
			t.Errorf("scan %d of %s: exit %d, want %d: %s", i+1, filepath.Base(c.dir), code, c.want, errs)
		}
	}
}

// TestCacheDirEnvExpandsHome: RESIDUE_CACHE_DIR=~/… (a CI env: block
// does not expand ~) is under the home directory, not a folder named ~
// in the repository.
func TestCacheDirEnvExpandsHome(t *testing.T) {
	useTestAnalyzers(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(CacheDirEnv, "~/.cache/residue")
	dir := tree(t, map[string]string{".git/HEAD": "ref: refs/heads/main\n", "app/v.py": "leak(1)\n"})
	sarifScan(t, dir)
	for _, stray := range []string{filepath.Join(dir, "~"), "~"} {
		if _, err := os.Stat(stray); err == nil {
			t.Errorf("the cache went to a folder named ~: %s", stray)
		}
	}
	if entries, err := os.ReadDir(filepath.Join(home, ".cache", "residue")); err != nil || len(entries) == 0 {
		t.Errorf("no cache under the home directory: %v", err)
	}
}
