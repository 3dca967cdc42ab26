package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

// action is the part of action.yml the tests read.
type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

type actionStep struct {
	ID               string            `yaml:"id"`
	Uses             string            `yaml:"uses"`
	Shell            string            `yaml:"shell"`
	WorkingDirectory string            `yaml:"working-directory"`
	Env              map[string]string `yaml:"env"`
	Run              string            `yaml:"run"`
}

func loadAction(t *testing.T) *action {
	t.Helper()
	data, err := os.ReadFile("../../action.yml")
	must(t, err)
	var a action
	must(t, yaml.Unmarshal(data, &a))
	if a.Runs.Using != "composite" {
		t.Fatalf("action.yml runs.using = %q, want composite", a.Runs.Using)
	}
	return &a
}

// step returns the step with id.
func (a *action) step(t *testing.T, id string) actionStep {
	t.Helper()
	for _, s := range a.Runs.Steps {
		if s.ID == id {
			if s.Shell != "bash" {
				t.Fatalf("step %s: shell %q, want bash", id, s.Shell)
			}
			return s
		}
	}
	t.Fatalf("action.yml has no step %q", id)
	return actionStep{}
}

var expression = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// runStep runs a bash step as the runner does (bash --noprofile --norc
// -eo pipefail), in dir, with its env and working-directory evaluated
// against ctx (inputs.NAME, github.action_path, ...). An expression ctx
// lacks fails the test. It returns the exit code, the output and what
// the step wrote to $GITHUB_OUTPUT.
func runStep(t *testing.T, s actionStep, dir string, ctx map[string]string) (int, string, string) {
	t.Helper()
	eval := func(text string) string {
		return expression.ReplaceAllStringFunc(text, func(e string) string {
			v, ok := ctx[expression.FindStringSubmatch(e)[1]]
			if !ok {
				t.Fatalf("step %s: the test does not know %s", s.ID, e)
			}
			return v
		})
	}
	if expression.MatchString(s.Run) {
		t.Fatalf("step %s: the script uses expressions; inputs must reach it through env", s.ID)
	}
	outputs := filepath.Join(t.TempDir(), "github_output")
	cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Dir = dir
	if s.WorkingDirectory != "" {
		cmd.Dir = eval(s.WorkingDirectory)
	}
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outputs)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+eval(v))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	written, _ := os.ReadFile(outputs)
	return code, out.String(), string(written)
}

// inputs returns the action's inputs with their defaults, then set.
func (a *action) inputs(set map[string]string) map[string]string {
	ctx := map[string]string{}
	for name, in := range a.Inputs {
		ctx["inputs."+name] = in.Default
	}
	for name, v := range set {
		ctx["inputs."+name] = v
	}
	return ctx
}

