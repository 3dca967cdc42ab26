package csrc

import (
	"strconv"
	"strings"
)

// An amount is a byte count or an integer value as far as the analysis
// knows it: a constant, a runtime expression known only by its normalized
// text (two amounts with the same text are equal), or unknown.
type amount struct {
	known bool
	val   int64
	// expr is the normalized text of a runtime expression: no spaces, no
	// casts, constant parts folded. "" for constants and unknowns.
	expr string
	// show is the expression as written, for messages.
	show string
}

func constant(v int64) amount { return amount{known: true, val: v} }

// symbolic is a runtime value known by its normalized text.
func symbolic(expr, show string) amount { return amount{expr: expr, show: show} }

func (a amount) isUnknown() bool { return !a.known && a.expr == "" }

// same reports whether a and b are certainly the same value.
func (a amount) same(b amount) bool {
	if a.known || b.known {
		return a.known && b.known && a.val == b.val
	}
	return a.expr != "" && a.expr == b.expr
}

// key is the normalized text of a (a constant's decimal digits).
func (a amount) key() string {
	if a.known {
		return strconv.FormatInt(a.val, 10)
	}
	return a.expr
}

func (a amount) String() string {
	switch {
	case a.known:
		return strconv.FormatInt(a.val, 10)
	case a.show != "":
		return a.show
	case a.expr != "":
		return a.expr
	}
	return "an unknown number of"
}

// mentions reports whether the normalized expression uses the name.
func (a amount) mentions(name string) bool {
	return mentionsName(a.expr, name)
}

// mentionsName reports whether name occurs in expr as a whole identifier.
func mentionsName(expr, name string) bool {
	for i := 0; name != "" && i+len(name) <= len(expr); {
		j := strings.Index(expr[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if (start == 0 || !isIdentByte(expr[start-1])) && (end == len(expr) || !isIdentByte(expr[end])) {
			return true
		}
		i = end
	}
	return false
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// fold applies a C binary operator to two constants; false when the
// result is undefined (division by zero, oversized shifts) or the
// operator is not arithmetic.
func fold(op string, l, r int64) (int64, bool) {
	switch op {
	case "+":
		return l + r, true
	case "-":
		return l - r, true
	case "*":
		return l * r, true
	case "/", "%":
		if r == 0 {
			return 0, false
		}
		if op == "/" {
			return l / r, true
		}
		return l % r, true
	case "<<", ">>":
		if r < 0 || r > 62 {
			return 0, false
		}
		if op == "<<" {
			return l << uint(r), true
		}
		return l >> uint(r), true
	case "&":
		return l & r, true
	case "|":
		return l | r, true
	case "^":
		return l ^ r, true
	case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
		return b2i(compare(op, l, r)), true
	}
	return 0, false
}

func compare(op string, l, r int64) bool {
	switch op {
	case "==":
		return l == r
	case "!=":
		return l != r
	case "<":
		return l < r
	case "<=":
		return l <= r
	case ">":
		return l > r
	case ">=":
		return l >= r
	case "&&":
		return l != 0 && r != 0
	case "||":
		return l != 0 || r != 0
	}
	return false
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// unaryFold applies a C unary operator to a constant.
func unaryFold(op string, v int64) (int64, bool) {
	switch op {
	case "-":
		return -v, true
	case "+":
		return v, true
	case "~":
		return ^v, true
	case "!":
		return b2i(v == 0), true
	}
	return 0, false
}

// parseInt parses a C integer literal (decimal, octal, hex or binary, with
// u/l suffixes); false for floating-point literals and garbage.
func parseInt(s string) (int64, bool) {
	if rest, ok := strings.CutPrefix(s, "-"); ok { // tree-sitter reads -1 as one literal
		v, ok := parseInt(rest)
		return -v, ok
	}
	s = strings.TrimRight(s, "uUlL")
	if s == "" || strings.ContainsAny(s, ".'") {
		return 0, false
	}
	if !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") && strings.ContainsAny(s, "eEpP") {
		return 0, false
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	v, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		return 0, false
	}
	return int64(v), true
}

// parseChar returns the value of a C character literal such as 'a' or '\n'.
func parseChar(s string) (int64, bool) {
	if len(s) < 3 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return 0, false
	}
	body := s[1 : len(s)-1]
	if len(body) == 1 {
		return int64(body[0]), true
	}
	if body[0] != '\\' || len(body) < 2 {
		return 0, false
	}
	switch c := body[1]; {
	case c == 'x':
		v, err := strconv.ParseUint(body[2:], 16, 8)
		return int64(v), err == nil
	case c >= '0' && c <= '7':
		v, err := strconv.ParseUint(body[1:], 8, 8)
		return int64(v), err == nil
	case len(body) == 2:
		if v, ok := charEscapes[c]; ok {
			return v, true
		}
	}
	return 0, false
}

var charEscapes = map[byte]int64{
	'n': '\n', 't': '\t', 'r': '\r', '0': 0, '\\': '\\', '\'': '\'', '"': '"',
	'a': 7, 'b': 8, 'f': 12, 'v': 11, '?': '?',
}

// collapse returns s with runs of white space replaced by one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// squeeze returns s without white space: the normalized text of an
// expression the evaluator does not take apart.
func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }
