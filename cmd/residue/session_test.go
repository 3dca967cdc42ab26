package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/residue-sec/residue/analyzers/analyzertest/sarifcheck"
)

// TestPreCommitSessionGathersRuns runs residue scan --pre-commit three
// times from this process, as pre-commit runs a hook on the parts of a
// long file list (with PRE_COMMIT=1 set, as pre-commit sets it): the SARIF
// report holds every run's findings. A run started by another process
// (another pre-commit invocation) replaces the report, and so does a run
// pre-commit did not start.
func TestPreCommitSessionGathersRuns(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "leak(1)\n", "b.py": "leak(2)\n", "c.c": "void f(void) { leak(3); }\n", "d.py": "leak(4)\n"})
	report := filepath.Join(t.TempDir(), "residue.sarif")
	bin := testResidue(t)
	hook := true
	scan := func(name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if hook {
			cmd.Env = append(os.Environ(), "PRE_COMMIT=1")
		}
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	for _, files := range [][]string{{"a.py"}, {"b.py", "c.c"}} {
		scan(bin, append([]string{"scan", "--pre-commit", "--format", "sarif", "-o", report}, files...)...)
	}
	sarifcheck.Check(t, report)
	found, _, _ := sarifFindings(t, report)
	if want := "[a.py:1 test/leak b.py:1 test/leak c.c:1 test/cleak]"; fmt.Sprint(found) != want {
		t.Errorf("after two runs the report holds %q, want %s", found, want)
	}
	if !strings.Contains(readFile(t, report), `"residue/filesScanned": 3`) {
		t.Error("the report does not count the files of both runs")
	}
	// A shell in between is another parent: another session.
	scan("sh", "-c", `"$0" scan --pre-commit --format sarif -o "$1" d.py; exit $?`, bin, report)
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[d.py:1 test/leak]" {
		t.Errorf("a run of another session kept %q, want only d.py", found)
	}
	// The same parent scanning a file of the report again (a script, a
	// shell) is another session: the report is this run's, without the
	// finding the file no longer has.
	scan("sh", "-c", `"$0" scan --pre-commit --format sarif -o "$1" d.py a.py; echo 'x = 1' > d.py; "$0" scan --pre-commit --format sarif -o "$1" d.py b.py`, bin, report)
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[b.py:1 test/leak]" {
		t.Errorf("a run that scans a file of the report again kept %q, want only b.py", found)
	}
	// So is a run with no path, which scans the current directory.
	scan("sh", "-c", `"$0" scan --pre-commit --format sarif -o "$1"; "$0" scan --pre-commit --format sarif -o "$1"`, bin, report)
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[a.py:1 test/leak b.py:1 test/leak c.c:1 test/cleak]" {
		t.Errorf("two runs of the current directory hold %q, want its findings once", found)
	}
	// Runs pre-commit did not start, from one shell, are no session.
	hook = false
	scan("sh", "-c", `"$0" scan --pre-commit --format sarif -o "$1" a.py; "$0" scan --pre-commit --format sarif -o "$1" b.py`, bin, report)
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[b.py:1 test/leak]" {
		t.Errorf("two runs from a shell without PRE_COMMIT hold %q, want only the second's", found)
	}
	hook = true
	// Without --pre-commit every run replaces the report.
	scan(bin, "scan", "--format", "sarif", "-o", report, "a.py")
	scan(bin, "scan", "--format", "sarif", "-o", report, "b.py")
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[b.py:1 test/leak]" {
		t.Errorf("without --pre-commit the report holds %q", found)
	}
	if _, err := os.Stat(report); err != nil {
		t.Fatal(err)
	}
	// Compared with a baseline, a first run without new findings still
	// starts the session's report, which the second continues.
	base := filepath.Join(t.TempDir(), "base.sarif")
	scan(bin, "scan", "--format", "sarif", "-o", base, "a.py")
	for _, file := range []string{"a.py", "b.py"} {
		cmd := exec.Command(bin, "scan", "--pre-commit", "--baseline", base, "--format", "sarif", "-o", report, file)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PRE_COMMIT=1")
		if out, err := cmd.CombinedOutput(); err != nil && file == "a.py" {
			t.Fatalf("%s: %v\n%s", file, err, out)
		}
	}
	if found, _, _ := sarifFindings(t, report); fmt.Sprint(found) != "[b.py:1 test/leak]" || !strings.Contains(readFile(t, report), `"residue/filesScanned": 2`) {
		t.Errorf("with a baseline the session's report holds %q, counting the files of one run", found)
	}
}

// TestPreCommitToAPipe writes a --pre-commit report to /dev/stdout on a
// pipe and to a FIFO: there is no report to continue there, and the run
// must not wait to read one back from its own output (a hang is killed
// after a minute).
func TestPreCommitToAPipe(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	bin := testResidue(t)
	command := func(output string) *exec.Cmd {
		cmd := exec.Command(bin, "scan", "--pre-commit", "--format", "sarif", "-o", output, "a.py")
		cmd.Dir = dir
		cmd.WaitDelay = time.Second
		time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
		return cmd
	}
	out, err := command("/dev/stdout").Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(out), `"ruleId": "test/leak"`) {
		t.Errorf("-o /dev/stdout on a pipe: %v, output %.200q", err, out)
	}
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	got := readFIFO(fifo)
	err = command(fifo).Run()
	select {
	case data := <-got:
		if err == nil || !strings.Contains(string(data), `"ruleId": "test/leak"`) {
			t.Errorf("-o FIFO: %v, the reader got %.200q", err, data)
		}
	case <-time.After(time.Minute):
		t.Errorf("-o FIFO: %v, and the FIFO's reader still waits", err) // the reader is left behind
	}
}

// TestPreCommitTakesOneConfiguration: pre-commit cuts the staged files
// into runs as it pleases, and a run of files all under a folder with a
// configuration of its own takes the root's all the same, so that the
// report the runs gather gives one rule one level, as one scan of them
// all does.
func TestPreCommitTakesOneConfiguration(t *testing.T) {
	dir := tree(t, map[string]string{
		".residue.yml":         "rules:\n  severity:\n    test/leak: error\n",
		"backend/.residue.yml": "exclude: [\"backend/migrations/**\"]\n",
		"backend/a.py":         "leak(1)\n", "backend/b.py": "leak(2)\n", "web/c.py": "leak(3)\n",
	})
	// A repository, as pre-commit's always is: its root is where the hook
	// runs.
	must(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
	report := filepath.Join(t.TempDir(), "residue.sarif")
	bin := testResidue(t)
	for _, files := range [][]string{{"backend/a.py"}, {"backend/b.py", "web/c.py"}} {
		cmd := exec.Command(bin, append([]string{"scan", "--pre-commit", "--format", "sarif", "-o", report}, files...)...)
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "PRE_COMMIT=1")
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Fatalf("%v: no findings\n%s", files, out)
		}
	}
	var log struct {
		Runs []struct {
			Results []struct{ Level string } `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(readFile(t, report)), &log); err != nil || len(log.Runs) != 1 {
		t.Fatal(err)
	}
	var levels []string
	for _, r := range log.Runs[0].Results {
		levels = append(levels, r.Level)
	}
	if fmt.Sprint(levels) != "[error error error]" {
		t.Errorf("the session's report gives its findings the levels %v, want error for all 3", levels)
	}
}
