package csrc

import (
	"bytes"
	"regexp"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Repairs: a function whose parse has errors is parsed again from text
// edited so that each byte keeps its offset. Besides the conditional
// directives and the branches outside the configuration (blanked),
// macros the grammar cannot read become what they stand for:
//   - a statement macro without its semicolon (`Py_BEGIN_ALLOW_THREADS`,
//     `GET_NUMERIC_TYPE(prev)`) gets one, in place of its line break, so
//     it is a call that may assign its arguments, before a statement or,
//     for one without arguments, a block;
//   - a loop macro (`uwsgi_foreach(p, list) {`) becomes a while loop;
//   - the type argument of va_arg, and of CPython's allocation macros
//     (`PyMem_New(char *, n)`), becomes a name;
//   - a macro call whose last argument is a jump (`CHECK(self, return
//     NULL);`, `PyFPE_START_PROTECT("x", return NULL)`) becomes that
//     jump under an unknown condition, with an empty else
//     (`if(CHECK)return NULL;else;`);
//   - a macro the file defines as a storage class (`#define REDIS_STATIC
//     static`) becomes that word;
//   - an upper-case name that starts a broken declaration before its
//     type (`PYCURL_INTERNAL PyObject *`, `static FORCE_INLINE uint32_t`)
//     or its storage class (`RAISES_NEG static int`), a storage-class or
//     attribute macro a header defines, is blanked;
//   - an attribute macro named as systemd's are, between underscores
//     (`_cleanup_free_ char *p`, `_cleanup_(freep) char *q`, `PyObject
//     *self _unused_,`), before a declaration's type or after its name,
//     is blanked, and so is an upper-case one or __attribute__((…))
//     after a name (`PyObject *self ATTRIBUTE_UNUSED,`, `G_GNUC_UNUSED`);
//   - an upper-case macro that ends in an underscore first in a list
//     (libev's `EV_P_ int fd`, `EV_A_ &w`) is blanked;
//   - an upper-case macro call a string literal follows, which C
//     allows only of a macro that makes a string (mod_wsgi's
//     `WSGI_APLOGNO(0134) "text"`), becomes an empty string (`""`);
//   - an upper-case macro whose argument is statements, alone on its line
//     (coverage.py's `STATS( self->stats.calls++; )`), becomes them when
//     the file defines it as its argument, or nothing when it defines it
//     empty in some configuration; one it does not define, only when
//     they call nothing and jump nowhere;
//   - a name among a function header's specifiers that cannot be its
//     type, a macro a header defines, is blanked (specifierEdits):
//     `static ngx_inline void f(`, `void ngx_cdecl f(`, `ngx_int_t
//     ngx_cdecl f(`, `static INLINE BOOL f(`.

// An edit replaces bytes at an offset with as many bytes.
type edit struct {
	off  int
	text []byte
}

var (
	stmtMacro  = regexp.MustCompile(`^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(\([^;{}]*\))?[ \t]*\r?$`)
	blockMacro = regexp.MustCompile(`^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\([^;{}]*\)[ \t]*\{[ \t]*\r?$`)
	vaArg      = regexp.MustCompile(`\bva_arg[ \t]*\([^,()]*,([^()]*)\)`)
	// jumpCall: a macro call that starts a line, up to its arguments.
	jumpCall = regexp.MustCompile(`^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(`)
	// leadMacro: an upper-case name, then a type that is no upper-case
	// name (PyObject, uint32_t, int), then a declarator (stars, a name) or
	// the end of the line: `BOOL f(void)` and `DWORD WINAPI f(void)` keep
	// their names, which may be the type.
	leadMacro = regexp.MustCompile(`^[ \t]*(?:(?:static|extern|inline)[ \t]+)*([A-Z_][A-Z0-9_]*)[ \t]+(?:(?:const|unsigned|signed|struct)[ \t]+)*(_*[a-z][A-Za-z0-9_]*|_*[A-Z][A-Za-z0-9_]*[a-z][A-Za-z0-9_]*)(?:[ \t]*\*+[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\(|[ \t]+[A-Za-z_][A-Za-z0-9_]*[ \t]*\(|([ \t]*\**[ \t]*)\r?$)`)
	// storageLead: an upper-case name before a storage class, at the
	// start of a line (psycopg2's `RAISES_NEG static int`).
	storageLead = regexp.MustCompile(`^[ \t]*([A-Z_][A-Z0-9_]*)[ \t]+(?:static|extern|inline)\b`)
)

// repairs returns the edits of the lines of the broken functions of t.
func repairs(src []byte, t *syntax.Tree) []edit {
	var out []edit
	facts := &fileFacts{src: src}
	storage := facts.storageMacros()
	for c := t.Root().FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if !c.HasError() {
			continue
		}
		start, end := int(c.StartByte()), int(c.EndByte())
		out = append(out, storageEdits(src[start:end], start, storage)...)
		out = append(out, typeNameEdits(vaArgTypes(src[start:end]), start)...)
		out = append(out, typeNameEdits(allocationTypes(src[start:end]), start)...)
		out = append(out, jumpArgEdits(src[start:end], start)...)
		out = append(out, leadEdits(src[start:end], start, storage)...)
		out = append(out, specifierEdits(src[start:end], start, facts)...)
		out = append(out, stringMacroEdits(src[start:end], start)...)
		out = append(out, wrappedStatementEdits(src[start:end], start, facts)...)
		out = append(out, attributeEdits(src, start, end)...)
		out = append(out, listMacroEdits(src[start:end], start)...)
		out = append(out, iso646Edits(src[start:end], start, facts.iso646())...)
		// lines after the node's first (its header)
		off := start
		if nl := bytes.IndexByte(src[start:end], '\n'); nl >= 0 {
			off = start + nl + 1
		} else {
			continue
		}
		prevEnds := true // the header ends a statement
		inComment, inDirective := false, false
		// A function's header may go on over lines (K&R parameters,
		// attributes): macros over lines are looked for in its body.
		body := start + max(bytes.IndexByte(src[start:end], '{'), 0)
		controls := facts.controlMacros()
		for off < end {
			nl := bytes.IndexByte(src[off:], '\n')
			if nl < 0 {
				break
			}
			line := src[off : off+nl]
			trimmed := bytes.TrimSpace(line)
			if inComment {
				// A comment's lines end no statement.
				inComment = !bytes.Contains(trimmed, []byte("*/"))
				off += nl + 1
				continue
			}
			if inDirective || bytes.HasPrefix(trimmed, []byte("#")) {
				// Nor do a directive's, continued or not.
				inDirective = bytes.HasSuffix(trimmed, []byte("\\"))
				off += nl + 1
				continue
			}
			switch {
			case bytes.HasPrefix(trimmed, []byte("/*")):
				inComment = !bytes.Contains(trimmed[2:], []byte("*/"))
				off += nl + 1
				continue
			case len(trimmed) == 0, bytes.HasPrefix(trimmed, []byte("//")):
				off += nl + 1
				continue
			}
			last := trimmed[len(trimmed)-1]
			if code := withoutTrailingComment(trimmed); len(code) > 0 {
				last = code[len(code)-1]
			}
			// A comment may end a macro's line (`Py_END_ALLOW_THREADS /*
			// GIL */`): the macro is before it.
			code := line[:trailingComment(line)]
			// Only a line that starts with a name after a statement may
			// be a macro: a loop macro's ends with '{', a statement
			// macro's has no ';', '{' or '}' (and ends a statement once
			// it has its semicolon).
			switch c := trimmed[0]; {
			case !prevEnds || c != '_' && (c|0x20 < 'a' || c|0x20 > 'z'):
			case last == '{':
				if m := blockMacro.FindSubmatchIndex(line); m != nil && !keywords[string(line[m[2]:m[3]])] && !blockWords[string(line[m[2]:m[3]])] && m[3]-m[2] >= len("while") {
					text := append([]byte("while"), bytes.Repeat([]byte(" "), m[3]-m[2]-len("while"))...)
					out = append(out, edit{off + m[2], text})
				}
			case bytes.IndexAny(blankLiterals(code), ";{}") < 0:
				// Its semicolon takes the blank before the comment.
				at := off + nl
				if len(code) < len(line) {
					at = off + len(code)
				}
				if m := stmtMacro.FindSubmatchIndex(blankLiterals(code)); m != nil && !keywords[string(line[m[2]:m[3]])] &&
					!blockWords[string(line[m[2]:m[3]])] && !controls[string(line[m[2]:m[3]])] &&
					(at == off+nl || line[len(code)] == ' ' || line[len(code)] == '\t') &&
					(statementFollows(src[off+nl+1:]) || m[4] < 0 && blockFollows(src[off+nl+1:])) {
					out = append(out, edit{at, []byte(";")})
					last = ';'
				} else if off > body {
					// DEBUG("x=%d",\n x) over lines: its last line
					// ends the statement.
					if at, ok := multiLineMacro(src, off, end, line, controls); ok {
						out = append(out, edit{at, []byte(";")})
						prevEnds = true
						off = at + bytes.IndexByte(src[at:], '\n') + 1
						continue
					}
				}
			}
			prevEnds = last == ';' || last == '{' || last == '}' || last == ':'
			off += nl + 1
		}
	}
	return out
}

