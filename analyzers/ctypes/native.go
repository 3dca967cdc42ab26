package ctypes

import (
	"regexp"
	"strconv"

	"github.com/residue-sec/residue/analyzers/pysrc"
)

// Bytes that cross from C to Python through ctypes are native bytes of
// the model (pysrc.DataNative), so that a family that knows what the C
// side leaves unwritten can follow them to a response, the cache or a
// log: a read of a buffer that a foreign call was last handed (buf.raw,
// bytes(buf), string_at(buf, n), buf.raw[:n], cast(buf, …)[:n]) carries
// the bytes of that call's parameter; a read of the memory a foreign
// function returned a pointer to (string_at(ptr, n), cast(ptr,
// POINTER(c_char * n)).contents.raw, ptr[:n]) those of its result. The
// reads keep them as Carried data, which they are when written out
// whole, and each read says how much it reads. Where Python binds the
// functions (library loads, argtypes and restype) is noted for the
// family too (pysrc.NativeBinding).

// A fill is the foreign call a buffer was last handed to: the call, and
// the parameter the buffer was passed as.
type fill struct {
	call  *callNote
	param int
}

// lastFill returns the foreign call that buffer b was last handed to in
// the evaluation so far; false when its last handing was to anything
// else (a memset, a call of the repository, a store) or there was none.
func lastFill(e *pysrc.Eval, b pysrc.Datum) (fill, bool) {
	notes := e.Notes(family)
	last := -1
	for i, n := range notes {
		if u, ok := n.(*useNote); ok && u.kind == useHanded && u.buf.Kind == b.Kind && u.buf.Origin == b.Origin {
			last = i
		}
	}
	if last < 0 {
		return fill{}, false
	}
	u := notes[last].(*useNote)
	for _, n := range notes[last+1:] {
		c, ok := n.(*callNote)
		if !ok {
			continue
		}
		for i, a := range c.args {
			if a.loc != u.loc {
				continue
			}
			if len(c.fps) == 0 || c.splat || offsetRef(a.data) {
				return fill{}, false
			}
			return fill{call: c, param: i}, true
		}
	}
	return fill{}, false
}

// offsetRef reports whether an argument is a reference at an offset
// into its buffer (byref(buf, 8)): the parameter is not the buffer's
// start.
func offsetRef(ds []pysrc.Datum) bool {
	for _, d := range ds {
		if d.Kind == objRef && len(d.Items) > 1 && len(d.Items[1]) > 0 {
			return true
		}
	}
	return false
}

// bufferBytes returns the native bytes a read at loc of buffer b holds,
// when a foreign call was last handed b: one datum per function the
// callee may be. read is how much it reads (pysrc.ReadAll…).
func bufferBytes(e *pysrc.Eval, b pysrc.Datum, read int64, loc pysrc.Loc) []pysrc.Datum {
	f, ok := lastFill(e, b)
	if !ok {
		return nil
	}
	var out []pysrc.Datum
	for _, fp := range f.call.fps {
		ref := pysrc.NativeRef{Way: pysrc.ViaBuffer, Name: fp.Key, Param: f.param, Read: read, Lib: fp.Name}
		out = append(out, nativeDatum(ref, f.call.loc, loc))
	}
	return out
}

// nativeDatum returns native bytes of ref that cross at call and that
// Python reads at read.
func nativeDatum(ref pysrc.NativeRef, call, read pysrc.Loc) pysrc.Datum {
	d := pysrc.Datum{Tag: pysrc.TagData, Kind: pysrc.DataNative, Key: ref.Key(), Origin: call}
	if read != call {
		d.Steps = []pysrc.Loc{read}
	}
	return d
}

// pointerBytes returns the native bytes a read at loc of the memory a
// foreign function's result ds points to holds: read bytes of it.
func pointerBytes(ds []pysrc.Datum, read int64, loc pysrc.Loc) []pysrc.Datum {
	var out []pysrc.Datum
	for _, d := range ds {
		if d.Kind == objResult && d.Key != "" {
			ref := pysrc.NativeRef{Way: pysrc.ViaPointer, Name: d.Key, Read: read, Lib: d.Name}
			out = append(out, nativeDatum(ref, d.Origin, loc))
		}
	}
	return out
}

// results returns the foreign functions' results ds are or refer to (a
// cast of one).
func results(ds []pysrc.Datum) []pysrc.Datum {
	return gather(ds, func(d pysrc.Datum) bool { return d.Kind == objResult }, func(d pysrc.Datum) bool {
		return d.Kind == objRef && d.Key == "cast"
	})
}

