package driver

import (
	"os"
	"path/filepath"
)

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