// multiLineMacro reports whether line, at off in src, starts a macro
// call whose arguments close on a later line before end (the broken
// node's), with nothing after them there but a comment and no ';', '{'
// or '}' among them outside literals, before a statement: a statement
// macro written over lines without its semicolon, not one the file
// defines as a statement's head (controls) nor one named as a loop
// (loopName). It returns where the semicolon goes: the blank after the
// arguments or the line's end.
func multiLineMacro(src []byte, off, end int, line []byte, controls map[string]bool) (int, bool) {
	m := jumpCall.FindSubmatchIndex(line)
	if m == nil || keywords[string(line[m[2]:m[3]])] || blockWords[string(line[m[2]:m[3]])] || controls[string(line[m[2]:m[3]])] ||
		loopName(string(line[m[2]:m[3]])) {
		return 0, false
	}
	closing := argumentsClose(src[:end], off+m[1]-1)
	if closing < 0 || bytes.IndexByte(src[off:closing], '\n') < 0 {
		return 0, false
	}
	lineEnd := closing + 1
	for lineEnd < end && src[lineEnd] != '\n' {
		lineEnd++
	}
	rest := src[closing+1 : lineEnd]
	if i := bytes.Index(rest, []byte("//")); i >= 0 {
		rest = rest[:i]
	}
	if lineEnd >= end || len(withoutTrailingComment(bytes.TrimSpace(rest))) > 0 || !statementFollows(src[lineEnd+1:]) {
		return 0, false
	}
	// The semicolon takes the place of the blank after the parenthesis,
	// or of the line's end: not after a comment that ends the line.
	if at := closing + 1; at < lineEnd && (src[at] == ' ' || src[at] == '\t' || src[at] == '\r') || at == lineEnd {
		return at, true
	}
	return 0, false
}

// blankLiterals returns a copy of line with the contents of its string
// and character literals blanked.
func blankLiterals(line []byte) []byte {
	if bytes.IndexAny(line, "\"'") < 0 {
		return line
	}
	out := bytes.Clone(line)
	for i := 0; i < len(out); i++ {
		if out[i] == '"' || out[i] == '\'' {
			end := quoteEnd(out, i)
			if end < 0 {
				end = len(out)
			}
			copy(out[i+1:end], bytes.Repeat([]byte(" "), end-i-1))
			i = end
		}
	}
	return out
}

// maxMacroArguments bounds the bytes argumentsClose reads.
const maxMacroArguments = 4096

// argumentsClose returns the offset of the parenthesis that closes the
// one at open, over lines, nested ones and string and character literals
// skipped; -1 when a ';', '{' or '}' comes first, or none within
// maxMacroArguments bytes.
func argumentsClose(text []byte, open int) int {
	depth := 0
	for i := open; i < len(text) && i-open < maxMacroArguments; i++ {
		switch text[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i
			}
		case ';', '{', '}':
			return -1
		case '"', '\'':
			q := text[i]
			for i++; i < len(text) && text[i] != q && text[i] != '\n'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		}
	}
	return -1
}

// withoutTrailingComment returns a line, trimmed, without the block
// comment that ends it (`x = 1; /* why */`), if one does, and the blanks
// before.
func withoutTrailingComment(trimmed []byte) []byte {
	if !bytes.HasSuffix(trimmed, []byte("*/")) {
		return trimmed
	}
	if i := bytes.LastIndex(trimmed[:len(trimmed)-2], []byte("/*")); i >= 0 {
		return bytes.TrimSpace(trimmed[:i])
	}
	return trimmed
}

