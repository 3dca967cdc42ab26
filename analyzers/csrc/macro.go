package csrc

import (
	"strings"
)

// evalMacro evaluates the body of an object-like macro as an integer
// constant expression: literals, other macros, enumerators, arithmetic,
// casts and sizeof(type). The preprocessor hands us text, not a tree, so
// this is a small recursive-descent parser of its own.
func (f *scope) evalMacro(body string) (int64, bool) {
	p := &macroParser{names: f, toks: tokenize(body)}
	v, ok := p.ternary()
	return v, ok && p.pos == len(p.toks)
}

// A macroParser evaluates an integer constant expression written as
// text, with names resolved by names.
type macroParser struct {
	names nameResolver
	toks  []string
	pos   int
}

// A nameResolver answers what the text of an expression names: the value
// of an identifier, whether a name is a type, the size of a type.
type nameResolver interface {
	constValue(name string) (int64, bool)
	isTypeName(name string) bool
	namedTypeSize(name string) int64
}

// A definedResolver also answers `defined NAME` (in #if conditions).
type definedResolver interface {
	isDefined(name string) (defined, known bool)
}

func (p *macroParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *macroParser) next() string {
	t := p.peek()
	if t != "" {
		p.pos++
	}
	return t
}

// levels are the binary operators by increasing precedence.
var levels = [][]string{
	{"||"}, {"&&"}, {"|"}, {"^"}, {"&"}, {"==", "!="}, {"<", "<=", ">", ">="},
	{"<<", ">>"}, {"+", "-"}, {"*", "/", "%"},
}

func (p *macroParser) ternary() (int64, bool) {
	c, ok := p.binary(0)
	if !ok || p.peek() != "?" {
		return c, ok
	}
	p.next()
	a, ok1 := p.ternary()
	if p.next() != ":" {
		return 0, false
	}
	b, ok2 := p.ternary()
	if c != 0 {
		return a, ok1 && ok2
	}
	return b, ok1 && ok2
}

func (p *macroParser) binary(level int) (int64, bool) {
	if level == len(levels) {
		return p.unary()
	}
	l, ok := p.binary(level + 1)
	for ok {
		op := p.peek()
		if !contains(levels[level], op) {
			break
		}
		p.next()
		r, rok := p.binary(level + 1)
		if !rok {
			return 0, false
		}
		l, ok = fold(op, l, r)
	}
	return l, ok
}

func (p *macroParser) unary() (int64, bool) {
	switch t := p.peek(); {
	case t == "-" || t == "+" || t == "~" || t == "!":
		p.next()
		v, ok := p.unary()
		if !ok {
			return 0, false
		}
		return unaryFold(t, v)
	case t == "sizeof":
		p.next()
		if p.next() != "(" {
			return 0, false
		}
		name := p.typeName()
		if p.next() != ")" {
			return 0, false
		}
		if size := p.names.namedTypeSize(name); size > 0 {
			return size, true
		}
		return 0, false
	case t == "(":
		p.next()
		if p.isTypeStart() {
			p.typeName()
			if p.next() != ")" {
				return 0, false
			}
			return p.unary()
		}
		v, ok := p.ternary()
		if p.next() != ")" {
			return 0, false
		}
		return v, ok
	}
	return p.primary()
}

func (p *macroParser) primary() (int64, bool) {
	t := p.next()
	if d, ok := p.names.(definedResolver); ok && t == "defined" {
		paren := p.peek() == "("
		if paren {
			p.next()
		}
		v, known := d.isDefined(p.next())
		if paren && p.next() != ")" {
			return 0, false
		}
		return b2i(v), known
	}
	switch {
	case t == "":
		return 0, false
	case t[0] >= '0' && t[0] <= '9':
		return parseInt(t)
	case t[0] == '\'':
		return parseChar(t)
	case isIdentByte(t[0]):
		if e, ok := p.names.(macroExpander); ok && p.peek() == "(" {
			args, ok := p.callArgs()
			if !ok {
				return 0, false
			}
			return e.callValue(t, args)
		}
		return p.names.constValue(t)
	}
	return 0, false
}

