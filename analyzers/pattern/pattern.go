// Package pattern compiles code snippets with metavariables, the way
// Semgrep and ast-grep patterns are written, into tree-sitter queries, so
// that pattern rules run in the same single query pass as every other
// rule. `$X` matches any one node and captures it as X (a second `$X`
// must have the same text); `$...ARGS` matches any number of arguments,
// parameters or statements; `$_` matches any node without capturing.
package pattern

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/residue-sec/residue/analyzers/source"
)

const (
	single   = "__residue_mv_"
	sequence = "__residue_mvs_"
)

var (
	metavariable = regexp.MustCompile(`\$(\.\.\.)?([A-Z_][A-Z0-9_]*)`)
	// metavariableName matches an identifier that is a metavariable,
	// renamed, and nothing more.
	metavariableName = regexp.MustCompile(`^__residue_mvs?_[A-Z_][A-Z0-9_]*$`)
	// sequenceOnly matches a node that is nothing but a sequence
	// metavariable (an identifier, or a statement holding one).
	sequenceOnly = regexp.MustCompile(`^` + sequence + `[A-Z0-9_]*;?$`)
)

// A Pattern is a snippet compiled to a query. The query captures the
// matched node as @finding and each metavariable under its name, except
// within Residuals: a match of the query is a match of the pattern only
// when each residual matches too.
type Pattern struct {
	Query string
	// Metavariables are the names of the capturing metavariables.
	Metavariables []string
	// Residuals are the parts of the pattern matched in Go, in the order
	// of their captures in the query.
	Residuals []*Residual
}

// An Error is a snippet that cannot be compiled; Line and Column are
// 1-based within the snippet.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// maxDepth bounds the nesting of a pattern's brackets: its query nests as
// deep, and tree-sitter compiles a query recursively on the C stack.
const maxDepth = 200

