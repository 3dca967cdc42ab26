package ctypes

import (
	"fmt"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// checkNulReads reports `.value` read from a char buffer after a foreign
// call wrote binary data into it, and string_at(ptr) without a size on a
// pointer a foreign function returned: both stop at the first NUL byte.
// The data is binary when the prototype's parameter is an unsigned char,
// uint8_t or void pointer (void * is memory, not a string) or its result
// an unsigned char or uint8_t pointer, or, without a prototype, argtypes
// take POINTER(c_ubyte) there (c_void_p is what bindings use for text
// buffers too).
func (ix *index) checkNulReads(f *function) {
	for _, c := range f.calls {
		switch {
		case len(c.fps) > 0:
			for i, a := range c.args {
				for _, r := range bufferRefs(a.data) {
					ix.nulRead(f, c, c.fps[0], r.buf, i)
				}
			}
		case (c.builtin == "string_at" || c.builtin == "wstring_at") && len(c.args) == 1 && !c.splat:
			ix.stringAt(c)
		}
	}
}

// nulRead reports the first .value read of a char buffer after call c
// wrote it as argument i, unless another call writes it first.
func (ix *index) nulRead(f *function, c *callNote, fp pysrc.Datum, b pysrc.Datum, i int) {
	if !charElems[b.Key] {
		return
	}
	for _, u := range f.usesOf(b) {
		if u.loc.Span.Start < c.loc.Span.End {
			continue
		}
		if u.kind == useHanded {
			return // a later call writes it again: that one is checked
		}
		if u.kind != useValue {
			continue
		}
		if !ix.binaryParam(fp, i) {
			return
		}
		sym := fp.Key
		msg := fmt.Sprintf("%s writes binary data into %s, but %s stops at the first NUL byte: the output is truncated; read %s.raw[:n] with the length the function returns, or bytes(%s)",
			sym, u.name, ix.text(u.loc), u.name, u.name)
		ix.report(analyzers.Finding{RuleID: ruleNulRead, Message: msg,
			Related: []analyzers.Location{ix.loc(c.loc, sym+" writes the buffer")},
			Flow: []analyzers.Step{
				{Location: ix.loc(c.loc, sym+" writes into "+u.name)},
				{Location: ix.loc(u.loc, "read up to the first NUL")},
			}}, u.loc)
		return
	}
}

// binaryParam reports whether parameter i of fp takes binary data.
func (ix *index) binaryParam(fp pysrc.Datum, i int) bool {
	t, fromProto, ok := ix.paramType(fp, i)
	return ok && (t.binary() || fromProto && t.kind == kindPtr && t.pointee == pointeeVoid)
}

// paramType returns the type of parameter i of fp: its C prototype's
// (fromProto), else its argtypes'; ok is false when neither says.
func (ix *index) paramType(fp pysrc.Datum, i int) (t ctype, fromProto, ok bool) {
	if p := ix.protos[fp.Key]; p != nil && i < len(p.params) {
		return ix.ctypeOf(p.params[i]), true, true
	}
	if types, _, known := ix.argtypes(fpKey(fp)); known && i < len(types) {
		return types[i], false, true
	}
	return ctype{}, false, false
}

// stringAt reports string_at(ptr) without a size on a pointer a foreign
// function returned binary data through.
func (ix *index) stringAt(c *callNote) {
	for _, d := range c.args[0].data {
		if d.Kind != objResult {
			continue
		}
		p := ix.protos[d.Key]
		if p == nil || !ix.ctypeOf(p.ret).binary() {
			continue
		}
		msg := fmt.Sprintf("%s without a size reads what %s returned up to the first NUL byte: binary data is cut short, and data without a NUL is over-read; pass the length (string_at(ptr, n))",
			ix.text(c.loc), d.Key)
		ix.report(analyzers.Finding{RuleID: ruleNulRead, Message: msg,
			Related: []analyzers.Location{ix.loc(d.Origin, d.Key+" returns the pointer")}}, c.loc)
		return
	}
}
