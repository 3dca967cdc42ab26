package source

import (
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
	input := f.Src
	if f.Lang == Python {
		input = pythonInput(f.Src)
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