// trailingComment returns where the comment that ends line starts, past
// its code and the blanks after the code: a // comment, or a /* */ one
// closed on the line; len(line) when there is none. Literals are blanked
// first, so that a "//" in a string is no comment.
func trailingComment(line []byte) int {
	b := blankLiterals(line)
	end := len(bytes.TrimRight(b, " \t\r"))
	i := bytes.Index(b, []byte("//"))
	if i < 0 && end >= 4 && bytes.HasSuffix(b[:end], []byte("*/")) {
		i = bytes.LastIndex(b[:end-2], []byte("/*"))
	}
	if i < 0 {
		return len(line)
	}
	return len(bytes.TrimRight(line[:i], " \t"))
}

// blockWords are keywords that may stand alone on a line before a body.
var blockWords = map[string]bool{"else": true, "do": true, "break": true, "continue": true, "default": true, "switch": true}

// statementFollows reports whether the next non-blank line starts a
// statement (not a body, a continued expression or an else).
func statementFollows(rest []byte) bool {
	t := nextLine(rest, skippedLine())
	if t == nil {
		return false
	}
	switch t[0] {
	case '{', '.', ')', ',', '?', ':', '=', '+', '-', '*', '/', '&', '|', '<', '>', '[':
		return false
	}
	return !bytes.HasPrefix(t, []byte("->"))
}

// blockFollows reports whether the next non-blank line opens a block: after
// a statement macro without arguments (Py_END_ALLOW_THREADS), a block
// statement, not a loop macro's body.
func blockFollows(rest []byte) bool {
	t := nextLine(rest, skippedLine())
	return t != nil && t[0] == '{'
}

// skippedLine returns the test of the lines that come before the next
// statement and say nothing of it: blank lines, directives and comments
// (// or /* */ ones, also over lines: the test keeps the state). A line
// of code with a comment after it is code.
func skippedLine() func(trimmed []byte) bool {
	inComment := false
	return func(t []byte) bool {
		switch {
		case inComment:
			inComment = !bytes.Contains(t, []byte("*/"))
			return true
		case len(t) == 0, t[0] == '#', bytes.HasPrefix(t, []byte("//")):
			return true
		case bytes.HasPrefix(t, []byte("/*")):
			closing := bytes.Index(t[2:], []byte("*/"))
			if closing < 0 {
				inComment = true
				return true
			}
			return len(bytes.TrimSpace(t[2+closing+2:])) == 0
		}
		return false
	}
}

// nextLine returns the first line of rest, trimmed, that skip does not
// pass over; nil when there is none.
func nextLine(rest []byte, skip func(trimmed []byte) bool) []byte {
	for len(rest) > 0 {
		line := rest
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = nil
		}
		if t := bytes.TrimSpace(line); !skip(t) {
			return t
		}
	}
	return nil
}

// typeNameEdits makes each type argument (a span of text) a name of its
// length: `va_arg(ap, char *)` (vaArgTypes), and CPython's allocation
// macros (allocationTypes).
func typeNameEdits(spans [][2]int, base int) []edit {
	var out []edit
	for _, sp := range spans {
		if lo, hi := sp[0], sp[1]; hi > lo {
			name := bytes.Repeat([]byte(" "), hi-lo)
			name[len(name)-1] = 'T'
			out = append(out, edit{base + lo, name})
		}
	}
	return out
}

// vaArgTypes returns the spans of va_arg's type arguments in text.
func vaArgTypes(text []byte) [][2]int {
	if !bytes.Contains(text, []byte("va_arg")) {
		return nil
	}
	var out [][2]int
	for _, m := range vaArg.FindAllSubmatchIndex(text, -1) {
		out = append(out, [2]int{m[2], m[3]})
	}
	return out
}

// allocationArgs are CPython's allocation macros whose argument at this
// index is a type: the first, or the second, after the pointer, for the
// Resize ones.
var allocationArgs = map[string]int{
	"PyMem_New": 0, "PyMem_NEW": 0, "PyMem_Resize": 1, "PyMem_RESIZE": 1,
	"PyObject_New": 0, "PyObject_NEW": 0, "PyObject_NewVar": 0, "PyObject_NEWVAR": 0,
	"PyObject_GC_New": 0, "PyObject_GC_NEW": 0, "PyObject_GC_NewVar": 0, "PyObject_GC_NEWVAR": 0,
}

// allocationTypes returns the spans of the type arguments of CPython's
// allocation macros in text (`PyMem_New(char *, n)`): the macro's whole
// name, blanks, a parenthesis, then arguments that hold no parenthesis up
// to the comma after the type.
func allocationTypes(text []byte) [][2]int {
	if !bytes.Contains(text, []byte("PyMem_")) && !bytes.Contains(text, []byte("PyObject_")) {
		return nil
	}
	var out [][2]int
	for start, end := nextName(text, 0); start < len(text); start, end = nextName(text, end) {
		arg, ok := allocationArgs[string(text[start:end])]
		if !ok {
			continue
		}
		open := skipBlanks(text, end)
		if open >= len(text) || text[open] != '(' {
			continue
		}
		lo := open + 1
		for n := 0; ; n++ {
			hi := lo + bytes.IndexFunc(text[lo:], func(r rune) bool { return r == ',' || r == '(' || r == ')' })
			if hi < lo || text[hi] != ',' {
				break
			}
			if n == arg {
				out = append(out, [2]int{lo, hi})
				end = hi + 1
				break
			}
			lo = hi + 1
		}
	}
	return out
}

// jumpWords are the statements a macro's argument may be that leave the
// code around the call.
var jumpWords = []string{"return", "break", "continue", "goto"}

// jumpArgEdits rewrites each macro call that starts a line and whose last
// argument is a jump without a semicolon of its own (`CHECK(self, return
// NULL);`) as the jump under a condition named by the macro, with an
// empty else (`if(CHECK)return NULL;else  ;`), in the bytes of the call:
// the code after it runs on one path, the jump leaves on the other. A
// call whose jump leaves no room for the rewrite (then named `_`), that
// spans lines or holds a comment, is left.
func jumpArgEdits(text []byte, base int) []edit {
	var out []edit
	eachLine(text, func(line []byte, off, _ int) {
		if m := jumpCall.FindSubmatchIndex(line); m != nil && !keywords[string(line[m[2]:m[3]])] {
			if e, ok := jumpEdit(line, m[2], m[3], m[1]); ok {
				e.off += base + off
				out = append(out, e)
			}
		}
	})
	return out
}

// eachLine calls visit with each line of text, without its line break:
// off is its offset in text, next the next line's.
func eachLine(text []byte, visit func(line []byte, off, next int)) {
	for off := 0; off < len(text); {
		line := text[off:]
		next := len(text)
		if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
			line, next = line[:nl], off+nl+1
		}
		visit(line, off, next)
		off = next
	}
}