// tooDeep returns the offset where snippet nests its brackets deeper than
// maxDepth, outside strings; -1 when it does not.
func tooDeep(snippet string) int {
	depth, quote := 0, byte(0)
	for i := 0; i < len(snippet); i++ {
		switch c := snippet[i]; {
		case quote != 0:
			switch c {
			case '\\':
				i++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(' || c == '[' || c == '{':
			if depth++; depth > maxDepth {
				return i
			}
		case c == ')' || c == ']' || c == '}':
			depth--
		}
	}
	return -1
}

// Compile compiles snippet, a single expression or statement of lang.
func Compile(lang source.Language, snippet string) (*Pattern, error) {
	if strings.TrimSpace(snippet) == "" {
		return nil, &Error{Line: 1, Column: 1, Msg: "empty pattern"}
	}
	if off := tooDeep(snippet); off >= 0 {
		line := 1 + strings.Count(snippet[:off], "\n")
		col := off - strings.LastIndexByte(snippet[:off], '\n')
		return nil, &Error{Line: line, Column: col, Msg: fmt.Sprintf("pattern nested deeper than %d levels", maxDepth)}
	}
	text := metavariable.ReplaceAllStringFunc(snippet, func(m string) string {
		if strings.HasPrefix(m, "$...") {
			return sequence + m[4:]
		}
		return single + m[1:]
	})
	wrapped, prefix := wrap(lang, text)
	f := source.NewFile("pattern", lang, []byte(wrapped))
	p := source.NewParser(5 * time.Second)
	defer p.Close()
	if err := p.Parse(f); err != nil {
		return nil, &Error{Line: 1, Column: 1, Msg: err.Error()}
	}
	defer f.Close()
	// Errors are placed in the snippet as written: before the wrapper,
	// the trimmed space and the metavariables' longer names.
	errorAt := func(off uint32, msg string) error {
		line, col := snippetPosition(snippet, text, int(off)-len(prefix))
		return &Error{Line: line, Column: col, Msg: msg}
	}
	root, err := patternRoot(f, lang, errorAt)
	if err != nil {
		return nil, err
	}
	if at, ok := ellipsisArgument(root); ok {
		return nil, errorAt(at, "`...` is Python's Ellipsis here, which only matches itself: write $...ARGS for any number of arguments")
	}
	c := &compiler{f: f, seen: map[string]int{}}
	body := c.node(root, "@finding")
	if c.err != nil {
		return nil, errorAt(c.errAt, c.err.Error())
	}
	return &Pattern{Query: "(" + body + c.predicates() + ")", Metavariables: c.vars, Residuals: c.residuals}, nil
}

// snippetPosition returns the line and column in snippet of byte off of
// text, the snippet with its metavariables renamed, its leading space
// trimmed.
func snippetPosition(snippet, text string, off int) (line, col int) {
	off += len(text) - len(strings.TrimLeft(text, " \t\r\n"))
	shift := 0
	for _, m := range metavariable.FindAllStringIndex(snippet, -1) {
		name := snippet[m[0]:m[1]]
		renamed := len(single) + len(name) - 1
		if strings.HasPrefix(name, "$...") {
			renamed = len(sequence) + len(name) - 4
		}
		if m[0]+shift+renamed > off {
			if m[0]+shift <= off {
				off = m[0] + shift // within the name: at its $
			}
			break
		}
		shift += renamed - (m[1] - m[0])
	}
	return source.NewLines([]byte(snippet)).Position(max(0, off-shift))
}

// wrap puts a C snippet inside a function body, where statements and
// expressions parse; Python snippets parse at module level.
func wrap(lang source.Language, text string) (wrapped, prefix string) {
	if lang == source.C {
		prefix = "void __residue_pattern(void) {\n"
		text = strings.TrimSpace(text)
		if !strings.HasSuffix(text, ";") && !strings.HasSuffix(text, "}") {
			text += ";"
		}
		return prefix + text + "\n}\n", prefix
	}
	return strings.TrimSpace(text) + "\n", ""
}

// patternRoot finds the single statement (or the expression of a single
// expression statement) the snippet consists of.
func patternRoot(f *source.File, lang source.Language, errorAt func(uint32, string) error) (*source.Node, error) {
	root := f.Root()
	if root.HasError() {
		return nil, errorAt(firstError(root), "the pattern does not parse as "+string(lang))
	}
	var stmts *source.Node = root
	if lang == source.C {
		fn := root.NamedChild(0)
		stmts = fn.ChildByFieldName("body")
	}
	var list []*source.Node
	for i := 0; i < int(stmts.NamedChildCount()); i++ {
		if c := stmts.NamedChild(i); c.Type() != "comment" {
			list = append(list, c)
		}
	}
	if len(list) != 1 {
		return nil, &Error{Line: 1, Column: 1, Msg: fmt.Sprintf("a pattern must be one expression or statement, not %d", len(list))}
	}
	n := list[0]
	if n.Type() == "expression_statement" && n.NamedChildCount() == 1 {
		n = n.NamedChild(0)
	}
	return n, nil
}

// ellipsisArgument returns where the first argument of a Python call
// that is `...` starts: Python's Ellipsis, which Semgrep's patterns read
// as any arguments and which would match only itself here, silently.
func ellipsisArgument(root *source.Node) (uint32, bool) {
	var at *source.Node
	source.Walk(root, func(n *source.Node) bool {
		if at == nil && n.Type() == "ellipsis" && n.Parent() != nil && n.Parent().Type() == "argument_list" {
			at = n
		}
		return at == nil
	})
	if at == nil {
		return 0, false
	}
	return at.StartByte(), true
}

// firstError returns where the first ERROR or MISSING node starts, 0 for
// none.
func firstError(root *source.Node) uint32 {
	var at *source.Node
	source.Walk(root, func(n *source.Node) bool {
		if at == nil && (n.IsError() || n.IsMissing()) {
			at = n
		}
		return at == nil
	})
	if at == nil {
		return 0
	}
	return at.StartByte()
}

// compiler turns a snippet's tree into query text and residuals.
type compiler struct {
	f         *source.File
	seen      map[string]int // metavariable → occurrences so far in the query
	vars      []string
	preds     []string
	n         int // literal capture counter
	residuals []*Residual
	// err is the first name that is no metavariable and no identifier
	// ($A$), at byte errAt.
	err   error
	errAt uint32
}

// node returns the query text matching n, with capture appended.
func (c *compiler) node(n *source.Node, capture string) string {
	text := c.f.Text(n)
	if n.Type() == "identifier" || n.Type() == "type_identifier" || n.Type() == "field_identifier" {
		switch {
		case c.err != nil:
		case strings.Contains(text, "$"):
			c.err, c.errAt = errors.New("`$` starts a metavariable ($X, $...X) and is no part of a name"), n.StartByte()
		case (strings.Contains(text, single) || strings.Contains(text, sequence)) && !metavariableName.MatchString(text):
			// $A蛷: the name goes on past the metavariable's.
			c.err, c.errAt = errors.New("a metavariable's name is capital letters, digits and _ ($X, $URL_2), and ends the name it starts"), n.StartByte()
		}
		if name, ok := strings.CutPrefix(text, single); ok {
			return c.metavar(name, capture)
		}
	}
	if isLeaf(n) {
		c.n++
		lit := fmt.Sprintf("@_lit%d", c.n)
		if alt, ok := otherQuotes(n, text); ok {
			c.preds = append(c.preds, fmt.Sprintf("(#any-of? %s %s %s)", lit, strconv.Quote(text), strconv.Quote(alt)))
		} else {
			c.preds = append(c.preds, fmt.Sprintf("(#eq? %s %s)", lit, strconv.Quote(text)))
		}
		return join("("+n.Type()+")", lit, capture)
	}
	if explosive(c.f, n) {
		r := &Residual{Capture: fmt.Sprintf("__residual%d", len(c.residuals)+1), root: c.build(n)}
		c.residuals = append(c.residuals, r)
		return join("("+n.Type()+")", "@"+r.Capture, capture)
	}
	// Children stay in document order, as queries require. Anchors pin
	// unfielded children (arguments, list items, statements) to exact
	// positions, except around a sequence metavariable; a node with any
	// fielded child gets none.
	var items []string // "" stands for a sequence metavariable
	anchors := true
	for i := 0; i < int(n.ChildCount()); i++ {
		ch := n.Child(i)
		field := n.FieldNameForChild(i)
		switch {
		case !ch.IsNamed():
			if field != "" {
				items = append(items, field+": "+strconv.Quote(ch.Type()))
				anchors = false
			}
		case ch.Type() == "comment":
		case field != "":
			items = append(items, field+": "+c.node(ch, ""))
			anchors = false
		case sequenceOnly.MatchString(c.f.Text(ch)): // $...X as an argument or a statement
			items = append(items, "")
		default:
			items = append(items, c.node(ch, ""))
		}
	}
	return join("("+n.Type()+" "+strings.Join(anchored(items, anchors), " ")+")", capture)
}

// anchored lays out children: with anchors between neighbours and at both
// ends (exact arity) when anchors is set, except around sequence
// metavariables (""), which are dropped.
func anchored(items []string, anchors bool) []string {
	var out []string
	for i, it := range items {
		if it == "" {
			continue
		}
		if anchors && (i == 0 || items[i-1] != "") {
			out = append(out, ".")
		}
		out = append(out, it)
	}
	if anchors && len(items) > 0 && items[len(items)-1] != "" {
		out = append(out, ".")
	}
	return out
}

func (c *compiler) metavar(name, capture string) string {
	if name == "_" {
		return join("(_)", capture)
	}
	c.seen[name]++
	if c.seen[name] == 1 {
		c.addVar(name)
		return join("(_)", "@"+name, capture)
	}
	alias := fmt.Sprintf("@%s__%d", name, c.seen[name])
	c.preds = append(c.preds, fmt.Sprintf("(#eq? @%s %s)", name, alias))
	return join("(_)", alias, capture)
}

// addVar lists a capturing metavariable once.
func (c *compiler) addVar(name string) {
	for _, v := range c.vars {
		if v == name {
			return
		}
	}
	c.vars = append(c.vars, name)
}

// explosive reports whether the query for n would pair unanchored
// siblings: n's children hold a sequence metavariable and two or more
// other items.
func explosive(f *source.File, n *source.Node) bool {
	seqs, others := 0, 0
	for i := 0; i < int(n.NamedChildCount()); i++ {
		ch := n.NamedChild(i)
		switch {
		case ch.Type() == "comment":
		case sequenceOnly.MatchString(f.Text(ch)):
			seqs++
		default:
			others++
		}
	}
	return seqs > 0 && others >= 2
}

// build returns the residual pattern of the snippet node n, with the
// layout node gives the query: fielded children, then the others in
// order, anchored unless the node has a fielded child.
func (c *compiler) build(n *source.Node) *pnode {
	text := c.f.Text(n)
	if n.Type() == "identifier" || n.Type() == "type_identifier" || n.Type() == "field_identifier" {
		if name, ok := strings.CutPrefix(text, single); ok {
			if name != "_" {
				c.addVar(name)
			}
			return &pnode{meta: name}
		}
	}
	if isLeaf(n) {
		alt, _ := otherQuotes(n, text)
		return &pnode{typ: n.Type(), leaf: true, text: text, alt: alt}
	}
	p := &pnode{typ: n.Type(), anchored: true}
	for i := 0; i < int(n.ChildCount()); i++ {
		ch := n.Child(i)
		field := n.FieldNameForChild(i)
		switch {
		case !ch.IsNamed():
			if field != "" {
				p.fields = append(p.fields, pfield{name: field, anon: ch.Type()})
				p.anchored = false
			}
		case ch.Type() == "comment":
		case field != "":
			p.fields = append(p.fields, pfield{name: field, node: c.build(ch)})
			p.anchored = false
		case sequenceOnly.MatchString(c.f.Text(ch)):
			p.items = append(p.items, &pnode{seq: true})
		default:
			p.items = append(p.items, c.build(ch))
		}
	}
	p.fixedAfter = make([]bool, len(p.items))
	fixed := true
	for i := len(p.items) - 1; i >= 0; i-- {
		p.fixedAfter[i] = fixed
		fixed = fixed && !p.items[i].seq
	}
	return p
}

func (c *compiler) predicates() string {
	if len(c.preds) == 0 {
		return ""
	}
	return "\n" + strings.Join(c.preds, "\n")
}

// isLeaf reports whether n is matched by its text: a node without named
// children, or a string literal (whose parts are not worth matching apart).
// otherQuotes returns a Python string literal written with the other
// quotes ('x' for "x"): the same value, which a pattern matches as Semgrep
// does. Literals whose content holds a quote or an escape, and triple
// quotes, are matched as written.
func otherQuotes(n *source.Node, text string) (string, bool) {
	if n.Type() != "string" {
		return "", false
	}
	quoted := strings.TrimLeft(text, "rRbBuU")
	if len(quoted) < 2 || strings.HasPrefix(quoted, `"""`) || strings.HasPrefix(quoted, "'''") {
		return "", false
	}
	q, body := quoted[0], quoted[1:len(quoted)-1]
	other := byte('\'')
	if q == '\'' {
		other = '"'
	} else if q != '"' {
		return "", false
	}
	if quoted[len(quoted)-1] != q || strings.ContainsAny(body, "\"'\\") {
		return "", false
	}
	return text[:len(text)-len(quoted)] + string(other) + body + string(other), true
}

func isLeaf(n *source.Node) bool {
	switch n.Type() {
	case "string", "string_literal", "char_literal", "concatenated_string":
		return true
	}
	return n.NamedChildCount() == 0
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}
