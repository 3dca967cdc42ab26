package tsquery

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/residue-sec/residue/analyzers/source"
)

// A Query is a compiled set of query sources for one language. Each source
// is one analyzer's or one rule's query text; the sources are compiled into a
// single tree-sitter query, so that a file needs one query pass whatever the
// number of sources. A Query is only read after Compile and can serve every
// worker; each worker runs it with its own Cursor.
type Query struct {
	lang  source.Language
	q     *sitter.Query
	names []string      // capture index → name
	preds [][]predicate // pattern index → predicates
	// firstPattern[i] is the index of source i's first pattern; the last
	// element is the total pattern count.
	firstPattern []int
}

// An Error is a query that does not compile. Source is the index of the
// offending query source; Line and Column (1-based, Column in characters)
// locate the problem within that source's text.
type Error struct {
	Source int
	Line   int
	Column int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Compile compiles the query sources srcs for lang into one Query. A
// malformed source gives an *Error naming it.
func Compile(lang source.Language, srcs ...string) (*Query, error) {
	grammar := source.Grammar(lang)
	if grammar == nil {
		return nil, fmt.Errorf("unknown language %q", lang)
	}
	qr := &Query{lang: lang}
	for i, src := range srcs {
		b, err := checkSource(src, i)
		if err != nil {
			return nil, err
		}
		if !b.selfContained() {
			// Joined, an open bracket or string, or a capture or
			// quantifier that starts the source, would take in the
			// next source or the last one's pattern: alone, it
			// reports its own error.
			one, err := compileOne(grammar, src, i)
			if err != nil {
				return nil, err
			}
			one.Close()
		}
	}
	// The sources are compiled together once: compiling each alone too,
	// to count its patterns, tripled the cost of a pack of rules (3 ms a
	// pattern). Each source alone is compiled only to find the one whose
	// error the combined query reports.
	combined := strings.Join(srcs, "\n")
	q, err := sitter.NewQuery([]byte(combined), grammar)
	if err != nil {
		for i, src := range srcs {
			one, err := compileOne(grammar, src, i)
			if err != nil {
				return nil, err
			}
			one.Close()
		}
		return nil, fmt.Errorf("combining queries: %v", err)
	}
	qr.q = q
	qr.firstPattern = firstPatterns(q, srcs)
	for i := 0; i < int(q.CaptureCount()); i++ {
		qr.names = append(qr.names, q.CaptureNameForId(uint32(i)))
	}
	for p := 0; p < int(q.PatternCount()); p++ {
		src := qr.sourceOf(p)
		preds, err := qr.compilePredicates(p, srcs[src])
		if err != nil {
			err.Source = src
			q.Close()
			return nil, err
		}
		qr.preds = append(qr.preds, preds)
	}
	return qr, nil
}

// firstPatterns returns, for each source joined in q, the index of its
// first pattern, and last the number of patterns: a pattern belongs to
// the source its first byte is in.
func firstPatterns(q *sitter.Query, srcs []string) []int {
	first := make([]int, 0, len(srcs)+1)
	p, n, end := 0, int(q.PatternCount()), 0
	for _, src := range srcs {
		first = append(first, p)
		end += len(src) + 1 // and the line feed that joins the next
		for p < n && int(patternStart(q, p)) < end {
			p++
		}
	}
	return append(first, n)
}

// checkSource refuses a source that is empty, or nested deeper than
// tree-sitter's recursive compiler survives, and returns its brackets.
func checkSource(src string, index int) (bracketScan, error) {
	if strings.TrimSpace(src) == "" {
		return bracketScan{}, &Error{Source: index, Line: 1, Column: 1, Msg: "empty query"}
	}
	b := brackets(src)
	if b.deepAt >= 0 {
		line, col := lineCol(src, b.deepAt)
		return b, &Error{Source: index, Line: line, Column: col, Msg: fmt.Sprintf("query nested deeper than %d levels", maxQueryDepth)}
	}
	return b, nil
}

func compileOne(grammar *sitter.Language, src string, index int) (*sitter.Query, error) {
	if _, err := checkSource(src, index); err != nil {
		return nil, err
	}
	q, err := sitter.NewQuery([]byte(src), grammar)
	if err != nil {
		var qe *sitter.QueryError
		if errors.As(err, &qe) {
			line, col := lineCol(src, int(qe.Offset))
			return nil, &Error{Source: index, Line: line, Column: col, Msg: describe(qe, src)}
		}
		return nil, &Error{Source: index, Line: 1, Column: 1, Msg: err.Error()}
	}
	return q, nil
}

// maxQueryDepth bounds the nesting of a query's parentheses and brackets:
// tree-sitter compiles a query recursively, on the C stack, and a rule
// nested a hundred thousand deep crashed the process.
const maxQueryDepth = 256

// selfContained reports whether the source scanned, joined to other
// sources by line feeds, compiles as it would alone: its brackets and
// strings close, its brackets never close more than opened, and it starts
// with no suffix of a pattern (a capture, a quantifier, an anchor, a
// negation).
func (b bracketScan) selfContained() bool {
	return b.depth == 0 && !b.negative && !b.inString && !strings.ContainsRune("@.+*?!", rune(b.first))
}

// bracketScan is what brackets finds in a query's text.
type bracketScan struct {
	deepAt   int  // offset past maxQueryDepth, -1 if none
	depth    int  // the depth at the end
	negative bool // a bracket closed that was not open
	inString bool // a string is open at the end
	first    byte // the first byte outside space and comments
}

// brackets scans src's parentheses and brackets outside strings and
// comments.
func brackets(src string) bracketScan {
	b := bracketScan{deepAt: -1}
	for i := 0; i < len(src); i++ {
		c := src[i]
		if b.first == 0 && !b.inString && c != ';' && !strings.ContainsRune(" \t\r\n", rune(c)) {
			b.first = c
		}
		switch {
		case b.inString:
			switch c {
			case '\\':
				i++
			case '"':
				b.inString = false
			}
		case c == '"':
			b.inString = true
		case c == ';':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '(' || c == '[':
			if b.depth++; b.depth > maxQueryDepth && b.deepAt < 0 {
				b.deepAt = i
			}
		case c == ')' || c == ']':
			if b.depth--; b.depth < 0 {
				b.negative = true
			}
		}
	}
	return b
}

// describe turns a binding error into a message naming the offending token.
func describe(qe *sitter.QueryError, src string) string {
	tok := src[min(int(qe.Offset), len(src)):]
	if i := strings.IndexAny(tok, " \t\r\n()[]@\"#:"); i > 0 {
		tok = tok[:i]
	} else if len(tok) > 20 {
		tok = tok[:20]
	}
	kind := map[sitter.QueryErrorType]string{
		sitter.QueryErrorSyntax:    "syntax error",
		sitter.QueryErrorNodeType:  "unknown node type",
		sitter.QueryErrorField:     "unknown field",
		sitter.QueryErrorCapture:   "unknown capture",
		sitter.QueryErrorStructure: "impossible pattern structure",
		sitter.QueryErrorLanguage:  "language mismatch",
	}[qe.Type]
	if kind == "" {
		kind = "invalid query"
	}
	if tok == "" {
		return kind + " at end of query"
	}
	return fmt.Sprintf("%s %q", kind, tok)
}

// lineCol converts a byte offset of src into a 1-based line and character column.
func lineCol(src string, off int) (line, col int) {
	off = min(off, len(src))
	line = 1 + strings.Count(src[:off], "\n")
	start := strings.LastIndexByte(src[:off], '\n') + 1
	return line, utf8.RuneCountInString(src[start:off]) + 1
}

// sourceOf returns the source index of combined pattern p: the last
// source whose first pattern is at or before p (a source with no pattern
// has the next one's first).
func (q *Query) sourceOf(p int) int {
	i, _ := slices.BinarySearchFunc(q.firstPattern[:len(q.firstPattern)-1], p, func(first, p int) int {
		if first <= p {
			return -1
		}
		return 1
	})
	return max(i-1, 0)
}

// Sources returns the number of query sources.
func (q *Query) Sources() int { return len(q.firstPattern) - 1 }

// Patterns returns the number of patterns of all sources.
func (q *Query) Patterns() int { return q.firstPattern[len(q.firstPattern)-1] }

// Language returns the query's language.
func (q *Query) Language() source.Language { return q.lang }

// CaptureNames returns the names of the query's captures.
func (q *Query) CaptureNames() []string { return append([]string(nil), q.names...) }

// Close releases the query. Call it once the run is over.
func (q *Query) Close() {
	if q.q != nil {
		q.q.Close()
		q.q = nil
	}
}

func (q *Query) compilePredicates(pattern int, src string) ([]predicate, *Error) {
	var out []predicate
	for _, steps := range q.q.PredicatesForPattern(uint32(pattern)) {
		steps = slices.DeleteFunc(steps, func(s sitter.QueryPredicateStep) bool { return s.Type == sitter.QueryPredicateStepTypeDone })
		if len(steps) == 0 || steps[0].Type != sitter.QueryPredicateStepTypeString {
			return nil, &Error{Line: 1, Column: 1, Msg: "predicate without an operator"}
		}
		op := q.q.StringValueForId(steps[0].ValueId)
		p, err := q.newPredicate(op, steps[1:])
		if err != nil {
			line, col := 1, 1
			if i := strings.Index(src, "#"+op); i >= 0 {
				line, col = lineCol(src, i)
			}
			return nil, &Error{Line: line, Column: col, Msg: fmt.Sprintf("#%s: %v", op, err)}
		}
		out = append(out, p)
	}
	return out, nil
}

func (q *Query) newPredicate(op string, args []sitter.QueryPredicateStep) (predicate, error) {
	form, ok := operators[op]
	if !ok {
		return predicate{}, fmt.Errorf("unsupported predicate (supported: %s)", supportedList)
	}
	p := predicate{op: form.op, negate: form.negate, any: form.any}
	if len(args) == 0 || args[0].Type != sitter.QueryPredicateStepTypeCapture {
		return p, errors.New("first argument must be a capture")
	}
	p.capture = int(args[0].ValueId)
	rest := args[1:]
	switch p.op {
	case "eq":
		if len(rest) != 1 {
			return p, errors.New("takes a capture and one capture or string")
		}
		if rest[0].Type == sitter.QueryPredicateStepTypeCapture {
			p.other = int(rest[0].ValueId)
			p.captureArg = true
		} else {
			p.strs = []string{q.q.StringValueForId(rest[0].ValueId)}
		}
	case "match":
		if len(rest) != 1 || rest[0].Type != sitter.QueryPredicateStepTypeString {
			return p, errors.New("takes a capture and one regular expression string")
		}
		re, err := regexp.Compile(q.q.StringValueForId(rest[0].ValueId))
		if err != nil {
			return p, fmt.Errorf("bad regular expression: %v", err)
		}
		p.re = re
	case "any-of":
		if len(rest) == 0 {
			return p, errors.New("takes a capture and at least one string")
		}
		for _, a := range rest {
			if a.Type != sitter.QueryPredicateStepTypeString {
				return p, errors.New("arguments after the capture must be strings")
			}
			p.strs = append(p.strs, q.q.StringValueForId(a.ValueId))
		}
	}
	return p, nil
}
