package csrc

import (
	"maps"
	"slices"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// bufKind says what a tracked buffer is.
type bufKind = BufferKind

const (
	arrayBuf  = ArrayBuffer
	recordBuf = RecordBuffer
	scalarBuf = ScalarBuffer
	heapBuf   = HeapBuffer
	bytesBuf  = BytesBuffer
	paramBuf  = ParamBuffer
	ptrBuf    = PointerBuffer
)

// A buffer is a block of memory whose written bytes the analysis tracks.
type buffer struct {
	id   int
	name string
	kind bufKind
	// decl is the declarator or the allocating call.
	decl syntax.Node
	// typ is the object's type (array, record, scalar) or, for heap and
	// bytes buffers, the pointee type; nil when unknown.
	typ  *ctype
	size amount
	// origin says how the buffer was made, for messages ("malloc(total)").
	origin string
	// capacity is the index of a parameter buffer's size parameter, -1.
	capacity int
	// resizer is the function that shrinks a bytes object.
	resizer string
	// param is, in summary mode, the parameter whose memory the buffer
	// is (-1: none), at depth 0 (the parameter's value), 1 (what it
	// points to) or 2 (what the pointer it points to points to).
	param, depth int
	// inner is the buffer a pointer stored at the start of this one
	// points to, when the analysis made one (-1: none).
	inner int
}

// A local is a variable declared in the analyzed function (or one of its
// parameters).
type local struct {
	id   int
	name string
	typ  *ctype
	// buf is the buffer the variable is (arrays, records, scalars), -1.
	buf int
	// val is the buffer of a pointer variable's own bytes, when it was
	// declared without a value or given one read from tracked memory, -1.
	val   int
	param bool
	// readOnly marks a pointer to const (const unsigned char *p): what
	// it points to is only read through it.
	readOnly bool
}

// A ref points into a buffer: the buffer's id and a byte offset (unknown
// for a runtime offset). obj marks a Python object rather than its bytes.
type ref struct {
	buf int
	off amount
	obj bool
	// some marks a pointer bound to the buffer on some paths only: what
	// it reads is not the buffer's on the others.
	some bool
}

// A state is what the analysis knows at one program point.
type state struct {
	// dead marks an unreachable point (after return, break, goto).
	dead bool
	// ext holds each buffer's extent, by buffer id. A clone shares its
	// original's extents until one of the two writes it (extentOf): a
	// branch copies what it writes, not every buffer of the function.
	ext []*extent
	// owned marks the extents this state may write in place.
	owned []bool
	// alias binds pointer locals (by local id) to the buffer they point into.
	alias map[int]ref
	// consts holds the integer locals (by local id) with a known value,
	// bounds those the conditions that led here bound.
	consts map[int]int64
	bounds map[int]bound
}

// newState returns an empty state. Its maps are made by their first
// entry (setAlias, setConst, setBound): a state is cloned at every
// branch, and most functions bind no pointer, constant or bound.
func newState() *state { return &state{} }

// setAlias binds pointer local id to r.
func (s *state) setAlias(id int, r ref) {
	if s.alias == nil {
		s.alias = map[int]ref{}
	}
	s.alias[id] = r
}

// setConst records that integer local id holds v.
func (s *state) setConst(id int, v int64) {
	if s.consts == nil {
		s.consts = map[int]int64{}
	}
	s.consts[id] = v
}

// setBound records the bound b of integer local id.
func (s *state) setBound(id int, b bound) {
	if s.bounds == nil {
		s.bounds = map[int]bound{}
	}
	s.bounds[id] = b
}

func deadState() *state { s := newState(); s.dead = true; return s }

func (s *state) clone() *state {
	clear(s.owned)
	return &state{dead: s.dead, ext: slices.Clone(s.ext), owned: make([]bool, len(s.ext)),
		alias: maps.Clone(s.alias), consts: maps.Clone(s.consts), bounds: maps.Clone(s.bounds)}
}

// extentOf returns the extent of buffer id to write, growing the table as
// needed: the state's own, copied first when it shares it with a clone.
// The pointer is good until the state is cloned.
func (s *state) extentOf(id int) *extent {
	for len(s.ext) <= id {
		s.ext = append(s.ext, &extent{})
		s.owned = append(s.owned, true)
	}
	if !s.owned[id] {
		e := *s.ext[id]
		s.ext[id], s.owned[id] = &e, true
	}
	return s.ext[id]
}

// peek returns the extent of buffer id to read, never to write: it may be
// shared with a clone. A buffer past the table has the zero extent.
func (s *state) peek(id int) extent {
	if id < len(s.ext) {
		return *s.ext[id]
	}
	return extent{}
}

// join merges two states at a control-flow join. A pointer bound to
// different buffers on the two sides can no longer be followed: both
// buffers escape.
func join(a, b *state) *state {
	switch {
	case a == nil || a.dead:
		if b == nil {
			return deadState()
		}
		return b
	case b == nil || b.dead:
		return a
	}
	out := newState()
	n := max(len(a.ext), len(b.ext))
	joined := make([]extent, n)
	out.ext, out.owned = make([]*extent, n), make([]bool, n)
	for i := range n {
		joined[i] = joinExtents(a.peek(i), b.peek(i))
		out.ext[i], out.owned[i] = &joined[i], true
	}
	for id, r := range a.alias {
		r2, ok := b.alias[id]
		switch {
		case !ok:
			r.some = r.some || b.peek(r.buf).live
			out.setAlias(id, r)
		case r2 == r:
			out.setAlias(id, r)
		case r2.buf != r.buf || r2.obj != r.obj:
			out.extentOf(r.buf).escaped = true
			out.extentOf(r2.buf).escaped = true
		default:
			out.setAlias(id, ref{buf: r.buf, obj: r.obj}) // offset differs: unknown
		}
	}
	for id, r := range b.alias {
		if _, ok := a.alias[id]; !ok {
			r.some = r.some || a.peek(r.buf).live
			out.setAlias(id, r)
		}
	}
	for id, v := range a.consts {
		if w, ok := b.consts[id]; ok && w == v {
			out.setConst(id, v)
		}
	}
	for id, x := range a.bounds {
		if y, ok := b.bounds[id]; ok {
			out.setBound(id, bound{min(x.lo, y.lo), max(x.hi, y.hi)})
		}
	}
	return out
}

// joinAll merges a list of states; nil entries are skipped.
func joinAll(states ...*state) *state {
	var out *state
	for _, s := range states {
		if s != nil {
			out = join(out, s)
		}
	}
	if out == nil {
		return deadState()
	}
	return out
}
