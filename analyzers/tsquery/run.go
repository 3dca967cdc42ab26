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

// MaxPending caps the matches a cursor holds in progress at once. A
// pattern of siblings ((identifier) @a (identifier) @b) over a long list
// starts a match at every item, and tree-sitter advances them all at each
// node, inside one call: 200 items took five minutes. Past the cap the
// earliest-starting one is dropped (ErrPendingLimit).
const MaxPending = 1024

// The errors Run returns when a limit cut the pass short. Matches found
// before the limit was reached have been delivered.
var (
	ErrMatchLimit = errors.New("match limit reached")
	ErrStepLimit  = errors.New("step limit reached")
	ErrDeadline   = errors.New("time limit reached")
	// ErrPendingLimit says matches in progress were dropped (MaxPending).
	ErrPendingLimit = errors.New("pending match limit reached")
)

// A Cursor runs queries. It is not safe for concurrent use: each worker owns one.
type Cursor struct{ qc *sitter.QueryCursor }

// NewCursor returns a Cursor, which holds at most MaxPending matches in
// progress; Close it when the worker is done.
func NewCursor() *Cursor { return newCursor(MaxPending) }

// newCursor returns a Cursor that holds at most pending matches in
// progress.
func newCursor(pending uint32) *Cursor {
	qc := sitter.NewQueryCursor()
	setPendingLimit(qc, pending)
	return &Cursor{qc: qc}
}

// Close releases the cursor.
func (c *Cursor) Close() { c.qc.Close() }

// rawCapture is a capture's index and byte span, for predicate evaluation.
type rawCapture struct {
	index      int
	start, end uint32
}

// Run runs q over f's tree and calls fn with each match that passes its
// predicates, in document order, with the index of the query source the
// pattern came from. It returns ErrMatchLimit, ErrStepLimit, ErrDeadline
// or ErrPendingLimit, after the matches found so far, when a limit was
// reached.
func (q *Query) Run(c *Cursor, f *source.File, lim Limits, fn func(src int, m Match)) error {
	root := f.Root()
	if root == nil || q.q == nil {
		return nil
	}
	c.qc.Exec(q.q, root)
	counts := make([]int, q.Sources())
	capped := 0 // sources at MaxMatches
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
			if limited == nil && exceededPendingLimit(c.qc) {
				return ErrPendingLimit
			}
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
			if capped == len(counts) {
				// No source takes another match: the rest of the pass
				// would be steps to no purpose.
				return ErrMatchLimit
			}
			limited = ErrMatchLimit
			continue
		}
		if counts[src]++; counts[src] == lim.MaxMatches {
			capped++
		}
		fn(src, q.match(src, m))
	}
}

// match converts a match of the cursor.
func (q *Query) match(src int, m *sitter.QueryMatch) Match {
	out := Match{Pattern: int(m.PatternIndex) - q.firstPattern[src], Captures: make([]Capture, len(m.Captures))}
	for i, cp := range m.Captures {
		out.Captures[i] = Capture{Name: q.names[cp.Index], Node: cp.Node}
	}
	return out
}

func (q *Query) accepts(pattern int, caps []rawCapture, src []byte) bool {
	for i := range q.preds[pattern] {
		if !q.preds[pattern][i].holds(caps, src) {
			return false
		}
	}
	return true
}
