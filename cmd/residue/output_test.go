package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutputToFIFO writes the report through a symlink to a FIFO: the
// reader gets it, and the FIFO and the link are still there, not replaced
// by a regular file.
func TestOutputToFIFO(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	out := t.TempDir()
	fifo, link := filepath.Join(out, "fifo"), filepath.Join(out, "link")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a FIFO: %v", err)
	}
	must(t, os.Symlink(fifo, link))
	got := readFIFO(fifo)
	code, _, errs := residue("scan", "--format", "sarif", "-o", link, dir)
	if code != 1 {
		t.Errorf("exit %d, want 1: %s", code, errs)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		// The reader waits for a writer that never comes: leave it.
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v %v", fi.Mode(), err)
	}
	if data := <-got; !bytes.Contains(data, []byte(`"ruleId": "test/leak"`)) {
		t.Errorf("the FIFO's reader got %.200q, want the report", data)
	}
	assertNoTemporaryFiles(t, out)
}

// readFIFO reads the FIFO at path, once a writer opens it, and sends
// what it read (nil when it cannot open it).
func readFIFO(path string) <-chan []byte {
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			got <- nil
			return
		}
		data, _ := io.ReadAll(f)
		f.Close()
		got <- data
	}()
	return got
}

// TestOutputToDevice writes the report to a character device made like
// /dev/null (never /dev/null itself), which must stay a device.
func TestOutputToDevice(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	out := t.TempDir()
	dev := filepath.Join(out, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("cannot make a device node (root only): %v", err)
	}
	if f, err := os.OpenFile(dev, os.O_WRONLY, 0); err != nil {
		t.Skipf("cannot open a device node here (nodev mount?): %v", err)
	} else {
		f.Close()
	}
	if code, _, errs := residue("scan", "--format", "json", "-o", dev, dir); code != 1 {
		t.Errorf("exit %d, want 1: %s", code, errs)
	}
	if fi, err := os.Lstat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("the device node was replaced: %v %v", fi.Mode(), err)
	}
	if data, _ := os.ReadFile(dev); len(data) != 0 {
		t.Errorf("the device stores what was written to it: %.80q", data)
	}
	assertNoTemporaryFiles(t, out)
}

// TestOutputToStdoutPath writes the report to /proc/self/fd/1, the
// command's own stdout (a pipe here), as /dev/stdout does.
func TestOutputToStdoutPath(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd/1"); err != nil {
		t.Skip("no /proc/self/fd")
	}
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	cmd := exec.Command(testResidue(t), "scan", "--format", "json", "-o", "/proc/self/fd/1", dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("exit %v, want 1: %s", err, errb.String())
	}
	if !strings.Contains(out.String(), `"rule": "test/leak"`) {
		t.Errorf("stdout got %.200q, want the report", out.String())
	}
	// -o - is stdout too, and writes no file named -.
	useTestAnalyzers(t)
	t.Chdir(dir)
	code, stdout, errs := residue("scan", "--format", "json", "-o", "-", ".")
	if code != 1 || !strings.Contains(stdout, `"rule": "test/leak"`) {
		t.Errorf("-o -: exit %d, stdout %.200q, stderr %q", code, stdout, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error("-o - wrote a file named -")
	}
}

// TestOutputTargetsRefused refuses, before scanning, an -o that is a
// directory, a source file the scan reads or a configuration file a later
// scan would, and leaves it as it was.
func TestOutputTargetsRefused(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"app/views.py": "leak(1)\n", "app/run": "#!/usr/bin/env python3\nleak(2)\n"})
	git(t, dir, "init", "-q")
	for _, tc := range []struct{ output, want string }{
		{filepath.Join(dir, "app", "views.py"), "a Python or C file of the repository"},
		{filepath.Join(dir, "app", "run"), "a Python or C file of the repository"},
		{filepath.Join(dir, "new.c"), "a Python or C file of the repository"},
		{filepath.Join(dir, "app"), "is a directory"},
		{filepath.Join(dir, "app", ".residue.yml"), "the name of the configuration file, which the next scan would read"},
	} {
		code, out, errs := residue("scan", "-o", tc.output, filepath.Join(dir, "app"))
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("-o %s: exit %d, stderr %q, want 2 and %q", tc.output, code, errs, tc.want)
		}
	}
	if data := readFile(t, filepath.Join(dir, "app", "views.py")); data != "leak(1)\n" {
		t.Errorf("views.py changed: %q", data)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.c")); err == nil {
		t.Error("new.c was written")
	}
	// A report file outside the repository is fine, whatever its name.
	outside := filepath.Join(t.TempDir(), "report.py")
	if code, _, errs := residue("scan", "-o", outside, dir); code != 1 {
		t.Errorf("-o %s: exit %d: %s", outside, code, errs)
	}
	// Nor may the report replace the scan's other inputs.
	rules := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, ".residue.yml"), []byte("exclude: [build/**]\n"), 0o644))
	base := filepath.Join(t.TempDir(), "base.sarif")
	if code, _, errs := residue("scan", "--format", "sarif", "-o", base, dir); code != 1 {
		t.Fatalf("baseline: exit %d: %s", code, errs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-o", filepath.Join(dir, ".residue.yml")}, "the configuration file"},
		{[]string{"--baseline", base, "-o", base}, "the baseline"},
		{[]string{"--rules", rules, "-o", filepath.Join(rules, "mine.yml")}, "in the rules directory"},
	} {
		code, _, errs := residue(append(append([]string{"scan"}, tc.args...), dir)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	if data := readFile(t, filepath.Join(dir, ".residue.yml")); data != "exclude: [build/**]\n" {
		t.Errorf(".residue.yml changed: %q", data)
	}
	if _, err := os.Stat(filepath.Join(rules, "mine.yml")); err == nil {
		t.Error("a report was written into the rules directory")
	}
}

// TestOutputInUnwritableDir: an -o in a directory residue cannot write in
// is refused before the scan (which makes the repository's cache), not
// once its work is done.
func TestOutputInUnwritableDir(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"app/views.py": "leak(1)\n"})
	git(t, dir, "init", "-q")
	locked := "/proc" // no file can be made there, even by root
	if os.Geteuid() != 0 {
		locked = t.TempDir()
		must(t, os.Chmod(locked, 0o555))
	}
	code, out, errs := residue("scan", "-o", filepath.Join(locked, "report.sarif"), dir)
	if code != 2 || out != "" || !strings.Contains(errs, "cannot write there") {
		t.Errorf("exit %d, stderr %q, want 2 and cannot write there", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, ".residue_cache")); err == nil {
		t.Error("the scan ran: its cache was made")
	}
}