// jumpEdit returns the rewrite of the call in line whose name is
// line[name:nameEnd] and whose arguments start at open.
func jumpEdit(line []byte, name, nameEnd, open int) (edit, bool) {
	depth, last, closing := 1, open, -1
	for i := open; i < len(line) && closing < 0; i++ {
		switch line[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				closing = i
			}
		case ',':
			if depth == 1 {
				last = i + 1
			}
		case '"', '\'':
			end := quoteEnd(line, i)
			if end < 0 {
				return edit{}, false
			}
			i = end
		case ';', '{', '}':
			return edit{}, false
		case '/':
			if i+1 < len(line) && (line[i+1] == '*' || line[i+1] == '/') {
				return edit{}, false // a comment among the arguments
			}
		}
	}
	if closing < 0 || last == open {
		return edit{}, false
	}
	jump := bytes.TrimSpace(line[last:closing])
	word := jump
	if i := bytes.IndexAny(jump, " \t("); i >= 0 {
		word = jump[:i]
	}
	if !slices.Contains(jumpWords, string(word)) {
		return edit{}, false
	}
	// The jump gets an empty else (the call's own semicolon, when it has
	// one), so that an else after the call stays with the if around it.
	rest := bytes.TrimSpace(line[closing+1:])
	tail := ";else"
	if len(rest) == 0 || rest[0] != ';' {
		tail = ";else;"
	}
	room := closing + 1 - name
	for _, cond := range [][]byte{line[name:nameEnd], []byte("_")} {
		text := append(append(append(append([]byte("if("), cond...), ')'), jump...), tail...)
		if len(text) <= room {
			return edit{name, append(text, bytes.Repeat([]byte(" "), room-len(text))...)}, true
		}
	}
	return edit{}, false
}

// quoteEnd returns the index of the quote that closes the string or
// character literal opened at line[open], -1 when the line does not.
func quoteEnd(line []byte, open int) int {
	for i := open + 1; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case line[open]:
			return i
		}
	}
	return -1
}

// leadEdits blanks the upper-case name that starts a declaration before
// its type (leadMacro), unless it is a keyword or a storage macro the
// file defines (storageEdits replaces it): on the text's first line, and
// on each line of it that starts in the first column, where a broken
// node that swallowed the declarations after it has theirs.
func leadEdits(text []byte, base int, storage map[string]string) []edit {
	var out []edit
	headerLines(text, func(line []byte, off, next int) {
		if m := storageLead.FindSubmatchIndex(line); m != nil && !keywords[string(line[m[2]:m[3]])] && storage[string(line[m[2]:m[3]])] == "" {
			out = append(out, edit{base + off + m[2], bytes.Repeat([]byte(" "), m[3]-m[2])})
		}
		m := leadMacro.FindSubmatchIndex(line)
		// The type is no qualifier; a declaration that goes on to the
		// next line names a function there (`PYCURL_INTERNAL int` /
		// `do_curl(…)`), not a value (`UINT32 value` / `= 3;`).
		if m != nil && (m[6] < 0 || declaratorFollows(text[next:])) {
			name, typ := string(line[m[2]:m[3]]), string(line[m[4]:m[5]])
			if !keywords[name] && storage[name] == "" && typ != "const" && typ != "volatile" && !callingConventions[typ] {
				out = append(out, edit{base + off + m[2], bytes.Repeat([]byte(" "), m[3]-m[2])})
			}
		}
	})
	return out
}

// headerLines calls visit with each line of a broken node's text that may
// start a declaration: its first, and each that starts in the first
// column, where a node that swallowed the declarations after it has
// theirs; off is the line's offset in text, next the next line's.
func headerLines(text []byte, visit func(line []byte, off, next int)) {
	eachLine(text, func(line []byte, off, next int) {
		if off == 0 || len(line) > 0 && line[0] != ' ' && line[0] != '\t' {
			visit(line, off, next)
		}
	})
}

// specifierEdits blanks, in the header of a function a broken node
// defines (its first line, and each of its lines that starts in the first
// column), the names among the specifiers before the function's name
// that cannot be its type: every name when C's type words give the type
// (`static ngx_inline void f(`, `void ngx_cdecl f(`), a name after the
// pointer's star (`PyObject * CALL f(`), and of two or more names all but
// the type, the one that reads as a typedef (`ngx_int_t ngx_cdecl f(`),
// else the last (`static INLINE BOOL f(`). A storage macro the file
// defines (storageEdits) and a calling convention stay.
func specifierEdits(text []byte, base int, facts *fileFacts) []edit {
	var out []edit
	headerLines(text, func(line []byte, off, next int) {
		for _, sp := range extraSpecifiers(line, text[next:], facts) {
			out = append(out, edit{base + off + sp[0], bytes.Repeat([]byte(" "), sp[1]-sp[0])})
		}
	})
	return out
}

// extraSpecifiers returns the spans of line's names that specifierEdits
// blanks: line must be, up to its first parenthesis, names and stars
// ending in the function's name, or names and stars whose next line
// (rest) starts with the name (`static ngx_inline void` / `f(…)`).
func extraSpecifiers(line, rest []byte, facts *fileFacts) [][2]int {
	open := bytes.IndexByte(line, '(')
	named := true // the line holds the function's name
	if open < 0 {
		if !declaratorFollows(rest) {
			return nil
		}
		line = bytes.TrimRight(line, " \t\r")
		open, named = len(line), false
	}
	type token struct {
		start, end int
		star       bool
	}
	var toks []token
	for i := 0; i < open; {
		switch c := line[i]; {
		case c == ' ' || c == '\t':
			i++
		case c == '*':
			toks = append(toks, token{i, i + 1, true})
			i++
		case identByte(c) && (c < '0' || c > '9'):
			j := i
			for j < open && identByte(line[j]) {
				j++
			}
			toks = append(toks, token{start: i, end: j})
			i = j
		default:
			return nil
		}
	}
	word := func(t token) string { return string(line[t.start:t.end]) }
	specs := toks
	if named {
		if len(toks) < 3 || toks[len(toks)-1].star {
			return nil
		}
		if name := word(toks[len(toks)-1]); specifierWords[name] || keywords[name] {
			return nil
		}
		specs = toks[:len(toks)-1]
	} else if len(toks) < 2 {
		return nil
	}
	var names []token
	typeWord, starred, tag := false, false, false
	for _, t := range specs {
		w := word(t)
		switch {
		case t.star:
			starred = true
		case tag:
			tag = false // a struct's tag
		case w == "struct" || w == "union" || w == "enum":
			typeWord, tag = true, true
		case specifierWords[w] || callingConventions[w] || facts.storageMacros()[w] != "":
		case typeWords[w] || w == "_Bool" || w == "_Complex":
			typeWord = true
		case keywords[w] || w == "do" || w == "typedef":
			return nil // a statement's (return f(…)), a typedef's
		case starred:
			return append([][2]int(nil), [2]int{t.start, t.end}) // only qualifiers follow a star
		default:
			names = append(names, t)
		}
	}
	if !typeWord && len(names) < 2 {
		return nil
	}
	keep := -1
	if !typeWord {
		best, hints := -1, facts.typeHints()
		for i, t := range names {
			if r := typeRank(word(t), hints); r >= best {
				keep, best = i, r
			}
		}
	}
	var out [][2]int
	for i, t := range names {
		if i != keep {
			out = append(out, [2]int{t.start, t.end})
		}
	}
	return out
}

