package pysrc

import (
	"strconv"
	"strings"
)

// escapeFormatted marks the arguments of "literal".format(...) that the
// format writes as their repr, with CR and LF escaped (those every field
// naming them converts with !r or !a), or as their str() (OpText: a
// container's is the repr of its items). An argument a field indexes
// ({0[k]}, {0.attr}) is left as it is.
func escapeFormatted(format string, args []Arg) {
	fields, ok := formatFields(format)
	if !ok {
		return
	}
	pos := 0
	for i := range args {
		a := &args[i]
		ref := a.Keyword
		switch ref {
		case "*", "**":
			return // the fields' arguments are not known
		case "":
			ref = strconv.Itoa(pos)
			pos++
		}
		uses := fields[ref]
		if len(uses) == 0 {
			continue
		}
		kind := OpEscape
		for _, u := range uses {
			switch {
			case u.indexed:
				kind = 0
			case u.conv != 'r' && u.conv != 'a' && kind != 0:
				kind = OpText
			}
		}
		if kind != 0 {
			a.Value = a.Value.With(Op{Kind: kind, Span: a.Span})
		}
	}
}

// codeEscape reports whether a string literal, as written, holds an
// escape sequence that names a character by its code or name (\x7b,
// \173, \u007b, \N{...}); \n, \t, \\ and the like spell no brace or
// digit.
func codeEscape(lit string) bool {
	for i := 0; i+1 < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		if c := lit[i+1]; strings.IndexByte("xuUN01234567", c) >= 0 {
			return true
		}
		i++
	}
	return false
}

// A formatUse is one replacement field of a format string: its
// conversion (0 for none) and whether it indexes its argument.
type formatUse struct {
	conv    byte
	indexed bool
}

// formatFields reads the replacement fields of a str.format string, by
// the argument they name ("0", "name"; automatic numbering counted); a
// field nested in another's format spec ({:{width}}) names an argument
// too. It reports false for a string it cannot read.
func formatFields(format string) (map[string][]formatUse, bool) {
	fields := map[string][]formatUse{}
	auto := 0
	for i := 0; i < len(format); i++ {
		switch format[i] {
		case '}':
			if i+1 < len(format) && format[i+1] == '}' {
				i++
			}
			continue
		case '{':
		default:
			continue
		}
		if i+1 < len(format) && format[i+1] == '{' {
			i++
			continue
		}
		end, depth := i+1, 1
		for ; end < len(format) && depth > 0; end++ {
			switch format[end] {
			case '{':
				depth++
			case '}':
				depth--
			}
		}
		if depth > 0 {
			return nil, false
		}
		field := format[i+1 : end-1]
		for _, f := range append([]string{field}, nestedFields(field)...) {
			name, use := parseField(f)
			if name == "" {
				name = strconv.Itoa(auto)
				auto++
			}
			fields[name] = append(fields[name], use)
		}
		i = end - 1
	}
	return fields, true
}

// nestedFields returns the fields nested in a field's format spec.
func nestedFields(field string) []string {
	spec := strings.IndexByte(field, ':')
	if spec < 0 {
		return nil
	}
	var out []string
	rest := field[spec+1:]
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			return out
		}
		close := strings.IndexByte(rest[open:], '}')
		if close < 0 {
			return out
		}
		out = append(out, rest[open+1:open+close])
		rest = rest[open+close+1:]
	}
}

// parseField splits a replacement field into the argument it names and
// its use.
func parseField(field string) (string, formatUse) {
	if k := strings.IndexByte(field, ':'); k >= 0 {
		field = field[:k]
	}
	var use formatUse
	if k := strings.IndexByte(field, '!'); k >= 0 {
		if k+1 < len(field) {
			use.conv = field[k+1]
		}
		field = field[:k]
	}
	name := field
	if k := strings.IndexAny(field, ".["); k >= 0 {
		name, use.indexed = field[:k], true
	}
	if n, err := strconv.Atoi(name); err == nil {
		name = strconv.Itoa(n) // {00} is argument 0
	}
	return name, use
}