// TestActionScanStep runs the action's scan step, the same script with the
// same environment as the runner, with the test binary standing in for
// the residue the build step makes.
func TestActionScanStep(t *testing.T) {
	a := loadAction(t)
	scan := a.step(t, "scan")
	workspace := gitTree(t, map[string]string{
		"app/views.py":   "def view(request):\n    leak(request.body)\n",
		"my lib/x.py":    "leak(2)\n",
		"native/n.c":     "void f(void) { leak(1); }\n",
		"scripts/ok.py":  "x = 1\n",
		"other/skip.py":  "leak(3)\n",
		"bad-config.yml": "exclude: [x]\nunknown: 1\n",
	})
	residueBin := testResidue(t)
	run := func(set map[string]string) (int, string, string) {
		ctx := a.inputs(set)
		ctx["steps.build.outputs.residue"] = residueBin
		return runStep(t, scan, workspace, ctx)
	}

	code, out, outputs := run(map[string]string{"paths": "app\nnative", "category": "residue-test"})
	if code != 0 || outputs != "sarif-file=residue.sarif\nfindings=true\n" {
		t.Fatalf("scan with findings: exit %d, outputs %q\n%s", code, outputs, out)
	}
	report := filepath.Join(workspace, "residue.sarif")
	sarifcheck.Check(t, report)
	found, _, _ := sarifFindings(t, report)
	if want := []string{"app/views.py:2 test/leak", "native/n.c:1 test/cleak"}; fmt.Sprint(found) != fmt.Sprint(want) {
		t.Errorf("report holds %q, want %q", found, want)
	}
	if data := readFile(t, report); !strings.Contains(data, `"id": "residue-test/"`) {
		t.Error(`the report lacks automationDetails.id "residue-test/"`)
	}
	baseline := filepath.Join(t.TempDir(), "baseline.sarif")
	must(t, os.WriteFile(baseline, []byte(readFile(t, report)), 0o644))

	for _, tc := range []struct {
		name    string
		set     map[string]string
		code    int
		outputs string
		shows   string
	}{
		{"fail-on-findings", map[string]string{"paths": "app", "fail-on-findings": "true"}, 1,
			"sarif-file=residue.sarif\nfindings=true\n", "::error::residue found problems"},
		{"clean paths", map[string]string{"paths": "scripts", "fail-on-findings": "true", "output": "clean.sarif"}, 0,
			"sarif-file=clean.sarif\nfindings=false\n", ""},
		{"a path with a blank is two paths", map[string]string{"paths": "my lib"}, 2, "", "my: no such file or directory"},
		{"severity", map[string]string{"paths": "app", "severity": "error"}, 0, "sarif-file=residue.sarif\nfindings=false\n", ""},
		{"bad configuration", map[string]string{"config": "bad-config.yml"}, 2, "", `bad-config.yml:2:1: unknown key "unknown"`},
		{"diff-base", map[string]string{"diff-base": "HEAD"}, 0, "sarif-file=residue.sarif\nfindings=false\n", "4 findings on lines unchanged since --diff-base left out"},
		{"diff-base of a push that creates a branch", map[string]string{"diff-base": "0000000000000000000000000000000000000000"}, 0, "sarif-file=residue.sarif\nfindings=true\n", ""},
		{"diff-base gone after a force-push", map[string]string{"diff-base": "0123456789abcdef0123456789abcdef01234567"}, 0, "sarif-file=residue.sarif\nfindings=true\n",
			"::warning::residue: diff-base 0123456789abcdef0123456789abcdef01234567 is not a commit of this clone"},
		{"baseline", map[string]string{"paths": "app native other", "baseline": baseline}, 0, "sarif-file=residue.sarif\nfindings=true\n", "2 findings in the baseline left out"},
	} {
		code, out, outputs := run(tc.set)
		if code != tc.code || outputs != tc.outputs || !strings.Contains(out, tc.shows) {
			t.Errorf("%s: exit %d (want %d), outputs %q (want %q), output:\n%s", tc.name, code, tc.code, outputs, tc.outputs, out)
		}
	}
	found, _, states := sarifFindings(t, report)
	if fmt.Sprint(found) != "[other/skip.py:1 test/leak]" || fmt.Sprint(states) != "[new]" {
		t.Errorf("with the baseline the report holds %q %q, want only other/skip.py, new", found, states)
	}

	// Shards of a matrix, then their merge: the whole scan's report.
	whole := filepath.Join(workspace, "whole.sarif")
	if code, out, _ := run(map[string]string{"paths": ".", "output": "whole.sarif"}); code != 0 {
		t.Fatalf("whole scan: exit %d\n%s", code, out)
	}
	must(t, os.MkdirAll(filepath.Join(workspace, "shards"), 0o755))
	for k := 1; k <= 3; k++ {
		out := fmt.Sprintf("shards/s%d.sarif", k)
		if code, text, _ := run(map[string]string{"paths": ".", "shard": fmt.Sprintf("%d/3", k), "output": out}); code != 0 {
			t.Fatalf("shard %d: exit %d\n%s", k, code, text)
		}
	}
	code, out, outputs = run(map[string]string{"merge": "shards/*.sarif", "output": "merged.sarif", "fail-on-findings": "true"})
	if code != 1 || outputs != "sarif-file=merged.sarif\nfindings=true\n" || !strings.Contains(out, "::error::residue found problems") {
		t.Errorf("merge: exit %d, outputs %q\n%s", code, outputs, out)
	}
	if merged := readFile(t, filepath.Join(workspace, "merged.sarif")); merged != readFile(t, whole) {
		t.Errorf("the merged shards differ from the whole scan")
	}

	// A checkout in a folder of a workspace that is no clone itself
	// (actions/checkout's path:): the diff-base is looked for in the clone
	// of the paths scanned.
	outer := t.TempDir()
	must(t, os.Rename(gitTree(t, map[string]string{"views.py": "def view(request):\n    leak(request.body)\n"}), filepath.Join(outer, "app")))
	ctx := a.inputs(map[string]string{"paths": "app", "diff-base": "HEAD"})
	ctx["steps.build.outputs.residue"] = residueBin
	code, out, outputs = runStep(t, scan, outer, ctx)
	if code != 0 || outputs != "sarif-file=residue.sarif\nfindings=false\n" || strings.Contains(out, "::warning::") {
		t.Errorf("diff-base of a checkout in a folder: exit %d, outputs %q\n%s", code, outputs, out)
	}
}

