package csrc

import (
	"sort"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// A span is the byte range [lo, hi).
type span struct{ lo, hi int64 }

// spans is a sorted list of disjoint, non-adjacent spans. Values are never
// modified in place: states share them.
type spans []span

// add returns s with x added.
func (s spans) add(x span) spans {
	if x.hi <= x.lo {
		return s
	}
	out := make(spans, 0, len(s)+1)
	for _, y := range s {
		switch {
		case y.hi < x.lo || y.lo > x.hi:
			out = append(out, y)
		default:
			x = span{min(x.lo, y.lo), max(x.hi, y.hi)}
		}
	}
	out = append(out, x)
	sort.Slice(out, func(i, j int) bool { return out[i].lo < out[j].lo })
	return out
}

// union returns the bytes in s or t.
func (s spans) union(t spans) spans {
	for _, x := range t {
		s = s.add(x)
	}
	return s
}

// intersect returns the bytes in both s and t.
func (s spans) intersect(t spans) spans {
	var out spans
	for _, x := range s {
		for _, y := range t {
			lo, hi := max(x.lo, y.lo), min(x.hi, y.hi)
			if lo < hi {
				out = out.add(span{lo, hi})
			}
		}
	}
	return out
}

// gaps returns the bytes of x that s does not hold.
func (s spans) gaps(x span) spans {
	var out spans
	at := x.lo
	for _, y := range s {
		if y.hi <= at || y.lo >= x.hi {
			continue
		}
		if y.lo > at {
			out = append(out, span{at, y.lo})
		}
		at = max(at, y.hi)
	}
	if at < x.hi {
		out = append(out, span{at, x.hi})
	}
	return out
}

// without returns the bytes of s that are not in t.
func (s spans) without(t spans) spans {
	var out spans
	for _, x := range s {
		out = out.union(t.gaps(x))
	}
	return out
}

func (s spans) covers(x span) bool   { return len(s.gaps(x)) == 0 }
func (s spans) overlaps(x span) bool { return len(s.intersect(spans{x})) > 0 }

func (s spans) shift(d int64) spans {
	out := make(spans, len(s))
	for i, x := range s {
		out[i] = span{x.lo + d, x.hi + d}
	}
	return out
}

// total counts the bytes of s.
func (s spans) total() int64 {
	var n int64
	for _, x := range s {
		n += x.hi - x.lo
	}
	return n
}

func (s spans) equal(t spans) bool {
	if len(s) != len(t) {
		return false
	}
	for i := range s {
		if s[i] != t[i] {
			return false
		}
	}
	return true
}

// An extent is what is known, on one path, of the bytes of one buffer that
// are certainly written.
type extent struct {
	// live is false on paths where the buffer does not exist yet: such a
	// path adds nothing to a join.
	live bool
	// escaped buffers are aliased or handed somewhere the analysis cannot
	// follow: they are never reported.
	escaped bool
	// full means every byte is written, or may be (an unknown writer).
	full bool
	// capFill records that full came from a write of exactly the buffer's
	// capacity (used by callee summaries).
	capFill bool
	// elsewhere is set when another path wrote the whole buffer: the
	// steps kept are those of the path that did not.
	elsewhere bool
	// sizeStale is set once a variable of the buffer's size expression is
	// reassigned: a count with the same text is no longer its size.
	sizeStale bool
	// cover holds the bytes written on every path, may those written on
	// some path; mayAll is set when some path may have written any byte.
	cover  spans
	may    spans
	mayAll bool
	// zeros holds the bytes written with zero on every path (where a
	// string may end); mayString is set when some path wrote a string.
	zeros     spans
	mayString bool
	// terminated is set once a NUL was stored into the buffer as a
	// string's end (`s[0] = '\0'`), on every path.
	terminated bool
	// dep is a write whose length is known only at run time.
	dep *dep
	// steps are the writes, in source order, for the code flow.
	steps []step
	// origin is where the bytes of a copied value came from.
	origin *origin
	// residue holds, in summary mode, the bytes a copy or a callee filled
	// from memory nothing wrote (the caller sees them written, with
	// whatever was there), and resFrom where they came from.
	residue spans
	resFrom []*ResidueSource
	// caller holds, in summary mode, the bytes of a local copied from the
	// caller's memory on some path: not written here, but no residue
	// either; settled those that, on every path, are written or so
	// copied (a = v on one branch, a = 10 on the other).
	caller  spans
	settled spans
	// splits remember, for a join of two branches of a condition the
	// analysis cannot evaluate, the extent on each side: a later branch on
	// the same condition takes the matching side.
	splits []condSplit
}

// A dep is a write whose length is decided at run time: a string and its
// NUL, or the count a reader returns.
type dep struct {
	kind writeKind
	// what describes the write for messages ("strcpy writes strlen(name)+1").
	what string
	// count is the local variable holding the returned count (-1: none).
	count int
	node  syntax.Node
}

// A step is one write on the way to a sink: msg describes it in the code
// flow; writes, when the step alone explains a finding, starts its
// message ("strncpy writes 8 of"); none marks a call that writes nothing.
type step struct {
	node   syntax.Node
	msg    string
	writes string
	none   bool
}

// An origin is the buffer and offset a copied value was read from.
type origin struct {
	buf int
	off int64
}

// A condSplit holds the extents of the two sides of a join on a condition.
type condSplit struct {
	cond        string
	then, other extent
}

// setFull records that every byte is written, or may be.
func (e *extent) setFull() {
	e.full, e.mayAll = true, true
	e.residue, e.resFrom = nil, nil
}

// callerBytes records that the bytes s were copied from the caller's
// memory.
func (e *extent) callerBytes(s spans) {
	e.caller, e.settled = e.caller.union(s), e.settled.union(s)
}

// settledOf returns the bytes of one side of a join that are written or
// copied from the caller's memory; all reports that every byte is.
func (e *extent) settledOf() (s spans, all bool) {
	return e.settled.union(e.cover), e.full
}

// definite reports whether some of the bytes s are written on no path.
func (e *extent) definite(s spans) bool {
	return !e.mayAll && len(s.without(e.may)) > 0
}

// joinExtents merges the extents of a buffer at a control-flow join: a
// byte is certainly written after the join when it is on both sides.
func joinExtents(a, b extent) extent {
	switch {
	case !a.live:
		return b
	case !b.live:
		return a
	}
	out := extent{live: true, escaped: a.escaped || b.escaped, sizeStale: a.sizeStale || b.sizeStale,
		elsewhere: a.elsewhere || b.elsewhere || a.full != b.full,
		may:       a.may.union(b.may), mayAll: a.mayAll || b.mayAll || a.full || b.full,
		mayString: a.mayString || b.mayString,
		residue:   a.residue.union(b.residue), resFrom: mergeSources(a.resFrom, b.resFrom),
		caller: a.caller.union(b.caller)}
	as, aAll := a.settledOf()
	bs, bAll := b.settledOf()
	switch {
	case aAll:
		out.settled = bs
	case bAll:
		out.settled = as
	default:
		out.settled = as.intersect(bs)
	}
	switch {
	case a.full && b.full:
		out.full, out.capFill = true, a.capFill && b.capFill
		out.steps = mergeSteps(a.steps, b.steps)
	case a.full: // the finding, if any, is on b's path: keep its writes only
		out.cover, out.dep, out.steps, out.zeros, out.terminated = b.cover, b.dep, b.steps, b.zeros, b.terminated
	case b.full:
		out.cover, out.dep, out.steps, out.zeros, out.terminated = a.cover, a.dep, a.steps, a.zeros, a.terminated
	default:
		out.cover = a.cover.intersect(b.cover)
		out.zeros = a.zeros.intersect(b.zeros)
		out.terminated = a.terminated && b.terminated
		if sameSplits(a.splits, b.splits) {
			out.splits = a.splits
		}
		if a.dep != nil && b.dep != nil && a.dep.node == b.dep.node && a.dep.count == b.dep.count {
			out.dep = a.dep
		}
		out.steps = mergeSteps(a.steps, b.steps)
	}
	return out
}

// sameSplits reports whether two lists of condition splits say the same:
// a join of paths that did not touch the buffer keeps them.
func sameSplits(a, b []condSplit) bool {
	if len(a) == 0 || len(a) != len(b) {
		return false
	}
	same := func(x, y extent) bool {
		return x.live == y.live && x.escaped == y.escaped && x.full == y.full && x.dep == y.dep && x.cover.equal(y.cover)
	}
	for i := range a {
		if a[i].cond != b[i].cond || !same(a[i].then, b[i].then) || !same(a[i].other, b[i].other) {
			return false
		}
	}
	return true
}

// sameExtent reports whether two extents say the same of their buffer.
func sameExtent(a, b extent) bool {
	return a.live == b.live && a.escaped == b.escaped && a.full == b.full && a.dep == b.dep &&
		a.cover.equal(b.cover) && len(a.steps) == len(b.steps)
}

// mergeSteps returns the steps of a and b in source order, without repeats.
func mergeSteps(a, b []step) []step {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]step, 0, len(a)+len(b))
	seen := map[syntax.Node]bool{}
	for _, s := range append(append([]step(nil), a...), b...) {
		if !seen[s.node] {
			seen[s.node] = true
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].node.StartByte() < out[j].node.StartByte() })
	return out
}

// withStep returns steps with s appended (never sharing the backing array),
// unless the last step is already at s's node.
func withStep(steps []step, s step) []step {
	if n := len(steps); n > 0 && steps[n-1].node == s.node {
		return steps
	}
	return append(steps[:len(steps):len(steps)], s)
}