// callArgs consumes the parenthesized, comma-separated arguments of a
// function-like macro's call, as text.
func (p *macroParser) callArgs() ([]string, bool) {
	p.next() // (
	var args []string
	var cur []string
	depth := 0
	for {
		t := p.next()
		switch {
		case t == "":
			return nil, false
		case t == "(":
			depth++
		case t == ")" && depth == 0:
			return append(args, strings.Join(cur, " ")), true
		case t == ")":
			depth--
		case t == "," && depth == 0:
			args, cur = append(args, strings.Join(cur, " ")), nil
			continue
		}
		cur = append(cur, t)
	}
}

// A macroExpander also evaluates calls of function-like macros.
type macroExpander interface {
	callValue(name string, args []string) (int64, bool)
}

// callValue evaluates a function-like macro's body with its parameters
// replaced by the arguments (MAX(16, 32), SIZE_OF(x)).
func (f *scope) callValue(name string, args []string) (int64, bool) {
	m := f.u.macro(name)
	if m == nil || !m.fn || len(args) != len(m.params) && !(len(m.params) == 0 && len(args) == 1 && args[0] == "") || !f.enter() {
		return 0, false
	}
	defer f.leave()
	var b strings.Builder
	for _, t := range tokenize(m.body) {
		replaced := false
		for i, p := range m.params {
			if t == p {
				b.WriteString("(" + args[i] + ") ")
				replaced = true
				break
			}
		}
		if !replaced {
			b.WriteString(t + " ")
		}
	}
	return f.evalMacro(b.String())
}

// typeWords are the keywords that can start a type name in a cast.
var typeWords = map[string]bool{
	"unsigned": true, "signed": true, "const": true, "volatile": true, "struct": true,
	"union": true, "enum": true, "long": true, "short": true, "char": true, "int": true,
	"void": true, "float": true, "double": true,
}

func (p *macroParser) isTypeStart() bool {
	t := p.peek()
	if typeWords[t] {
		return true
	}
	if _, ok := primitives[t]; ok {
		return true
	}
	return p.names.isTypeName(t)
}

// typeName consumes a type name (words and stars) and returns its words.
func (p *macroParser) typeName() string {
	var words []string
	for t := p.peek(); t != "" && (isIdentByte(t[0]) && !(t[0] >= '0' && t[0] <= '9') || t == "*"); t = p.peek() {
		words = append(words, p.next())
	}
	return strings.Join(words, " ")
}

// isTypeName reports whether name is a typedef the unit sees.
func (f *scope) isTypeName(name string) bool {
	_, ok := f.u.typedef(name)
	return ok
}

// namedTypeSize returns the size of a type named in text ("unsigned int",
// "struct hdr", "uint8_t *"), 0 when unknown.
func (f *scope) namedTypeSize(name string) int64 {
	switch {
	case strings.HasSuffix(name, "*"):
		return 8
	case strings.HasPrefix(name, "struct ") || strings.HasPrefix(name, "union "):
		if spec := f.u.record(name); !spec.IsNull() {
			if t := f.recordType(spec); t != nil {
				return t.size
			}
		}
		return 0
	}
	if size, ok := primitives[name]; ok {
		return size
	}
	if t := f.typedefType(name); t != nil && t.size > 0 {
		return t.size
	}
	return 0
}

// tokenize splits a macro body into C tokens, dropping comments.
func tokenize(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\\':
			i++
		case strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return toks
			}
			i += end + 4
		case strings.HasPrefix(s[i:], "//"):
			return toks
		case c == '\'':
			j := i + 1
			for j < len(s) && s[j] != '\'' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			toks = append(toks, s[i:j])
			i = j
		case isIdentByte(c):
			j := i
			for j < len(s) && (isIdentByte(s[j]) || c >= '0' && c <= '9' && s[j] == '.') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			op := s[i : i+1]
			for _, two := range []string{"<<", ">>", "<=", ">=", "==", "!=", "&&", "||"} {
				if strings.HasPrefix(s[i:], two) {
					op = two
					break
				}
			}
			toks = append(toks, op)
			i += len(op)
		}
	}
	return toks
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
