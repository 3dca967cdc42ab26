package ctypes

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// checkIgnored reports output buffers allocated in a function that calls
// a foreign function, read before anything could have written to them:
// they were never passed to a call (directly, through byref, pointer,
// cast or addressof, a structure, a tuple), stored, captured by nested
// code or written from Python before the read. (A function without
// foreign calls that reads a fresh buffer is testing ctypes, not using an
// output.)
func (ix *index) checkIgnored(f *function) {
	if f.note == nil || f.note.kind != pysrc.KindDef || !f.callsForeign() {
		return
	}
	for _, a := range f.allocs {
		if !zeroed(a) {
			continue
		}
		uses := f.usesOf(a.buf)
		for k, u := range uses {
			if u.kind == useHanded {
				break
			}
			if ix.handedInLoop(f, u, uses[k+1:]) {
				continue
			}
			ix.reportIgnored(f, a.buf, u)
			break
		}
	}
}

// zeroed reports whether an allocation has no initial content: ctypes
// filled it with zeros.
func zeroed(a *allocNote) bool {
	if a.buf.Kind == objStruct {
		return len(a.args) == 0
	}
	return a.buf.Named
}

// callsForeign reports whether the function makes a foreign call.
func (f *function) callsForeign() bool {
	for _, c := range f.calls {
		if len(c.fps) > 0 {
			return true
		}
	}
	return false
}

// usesOf returns the uses of buffer b in f's own code, after its
// allocation, in the order of the code; of reads at the same place, the
// outermost (buf.raw[:8], not buf.raw).
func (f *function) usesOf(b pysrc.Datum) []*useNote {
	var out []*useNote
	for _, u := range f.uses {
		if u.buf.Origin != b.Origin || u.loc.Path() != f.id.path || f.note != nil && !spans(f.note.span.Span, u.loc.Span) {
			continue
		}
		if b.Origin.Path() == u.loc.Path() && u.loc.Span.Start < b.Origin.Span.End && spans(f.note.span.Span, b.Origin.Span) {
			continue
		}
		if n := len(out); n > 0 && out[n-1].kind != useHanded && u.kind == useHanded && out[n-1].loc.Span == u.loc.Span {
			out[n-1] = u // the field read is the argument handed over
			continue
		}
		if n := len(out); n > 0 && out[n-1].kind != useHanded && u.kind != useHanded && spans(u.loc.Span, out[n-1].loc.Span) {
			out[n-1] = u
			continue
		}
		if n := len(out); n > 0 && out[n-1].kind != useHanded && u.kind != useHanded && spans(out[n-1].loc.Span, u.loc.Span) {
			continue
		}
		out = append(out, u)
	}
	return out
}

// handedInLoop reports whether a use later in a loop around u hands the
// buffer over: the next iteration's read comes after it.
func (ix *index) handedInLoop(f *function, u *useNote, later []*useNote) bool {
	for _, l := range f.note.loops {
		if !spans(l.Span, u.loc.Span) {
			continue
		}
		for _, h := range later {
			if h.kind == useHanded && spans(l.Span, h.loc.Span) {
				return true
			}
		}
	}
	return false
}

func (ix *index) reportIgnored(f *function, b pysrc.Datum, u *useNote) {
	z := ix.newSizer()
	name := u.name
	read := ix.text(u.loc)
	msg := fmt.Sprintf("%s (a buffer of %s) is read through %s but was never passed to a foreign function before: it holds only the zeros ctypes filled it with, not the function's output",
		name, ix.describeSize(z, b), read)
	related := []analyzers.Location{ix.loc(b.Origin, "the buffer is allocated here")}
	flow := []analyzers.Step{{Location: ix.loc(b.Origin, name+" is allocated (zero-filled)")}}
	if c := f.foreignCallBetween(b.Origin, u.loc); c != nil {
		sym := c.fps[0].Key
		msg += fmt.Sprintf("; the foreign call in between (%s) was not given it", sym)
		related = append(related, ix.loc(c.loc, fmt.Sprintf("%s is called without %s", sym, name)))
		flow = append(flow, analyzers.Step{Location: ix.loc(c.loc, fmt.Sprintf("%s is called without %s", sym, name))})
	}
	flow = append(flow, analyzers.Step{Location: ix.loc(u.loc, name+" is read")})
	ix.report(analyzers.Finding{RuleID: ruleIgnored, Message: msg, Related: related, Flow: flow}, u.loc)
}

// foreignCallBetween returns the first foreign call of f after from and
// before to, or nil.
func (f *function) foreignCallBetween(from, to pysrc.Loc) *callNote {
	for _, c := range f.calls {
		if len(c.fps) > 0 && c.loc.Path() == from.Path() && c.loc.Span.Start >= from.Span.End && c.loc.Span.End <= to.Span.Start {
			return c
		}
	}
	return nil
}
