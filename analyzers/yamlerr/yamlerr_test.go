package yamlerr

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestLocate: every error has a line and a column: a problem on the first
// line (which yaml.v3 leaves unnumbered), an unknown alias, bad UTF-8, a
// flow left open; a type error says what was found and what is expected.
func TestLocate(t *testing.T) {
	type rule struct {
		Tags  []string `yaml:"tags"`
		Inner string   `yaml:"inner"`
	}
	for _, tc := range []struct{ src, want string }{
		{"a: \"\\q\"\n", `1:1: found unknown escape character`},
		{"a: 1\nb: 2\nc: \"\\q\"\n", `3:1: found unknown escape character`},
		{"a: 1\nb: *missing\n", `2:4: unknown anchor 'missing' referenced`},
		{"a: 1\nbé: \xff\n", `2:5: not UTF-8 text: invalid leading UTF-8 octet`},
		{"a: 1\nb: 2\ntags: [unclosed\n", `3:1: did not find expected ',' or ']'`},
		{"tags: security\n", `1:1: a string (security) where a list of strings is expected, e.g. [a, b]`},
		{"inner: [x]\n", `1:1: a list where a string is expected`},
		{"tags: [a]\ninner: (call function: (attribute) @f)\n", `2:1: mapping values are not allowed in this context: the value of inner holds ": "; quote it, or write it as a block (inner: |, then the value indented on the lines below)`},
		{"tags: [a]\ninner: a\n b: c\n", `3:1: mapping values are not allowed in this context`},
		{"inner: (call function: (attribute) @f)\ntags: [a]\n", `1:1: mapping values are not allowed in this context: the value of inner holds ": "; quote it, or write it as a block (inner: |, then the value indented on the lines below)`},
		{"tags: [a]\ninner: \"see: x\" and: y\n", `2:1: mapping values are not allowed in this context`},
	} {
		var r rule
		err := yaml.Unmarshal([]byte(tc.src), &r)
		if err == nil {
			t.Errorf("%q: no error", tc.src)
			continue
		}
		line, col, msg := Locate([]byte(tc.src), err)
		if got := fmt.Sprintf("%d:%d: %s", line, col, msg); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestUnknownKey(t *testing.T) {
	known := []string{"severity", "precision", "paths"}
	for key, want := range map[string]string{
		"precison": `unknown key "precison": did you mean "precision"?`,
		"sevrity":  `unknown key "sevrity": did you mean "severity"?`,
		"colour":   `unknown key "colour" (known keys: severity, precision, paths)`,
		"path":     `unknown key "path": did you mean "paths"?`,
	} {
		if got := UnknownKey(key, known); got != want {
			t.Errorf("UnknownKey(%q) = %s, want %s", key, got, want)
		}
	}
}
