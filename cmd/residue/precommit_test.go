package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

// requireTool returns the path of a program the test needs. Where it is
// missing the test is skipped, except in CI (CI=true), where .ci/run
// installs it and its absence is a failure.
func requireTool(t *testing.T, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed: %s (.ci/run does)", name, install)
	}
	t.Skipf("%s is not installed (%s); skipping", name, install)
	return ""
}

// checkoutSnapshot copies the files of this checkout, tracked or untracked
// but not ignored, as they are on disk, into a new repository with one
// commit, and returns it: pre-commit clones a repository at a revision, and
// this way it clones exactly the code under test, committed or not.
func checkoutSnapshot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	must(t, err)
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("listing the checkout's files: %v", err)
	}
	dst := t.TempDir()
	for _, name := range strings.Split(string(list), "\x00") {
		if name == "" {
			continue
		}
		src := filepath.Join(root, name)
		fi, err := os.Lstat(src)
		if err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or not a file
		}
		data, err := os.ReadFile(src)
		must(t, err)
		target := filepath.Join(dst, name)
		must(t, os.MkdirAll(filepath.Dir(target), 0o755))
		must(t, os.WriteFile(target, data, fi.Mode().Perm()))
	}
	git(t, dst, "init", "-q", "-b", "main")
	git(t, dst, "add", "-A")
	git(t, dst, "commit", "-q", "-m", "snapshot")
	return dst
}

// hookStatus matches pre-commit's line for one hook: "NAME....Passed".
var hookStatus = regexp.MustCompile(`(?m)^(.+?)\.{3,}(Passed|Failed|\(no files to check\)Skipped)$`)

// hookResult is one hook's status and the output pre-commit showed for it.
type hookResult struct{ status, output string }

// tryRepo runs `pre-commit try-repo REPO` (every hook of the repository)
// in dir on files and returns its exit code, output and each hook's result
// by hook name.
func tryRepo(t *testing.T, precommit, repo, dir string, env []string, files ...string) (int, string, map[string]hookResult) {
	t.Helper()
	cmd := exec.Command(precommit, append([]string{"try-repo", "--color", "never", repo, "--files"}, files...)...)
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	text := out.String()
	hooks := map[string]hookResult{}
	idx := hookStatus.FindAllStringSubmatchIndex(text, -1)
	for i, m := range idx {
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		hooks[text[m[2]:m[3]]] = hookResult{status: text[m[4]:m[5]], output: text[m[1]:end]}
	}
	return code, text, hooks
}

