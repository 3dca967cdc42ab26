package discover

import (
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// An ignorePattern is one line of an ignore file. It matches a path as
// gitignore.ParsePattern's patterns do (FuzzIgnorePattern compares them),
// but compares the usual shapes of a name — a literal, *.ext, prefix* —
// directly instead of through filepath.Match: the walk matches every
// pattern against every component of every file's path, and a warm
// pre-commit run of Django spent a tenth of its time doing so.
type ignorePattern struct {
	// domain is the directory of the ignore file, as path components.
	domain []string
	// segments are the pattern split at its slashes; glob is set when it
	// has one (it is then matched component by component from the
	// domain), else its one segment matches any component of the path.
	segments []ignoreSegment
	glob     bool
	// exclude is false for a negated pattern (!); dirOnly for one that
	// ends in a slash.
	exclude, dirOnly bool
}

// An ignoreSegment is a pattern for one path component.
type ignoreSegment struct {
	text string
	kind segmentKind
	// fixed is the text a literal, suffix or prefix segment compares; for
	// a glob, the longest run of plain characters before any [ or \,
	// which a name it matches contains.
	fixed string
}

type segmentKind uint8

const (
	segmentLiteral segmentKind = iota // name
	segmentSuffix                     // *name
	segmentPrefix                     // name*
	segmentGlob                       // anything else, for filepath.Match
	segmentEmpty                      // "" (a leading or doubled slash)
	segmentAnyDirs                    // **
)

// parseIgnorePattern parses line, a line of the ignore file of the
// directory domain that is neither blank nor a comment.
func parseIgnorePattern(line string, domain []string) *ignorePattern {
	p := &ignorePattern{domain: append([]string(nil), domain...), exclude: true}
	if rest, ok := strings.CutPrefix(line, "!"); ok {
		p.exclude, line = false, rest
	}
	if !strings.HasSuffix(line, "\\ ") {
		line = strings.TrimRight(line, " ")
	}
	if rest, ok := strings.CutSuffix(line, "/"); ok {
		p.dirOnly, line = true, rest
	}
	p.glob = strings.Contains(line, "/")
	for _, text := range strings.Split(line, "/") {
		p.segments = append(p.segments, newSegment(text))
	}
	return p
}

// newSegment classifies a segment's text.
func newSegment(text string) ignoreSegment {
	const meta = `*?[\`
	switch {
	case text == "":
		return ignoreSegment{kind: segmentEmpty}
	case text == "**":
		return ignoreSegment{text: text, kind: segmentAnyDirs}
	case !strings.ContainsAny(text, meta):
		return ignoreSegment{text: text, kind: segmentLiteral, fixed: text}
	case text[0] == '*' && !strings.ContainsAny(text[1:], meta):
		return ignoreSegment{text: text, kind: segmentSuffix, fixed: text[1:]}
	case text[len(text)-1] == '*' && !strings.ContainsAny(text[:len(text)-1], meta):
		return ignoreSegment{text: text, kind: segmentPrefix, fixed: text[:len(text)-1]}
	}
	return ignoreSegment{text: text, kind: segmentGlob, fixed: longestPlainRun(text)}
}

// longestPlainRun returns the longest run of characters of a glob that
// match only themselves, before its first class or escape.
func longestPlainRun(glob string) string {
	if i := strings.IndexAny(glob, `[\`); i >= 0 {
		glob = glob[:i]
	}
	longest := ""
	for _, run := range strings.FieldsFunc(glob, func(r rune) bool { return r == '*' || r == '?' }) {
		if len(run) > len(longest) {
			longest = run
		}
	}
	return longest
}

// match reports whether the segment matches the path component name;
// bad is set for a malformed pattern, which matches nothing. A name holds
// no path separator (on Windows a name cannot hold a backslash, which
// filepath.Match takes for one there), so * in a suffix or prefix
// segment matches any run of its characters.
func (s *ignoreSegment) match(name string) (ok, bad bool) {
	switch s.kind {
	case segmentLiteral:
		return name == s.fixed, false
	case segmentSuffix:
		return strings.HasSuffix(name, s.fixed), false
	case segmentPrefix:
		return strings.HasPrefix(name, s.fixed), false
	case segmentGlob:
		if !strings.Contains(name, s.fixed) {
			return false, false // a malformed glob matches nothing either
		}
	}
	ok, err := filepath.Match(s.text, name)
	return ok && err == nil, err != nil
}

// Match matches path, slash path components from the root, a directory
// when isDir: the path itself, as git matches each path it walks, not
// what is inside a directory it matches, as go-git's patterns do too (the
// walk does not enter an excluded directory). So "*.py" then "!d/"
// re-includes the directory d, not the .py files in it, which "*.py"
// still excludes, and "docs/*" then "!docs/keep/" keeps docs/keep/y.c,
// which "docs/*" does not name (go-git decided both by the directory).
func (p *ignorePattern) Match(path []string, isDir bool) gitignore.MatchResult {
	if len(path) <= len(p.domain) {
		return gitignore.NoMatch
	}
	for i, d := range p.domain {
		if path[i] != d {
			return gitignore.NoMatch
		}
	}
	path = path[len(p.domain):]
	matched := false
	if p.glob {
		matched = p.matchGlob(path, isDir)
	} else {
		matched = p.matchName(path[len(path)-1], isDir)
	}
	switch {
	case !matched:
		return gitignore.NoMatch
	case p.exclude:
		return gitignore.Exclude
	}
	return gitignore.Include
}

// matchName matches a pattern without a slash against the path's last
// component; a directory pattern does not match a file.
func (p *ignorePattern) matchName(name string, isDir bool) bool {
	ok, bad := p.segments[0].match(name)
	return ok && !bad && (!p.dirOnly || isDir)
}

// matchGlob matches a pattern with a slash, segment by segment from the
// path's first component: ** lets the next segment match any component
// further on; the path may go on past the last segment (what is inside a
// matched directory matches).
func (p *ignorePattern) matchGlob(path []string, isDir bool) bool {
	matched, anyDirs := false, false
	for i := range p.segments {
		s := &p.segments[i]
		switch {
		case s.kind == segmentEmpty:
			anyDirs = false
			continue
		case s.kind == segmentAnyDirs:
			if i == len(p.segments)-1 {
				// A trailing ** takes the rest of the path: what is inside
				// the directory, not the directory itself.
				return matched && len(path) > 0 && (!p.dirOnly || isDir)
			}
			anyDirs = true
			continue
		case strings.Contains(s.text, "**"), len(path) == 0:
			return false
		}
		if !anyDirs {
			ok, bad := s.match(path[0])
			if bad || !ok {
				return false
			}
			matched, path = true, path[1:]
			continue
		}
		anyDirs, matched = false, false
		for len(path) > 0 {
			ok, bad := s.match(path[0])
			path = path[1:]
			if bad {
				return false
			}
			if ok {
				matched = true
				break
			}
		}
	}
	return p.ended(matched, path, isDir)
}

// ended is matchGlob's verdict once the segments are read: the path must
// end with them (see Match), and a directory pattern does not match a
// file.
func (p *ignorePattern) ended(matched bool, rest []string, isDir bool) bool {
	return matched && len(rest) == 0 && (!p.dirOnly || isDir)
}
