package source

import (
	"bytes"
	"regexp"
)

// cxxLine matches a line only C++ writes: a namespace, a template, using
// namespace, an access specifier, a class that derives from another, or
// an include of a C++ standard header (<vector>, <cstdint>).
var cxxLine = regexp.MustCompile(`^\s*(?:namespace(?:\s+[A-Za-z_]\w*)?\s*(?:\{|$)|template\s*<|using\s+namespace\b|(?:public|private|protected)\s*:|(?:class|struct)\s+[A-Za-z_]\w*\s*(?:final\s*)?:\s*(?:public|private|protected|virtual)\b|#\s*include\s*<(?:c(?:std|math|string|assert|limits|errno|stdint|stddef|stdlib|stdio|ctype)\w*|iostream|string|vector|map|memory|algorithm|utility|cstddef)>)`)

// cxxGuard matches a preprocessor condition that mentions __cplusplus.
var cxxGuard = regexp.MustCompile(`__cplusplus`)

// LooksCxx reports whether a header (a .h file) is C++ rather than C: a
// line only C++ writes (cxxLine) outside every #if, #ifdef or #ifndef
// block whose condition mentions __cplusplus, where C headers keep what
// they declare for C++ compilers. Such a header cannot be parsed as C.
func LooksCxx(src []byte) bool {
	// guarded counts the enclosing blocks that are about __cplusplus; a
	// block of another condition pushes false.
	var stack []bool
	guarded := 0
	for len(src) > 0 {
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		trimmed := bytes.TrimLeft(line, " \t")
		if len(trimmed) > 0 && trimmed[0] == '#' {
			directive := bytes.TrimLeft(trimmed[1:], " \t")
			switch {
			case bytes.HasPrefix(directive, []byte("if")):
				about := cxxGuard.Match(directive)
				stack = append(stack, about)
				if about {
					guarded++
				}
				continue
			case bytes.HasPrefix(directive, []byte("endif")):
				if n := len(stack); n > 0 {
					if stack[n-1] {
						guarded--
					}
					stack = stack[:n-1]
				}
				continue
			case bytes.HasPrefix(directive, []byte("el")):
				// #else, #elif of a __cplusplus block are still about it.
				continue
			}
		}
		if guarded == 0 && cxxLine.Match(line) {
			return true
		}
	}
	return false
}
