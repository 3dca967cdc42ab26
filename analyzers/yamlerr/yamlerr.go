// Package yamlerr locates and words the errors of the yaml.v3 decoder
// for the rule and configuration files: a file, a line and a column for
// every error, and what was expected in the file's terms rather than Go's.
package yamlerr

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/residue-sec/residue/analyzers/spell"
)

// Locate returns the line and column (1-based) of err, an error of
// decoding data, and its message without yaml's prefix. yaml.v3 names no
// line for a problem on the first (its marks are 0-based and it omits
// line 0), none for an unknown alias or bad UTF-8: those are found in
// data.
func Locate(data []byte, err error) (line, col int, msg string) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.TrimPrefix(te.Errors[0], "yaml: ")
	}
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		// yaml.v3 reports parser errors at their context mark, which is
		// 0-based: "did not find expected …" names the line before the
		// construct that was left open.
		if strings.HasPrefix(msg, "did not find expected") {
			line++
		}
		if strings.HasPrefix(msg, "mapping values are not allowed") {
			msg += colonHint(data, line)
		}
		return line, 1, expected(msg)
	}
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			line, col = position(data, i)
			return line, col, msg
		}
	}
	if strings.Contains(msg, "UTF-8") {
		if i := invalidUTF8(data); i >= 0 {
			line, col = position(data, i)
			return line, col, "not UTF-8 text: " + msg
		}
	}
	if strings.HasPrefix(msg, "mapping values are not allowed") {
		msg += colonHint(data, 1)
	}
	return 1, 1, expected(msg)
}

// colonHint says how to write a value holding ": " (an inline query,
// `query: (call function: (attribute) @f)`), which YAML reads as a
// mapping, when line of data is a key's with one.
func colonHint(data []byte, line int) string {
	lines := bytes.Split(data, []byte("\n"))
	if line < 1 || line > len(lines) {
		return ""
	}
	text := strings.TrimPrefix(strings.TrimSpace(string(lines[line-1])), "- ")
	key, value, ok := strings.Cut(text, ": ")
	if !ok || strings.ContainsAny(key, " \"'") || !strings.Contains(value, ": ") || strings.HasPrefix(value, `"`) || strings.HasPrefix(value, "'") {
		return "" // (a quoted value with more after it is another mistake)
	}
	return fmt.Sprintf(": the value of %s holds \": \"; quote it, or write it as a block (%s: |, then the value indented on the lines below)", key, key)
}

var unknownAnchor = regexp.MustCompile(`^unknown anchor '([^']+)' referenced`)

// invalidUTF8 returns the offset of data's first byte that is no UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// position returns the line and column (in characters) of offset i.
func position(data []byte, i int) (line, col int) {
	line = 1 + bytes.Count(data[:i], []byte("\n"))
	start := bytes.LastIndexByte(data[:i], '\n') + 1
	return line, utf8.RuneCount(data[start:i]) + 1
}

var cannotUnmarshal = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (.+)$")

// expected words a decoding type error as what was found where what was
// expected ("a string where a list of strings is expected, e.g. [a, b]").
func expected(msg string) string {
	m := cannotUnmarshal.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	found := map[string]string{"str": "a string", "seq": "a list", "map": "a mapping", "int": "a number", "float": "a number", "bool": "true or false", "null": "nothing"}[m[1]]
	if found == "" {
		found = "a " + m[1]
	}
	if m[2] != "" {
		found += fmt.Sprintf(" (%s)", m[2])
	}
	want := map[string]string{
		"[]string":   "a list of strings is expected, e.g. [a, b]",
		"string":     "a string is expected",
		"rule.Paths": "a mapping is expected, e.g. {include: [src/**], exclude: [tests/**]}",
		"int":        "a whole number is expected",
		"float64":    "a number is expected",
		"bool":       "true or false is expected",
	}[m[3]]
	if want == "" {
		want = "another kind of value is expected"
	}
	return found + " where " + want
}

// UnknownKey words the error of a key that is none of known: what it
// may be a misspelling of (one or two edits away), else the known keys.
func UnknownKey(key string, known []string) string {
	if best := spell.Closest(key, known); best != "" {
		return fmt.Sprintf("unknown key %q: did you mean %q?", key, best)
	}
	return fmt.Sprintf("unknown key %q (known keys: %s)", key, strings.Join(known, ", "))
}
