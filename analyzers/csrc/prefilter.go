package csrc

import (
	"bytes"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// interesting reports, from a function's text alone, whether it can leak:
// it makes a bytes object; or returns a heap block or a struct to other
// files; or names an output (a sink, a printing function, a function of
// the repository that may reach one) and may declare or allocate a
// buffer or declare a variable without a value; or assigns a struct it
// declared through a pointer. The other functions are not walked:
// walking is the analysis's cost.
func (an *Analysis) interesting(f *scope, fn syntax.Node) bool {
	t := an.scan(f.u, fn.Tree().Src()[fn.StartByte():fn.EndByte()])
	switch {
	case t.bytes:
		return true
	case (t.heap || t.returnsRecord) && !t.static:
		return true
	case t.sink:
		return t.heap || t.record || t.array || t.addrSizeof || t.uninit
	}
	return t.record && t.storeThrough
}

// textShape is what a scan of a function's tokens found.
type textShape struct {
	// static and returnsRecord describe the header (the tokens before the
	// first parenthesis): `static`, a struct returned by value.
	static, returnsRecord bool
	// record: `struct s v;` or `sample_t v;` for a record typedef.
	record bool
	// array: `T name[`.
	array bool
	// addrSizeof: `&v, sizeof`.
	addrSizeof bool
	// storeThrough: `*p = v;`, `p->m = v;` or `p[i] = v;`.
	storeThrough bool
	// uninit: a declaration without a value, `T v;` or `T *p;`.
	uninit bool
	// sink, heap, bytes: a call to a sink, an allocator, a bytes factory.
	sink, heap, bytes bool
}

// scan tokenizes C text (skipping comments, literals and preprocessor
// lines) and looks for the shapes of textShape in a window of the last
// tokens. It allocates nothing.
func (an *Analysis) scan(u *unit, text []byte) textShape {
	var t textShape
	var win [5][]byte // the last tokens, most recent last
	header, star := true, false
	is := func(tok []byte, s string) bool { return string(tok) == s }
	push := func(tok []byte) {
		copy(win[:], win[1:])
		win[4] = tok
		if header {
			switch {
			case is(tok, "("):
				header = false
				t.returnsRecord = t.returnsRecord && !star
			case is(tok, "static"):
				t.static = true
			case is(tok, "*"):
				star = true
			case is(tok, "struct") || is(tok, "union") || u.isRecordTypedef(string(tok)):
				t.returnsRecord = true
			}
			return
		}
		a, b, c := win[1], win[2], win[3]
		switch {
		case is(tok, "("):
			name := string(c)
			t.sink = t.sink || an.isOutput(name)
			t.heap = t.heap || allocators[name]
			t.bytes = t.bytes || bytesFactories[name] != ""
		case is(tok, ";") || is(tok, "=") || is(tok, "[") || is(tok, ","):
			if isWord(b) && isWord(c) && !keywords[string(c)] &&
				(is(a, "struct") || is(a, "union") || u.isRecordTypedef(string(b)) && !is(a, "struct") && !is(a, "union")) {
				t.record = true
			}
			if is(tok, "[") && isWord(b) && isWord(c) && !keywords[string(c)] && !is(b, "return") {
				t.array = true
			}
			if is(tok, ";") && isWord(c) && is(b, "=") && (isWord(a) && (is(win[0], "*") || is(win[0], "->")) || is(a, "]")) {
				t.storeThrough = true
			}
			if (is(tok, ";") || is(tok, ",")) && isWord(c) && !keywords[string(c)] &&
				(isWord(b) && !statementWords[string(b)] || is(b, "*") && isWord(a)) {
				t.uninit = true
			}
		case is(tok, "sizeof"):
			t.addrSizeof = t.addrSizeof || is(c, ",") && isWord(b) && is(a, "&")
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			end := bytes.Index(text[i+2:], []byte("*/"))
			if end < 0 {
				return t
			}
			i += end + 4
		case c == '/' && i+1 < len(text) && text[i+1] == '/', c == '#':
			end := bytes.IndexByte(text[i:], '\n')
			if end < 0 {
				return t
			}
			i += end
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(text) && text[j] != c && text[j] != '\n' {
				if text[j] == '\\' {
					j++
				}
				j++
			}
			push(text[i:i])
			i = j + 1
		case isIdentByte(c):
			j := i
			for j < len(text) && isIdentByte(text[j]) {
				j++
			}
			push(text[i:j])
			i = j
		case c == '-' && i+1 < len(text) && text[i+1] == '>':
			push(text[i : i+2])
			i += 2
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			push(text[i : i+1])
			i++
		}
	}
	return t
}

// statementWords start statements that look like declarations.
var statementWords = map[string]bool{"return": true, "goto": true, "case": true, "else": true, "do": true, "sizeof": true}

// isWord reports whether a token is an identifier or a keyword.
func isWord(tok []byte) bool {
	return len(tok) > 0 && isIdentByte(tok[0]) && !(tok[0] >= '0' && tok[0] <= '9')
}

// keywords cannot be the name of a declared variable.
var keywords = map[string]bool{
	"return": true, "sizeof": true, "if": true, "else": true, "while": true, "for": true,
	"case": true, "goto": true, "int": true, "char": true, "long": true, "short": true,
	"unsigned": true, "signed": true, "const": true, "volatile": true, "static": true,
	"struct": true, "union": true, "enum": true, "void": true, "double": true, "float": true,
}

// returnsRecordType reports whether a function returns a struct by value.
func (f *scope) returnsRecordType(fn syntax.Node) bool {
	t := f.baseType(fn.ChildByFieldName("type"))
	d := fn.ChildByFieldName("declarator")
	return t != nil && t.kind == recordT && !d.IsNull() && d.Type() == "function_declarator"
}
