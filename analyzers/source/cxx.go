package source

import (
	"bytes"
	"regexp"
)

// cxxStrong matches a line only C++ writes: a namespace with its body, a
// template, using namespace, a class that derives from another, or an
// include of a C++ standard header (<vector>, <cstdint>).
var cxxStrong = regexp.MustCompile(`^\s*(?:namespace(?:\s+[A-Za-z_]\w*)?\s*\{|template\s*<|using\s+namespace\s+\w|(?:class|struct)\s+[A-Za-z_]\w*\s*(?:final\s*)?:\s*(?:public|private|protected|virtual)\s+\w|#\s*include\s*<(?:c(?:std|math|string|assert|limits|errno|stdint|stddef|stdlib|stdio|ctype)\w*|iostream|string|vector|map|memory|algorithm|utility)>)`)

// cxxWeak matches a line C++ writes that C may too (a label named
// public, an identifier namespace alone on a line): C++ only with another
// sign of it.
var cxxWeak = regexp.MustCompile(`^\s*(?:(?:public|private|protected)\s*:|namespace\s+[A-Za-z_]\w*\s*$|class\s+[A-Za-z_]\w*\s*(?:\{|$))`)

// LooksCxx reports whether a header (a .h file) is C++ rather than C: a
// line only C++ writes (cxxStrong), or two that C++ writes (cxxWeak), in
// code that a C compiler reads. Comments, string literals, #if 0 blocks
// and every block of a condition that mentions __cplusplus (where C
// headers keep what they declare for C++ compilers) are not read. Such a
// header cannot be parsed as C.
func LooksCxx(src []byte) bool {
	// skipped is, for each enclosing conditional block, whether its
	// current branch is one a C compiler does not read; skipping counts
	// them.
	var skipped []bool
	skipping, weak := 0, 0
	lines := codeLines(src)
	for i, line := range lines {
		trimmed := bytes.TrimLeft(line, " \t")
		if len(trimmed) > 0 && trimmed[0] == '#' {
			directive := bytes.TrimLeft(trimmed[1:], " \t")
			switch {
			case bytes.HasPrefix(directive, []byte("if")):
				skip := notForC(directive)
				skipped = append(skipped, skip)
				if skip {
					skipping++
				}
				continue
			case bytes.HasPrefix(directive, []byte("el")):
				// The other branches of a block not for C are left
				// unread too (a sign of C++ missed there leaves the
				// header C, the safe side); an #elif about __cplusplus
				// is not for C.
				if n := len(skipped); n > 0 && !skipped[n-1] && bytes.HasPrefix(directive, []byte("elif")) && notForC(directive) {
					skipped[n-1] = true
					skipping++
				}
				continue
			case bytes.HasPrefix(directive, []byte("endif")):
				if n := len(skipped); n > 0 {
					if skipped[n-1] {
						skipping--
					}
					skipped = skipped[:n-1]
				}
				continue
			}
		}
		if skipping > 0 {
			continue
		}
		if cxxStrong.Match(line) || cxxNamespace.Match(line) && nextOpens(lines[i+1:]) {
			return true
		}
		if cxxWeak.Match(line) {
			if weak++; weak >= 2 {
				return true
			}
		}
	}
	return false
}

// cxxNamespace matches a namespace whose body opens on the next line.
var cxxNamespace = regexp.MustCompile(`^\s*namespace\s+[A-Za-z_]\w*\s*$`)

// nextOpens reports whether the next line that is not blank opens a
// body.
func nextOpens(lines [][]byte) bool {
	for _, l := range lines {
		if t := bytes.TrimSpace(l); len(t) > 0 {
			return t[0] == '{'
		}
	}
	return false
}

// notForC reports whether an #if or #elif condition keeps its block from
// a C compiler: it mentions __cplusplus, or it is 0.
func notForC(directive []byte) bool {
	cond := bytes.Trim(directive[bytes.IndexAny(directive, " \t(")+1:], " \t()")
	return bytes.Contains(directive, []byte("__cplusplus")) || bytes.Equal(cond, []byte("0"))
}

// codeLines returns src's lines as a compiler reads them: continued lines
// joined, comments and the content of string and character literals
// blanked.
func codeLines(src []byte) [][]byte {
	var out [][]byte
	var cur []byte
	inBlock := false
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		cont := bytes.HasSuffix(line, []byte("\\"))
		if cont {
			line = line[:len(line)-1]
		}
		var b []byte
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case inBlock:
				if c == '*' && i+1 < len(line) && line[i+1] == '/' {
					inBlock = false
					i++
				}
				continue
			case c == '/' && i+1 < len(line) && line[i+1] == '*':
				inBlock = true
				i++
				b = append(b, ' ')
				continue
			case c == '/' && i+1 < len(line) && line[i+1] == '/':
				i = len(line)
				continue
			case c == '"' || c == '\'':
				b = append(b, c)
				for i++; i < len(line) && line[i] != c; i++ {
					if line[i] == '\\' {
						i++
					}
				}
				if i < len(line) {
					b = append(b, c)
				}
				continue
			}
			b = append(b, c)
		}
		cur = append(cur, b...)
		if !cont {
			out = append(out, cur)
			cur = nil
		}
	}
	if cur != nil {
		out = append(out, cur)
	}
	return out
}
