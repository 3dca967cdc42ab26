//go:build unix

package discover

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file and directory whatever their mode; TestNotRegular covers a file that cannot be read as root")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"ok.py":              "",
		"locked.py":          "",
		"locked_script":      pyShebang,
		"closed/x.py":        "",
		"ignores/.keep.c":    "",
		"ignores/a.py":       "",
		"ignores/.gitignore": "a.py\n",
	})
	for _, name := range []string{"locked.py", "locked_script", "closed", "ignores/.gitignore"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o755) })
	}
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "ignores/.keep.c", "ignores/a.py", "ok.py")
	wantWarnings(t, warnings,
		Warning{"closed", "skipped: cannot read the directory: permission denied"},
		Warning{"ignores/.gitignore", "cannot read the ignore file, its patterns are not applied: permission denied"},
		Warning{"locked.py", "skipped: cannot read the file: permission denied"},
		Warning{"locked_script", "skipped: cannot read the file: permission denied"})

	t.Run("named", func(t *testing.T) {
		_, _, err := Walk([]string{filepath.Join(root, "closed")}, Options{Root: root})
		if want := filepath.Join(root, "closed") + ": permission denied"; err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
		// An unreadable file named on the command line is skipped like
		// any other, with a Warning.
		files, warnings := walk(t, []string{filepath.Join(root, "locked.py")}, Options{Root: root})
		wantPaths(t, files)
		wantWarnings(t, warnings, Warning{"locked.py", "skipped: cannot read the file: permission denied"})
	})
}

func TestNotRegular(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{"ok.py": ""})
	for _, name := range []string{"pipe.py", "pipe"} {
		if err := syscall.Mkfifo(filepath.Join(root, name), 0o644); err != nil {
			t.Skipf("cannot make a FIFO: %v", err)
		}
	}
	// Opening a FIFO would block: the walk must not, and warns only about
	// the one whose name says it is Python.
	files, warnings := walk(t, []string{root}, Options{Root: root})
	wantPaths(t, files, "ok.py")
	wantWarnings(t, warnings, Warning{"pipe.py", "skipped: not a regular file"})

	files, warnings = walk(t, []string{filepath.Join(root, "pipe")}, Options{Root: root})
	wantPaths(t, files)
	wantWarnings(t, warnings, Warning{"pipe", "skipped: not a regular file"})

	// Outside the root (/dev/stdin, a shell's <(...)), one is an error
	// that says what it is.
	other := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(other, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{filepath.Join(other, "fifo"), "/dev/null"} {
		_, _, err := Walk([]string{arg}, Options{Root: root})
		if err == nil || !strings.Contains(err.Error(), "not a file or directory: residue scans the files of a repository") {
			t.Errorf("Walk(%s): err = %v", arg, err)
		}
	}
}
