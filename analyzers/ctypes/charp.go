package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// charPResults reports restype = c_char_p on functions that return binary
// data: the C prototype returns unsigned char or uint8_t *, or, without a
// prototype naming the pointee, the function takes data and a length
// (argtypes: a pointer, then a size) and a call returns or sends its
// result. ctypes copies the result up to the first NUL byte: binary data
// is cut short, data with no NUL is over-read, and the pointer is lost, so
// the library can never free it. A no-argument getter of a message
// string is fine.
func (r *reporter) charPResults() {
	for _, key := range sortedKeys(r.ix.bindings) {
		rt, ok := r.ix.binding(key, "restype")
		if !ok || len(rt.Values) < 3 || decodeType(rt.Values[2]).text != "c_char_p" {
			continue
		}
		p := r.ix.protos[rt.Key]
		var ret ctype
		if p != nil {
			ret = r.ix.ctypeOf(p.ret)
		}
		switch {
		case ret.binary():
			r.report(analyzers.Finding{RuleID: ruleCharP,
				Related: []analyzers.Location{withMessage(p.loc, "the C prototype")},
				Message: fmt.Sprintf("%s returns %s (binary data, C prototype %s), but its restype is c_char_p: ctypes copies the result only up to the first NUL byte, reads past the end when there is none, and drops the pointer so the block is never freed; use restype = c_void_p, then ctypes.string_at(ptr, n) and the library's free function",
					rt.Key, ret.text, p.signature())}, rt)
		case ret.kind == kindPtr && ret.pointee != pointeeVoid:
			// a C string, or a pointer to something else; void * may be
			// either, and is decided like a function without prototype
		case r.takesData(key):
			if call, ok := r.escapingCall(key); ok {
				r.report(analyzers.Finding{RuleID: ruleCharP,
					Related: []analyzers.Location{withMessage(call.Location, "the result is returned or sent here")},
					Message: fmt.Sprintf("%s takes a data buffer and its length and its result is returned or sent, but its restype is c_char_p: binary output is cut at the first NUL byte (or over-read when there is none), and the pointer is dropped so the block is never freed; use restype = c_void_p, then ctypes.string_at(ptr, n) and the library's free function",
						rt.Key)}, rt)
			}
		}
	}
}

// takesData reports whether a function pointer takes binary data with its
// length: argtypes have a pointer followed by a size (c_size_t,
// c_ssize_t, or an integer to which a call passes len(...) or sizeof(...)).
func (r *reporter) takesData(key string) bool {
	types, _, ok := r.ix.argtypes(key)
	if !ok {
		return false
	}
	for k := 0; k+1 < len(types); k++ {
		if types[k].kind == kindPtr && types[k+1].kind == kindInt && (sizeTypes[types[k+1].text] || r.passesSize(key, k+1)) {
			return true
		}
	}
	return false
}

// passesSize reports whether a call of the function pointer passes a size
// (len, sizeof) as argument k.
func (r *reporter) passesSize(key string, k int) bool {
	for _, c := range r.ix.byFP[key] {
		if 3+k < len(c.Values) && strings.HasPrefix(c.Values[3+k], "size\t") {
			return true
		}
	}
	return false
}

// escapingCall returns a call of the function pointer whose result is
// returned or sent.
func (r *reporter) escapingCall(key string) (analyzers.Fact, bool) {
	for _, c := range r.ix.byFP[key] {
		if len(c.Values) > 2 && strings.Contains(c.Values[2], "e") {
			return c, true
		}
	}
	return analyzers.Fact{}, false
}