// typeRank says how likely a name among a header's specifiers is its
// type: a typedef of the file or a name ending in _t most (3), then a
// name not all upper case (2), an upper-case one (1), and least (0) a
// macro the file defines as an attribute, a storage class or nothing, or
// one named as attribute macros are (API_EXPORT, BROTLI_NOINLINE, WINAPI,
// JNICALL).
func typeRank(name string, hints map[string]int) int {
	switch {
	case hints[name] > 0 || strings.HasSuffix(name, "_t") || strings.HasSuffix(name, "_T"):
		return 3
	case hints[name] < 0:
		return 0
	case strings.ToUpper(name) != name:
		return 2
	}
	for _, w := range attributeWords {
		if strings.Contains(name, w) {
			return 0
		}
	}
	return 1
}

// attributeWords are the words of upper-case attribute macros' names.
var attributeWords = []string{"INLINE", "EXPORT", "IMPORT", "API", "CALL", "DECL", "ATTR", "EXTERN", "STATIC",
	"NORETURN", "UNUSED", "CDECL", "STDCALL", "PUBLIC", "PRIVATE", "LOCAL", "HIDDEN", "VISIBLE", "DLL", "DEPRECATED"}

// fileFacts are what a file's own lines declare that repairs weigh,
// read once, on first use.
type fileFacts struct {
	src []byte
	// alternatives is set when the file includes <iso646.h>, whose
	// macros spell operators as words (and, or, not).
	alternatives bool
	storage      map[string]string
	hints        map[string]int
	wrappers     map[string]wrapperKind
	// controls are the function-like macros the file defines as the
	// head of a statement (a for, if, while or switch): no statement
	// macro that wants a semicolon.
	controls map[string]bool
}

// read reads the file's lines once for its typedefs and macros.
func (f *fileFacts) read() {
	if f.hints != nil {
		return
	}
	f.storage, f.hints, f.wrappers, f.controls = map[string]string{}, map[string]int{}, map[string]wrapperKind{}, map[string]bool{}
	var directive []byte // a directive continued over lines, so far
	for line := range bytes.Lines(f.src) {
		t := bytes.TrimSpace(line)
		if directive != nil || bytes.HasPrefix(t, []byte("#")) && bytes.HasSuffix(t, []byte("\\")) {
			directive = append(append(directive, ' '), bytes.TrimSuffix(t, []byte("\\"))...)
			if bytes.HasSuffix(t, []byte("\\")) {
				continue
			}
			t, directive = bytes.TrimSpace(directive), nil
		}
		switch {
		case bytes.HasPrefix(t, []byte("typedef")) && bytes.HasSuffix(t, []byte(";")),
			bytes.HasPrefix(t, []byte("}")) && bytes.HasSuffix(t, []byte(";")):
			if name := lastWord(t[:len(t)-1]); name != "" {
				f.hints[name] = 1
			}
		case bytes.HasPrefix(t, []byte("#")) && bytes.Contains(t, []byte("iso646.h")) && bytes.Contains(t, []byte("include")):
			f.alternatives = true
		case bytes.HasPrefix(t, []byte("#")):
			if name, params, body, ok := macroDefinition(t); ok && params == "" {
				f.attributeMacro(name, body)
			} else if ok {
				f.wrapperMacro(name, params, body)
				if controlHead(body) {
					f.controls[name] = true
				}
			}
		}
	}
}

// storageMacros returns the macros the file defines as a storage class
// (`#define REDIS_STATIC static`), with the words they stand for.
func (f *fileFacts) storageMacros() map[string]string {
	f.read()
	return f.storage
}

// typeHints returns, for names the file declares, 1 for a typedef's name
// (`typedef … name;`, or `} name;` closing one) and -1 for an object-like
// macro defined as an attribute, a storage class or nothing (`#define
// API_EXPORT __attribute__((…))`).
func (f *fileFacts) typeHints() map[string]int {
	f.read()
	return f.hints
}

// iso646 reports whether the file includes <iso646.h>.
func (f *fileFacts) iso646() bool {
	f.read()
	return f.alternatives
}

// alternativeTokens are <iso646.h>'s words and the operators they stand
// for, blank-padded to the word's length.
var alternativeTokens = map[string]string{
	"and": "&& ", "or": "||", "not": "!  ", "xor": "^  ", "bitand": "&     ", "bitor": "|    ",
	"compl": "~    ", "and_eq": "&=    ", "or_eq": "|=   ", "xor_eq": "^=    ", "not_eq": "!=    ",
}

// iso646Edits writes <iso646.h>'s words in text (at base in the file) as
// the operators they stand for, where the compiler reads code
// (nextCodeName: not in comments, literals or directives): the
// grammar reads `if (n < 0 or n > 10)` as an error. In a file that does
// not include the header itself (a header of the project may), only
// words where an operator stands: a binary one between two operands, a
// unary one (not, compl) before one and after no operand.
func iso646Edits(text []byte, base int, all bool) []edit {
	var out []edit
	for i := 0; i < len(text); {
		start, end := nextCodeName(text, i)
		if op, ok := alternativeTokens[string(text[start:end])]; ok && (all || operatorAt(text, start, end, op)) {
			out = append(out, edit{base + start, []byte(op)})
		}
		i = end
	}
	return out
}

