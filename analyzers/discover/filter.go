package discover

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"syscall"

	"github.com/residue-sec/residue/analyzers/glob"
)

// vcsDirs are the version-control folders, which no include glob brings
// back: they hold no source of the project.
var vcsDirs = []string{".git", ".hg", ".svn"}

// skippedDirs is the skip table: the names (path.Match patterns) of the
// directories a walk does not enter unless an include glob names them
// (vcsDirs never). Besides these, a directory that holds a venvMarker
// file is a virtualenv and is skipped whatever its name (env, .env,
// py311, ...).
var skippedDirs = append(slices.Clone(vcsDirs),
	"node_modules",
	"__pycache__", ".mypy_cache", ".pytest_cache", ".residue_cache",
	"site-packages", ".venv", "venv",
	".tox", ".nox",
	"build", "dist", "*.egg-info", ".eggs",
)

// venvMarker is the file every virtualenv has at its top.
const venvMarker = "pyvenv.cfg"

// isSkippedName reports whether a directory called name is in the skip
// table.
func isSkippedName(name string) bool {
	for _, p := range skippedDirs {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// isVirtualenv reports whether a directory with these entries is a
// virtualenv.
func isVirtualenv(entries []fs.DirEntry) bool {
	return hasEntry(entries, venvMarker)
}

// cleanGlobs validates globs and drops a leading "./" or "/" (a glob is
// anchored at the root anyway, as a .gitignore pattern with a leading
// slash is) and a trailing "/", which doublestar would otherwise take
// literally.
func cleanGlobs(globs []string, kind string) ([]string, error) {
	out := make([]string, 0, len(globs))
	for _, g := range globs {
		c := glob.Clean(g)
		if c == "" {
			return nil, fmt.Errorf("invalid %s glob %q", kind, g)
		}
		if err := glob.Check(c); err != nil {
			return nil, fmt.Errorf("invalid %s glob %q: %v", kind, g, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// excluded reports whether rel matches an Exclude glob.
func (w *walker) excluded(rel string) bool {
	return glob.MatchAny(w.exclude, rel)
}

// excludedWithParents reports whether rel or one of the directories above
// it matches an Exclude glob: a path argument is excluded as it would be by
// a walk from the root.
func (w *walker) excludedWithParents(rel string) bool {
	return rel != "" && glob.Within(w.exclude, rel)
}

// included reports whether the file rel passes the Include globs: it
// matches one, or a directory above it does that one names (include "src"
// or "src/" is "src/**"; glob.Includes).
func (w *walker) included(rel string) bool {
	return w.include.Empty() || w.include.Match(rel)
}

// isNotDir reports whether err says that a component of a path is not a
// directory, as when .git is a file in a worktree.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}