// TestActionBuildStep runs the action's build step for real and scans a
// file with the binary it built.
func TestActionBuildStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds residue")
	}
	a := loadAction(t)
	build := a.step(t, "build")
	root, err := filepath.Abs("../..")
	must(t, err)
	temp := t.TempDir()
	code, out, outputs := runStep(t, build, t.TempDir(), map[string]string{"github.action_path": root, "runner.temp": temp, "steps.go.outputs.go": ""})
	bin := filepath.Join(temp, "residue-action", "residue")
	if code != 0 || outputs != "residue="+bin+"\n" {
		t.Fatalf("build step: exit %d, outputs %q\n%s", code, outputs, out)
	}
	version, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(version), "residue ") {
		t.Errorf("%s version: %q %v", bin, version, err)
	}
}

// TestActionSetsUpGoForItselfOnly checks the action's Go: the cache key
// comes from the action's go.mod and go.sum (which hashFiles and
// setup-go's cache cannot reach, outside the workspace), and the setup
// step gives the build the Go of go.mod without changing PATH or the
// environment of the job's later steps. The test runs the setup step with
// that Go in the cache already (the download needs the network).
func TestActionSetsUpGoForItselfOnly(t *testing.T) {
	a := loadAction(t)
	data := regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(readFile(t, "../../action.yml"), "")
	for _, bad := range []string{"actions/setup-go", "cache-dependency-path", "hashFiles(", "GITHUB_PATH", "GITHUB_ENV"} {
		if strings.Contains(data, bad) {
			t.Errorf("action.yml uses %s", bad)
		}
	}
	root, err := filepath.Abs("../..")
	must(t, err)
	code, out, outputs := runStep(t, a.step(t, "key"), t.TempDir(), map[string]string{"github.action_path": root})
	if !regexp.MustCompile(`^version=1\.26\.\d+\nkey=residue-go1\.26\.\d+-[0-9a-f]{16}\n$`).MatchString(outputs) || code != 0 {
		t.Fatalf("key step: exit %d, outputs %q\n%s", code, outputs, out)
	}
	version := strings.TrimPrefix(strings.SplitN(outputs, "\n", 2)[0], "version=")

	temp := t.TempDir()
	goBin := filepath.Join(temp, "residue-action", "go", "bin", "go")
	must(t, os.MkdirAll(filepath.Dir(goBin), 0o755))
	must(t, os.WriteFile(goBin, []byte("#!/bin/sh\necho go"+version+"\n"), 0o755))
	for _, env := range []string{"GITHUB_PATH", "GITHUB_ENV"} {
		f := filepath.Join(t.TempDir(), env)
		must(t, os.WriteFile(f, nil, 0o644))
		t.Setenv(env, f)
	}
	setup := a.step(t, "go")
	code, out, outputs = runStep(t, setup, t.TempDir(), map[string]string{"steps.key.outputs.version": version, "runner.temp": temp})
	if code != 0 || outputs != "go="+goBin+"\n" {
		t.Errorf("setup step: exit %d, outputs %q, want the cached Go\n%s", code, outputs, out)
	}
	for _, env := range []string{"GITHUB_PATH", "GITHUB_ENV"} {
		if data, _ := os.ReadFile(os.Getenv(env)); len(data) > 0 {
			t.Errorf("the setup step wrote %s: %q", env, data)
		}
	}
}

// TestActionInputsAreUsed checks that every input reaches a step.
func TestActionInputsAreUsed(t *testing.T) {
	a := loadAction(t)
	data := readFile(t, "../../action.yml")
	for name := range a.Inputs {
		if !strings.Contains(data, "${{ inputs."+name+" }}") && !strings.Contains(data, "if: inputs."+name+" ") {
			t.Errorf("input %s is never used", name)
		}
	}
}