// operatorAt reports whether the word at text[i:j] stands where the
// operator op would: between an operand's end and an operand's start, or
// for a unary one, before an operand and after none (or after return).
func operatorAt(text []byte, i, j int, op string) bool {
	p := i - 1
	for p >= 0 && (text[p] == ' ' || text[p] == '\t' || text[p] == '\n' || text[p] == '\r') {
		p--
	}
	n := j
	for n < len(text) && (text[n] == ' ' || text[n] == '\t' || text[n] == '\n' || text[n] == '\r') {
		n++
	}
	unary := op[0] == '!' && op[1] == ' ' || op[0] == '~'
	if n >= len(text) || n == j && !(unary && text[n] == '(') || !(identByte(text[n]) || strings.IndexByte("(!~-*&\"'", text[n]) >= 0) {
		return false
	}
	afterOperand := p >= 0 && (text[p] == ')' || text[p] == ']')
	if p >= 0 && identByte(text[p]) {
		// a word ends an operand, but an operator's word or return
		w := p
		for w >= 0 && identByte(text[w]) {
			w--
		}
		word := string(text[w+1 : p+1])
		_, alt := alternativeTokens[word]
		afterOperand = !alt && word != "return"
	}
	if unary {
		return !afterOperand
	}
	return afterOperand && p < i-1
}

// controlMacros returns the function-like macros the file defines as a
// statement's head (for, if, while, switch).
func (f *fileFacts) controlMacros() map[string]bool {
	f.read()
	return f.controls
}

// controlHead reports whether a macro's body starts a statement that
// takes the next one as its body: a for, if, while or switch that ends
// with its head, not with a block or a semicolon of its own.
func controlHead(body string) bool {
	if strings.HasSuffix(body, "}") || strings.HasSuffix(body, ";") {
		return false
	}
	for _, kw := range []string{"for", "if", "while", "switch"} {
		if rest, ok := strings.CutPrefix(body, kw); ok && (rest == "" || !identByte(rest[0])) {
			return true
		}
	}
	return false
}

// wrapperMacros returns what each function-like macro of one parameter
// the file defines, with an upper-case name, makes of its argument, empty
// winning over the others.
func (f *fileFacts) wrapperMacros() map[string]wrapperKind {
	f.read()
	return f.wrappers
}

// attributeMacro records an object-like macro defined as an attribute,
// a storage class or nothing.
func (f *fileFacts) attributeMacro(name, body string) {
	switch body {
	case "static", "inline", "extern", "static inline", "__inline", "__inline__":
		f.storage[name] = body
	}
	if body == "" || strings.HasPrefix(body, "__attribute__") || strings.HasPrefix(body, "__declspec") ||
		specifierWords[strings.Fields(body)[0]] {
		f.hints[name] = -1
	}
}

// wrapperMacro records what a function-like macro of one parameter with
// an upper-case name makes of its argument.
func (f *fileFacts) wrapperMacro(name, params, body string) {
	param, one := strings.CutSuffix(strings.TrimPrefix(params, "("), ")")
	if !one || strings.Contains(param, ",") || strings.ToUpper(name) != name {
		return
	}
	kind := otherWrapper
	switch body {
	case "":
		kind = emptyWrapper
	case strings.TrimSpace(param):
		kind = identityWrapper
	}
	if prev, seen := f.wrappers[name]; !seen || kind == emptyWrapper || prev == identityWrapper && kind == otherWrapper {
		f.wrappers[name] = kind
	}
}

// macroDefinition reads a directive line: the name it defines, its
// parameter list with its parentheses ("" for an object-like macro) and
// its body, trimmed.
func macroDefinition(t []byte) (name, params, body string, ok bool) {
	rest, found := bytes.CutPrefix(bytes.TrimLeft(t[1:], " \t"), []byte("define"))
	if !found || len(rest) == 0 || rest[0] != ' ' && rest[0] != '\t' {
		return "", "", "", false
	}
	rest = bytes.TrimLeft(rest, " \t")
	i := 0
	for i < len(rest) && identByte(rest[i]) {
		i++
	}
	if i == 0 {
		return "", "", "", false
	}
	name, rest = string(rest[:i]), rest[i:]
	if len(rest) > 0 && rest[0] == '(' {
		end := bytes.IndexByte(rest, ')')
		if end < 0 {
			return "", "", "", false
		}
		params, rest = string(rest[:end+1]), rest[end+1:]
	}
	return name, params, strings.TrimSpace(string(rest)), true
}

// lastWord returns the name t ends with, "" when it ends otherwise.
func lastWord(t []byte) string {
	t = bytes.TrimRight(t, " \t")
	i := len(t)
	for i > 0 && identByte(t[i-1]) {
		i--
	}
	if i == len(t) || t[i] >= '0' && t[i] <= '9' {
		return ""
	}
	return string(t[i:])
}

// specifierWords are C's storage classes, qualifiers and function
// specifiers.
var specifierWords = map[string]bool{"static": true, "extern": true, "inline": true, "__inline": true, "__inline__": true,
	"register": true, "auto": true, "_Noreturn": true, "_Thread_local": true, "const": true, "volatile": true,
	"restrict": true, "__restrict": true, "__extension__": true}

// stringMacroEdits replaces each call of an upper-case name (no lower-case
// letter) with arguments on one line that a string literal follows by an
// empty string and blanks: a call before a string is no C but a macro
// that makes a string (mod_wsgi's `WSGI_APLOGNO(0134) "text"`, Apache's
// APLOGNO), which the literal after it joins.
func stringMacroEdits(text []byte, base int) []edit {
	var out []edit
	for start, end := nextCodeName(text, 0); start < len(text); start, end = nextCodeName(text, end) {
		name := text[start:end]
		if name[0] >= '0' && name[0] <= '9' || bytes.ContainsFunc(name, func(r rune) bool { return r >= 'a' && r <= 'z' }) ||
			!bytes.ContainsFunc(name, func(r rune) bool { return r >= 'A' && r <= 'Z' }) {
			continue
		}
		open := skipBlanks(text, end)
		if open >= len(text) || text[open] != '(' {
			continue
		}
		closing := closingParen(text, open)
		if closing < 0 {
			continue
		}
		if next := skipBlanks(text, closing+1); next < len(text) && text[next] == '"' {
			out = append(out, edit{base + start, append([]byte(`""`), bytes.Repeat([]byte(" "), closing+1-start-2)...)})
			end = closing + 1
		}
	}
	return out
}

// wrappedStatement is a line that is an upper-case macro's call whose
// argument ends in a semicolon: `STATS( self->stats.calls++; )`.
var wrappedStatement = regexp.MustCompile(`^[ \t]*([A-Z][A-Z0-9_]*[ \t]*\()[^\n]*;[ \t]*(\))[ \t]*\r?$`)

