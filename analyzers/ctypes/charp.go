package ctypes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// charPResults reports restype = c_char_p on functions that return binary
// data: the C prototype returns unsigned char or uint8_t *, or, without a
// prototype naming the pointee, the function takes data and a length
// (argtypes: a pointer, then a size) and a call returns or sends its
// result, and no code decodes its result as text. ctypes copies the
// result up to the first NUL byte: binary data
// is cut short, data with no NUL is over-read, and the pointer is lost, so
// the library can never free it. A no-argument getter of a message string
// is fine. A C string the caller must free is leaked (charPLeaks).
func (ix *index) charPResults() {
	for _, key := range sortedKeys(ix.bindings) {
		rt, ok := ix.binding(key, "restype")
		if !ok || len(rt.types) == 0 || rt.types[0].text != "c_char_p" {
			continue
		}
		p := ix.protos[rt.fp.Key]
		var ret ctype
		if p != nil {
			ret = ix.ctypeOf(p.ret)
		}
		switch {
		case ret.binary():
			ix.report(analyzers.Finding{RuleID: ruleCharP,
				Related: []analyzers.Location{withMessage(p.loc, "the C prototype")},
				Message: fmt.Sprintf("%s returns %s (binary data, C prototype %s), but its restype is c_char_p: ctypes copies the result only up to the first NUL byte, reads past the end when there is none, and drops the pointer so the block is never freed; use restype = c_void_p, then ctypes.string_at(ptr, n) and the library's free function",
					rt.fp.Key, ret.text, p.signature())}, rt.loc)
		case ret.kind == kindPtr && ret.pointee != pointeeVoid:
			// a C string, or a pointer to something else; void * may be
			// either, and is decided like a function without prototype
			ix.charPLeak(rt, p)
		case ix.takesData(key) && !ix.textual[key]:
			if c := ix.escapingCall(key); c != nil {
				ix.report(analyzers.Finding{RuleID: ruleCharP,
					Related: []analyzers.Location{ix.loc(c.loc, "the result is returned or sent here")},
					Message: fmt.Sprintf("%s takes a data buffer and its length and its result is returned or sent, but its restype is c_char_p: binary output is cut at the first NUL byte (or over-read when there is none), and the pointer is dropped so the block is never freed; use restype = c_void_p, then ctypes.string_at(ptr, n) and the library's free function",
						rt.fp.Key)}, rt.loc)
			}
		}
	}
}

// takesData reports whether a foreign function takes binary data with
// its length: argtypes have a pointer followed by a size (c_size_t,
// c_ssize_t, or an integer to which a call passes len(...) or sizeof(...)).
func (ix *index) takesData(key string) bool {
	types, _, ok := ix.argtypes(key)
	if !ok {
		return false
	}
	for k := 0; k+1 < len(types); k++ {
		if types[k].kind == kindPtr && types[k+1].kind == kindInt && (sizeTypes[types[k+1].text] || ix.passesSize(key, k+1)) {
			return true
		}
	}
	return false
}

// passesSize reports whether a call of the foreign function passes a
// size (len, sizeof) as argument k.
func (ix *index) passesSize(key string, k int) bool {
	for _, c := range ix.byFP[key] {
		if k < len(c.args) && argClass(c.args[k].data) == "size" {
			return true
		}
	}
	return false
}

// escapingCall returns a call of the foreign function whose result the
// calling function returns or sends.
func (ix *index) escapingCall(key string) *callNote {
	for _, c := range ix.byFP[key] {
		f := ix.fns[c.fn]
		if f != nil && f.escaping()[escape{dataReturned, c.loc}] {
			return c
		}
	}
	return nil
}

// argClass classifies an argument for a call without argtypes: "addr"
// (addressof, a Python int holding a pointer), "size" (len, sizeof or
// arithmetic on them), "big" (an integer constant that needs more than
// 32 bits), or "other".
func argClass(ds []pysrc.Datum) string {
	return classOf(ds, 0)
}

// isText reports whether an operand is text: a string or bytes literal,
// or an operation on one, which + and * make text rather than a number.
func isText(ds []pysrc.Datum) bool {
	return textOf(ds, 0)
}

func textOf(ds []pysrc.Datum, depth int) bool {
	if len(ds) == 0 || depth > maxDepth {
		return false
	}
	d := ds[0]
	switch {
	case d.Tag == pysrc.TagConst:
		return d.Kind == "str"
	case d.Tag == pysrc.TagExpr && (d.Kind == "+" || d.Kind == "*" || d.Kind == "%"):
		return slices.ContainsFunc(d.Items, func(it []pysrc.Datum) bool { return textOf(it, depth+1) })
	}
	return false
}

// fixedLayout reports whether what sizeof measures has a layout of its
// own: a Structure or Union, an instance of one, or a ctypes scalar type
// (not a buffer, which may be as long as its allocation says).
func fixedLayout(ds []pysrc.Datum) bool {
	if len(ds) == 0 {
		return false
	}
	for _, d := range ds {
		switch {
		case d.Tag == pysrc.TagObject && d.Kind == objStruct:
		case d.Tag == pysrc.TagClass && (d.ClassKind() == objStruct || strings.HasPrefix(d.ClassKind(), typePrefix)):
		case d.Tag == pysrc.TagExt && classKind(d.Name) != "":
		default:
			return false
		}
	}
	return true
}

func classOf(ds []pysrc.Datum, depth int) string {
	if len(ds) == 0 || depth > maxDepth {
		return "other"
	}
	d := ds[0]
	switch {
	case d.Tag == pysrc.TagConst && d.Kind == "int":
		if v, ok := intValue(d); !ok || v >= 1<<31 {
			return "big"
		}
	case d.Kind == objRef && (d.Key == "addressof"):
		return "addr"
	case d.Tag == pysrc.TagExpr:
		switch d.Kind {
		case "sizeof":
			if len(d.Items) > 0 && fixedLayout(d.Items[0]) {
				return "other" // a structure's size fits a C int
			}
			return "size"
		case "len", "count":
			return "size"
		case "+", "-", "*", "//":
			// b"\x00" * (n - len(b)) + b is bytes, not a size.
			if slices.ContainsFunc(d.Items, isText) {
				return "other"
			}
			for _, it := range d.Items {
				if c := classOf(it, depth+1); c != "other" {
					return c
				}
			}
		}
	}
	return "other"
}
