package tsquery

import (
	"errors"
	"time"

	sitter "github.com/smacker/go-tree-sitter"

	"github.com/residue-sec/residue/analyzers/source"
)

// Limits caps one query pass over one file. MaxMatches and MaxSteps
// count work, so that what a pass delivers does not depend on the
// machine's load; Deadline is a wall-clock backstop.
type Limits struct {
	// MaxMatches caps the matches delivered per query source (0: no cap).
	MaxMatches int
	// MaxSteps caps the matches the cursor yields, delivered or not:
	// those a predicate rejects and those past MaxMatches count too (0:
	// no cap).
	MaxSteps int
	// Deadline stops the pass between two matches (zero: none).
	Deadline time.Time
}

// The errors Run returns when a limit cut the pass short. Matches found
// before the limit was reached have been delivered.
var (
	ErrMatchLimit = errors.New("match limit reached")
	ErrStepLimit  = errors.New("step limit reached")
	ErrDeadline   = errors.New("time limit reached")
)

// A Cursor runs queries. It is not safe for concurrent use: each worker owns one.
type Cursor struct{ qc *sitter.QueryCursor }

// NewCursor returns a Cursor; Close it when the worker is done.
func NewCursor() *Cursor { return &Cursor{qc: sitter.NewQueryCursor()} }

// Close releases the cursor.
func (c *Cursor) Close() { c.qc.Close() }

// rawCapture is a capture's index and byte span, for predicate evaluation.
type rawCapture struct {
	index      int
	start, end uint32
}

// Run runs q over f's tree and calls fn with each match that passes its
// predicates, in document order, with the index of the query source the
// pattern came from. It returns ErrMatchLimit, ErrStepLimit or
// ErrDeadline, after the matches found so far, when a limit was reached.
func (q *Query) Run(c *Cursor, f *source.File, lim Limits, fn func(src int, m Match)) error {
	root := f.Root()
	if root == nil || q.q == nil {
		return nil
	}
	c.qc.Exec(q.q, root)
	counts := make([]int, q.Sources())
	var limited error
	var raw []rawCapture
	for n := 0; ; n++ {
		if !lim.Deadline.IsZero() && n%16 == 0 && time.Now().After(lim.Deadline) {
			return ErrDeadline
		}
		if lim.MaxSteps > 0 && n >= lim.MaxSteps {
			return ErrStepLimit
		}
		m, ok := c.qc.NextMatch()
		if !ok {
			return limited
		}
		raw = raw[:0]
		for _, cp := range m.Captures {
			raw = append(raw, rawCapture{int(cp.Index), cp.Node.StartByte(), cp.Node.EndByte()})
		}
		if !q.accepts(int(m.PatternIndex), raw, f.Src) {
			continue
		}
		src := q.sourceOf(int(m.PatternIndex))
		if lim.MaxMatches > 0 && counts[src] >= lim.MaxMatches {
			limited = ErrMatchLimit
			continue
		}
		counts[src]++
		out := Match{Pattern: int(m.PatternIndex) - q.firstPattern[src], Captures: make([]Capture, len(m.Captures))}
		for i, cp := range m.Captures {
			out.Captures[i] = Capture{Name: q.names[cp.Index], Node: cp.Node}
		}
		fn(src, out)
	}
}

func (q *Query) accepts(pattern int, caps []rawCapture, src []byte) bool {
	for i := range q.preds[pattern] {
		if !q.preds[pattern][i].holds(caps, src) {
			return false
		}
	}
	return true
}
