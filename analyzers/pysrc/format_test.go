package pysrc

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

func TestFormatFields(t *testing.T) {
	for format, want := range map[string]string{
		"{} {!r} {}":             "0: 1:r 2:",
		"{0} {0!a} {name!r:>10}": "0:,a name:r",
		"{0!r} {00}":             "0:r,",
		"{{literal}} {}}}":       "0:",
		"{0[key]} {obj.attr}":    "0:[] obj:[]",
		"{:{width}.{prec}}":      "0: prec: width:",
		"unclosed {":             "!",
	} {
		fields, ok := formatFields(format)
		got := "!"
		if ok {
			var parts []string
			for name, uses := range fields {
				var us []string
				for _, u := range uses {
					s := ""
					if u.conv != 0 {
						s = string(u.conv)
					}
					if u.indexed {
						s += "[]"
					}
					us = append(us, s)
				}
				parts = append(parts, fmt.Sprintf("%s:%s", name, strings.Join(us, ",")))
			}
			sort.Strings(parts)
			got = strings.Join(parts, " ")
		}
		if got != want {
			t.Errorf("formatFields(%q) = %q, want %q", format, got, want)
		}
	}
}

func TestCodeEscape(t *testing.T) {
	for lit, want := range map[string]bool{
		`headers:\n{0}`:            false,
		`tab\t{} quote\' \\`:       false,
		`\\x30 is text`:            false,
		`{\x30}`:                   true,
		`{\060}`:                   true,
		`\u007b0}`:                 true,
		`\N{LEFT CURLY BRACKET}0}`: true,
		`ends with \`:              false,
	} {
		if got := codeEscape(lit); got != want {
			t.Errorf("codeEscape(%q) = %v, want %v", lit, got, want)
		}
	}
}
