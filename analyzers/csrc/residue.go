package csrc

import (
	"sort"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// Residue is what a function hands its caller in memory the caller
// gave it: bytes a copy filled from a local, a heap block or a struct's
// padding that nothing wrote. For the caller they are written; they
// hold whatever the stack or the heap held before. Summaries carry them
// from callee to caller, so that an exported function's summary says
// which bytes of each buffer it fills with residue, and where from.

// A ResidueSource is the memory residue was copied from, and how it
// reached the function summarized.
type ResidueSource struct {
	// Buffer is the memory nothing wrote; Steps are its writes before
	// the copy, in source order.
	Buffer BufferInfo
	Steps  []Step
	// At is the copy; Verb says what it did ("memcpy copies it").
	At   syntax.Node
	Verb string
	// Definite is set when no path wrote the bytes copied.
	Definite bool
	// Via are the calls from the function summarized down to the
	// function that copied, outermost first.
	Via []syntax.Node
}

// A paramResidue is the residue a function leaves in what parameter
// param points to: its bytes s, copied from from.
type paramResidue struct {
	param int
	s     spans
	from  []*ResidueSource
}

// maxSources bounds the sources kept per buffer.
const maxSources = 4

// copyResidue records, in summary mode, the residue a copy of the bytes
// rng of a source (with extent from) leaves at shift in its destination
// (with extent e): the source's own residue, and the bytes no path
// wrote.
func (w *walker) copyResidue(e *extent, from extent, src ref, rng spans, shift int64, call syntax.Node, name string) {
	unwritten := spans(nil)
	for _, r := range rng {
		unwritten = unwritten.union(from.cover.gaps(span{r.lo, r.hi}))
	}
	if c := unwritten.intersect(from.caller); len(c) > 0 {
		e.callerBytes(c.shift(shift))
		unwritten = unwritten.without(from.caller)
	}
	b := w.bufs[src.buf]
	if len(unwritten) == 0 || b.param >= 0 || from.origin != nil && w.bufs[from.origin.buf].param >= 0 {
		return // nothing unwritten, or the caller's own bytes
	}
	if inherited := unwritten.intersect(from.residue); len(inherited) > 0 {
		e.residue = e.residue.union(inherited.shift(shift))
		e.resFrom = mergeSources(e.resFrom, from.resFrom)
	}
	fresh := unwritten.without(from.residue)
	if len(fresh) == 0 {
		return
	}
	s := &ResidueSource{Buffer: b.info(), At: call, Verb: name + " copies it", Definite: from.definite(fresh)}
	for _, st := range from.steps {
		s.Steps = append(s.Steps, Step{At: st.node, Message: st.msg})
	}
	e.residue = e.residue.union(fresh.shift(shift))
	e.resFrom = mergeSources(e.resFrom, []*ResidueSource{s})
}

// overwrite forgets the residue a write at r may cover: from r's offset
// on, everything when it is unknown, also when the buffer counts as
// written already.
func (w *walker) overwrite(st *state, r ref) {
	if r.buf < 0 || r.buf >= len(w.bufs) {
		return
	}
	e := st.extentOf(r.buf)
	switch {
	case len(e.residue) == 0:
	case r.off.known:
		e.residue = e.residue.intersect(spans{{0, r.off.val}})
	default:
		e.residue, e.resFrom = nil, nil
	}
}

// calleeResidue records, in summary mode, the residue a callee leaves in
// a buffer of the function at r: its bytes, shifted to r's offset, with
// the call on the way.
func (w *walker) calleeResidue(n syntax.Node, res []paramResidue, i int, r ref, st *state) {
	if w.report != nil || !r.off.known || r.some {
		return
	}
	for _, pr := range res {
		if pr.param != i {
			continue
		}
		e := w.writable(st, r)
		if e == nil {
			return
		}
		e.residue = e.residue.union(pr.s.shift(r.off.val))
		via := make([]*ResidueSource, len(pr.from))
		for k, s := range pr.from {
			c := *s
			c.Via = append([]syntax.Node{n}, s.Via...)
			via[k] = &c
		}
		e.resFrom = mergeSources(e.resFrom, via)
	}
}

// mergeSources returns the sources of a and b, each once (by the copy
// and the calls on the way), at most maxSources, in the order of their
// copies.
func mergeSources(a, b []*ResidueSource) []*ResidueSource {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := append([]*ResidueSource(nil), a...)
	for _, s := range b {
		dup := false
		for _, o := range out {
			dup = dup || o.At == s.At && o.Buffer.Decl == s.Buffer.Decl && len(o.Via) == len(s.Via) && (len(o.Via) == 0 || o.Via[0] == s.Via[0])
		}
		if !dup {
			out = append(out, s)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return sourceKey(out[i]) < sourceKey(out[j]) })
	if len(out) > maxSources {
		out = out[:maxSources]
	}
	return out
}

// sourceKey orders sources: by the first call on the way, then the copy.
func sourceKey(s *ResidueSource) uint64 {
	at := uint64(s.At.StartByte())
	if len(s.Via) > 0 {
		return uint64(s.Via[0].StartByte())<<32 | at
	}
	return at
}

// residueOf returns the residue each parameter's memory holds at the
// function's exits (state all), for its summary.
func residueOf(w *walker, ps []syntax.Node, all *state) []paramResidue {
	var out []paramResidue
	for i, p := range ps {
		id, tracked := w.created[p]
		if !tracked {
			continue
		}
		if e := all.extentOf(id); len(e.residue) > 0 && e.live && !e.escaped {
			out = append(out, paramResidue{param: i, s: e.residue, from: e.resFrom})
		}
	}
	return out
}

func sameResidue(a, b []paramResidue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].param != b[i].param || !a[i].s.equal(b[i].s) {
			return false
		}
	}
	return true
}
