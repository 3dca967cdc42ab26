package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"syscall"

	"github.com/residue-sec/residue/analyzers/config"
	"github.com/residue-sec/residue/analyzers/source"
)

// writeOutput writes the output of write to path. A regular file, or a
// path that does not exist yet, is written atomically (writeAtomically).
// Anything else is written in place and never replaced: a device such as
// /dev/null, a FIFO, and whatever /dev/stdout or /proc/self/fd/N lead to
// (a pipe, a terminal, or a file a shell opened for the command). A
// directory is an error.
func writeOutput(path string, write func(*os.File) error) error {
	direct, err := writesInPlace(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if direct {
		return writeInPlace(path, write)
	}
	return writeAtomically(path, write)
}

// checkOutputTarget refuses an -o that cannot take the report: a
// directory, one in a directory residue cannot write in, a Python or C
// file of the repository under root, which a scan reads (the report would
// replace code the scan analyzes), or a file named as the configuration
// file is, which later scans would read.
func checkOutputTarget(output, root string) error {
	if output == "" {
		return nil
	}
	direct, err := writesInPlace(output)
	if err != nil {
		return &usageError{fmt.Sprintf("-o %s: %v", output, err)}
	}
	if direct {
		return nil
	}
	target := absResolved(output)
	if err := probeDir(target); err != nil {
		// Found now rather than once the scan is done.
		return fmt.Errorf("-o %s: cannot write there: %w", output, unwrapPathError(err))
	}
	if rel, err := filepath.Rel(resolved(root), target); err != nil || !filepath.IsLocal(rel) {
		return nil
	}
	if filepath.Base(target) == config.FileName {
		return &usageError{fmt.Sprintf("-o %s: the name of the configuration file, which the next scan would read as one; write the report to another file", output)}
	}
	if _, ok := source.Detect(target, fileHead(target)); ok {
		return &usageError{fmt.Sprintf("-o %s: a Python or C file of the repository, which the scan reads; write the report to another file", output)}
	}
	return nil
}

// probeDir creates and removes, in the directory of path, the temporary
// file writeAtomically will write path's report to.
func probeDir(path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return err
	}
	f.Close()
	return os.Remove(f.Name())
}

// tempPattern is the name pattern of the temporary file path is written
// to before it is renamed into place.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp-*" }

// checkNotAnInput refuses an output that is one of the scan's other
// inputs, which the report would replace: the configuration file, the
// baseline, or a file under a rules directory. A device or FIFO is
// written in place, and replaces nothing.
func checkNotAnInput(output, config, baseline string, ruleDirs []string) error {
	if output == "" {
		return nil
	}
	if direct, err := writesInPlace(output); err != nil || direct {
		return nil
	}
	target := absResolved(output)
	for _, in := range []struct{ path, what string }{{config, "the configuration file"}, {baseline, "the baseline"}} {
		if in.path != "" && absResolved(in.path) == target {
			return &usageError{fmt.Sprintf("-o %s: %s, which the scan reads; write the report to another file", output, in.what)}
		}
	}
	for _, dir := range ruleDirs {
		if rel, err := filepath.Rel(absResolved(dir), target); err == nil && filepath.IsLocal(rel) {
			return &usageError{fmt.Sprintf("-o %s: in the rules directory %s, which the scan reads; write the report elsewhere", output, dir)}
		}
	}
	return nil
}

// absResolved returns path made absolute, through its symlinks.
func absResolved(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return resolved(path)
}

// fileHead returns the first bytes of the file at path, enough for a
// shebang; nil when it cannot be read.
func fileHead(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	return head[:n]
}

// writesInPlace reports whether path must be written in place rather than
// replaced: it exists and is not a regular file, or it names an open file
// descriptor (/dev/stdout, /dev/fd/N, /proc/self/fd/N), where a regular
// file is the one a shell opened for the command. A regular file
// elsewhere under /dev (/dev/shm) is replaced as any other.
func writesInPlace(path string) (bool, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, unwrapPathError(err)
	}
	if fi.IsDir() {
		return false, errors.New("is a directory")
	}
	if !fi.Mode().IsRegular() {
		return true, nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	return namesDescriptor(abs) || namesDescriptor(resolved(abs)), nil
}

// descriptorPath matches the paths of a process's open file descriptors.
var descriptorPath = regexp.MustCompile(`^(/dev/(stdin|stdout|stderr)$|/dev/fd/|/proc/[^/]+/fd/)`)

// namesDescriptor reports whether abs names an open file descriptor.
func namesDescriptor(abs string) bool { return descriptorPath.MatchString(abs) }

// resolved returns path with its symlinks resolved, or path itself when
// they cannot be (a dangling link, a /proc link to a pipe).
func resolved(path string) string {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		return target
	}
	return path
}

// writeInPlace opens path for writing, without creating, truncating or
// replacing it, and writes to it. A regular file is appended to, as a
// shell's >> would.
func writeInPlace(path string, write func(*os.File) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, unwrapPathError(err))
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// beforeRename, when set (by tests), runs after the temporary file is
// written and before it is renamed.
var beforeRename func()

// writeAtomically writes the output of write to path through a temporary
// file in the same directory, renamed over path only when write succeeded:
// on any error the previous file is left untouched. A symlink at path is
// written through, and an existing file keeps its permissions. SIGINT or
// SIGTERM while the temporary file exists removes it before the process
// ends of the signal.
func writeAtomically(path string, write func(*os.File) error) error {
	path = resolved(path)
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer removeOnSignal(tmp.Name())()
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if beforeRename != nil {
		beforeRename()
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// removeOnSignal removes the file tmp when SIGINT or SIGTERM arrives, then
// ends the process of that signal; the function it returns stops that.
func removeOnSignal(tmp string) (stop func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			os.Remove(tmp)
			signal.Reset(sig)
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				self.Signal(sig)
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// unwrapPathError drops the path an *os.PathError adds: errors here name
// the path already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