// gather returns the data of ds that keep accepts, and those among the
// first items of the data that open accepts (a cast's operand, an
// element's array).
func gather(ds []pysrc.Datum, keep, open func(pysrc.Datum) bool) []pysrc.Datum {
	var out []pysrc.Datum
	for _, d := range ds {
		switch {
		case keep(d):
			out = append(out, d)
		case open(d) && len(d.Items) > 0:
			for _, r := range d.Items[0] {
				if keep(r) {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

// readBound says how much a read whose end is n reads of buffer b, which
// call filled (nil for a pointer): ReadAll for no end or the buffer's
// size, ReadCounted for the count the call returned or wrote back
// through an out-parameter, a constant; false when it is not known.
func readBound(e *pysrc.Eval, n []pysrc.Datum, b *pysrc.Datum, call pysrc.Loc) (int64, bool) {
	if len(n) == 0 {
		return pysrc.ReadAll, true
	}
	for _, d := range n {
		switch {
		case d.Kind == objResult && d.Origin == call:
			return pysrc.ReadCounted, true
		case d.Kind == objValue && len(d.Items) > 0 && handedTo(e, d.Items[0], call):
			return pysrc.ReadCounted, true
		case d.Tag == pysrc.TagConst && d.Kind == "int":
			if k, err := strconv.ParseInt(d.Key, 0, 64); err == nil && k >= 0 {
				return k, true
			}
		case d.Tag == pysrc.TagExpr && (d.Kind == "int" || d.Kind == "min") && len(d.Items) > 0:
			for _, it := range d.Items {
				if r, ok := readBound(e, it, b, call); ok && r == pysrc.ReadCounted {
					return r, true
				}
			}
		case d.Tag == pysrc.TagExpr && (d.Kind == "len" || d.Kind == "sizeof" || d.Kind == "count") && b != nil && len(d.Items) > 0:
			for _, x := range buffers(d.Items[0]) {
				if x.Origin == b.Origin {
					return pysrc.ReadAll, true
				}
			}
		}
	}
	return 0, false
}

// handedTo reports whether one of the buffers ds are was an argument of
// the call at call (an out-parameter it writes a count to).
func handedTo(e *pysrc.Eval, ds []pysrc.Datum, call pysrc.Loc) bool {
	for _, n := range e.Notes(family) {
		c, ok := n.(*callNote)
		if !ok || c.loc != call {
			continue
		}
		for _, a := range c.args {
			for _, x := range buffers(a.data) {
				for _, b := range ds {
					if b.Kind == x.Kind && b.Origin == x.Origin {
						return true
					}
				}
			}
		}
	}
	return false
}

// sliceBytes returns the native bytes a slice at loc (buf.raw[lo:hi],
// buf[:n], cast(p, …)[:n], ptr[:n]) of buffers bs or of the memory the
// results rs point to holds: none when it does not start at 0 or its end
// is not known.
func sliceBytes(e *pysrc.Eval, bs, rs []pysrc.Datum, loc pysrc.Loc) []pysrc.Datum {
	lo, hi, ok := e.Slice(loc)
	if !ok || !zeroOrNone(lo) {
		return nil
	}
	var out []pysrc.Datum
	for _, b := range bs {
		f, ok := lastFill(e, b)
		if !ok {
			continue
		}
		if read, ok := readBound(e, hi, &b, f.call.loc); ok {
			out = append(out, bufferBytes(e, b, read, loc)...)
		}
	}
	for _, r := range rs {
		if read, ok := readBound(e, hi, nil, r.Origin); ok {
			out = append(out, pointerBytes([]pysrc.Datum{r}, read, loc)...)
		}
	}
	return out
}

// countedType matches the count of an array type in a cast's text:
// cast(p, POINTER(c_char * 48)).
var countedType = regexp.MustCompile(`\*\s*(\d+)\s*\)\s*\)\s*$`)

// castCount returns how many bytes the cast whose text is given reads
// through the pointer: its array type's constant count, else all.
func castCount(text string) int64 {
	if m := countedType.FindStringSubmatch(text); m != nil {
		if k, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			return k
		}
	}
	return pysrc.ReadAll
}

// noteBinding notes, for the family that follows native bytes, where a
// library is loaded or a foreign function's argtypes or restype set.
func noteBinding(e *pysrc.Eval, lib, name, attr string, at pysrc.Loc) {
	e.Note(pysrc.NativeFamily, &pysrc.NativeBinding{Lib: lib, Name: name, Attr: attr, At: at})
}
