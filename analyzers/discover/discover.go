// Package discover walks the paths given to a scan and yields the files
// residue parses.
//
// A path argument is a file or a directory, absolute or relative to the
// working directory. It must lie inside Options.Root: Walk returns an
// error for an argument that does not exist, is a directory that cannot
// be read, or lies outside the root, and never walks anything then. An
// argument inside the root that a symlink leads out of it, or a dangling
// symlink, is skipped with a Warning, as the walk skips such a symlink;
// so is a file argument that cannot be read.
//
// Below a directory argument, Walk skips:
//   - directories named in the skip table (.git, node_modules, build, ...),
//     and every directory that holds a pyvenv.cfg file (a virtualenv);
//   - files and directories that match an Options.Exclude glob, and files
//     that match no Options.Include glob when there are some;
//   - files and directories ignored by the .gitignore files from Options.Root
//     down, or by .git/info/exclude at the root, unless Options.NoIgnore;
//   - files that are neither Python nor C, silently.
//
// The arguments themselves are treated as asked for. A directory argument
// is walked even if its name is in the skip table or it is a virtualenv, but
// not if an Exclude glob matches it or .gitignore ignores it (the latter
// gives a Warning). A file argument is scanned even when .gitignore ignores
// it, as ruff and semgrep do with a file named on their command line; Include
// and Exclude globs still apply to it, and a file argument residue does not
// parse gives a Warning.
//
// Symlinks are followed only to places inside the root; a symlink that
// leads out is skipped silently. Symlinked directories are walked after
// everything reachable without them; a directory already walked is never
// walked again and a symlink to a directory that holds it is not followed,
// so symlink loops end. A file reached both through a symlink and directly
// is reported once, under its direct path.
package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/residue-sec/residue/analyzers/source"
)

// Options configures a Walk.
type Options struct {
	// Root is the absolute repository root (the git top level or the scan
	// root). Output paths are relative to it.
	Root string
	// Include holds doublestar globs relative to Root. If it is not empty a
	// file, or a directory above it, must match one of them: "src" and
	// "src/" take the directory, as "src/**" does.
	Include []string
	// Exclude holds doublestar globs relative to Root. A matching file or
	// directory is skipped; "build/**" and "build" both skip the directory.
	Exclude []string
	// MaxFileSize is the size in bytes above which a Python or C file is
	// skipped with a Warning. Zero means no cap.
	MaxFileSize int64
	// NoIgnore turns off .gitignore and .git/info/exclude.
	NoIgnore bool
}

// A File is a file residue parses.
type File struct {
	// Path is slash-separated and relative to Options.Root.
	Path string
	// Abs is the file's absolute path on disk, through any symlink that led
	// to it.
	Abs string
	// Lang is the file's language.
	Lang source.Language
	// Stat is the file's metadata as the walk found it.
	Stat
}

// A Warning is a problem with one file or directory that did not stop the
// walk.
type Warning struct {
	// Path is slash-separated and relative to Options.Root; "." is the root.
	Path string
	// Message says what happened, usually starting with "skipped: ".
	Message string
}

// Walk discovers the files under paths, which are files or directories,
// absolute or relative to the working directory. Files are sorted by Path
// and have no duplicates. A problem with a file or directory found during
// the walk is a Warning; Walk returns an error only for invalid options or a
// path argument that does not exist, is an unreadable directory or is
// outside Root (not one that only a symlink leads out of it).
//
// Walk reads no file content except the first 256 bytes of files without
// an extension, to find a Python shebang.
func Walk(paths []string, opt Options) ([]File, []Warning, error) {
	w, err := newWalker(opt)
	if err != nil {
		return nil, nil, err
	}
	args := make([]arg, 0, len(paths))
	for _, p := range paths {
		a, err := w.resolveArg(p)
		if errors.Is(err, errLeadsOut) || errors.Is(err, errDangling) {
			// As the walk skips such a symlink: a staged symlink to a
			// shared file must not fail a pre-commit run.
			w.warn(a.rel, "skipped: "+err.Error())
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		args = append(args, a)
	}
	for _, a := range args {
		w.walkArg(a)
	}
	w.walkLinkedDirs()
	files, warnings := w.result()
	return files, warnings, nil
}

// An arg is a resolved path argument.
type arg struct {
	abs  string      // absolute, symlinks kept
	real string      // absolute, symlinks resolved
	rel  string      // slash path relative to the root, "" for the root
	info fs.FileInfo // of the symlink's target
}

// resolveArg checks that p exists, is inside the root and, if it is a
// directory, can be read.
func (w *walker) resolveArg(p string) (arg, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return arg{}, fmt.Errorf("%s: %w", p, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		if li, lerr := os.Lstat(abs); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
			if rel, inside := relUnder(w.root, abs); inside {
				// A dangling symlink, as the walk finds one.
				return arg{rel: rel}, errDangling
			}
		}
		return arg{}, argError(p, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	rel, ok := "", false
	if err == nil {
		rel, ok = w.relPath(abs, real)
	}
	switch {
	case !ok && !info.IsDir() && !info.Mode().IsRegular():
		// /dev/stdin, a shell's <(...), a device: no file of a
		// repository, and the symlink of /dev/fd resolves to no path ("no
		// such file or directory" said nothing). Inside the root, such a
		// file is skipped with a Warning, as the walk skips it.
		return arg{}, fmt.Errorf("%s is a %s, not a file or directory: residue scans the files of a repository", p, modeName(info.Mode()))
	case err != nil:
		return arg{}, argError(p, err)
	case !ok:
		if rel, inside := relUnder(w.root, abs); inside {
			return arg{rel: rel}, errLeadsOut
		}
		return arg{}, fmt.Errorf("%s is outside the repository root %s", p, w.root)
	}
	if err := checkReadable(abs, info); err != nil {
		return arg{}, argError(p, err)
	}
	return arg{abs: abs, real: real, rel: rel, info: info}, nil
}

// modeName names the kind of file a mode is, for a path argument that is
// no regular file or directory.
func modeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

// errLeadsOut is resolveArg's error for an argument inside the root that
// a symlink leads out of it: the argument is skipped with a Warning.
var errLeadsOut = errors.New("a symlink that leads outside the repository root")

// errDangling is resolveArg's error for a symlink inside the root whose
// target does not exist: skipped with a Warning too.
var errDangling = errors.New("dangling symlink")

// checkReadable opens a directory and closes it again. It opens nothing
// else: a file that cannot be read is a Warning like any other skipped
// file, and opening a FIFO could block.
func checkReadable(abs string, info fs.FileInfo) error {
	if !info.IsDir() {
		return nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return err
	}
	return f.Close()
}

// argError names the argument as given instead of its absolute path.
func argError(p string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", p, err)
}

// relPath returns the slash path of abs relative to the root, or, for an
// argument that reaches the root through a symlink, of real relative to the
// resolved root. ok is false if real is outside the resolved root.
func (w *walker) relPath(abs, real string) (rel string, ok bool) {
	if _, ok := relUnder(w.realRoot, real); !ok {
		return "", false
	}
	if rel, ok := relUnder(w.root, abs); ok {
		return rel, true
	}
	return relUnder(w.realRoot, real)
}

// relUnder returns the slash path of p relative to base ("" for base
// itself); ok is false if p is not under base.
func relUnder(base, p string) (rel string, ok bool) {
	r, err := filepath.Rel(base, p)
	if err != nil || r == ".." || len(r) > 2 && r[:3] == ".."+string(filepath.Separator) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}