// builtinRuleIDs returns the ids of the rules residue ships, as
// `residue rules --format json` lists them.
func builtinRuleIDs(t *testing.T) []string {
	t.Helper()
	code, out, errs := residue("rules", "--format", "json")
	if code != 0 {
		t.Fatalf("residue rules: exit %d %s", code, errs)
	}
	var rules []struct{ ID string }
	must(t, json.Unmarshal([]byte(out), &rules))
	var ids []string
	for _, r := range rules {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestPreCommitHooks runs residue's three hooks with the real pre-commit
// (`pre-commit try-repo` against this checkout) in a new repository: on a
// clean file every hook passes; on bad files the hooks fail and print the
// findings, with paths relative to the repository root, and the
// configuration's excludes apply to the files pre-commit passes. The
// golang hooks are built by pre-commit from the checkout and run the real
// analyzers; the system hook runs the residue found on PATH, here the test
// binary with the test analyzers, which report calls to leak().
func TestPreCommitHooks(t *testing.T) {
	precommit := requireTool(t, "pre-commit", "apt-get install pre-commit")
	// The manifest, and the README's configuration snippet, are valid.
	snippet := filepath.Join(t.TempDir(), ".pre-commit-config.yaml")
	must(t, os.WriteFile(snippet, []byte(yamlBlock(t, "../../README.md", "## pre-commit")), 0o644))
	for _, args := range [][]string{{"validate-manifest", "../../.pre-commit-hooks.yaml"}, {"validate-config", snippet}} {
		if out, err := exec.Command(precommit, args...).CombinedOutput(); err != nil {
			t.Errorf("pre-commit %s: %v\n%s", args[0], err, out)
		}
	}
	hooks := checkoutSnapshot(t)
	user := gitTree(t, map[string]string{
		".residue.yml":       "exclude: [\"tests/**\"]\n",
		"app/clean.py":       "def add(a, b):\n    return a + b\n",
		"app/views.py":       "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef view(request):\n    logger.info(request.body)\n",
		"app/leaky.py":       "def view(request):\n    leak(request.body)\n",
		"native/n.c":         "void f(void) {\n  leak(1);\n}\n",
		"tests/test_leak.py": "leak(1)\n",
		"README.md":          "not scanned\n",
	})
	gomodcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	must(t, err)
	env := append(os.Environ(),
		"PATH="+filepath.Dir(testResidue(t))+string(os.PathListSeparator)+os.Getenv("PATH"),
		"PRE_COMMIT_HOME="+t.TempDir(),
		// The module cache the tests were built with: pre-commit's Go
		// build then needs no download (it would use the Go proxy).
		"GOMODCACHE="+strings.TrimSpace(string(gomodcache)),
	)
	const golang, system, sarif = "residue", "residue (installed binary)", "residue (SARIF report)"
	report := filepath.Join(user, "residue.sarif")

	code, out, res := tryRepo(t, precommit, hooks, user, env, "app/clean.py", "README.md")
	if code != 0 || len(res) != 3 {
		t.Fatalf("clean file: exit %d, want 0 with three hooks run\n%s", code, out)
	}
	for name, r := range res {
		if r.status != "Passed" {
			t.Errorf("clean file: hook %q %s\n%s", name, r.status, out)
		}
	}
	sarifcheck.Check(t, report)
	if found, _, _ := sarifFindings(t, report); len(found) != 0 {
		t.Errorf("clean file: the SARIF hook reported %q", found)
	}

	code, out, res = tryRepo(t, precommit, hooks, user, env, "app/views.py", "app/leaky.py", "native/n.c", "tests/test_leak.py")
	if code != 1 {
		t.Fatalf("bad files: exit %d, want 1\n%s", code, out)
	}
	sys := res[system]
	if sys.status != "Failed" || !strings.Contains(sys.output, "app/leaky.py:2:5: warning test/leak: leak called with (request.body)") ||
		!strings.Contains(sys.output, "native/n.c:2:3: warning test/cleak") || strings.Contains(sys.output, "tests/test_leak.py") {
		t.Errorf("system hook on the bad files: %s, want Failed with the two findings and none in tests/:\n%s", sys.status, sys.output)
	}

	t.Run("golang hooks on the bad files", func(t *testing.T) {
		var logging bool
		for _, id := range builtinRuleIDs(t) {
			logging = logging || strings.HasPrefix(id, "logging/")
		}
		if !logging {
			if res[golang].status != "Passed" || res[sarif].status != "Passed" {
				t.Errorf("with no built-in rule the golang hooks must pass:\n%s", out)
			}
			t.Skip("no built-in logging rule yet: the golang hooks have nothing to find in app/views.py")
		}
		if r := res[golang]; r.status != "Failed" || !regexp.MustCompile(`app/views\.py:7:\d+: \w+ logging/`).MatchString(r.output) {
			t.Errorf("golang hook: %s, want Failed with a logging finding in app/views.py:\n%s", r.status, r.output)
		}
		found, _, _ := sarifFindings(t, report)
		if res[sarif].status != "Failed" || len(found) == 0 || !strings.HasPrefix(found[0], "app/views.py:7 logging/") {
			t.Errorf("SARIF hook: %s, report %q, want Failed and the logging finding", res[sarif].status, found)
		}
		sarifcheck.Check(t, report)
	})

	// pre-commit splits a file list longer than 128 KiB into several runs
	// of each hook; the SARIF hook's report must hold every run's
	// findings, not the last run's.
	t.Run("a file list pre-commit splits", func(t *testing.T) {
		files := map[string]string{}
		var names []string
		length := 0
		dir := "app/" + strings.Repeat("a_folder_with_a_rather_long_name/", 3)
		for i := 0; length < 150<<10; i++ {
			name := fmt.Sprintf("%sviews_of_a_module_with_a_rather_long_name_%04d.py", dir, i)
			files[name] = "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef view(request):\n    logger.info(request.body)\n    leak(request.body)\n"
			names = append(names, name)
			length += len(name) + 1
		}
		many := gitTree(t, files)
		_, out, res := tryRepo(t, precommit, hooks, many, env, names...)
		if res[system].status != "Failed" || strings.Count(res[system].output, "warning test/leak") != len(names) {
			t.Fatalf("system hook: %s with %d findings, want Failed with %d\n%.2000s", res[system].status,
				strings.Count(res[system].output, "warning test/leak"), len(names), out)
		}
		if runs := strings.Count(res[system].output, " findings ("); runs < 2 {
			t.Errorf("the system hook ran %d times, want the file list split", runs)
		}
		report := filepath.Join(many, "residue.sarif")
		sarifcheck.Check(t, report)
		found, _, _ := sarifFindings(t, report)
		if res[sarif].status != "Failed" || len(found) != len(names) {
			t.Errorf("SARIF hook: %s, %d results in residue.sarif, want %d (one per file)", res[sarif].status, len(found), len(names))
		}
	})
}
