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

// escapable are the characters a backslash escapes in a glob.
const escapable = `*?[]{}\,!^-`

// Check returns why g is not a glob of slash paths, for a message that
// names the glob: it breaks doublestar's syntax, or a backslash escapes a
// character that needs no escape, as in a Windows path (src\app\*.py),
// which would then be compared with no file.
func Check(g string) error {
	for i := 0; i < len(g); i++ {
		if g[i] != '\\' {
			continue
		}
		if i+1 < len(g) && !strings.ContainsRune(escapable, rune(g[i+1])) {
			return fmt.Errorf("a backslash before %q: paths are matched with / between directories (a backslash escapes one of %s)", g[i+1], escapable)
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

// Within reports whether the slash path, or a directory above it,
// matches one of globs, which Check accepted: "src" and "src/" (its "/"
// trimmed) take what the directory holds, as "src/**" does.
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