// wrappedStatementEdits makes each line that passes statements to an
// upper-case macro (wrappedStatement), which the grammar cannot read,
// what the macro makes of them: the statements, run where the macro would
// (coverage.py's STATS, a counter kept in one configuration), when the
// file defines the macro as its argument, or when it does not define it
// and they call nothing and jump nowhere (the macro may guard them);
// nothing when the file defines it empty in some configuration (a debug
// build's DEBUG_ONLY( memset(…); ) is not the release's). A macro defined
// otherwise (IF_DOWN(stmt) if (down) { stmt }) is left broken.
func wrappedStatementEdits(text []byte, base int, facts *fileFacts) []edit {
	var out []edit
	eachLine(text, func(line []byte, off, _ int) {
		m := wrappedStatement.FindSubmatchIndex(line)
		if m == nil {
			return
		}
		name := strings.TrimRight(string(line[m[2]:m[3]-1]), " \t")
		switch kind, defined := facts.wrapperMacros()[name]; {
		case defined && kind == emptyWrapper:
			out = append(out, edit{base + off + m[2], bytes.Repeat([]byte(" "), m[5]-m[2])})
		case defined && kind == identityWrapper || !defined && plainStatements(line[m[3]:m[4]]):
			out = append(out, edit{base + off + m[2], bytes.Repeat([]byte(" "), m[3]-m[2])},
				edit{base + off + m[4], []byte(" ")})
		}
	})
	return out
}

// plainStatements reports whether statements call nothing and jump
// nowhere: no name before a parenthesis, no return, goto, break or
// continue.
func plainStatements(stmts []byte) bool {
	for start, end := nextCodeName(stmts, 0); start < len(stmts); start, end = nextCodeName(stmts, end) {
		switch string(stmts[start:end]) {
		case "return", "goto", "break", "continue":
			return false
		}
		if i := skipBlanks(stmts, end); i < len(stmts) && stmts[i] == '(' {
			return false
		}
	}
	return true
}

// A wrapperKind says what a function-like macro of one parameter makes of
// its argument.
type wrapperKind uint8

const (
	// identityWrapper makes the argument itself: #define STATS(x) x.
	identityWrapper wrapperKind = iota + 1
	// emptyWrapper makes nothing, in some configuration: #define STATS(x).
	emptyWrapper
	// otherWrapper makes something else.
	otherWrapper
)

