// Package glob checks and matches the globs of include and exclude lists
// (the configuration's, the command line's and rule files' paths):
// doublestar globs of slash paths relative to the repository's root.
package glob

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// Check returns why g is not a glob of slash paths, for a message that
// names the glob: it breaks doublestar's syntax, or a backslash comes
// before a letter, a digit or _, as in a Windows path (src\app\*.py),
// which would then be compared with no file (a backslash before
// punctuation escapes it: \*, \.).
func Check(g string) error {
	for i := 0; i < len(g); i++ {
		if g[i] != '\\' {
			continue
		}
		if i+1 < len(g) && isWordByte(g[i+1]) {
			return fmt.Errorf("a backslash before %q: paths are matched with / between directories", g[i+1])
		}
		i++
	}
	if !doublestar.ValidatePattern(g) {
		return errors.New("a bracket or brace that does not close, or a backslash at its end")
	}
	return nil
}

// Clean drops what a glob of a path relative to the root may start or
// end with and doublestar would take literally: a leading "./" or "/"
// (the glob is anchored at the root anyway, as a .gitignore pattern with
// a leading slash is) and a trailing "/".
func Clean(g string) string {
	return strings.TrimSuffix(strings.TrimLeft(strings.TrimPrefix(g, "./"), "/"), "/")
}

func isWordByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// Includes are include globs, which Check accepted, ready to match.
type Includes struct {
	globs []string
	// dirs are the globs with no wildcard in their last part, which name
	// directories as well as files.
	dirs []string
}

// NewIncludes returns globs as include globs.
func NewIncludes(globs []string) Includes {
	in := Includes{globs: globs}
	for _, g := range globs {
		if !strings.ContainsAny(g[strings.LastIndexByte(g, '/')+1:], "*?[{\\") {
			in.dirs = append(in.dirs, g)
		}
	}
	return in
}

// Empty reports whether there are no globs, which then include any path.
func (in Includes) Empty() bool { return len(in.globs) == 0 }

// Match reports whether the slash path matches one of the globs, or lies
// in a directory one of them names without a wildcard in its last part:
// "src", "src/" (its "/" trimmed) and "**/migrations" take what the
// directory holds, as "src/**" does; "scripts/*" takes the files right in
// scripts.
func (in Includes) Match(path string) bool {
	return MatchAny(in.globs, path) || Within(in.dirs, path)
}

// Within reports whether the slash path, or a directory above it,
// matches one of globs, which Check accepted: what an exclude glob names
// goes with all it holds ("build", "build/", "out*").
func Within(globs []string, path string) bool {
	if len(globs) == 0 {
		return false
	}
	for i := 0; i < len(path); i++ {
		if path[i] == '/' && MatchAny(globs, path[:i]) {
			return true
		}
	}
	return MatchAny(globs, path)
}

// MatchAny reports whether the slash path matches one of globs, which
// Check accepted.
func MatchAny(globs []string, path string) bool {
	for _, g := range globs {
		if doublestar.MatchUnvalidated(g, path) {
			return true
		}
	}
	return false
}

// Names reports whether one of the globs names the directory dir (a slash
// path), its own name written out (not matched by "**", "*" or another
// wildcard): "build/**", "pkg/*/build", "{build,dist}/*.c" and
// "**/dist/*.py" name build, pkg/x/build, dist and a/dist; "**/*.py" and
// "*/x.py" name none of them. A walk enters a directory it skips by default (build,
// dist, a virtualenv) when an include glob names it so.
func (in Includes) Names(dir string) bool {
	if dir == "" {
		return false
	}
	dirParts := strings.Split(dir, "/")
	for _, g := range in.globs {
		if namesDir(strings.Split(g, "/"), dirParts) {
			return true
		}
	}
	return false
}

// namesDir reports whether the glob's parts match the directory's, the
// last directory part matched by a glob part that is not "**".
func namesDir(globParts, dirParts []string) bool {
	if len(globParts) == 0 {
		return false
	}
	if globParts[0] == "**" {
		// ** takes no part here, or one that is not the last.
		return namesDir(globParts[1:], dirParts) || len(dirParts) > 1 && namesDir(globParts, dirParts[1:])
	}
	if ok, err := doublestar.Match(globParts[0], dirParts[0]); !ok || err != nil {
		return false
	}
	if len(dirParts) == 1 {
		// The directory's own name is written out, not a wildcard's.
		return !strings.ContainsAny(globParts[0], "*?[")
	}
	return namesDir(globParts[1:], dirParts[1:])
}