// TestSignalDuringWrite interrupts the atomic write of a report, after its
// temporary file was written and before the rename: the temporary file
// goes, the previous report stays, and the command ends of the signal.
func TestSignalDuringWrite(t *testing.T) {
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		out := t.TempDir()
		report := filepath.Join(out, "report.sarif")
		must(t, os.WriteFile(report, []byte("previous\n"), 0o644))
		cmd := exec.Command(testResidue(t), "scan", "--format", "sarif", "-o", report, dir)
		cmd.Env = append(os.Environ(), pauseBeforeRenameEnv+"=1")
		stderr, err := cmd.StderrPipe()
		must(t, err)
		must(t, cmd.Start())
		lines := bufio.NewScanner(stderr)
		paused := false
		for !paused && lines.Scan() {
			paused = lines.Text() == pausedBeforeRename
		}
		if !paused {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%v: the command never reached the rename", sig)
		}
		entries, _ := os.ReadDir(out)
		if len(entries) != 2 {
			t.Errorf("%v: before the signal %d files, want the report and its temporary file", sig, len(entries))
		}
		must(t, cmd.Process.Signal(sig))
		go io.Copy(io.Discard, stderr)
		err = cmd.Wait()
		ee, ok := err.(*exec.ExitError)
		if status, isWait := ee.Sys().(syscall.WaitStatus); !ok || !isWait || !status.Signaled() || status.Signal() != sig {
			t.Errorf("%v: the command ended with %v, want the signal", sig, err)
		}
		assertNoTemporaryFiles(t, out)
		if data := readFile(t, report); data != "previous\n" {
			t.Errorf("%v: the previous report changed: %.80q", sig, data)
		}
	}
}

// assertNoTemporaryFiles fails when dir holds a temporary file of an
// atomic write.
func assertNoTemporaryFiles(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

// TestConfigFromAPipe reads a --config that is a pipe, as --config
// <(...) is: once, for its rules-dirs and for the rest, so that what it
// disables is disabled and a key it misspells is an error.
func TestConfigFromAPipe(t *testing.T) {
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"a.py": "leak(1)\n"})
	git(t, dir, "init", "-q")
	for _, tc := range []struct {
		config string
		code   int
		want   string
	}{
		{"rules:\n  disable: [test/leak]\n", 0, "no findings in 1 file"},
		{"bogus: 1\n", 2, `unknown key "bogus"`},
	} {
		fifo := filepath.Join(t.TempDir(), "config")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Skipf("cannot make a FIFO: %v", err)
		}
		go func() {
			if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				f.WriteString(tc.config)
				f.Close()
			}
		}()
		code, out, errs := residue("scan", "--config", fifo, dir)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("%q: exit %d, output %q %q; want %d and %q", tc.config, code, out, errs, tc.code, tc.want)
		}
	}
}

// TestDescriptorPaths: only the paths of open file descriptors are written
// in place; a regular file elsewhere under /dev (/dev/shm) is replaced
// atomically, as any other: appending to it made two reports one file.
func TestDescriptorPaths(t *testing.T) {
	for path, want := range map[string]bool{
		"/dev/stdout": true, "/dev/stderr": true, "/dev/fd/3": true, "/proc/self/fd/1": true, "/proc/42/fd/7": true,
		"/dev/shm/report.sarif": false, "/dev/stdout.sarif": false, "/proc/report.sarif": false, "/tmp/dev/fd/1": false,
	} {
		if got := namesDescriptor(path); got != want {
			t.Errorf("namesDescriptor(%s) = %v, want %v", path, got, want)
		}
	}
	shm, err := os.MkdirTemp("/dev/shm", "residue-test-")
	if err != nil {
		t.Skipf("no /dev/shm: %v", err)
	}
	defer os.RemoveAll(shm)
	out := filepath.Join(shm, "report.json")
	useTestAnalyzers(t)
	dir := tree(t, map[string]string{"app/views.py": "leak(1)\n"})
	for range 2 {
		if code, _, errs := residue("scan", "--no-cache", "--format", "json", "-o", out, dir); code != 1 {
			t.Fatalf("exit %d: %s", code, errs)
		}
	}
	var report map[string]any
	if err := json.Unmarshal([]byte(readFile(t, out)), &report); err != nil {
		t.Errorf("two scans into %s: %v", out, err)
	}
}
