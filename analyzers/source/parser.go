package source

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	sitter "github.com/smacker/go-tree-sitter"
)

// ErrBackstop is wrapped by the error of a parse that its wall-clock
// timeout stopped: a backstop, whose verdict depends on the machine's load.
var ErrBackstop = errors.New("a wall-clock backstop (whether it is reached depends on the machine's load)")

// A Parser holds one tree-sitter parser per language. It is not safe for
// concurrent use: each worker goroutine owns one.
type Parser struct {
	parsers map[Language]*sitter.Parser
	timeout time.Duration
}

// NewParser returns a Parser whose parses give up after timeout (0: never).
func NewParser(timeout time.Duration) *Parser {
	return &Parser{parsers: map[Language]*sitter.Parser{}, timeout: timeout}
}

// Parse parses f in place. On error f has no tree and the parser is reset,
// so that its next parse starts a new document.
func (p *Parser) Parse(f *File) error { return p.parse(f, nil) }

// parse parses f in place, reusing what old (edited to match f's source,
// or nil) parsed of the bytes that did not change.
func (p *Parser) parse(f *File, old *sitter.Tree) error {
	ps := p.parsers[f.Lang]
	if ps == nil {
		lang := Grammar(f.Lang)
		if lang == nil {
			return fmt.Errorf("no grammar for language %q", f.Lang)
		}
		ps = sitter.NewParser()
		ps.SetLanguage(lang)
		if p.timeout > 0 {
			ps.SetOperationLimit(int(p.timeout.Microseconds()))
		}
		p.parsers[f.Lang] = ps
	}
	input := nulInput(crInput(f.Src))
	if f.Lang == Python {
		input = pythonInput(input)
	}
	tree, err := ps.ParseCtx(context.Background(), old, input)
	if err != nil || tree == nil {
		// The binding resumes an aborted document unless it is reset.
		ps.Reset()
		if err == sitter.ErrOperationLimit {
			return fmt.Errorf("parse still running after %s, %w", p.timeout, ErrBackstop)
		}
		if err == nil {
			err = fmt.Errorf("parser returned no tree")
		}
		return fmt.Errorf("parse failed: %w", err)
	}
	if int(tree.RootNode().EndByte()) > len(f.Src) {
		tree.Close()
		ps.Reset()
		return fmt.Errorf("parser returned a tree longer than the file")
	}
	f.tree = tree
	return nil
}

// Close releases every parser.
func (p *Parser) Close() {
	for lang, ps := range p.parsers {
		ps.Close()
		delete(p.parsers, lang)
	}
}

// crInput returns src with each carriage return that no line feed follows
// (an old Mac line ending, which CPython and C compilers take for one)
// made a line feed, so that the grammars, which end comments and
// statements at line feeds only, see its lines; src itself when it has
// none. Every byte offset stays, and the line table (NewLines) counts such
// lines too.
func crInput(src []byte) []byte {
	if !HasLoneCR(src) {
		return src
	}
	out := bytes.Clone(src)
	for i, b := range out {
		if b == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// nulInput returns src with each NUL byte read as a space (in a copy): a
// stray NUL in a comment, which does not make a file binary, would end
// tree-sitter's input there and hide the rest of its statement.
func nulInput(src []byte) []byte {
	if bytes.IndexByte(src, 0) < 0 {
		return src
	}
	out := bytes.Clone(src)
	for i, b := range out {
		if b == 0 {
			out[i] = ' '
		}
	}
	return out
}

// HasLoneCR reports whether src has a carriage return no line feed
// follows: an old Mac line ending, which ends a line (NewLines).
func HasLoneCR(src []byte) bool {
	for i := bytes.IndexByte(src, '\r'); i >= 0; {
		if i+1 == len(src) || src[i+1] != '\n' {
			return true
		}
		j := bytes.IndexByte(src[i+1:], '\r')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}
