package driver

import (
	"os"
	"path/filepath"
	"strings"
)

// FindRootOf returns the repository root of a scan of paths: FindRoot of
// the first; or, when that found no .git and another path lies outside
// it (files of two directories of a tree that is no repository), the
// deepest directory that holds every path.
func FindRootOf(paths []string) (string, error) {
	root, err := FindRoot(paths[0])
	if err != nil || len(paths) < 2 || IsWorkTreeRoot(root) {
		return root, err
	}
	dir, err := CommonDir(paths)
	if err != nil || Within(root, dir) {
		return root, err
	}
	return dir, nil
}

// CommonDir returns the deepest directory that holds every path: the path
// itself for a directory, else its directory.
func CommonDir(paths []string) (string, error) {
	var common []string
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			abs = filepath.Dir(abs)
		}
		parts := strings.Split(abs, string(filepath.Separator))
		if i == 0 {
			common = parts
			continue
		}
		n := 0
		for n < len(common) && n < len(parts) && common[n] == parts[n] {
			n++
		}
		common = common[:n]
	}
	dir := strings.Join(common, string(filepath.Separator))
	if dir == "" {
		dir = string(filepath.Separator)
	}
	return dir, nil
}

// Within reports whether path is dir or under it.
func Within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && (rel == "." || filepath.IsLocal(rel))
}

// FindRoot returns the repository root for path: the nearest ancestor
// directory holding .git (a directory, or a file for worktrees and
// submodules), else path itself if it is a directory, else its directory.
func FindRoot(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	start := abs
	if fi, err := os.Stat(abs); err != nil {
		return "", err
	} else if !fi.IsDir() {
		start = filepath.Dir(abs)
	}
	for dir := start; ; {
		if IsWorkTreeRoot(dir) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return start, nil
		}
		dir = parent
	}
}

// IsWorkTreeRoot reports whether dir holds .git: a directory, or a file
// for worktrees and submodules.
func IsWorkTreeRoot(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}