// nextCodeName is nextName outside string and character literals,
// comments and directive lines: the next name from i the compiler reads
// as code.
func nextCodeName(text []byte, i int) (start, end int) {
	lineStart := i == 0 || text[i-1] == '\n'
	for i < len(text) {
		c := text[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t':
			i++
			continue
		case c == '#' && lineStart:
			for i < len(text) && text[i] != '\n' { // a directive, with its continuations
				if text[i] == '\\' && i+1 < len(text) && text[i+1] == '\n' {
					i++
				}
				i++
			}
			continue
		}
		lineStart = false
		switch {
		case c == '"' || c == '\'':
			i++
			for i < len(text) && text[i] != c && text[i] != '\n' {
				if text[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case c == '/' && i+1 < len(text) && text[i+1] == '/':
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(text) && text[i+1] == '*':
			if e := bytes.Index(text[i+2:], []byte("*/")); e >= 0 {
				i += e + 4
			} else {
				i = len(text)
			}
		case identByte(c):
			start = i
			for i < len(text) && identByte(text[i]) {
				i++
			}
			return start, i
		default:
			i++
		}
	}
	return len(text), len(text)
}

// The shapes of attribute macros (attributeSpans).
type attributeShape int

const (
	// underscoreMacro is a name between underscores, with its arguments
	// (`_cleanup_(freep)`).
	underscoreMacro attributeShape = iota
	// upperMacro is an upper-case name with an underscore, with its
	// arguments (ATTRIBUTE_UNUSED, G_GNUC_UNUSED, ATTRIBUTE_NONNULL(1)).
	upperMacro
	// gnuAttribute is GCC's __attribute__((…)), with one level of
	// parentheses inside (format(printf, 1, 2)).
	gnuAttribute
)

// attributeSpans returns the start and end of each macro of a shape in
// text, left to right: a whole name (a run of name bytes, not part of a
// longer one) of the shape, then, for the first two shapes, its arguments
// when a parenthesis follows it on the line with no other inside. A name
// inside a macro's arguments is not another macro.
func attributeSpans(text []byte, shape attributeShape) [][2]int {
	var out [][2]int
	for start, end := nextName(text, 0); start < len(text); start, end = nextName(text, end) {
		if macroEnd, ok := attributeAt(text, start, end, shape); ok {
			out = append(out, [2]int{start, macroEnd})
			end = macroEnd
		}
	}
	return out
}

// nextName returns the start and end of the first whole name (a run of
// name bytes) in text at or after i; len(text) twice for none.
func nextName(text []byte, i int) (start, end int) {
	for i < len(text) && !identByte(text[i]) {
		i++
	}
	start = i
	for i < len(text) && identByte(text[i]) {
		i++
	}
	return start, i
}

// attributeAt reports whether the name text[start:end] is an attribute
// macro of a shape, and where the macro ends.
func attributeAt(text []byte, start, end int, shape attributeShape) (int, bool) {
	name := text[start:end]
	switch shape {
	case underscoreMacro:
		if len(name) < 3 || name[0] != '_' || name[1] < 'a' || name[1] > 'z' || name[len(name)-1] != '_' {
			return 0, false
		}
		return argumentsEnd(text, end), true
	case upperMacro:
		if name[0] < 'A' || name[0] > 'Z' || bytes.IndexByte(name, '_') < 0 {
			return 0, false
		}
		for _, b := range name {
			if b >= 'a' && b <= 'z' {
				return 0, false
			}
		}
		return argumentsEnd(text, end), true
	}
	if string(name) != "__attribute__" {
		return 0, false
	}
	i := skipBlanks(text, end)
	if !bytes.HasPrefix(text[i:], []byte("((")) {
		return 0, false
	}
	for i += 2; i < len(text); {
		switch text[i] {
		case ')':
			if bytes.HasPrefix(text[i:], []byte("))")) {
				return i + 2, true
			}
			return 0, false
		case '\n':
			return 0, false
		case '(':
			c := closingParen(text, i)
			if c < 0 {
				return 0, false
			}
			i = c + 1
		default:
			i++
		}
	}
	return 0, false
}

// argumentsEnd returns where a macro's arguments end when blanks then a
// parenthesis follow it at end, and the parenthesis closes on the line
// with none inside; else end.
func argumentsEnd(text []byte, end int) int {
	if i := skipBlanks(text, end); i < len(text) && text[i] == '(' {
		if c := closingParen(text, i); c >= 0 {
			return c + 1
		}
	}
	return end
}

// closingParen returns the offset of the parenthesis that closes the one
// at open, on its line and with none inside; -1 for none.
func closingParen(text []byte, open int) int {
	for i := open + 1; i < len(text); i++ {
		switch text[i] {
		case ')':
			return i
		case '(', '\n':
			return -1
		}
	}
	return -1
}

// skipBlanks returns the offset of the first byte at or after i that is
// no space or tab.
func skipBlanks(text []byte, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\t') {
		i++
	}
	return i
}

// attributeEdits blanks the attribute macros named between underscores
// that stand before a declaration's type (a blank, then a name or a star)
// or after a declarator's name (a name comes before, and a comma, a
// parenthesis, a semicolon, an '=' or a '[' after), and the upper-case
// ones and GCC's __attribute__((…)) after a declarator's name, where C
// allows no other name (`virConnectPtr conn ATTRIBUTE_UNUSED,`, `PyObject
// *self __attribute__((unused)),`), which the grammar does not read there.
func attributeEdits(src []byte, start, end int) []edit {
	var out []edit
	text := src[start:end]
	for _, shape := range []attributeShape{underscoreMacro, upperMacro, gnuAttribute} {
		for _, m := range attributeSpans(text, shape) {
			// What comes before may end the node before this one (an
			// ERROR that starts at the attribute).
			before := bytes.TrimRight(src[:start+m[0]], " \t")
			after := bytes.TrimLeft(text[m[1]:], " \t")
			if len(after) == 0 {
				continue
			}
			next, spaced := after[0], len(after) < len(text[m[1]:])
			lead := shape == underscoreMacro && spaced && (next == '_' || next == '*' || next|0x20 >= 'a' && next|0x20 <= 'z')
			trail := len(before) > 0 && identByte(before[len(before)-1]) && strings.IndexByte(",);=[", next) >= 0
			if trail && shape != underscoreMacro {
				trail = declaratorName(before)
			}
			if lead || trail {
				out = append(out, edit{start + m[0], bytes.Repeat([]byte(" "), m[1]-m[0])})
			}
		}
	}
	return out
}

// listMacro is an upper-case macro that ends in an underscore first in
// a parameter or argument list, before the next one (a name, or & and a
// name): libev's EV_P_ (a loop parameter and a comma) and EV_A_; not a
// constant an operator follows (`(HALF_ * 2)`).
var listMacro = regexp.MustCompile(`\([ \t]*([A-Z][A-Z0-9_]*_)[ \t]+(?:[A-Za-z_]|&[A-Za-z_])`)

// listMacroEdits blanks the list macros (listMacro): the function keeps
// its other parameters, and each call its other arguments, in order.
func listMacroEdits(text []byte, base int) []edit {
	var out []edit
	for _, m := range listMacro.FindAllSubmatchIndex(text, -1) {
		out = append(out, edit{base + m[2], bytes.Repeat([]byte(" "), m[3]-m[2])})
	}
	return out
}

// declaratorName reports whether text ends with a declarator's name after
// its type (`PyObject *self`, `virConnectPtr conn`, `ret_summ`): a name
// that is no keyword nor a type of the C library (`uint32_t`, `size_t`),
// after a star or a name that is no qualifier; not a type alone
// (`(uint32_t ID_LEN)`, `const MyType ID_LEN = 16`).
func declaratorName(text []byte) bool {
	i := bytes.LastIndexFunc(text, func(r rune) bool { return r > 0x7f || !identByte(byte(r)) }) + 1
	word, rest := text[i:], bytes.TrimRight(text[:i], " \t")
	if len(word) == 0 || word[0] >= '0' && word[0] <= '9' || keywords[string(word)] || bytes.HasSuffix(word, []byte("_t")) || len(rest) == 0 {
		return false
	}
	last := rest[len(rest)-1]
	if last == '*' {
		return true
	}
	j := bytes.LastIndexFunc(rest, func(r rune) bool { return r > 0x7f || !identByte(byte(r)) }) + 1
	return identByte(last) && !qualifiers[string(rest[j:])]
}

// qualifiers are the words before a type, which a name after them is:
// `const MyType ID_LEN` declares ID_LEN of type MyType.
var qualifiers = map[string]bool{
	"const": true, "volatile": true, "static": true, "extern": true, "register": true, "restrict": true,
	"inline": true, "struct": true, "enum": true, "union": true, "unsigned": true, "signed": true,
}

// identByte reports whether b may be part of a name.
func identByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b|0x20 >= 'a' && b|0x20 <= 'z'
}

// callingConventions are the words between a return type and a
// function's name (DWORD __stdcall f): never the type.
var callingConventions = map[string]bool{"__stdcall": true, "__cdecl": true, "__fastcall": true, "__vectorcall": true,
	"__thiscall": true, "_stdcall": true, "_cdecl": true, "_fastcall": true}

// declaratorFollows reports whether the next line that is no blank or
// comment line starts a function's declarator: a name, after stars, then
// a parenthesis.
func declaratorFollows(rest []byte) bool {
	t := nextLine(rest, func(t []byte) bool {
		return len(t) == 0 || bytes.HasPrefix(t, []byte("//")) || bytes.HasPrefix(t, []byte("/*")) && bytes.HasSuffix(t, []byte("*/"))
	})
	return t != nil && declaratorLine.Match(t)
}

var declaratorLine = regexp.MustCompile(`^[ \t]*\**[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\(`)

// storageEdits replaces each storage-class macro (a whole name) by its
// word.
func storageEdits(text []byte, base int, storage map[string]string) []edit {
	if len(storage) == 0 {
		return nil
	}
	var out []edit
	for start, end := nextName(text, 0); start < len(text); start, end = nextName(text, end) {
		if word, ok := storage[string(text[start:end])]; ok && len(word) <= end-start {
			w := append([]byte(word), bytes.Repeat([]byte(" "), end-start-len(word))...)
			out = append(out, edit{base + start, w})
		}
	}
	return out
}

// apply returns src with the edits made.
func apply(src []byte, edits []edit) []byte {
	out := append([]byte(nil), src...)
	for _, e := range edits {
		if e.off >= 0 && e.off+len(e.text) <= len(out) {
			copy(out[e.off:], e.text)
		}
	}
	return out
}
