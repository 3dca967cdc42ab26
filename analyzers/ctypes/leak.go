package ctypes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
)

// charPLeak reports restype = c_char_p on a function whose C definition
// returns memory the caller must free: its definition returns what it
// allocated, or it returns a (non-const) char * and the library exports
// a free function for such strings. ctypes copies the string into bytes
// and drops the pointer, so every call leaks the block.
func (ix *index) charPLeak(rt *binding, p *proto) {
	ret := ix.ctypeOf(p.ret)
	if ret.pointee != pointeeChar || p.ret.stars != 1 || strings.HasPrefix(p.ret.base, "const ") {
		return
	}
	var related []analyzers.Location
	why := ""
	if ix.repo != nil {
		if loc, ok := ix.repo.ReturnsAllocated(p.name); ok {
			related = append(related, loc)
			why = "its definition returns memory it allocated"
		}
	}
	if why == "" {
		free := ix.freeFunction(p)
		if free == nil {
			return
		}
		related = append(related, withMessage(free.loc, "the library's free function"))
		why = fmt.Sprintf("the library frees such strings with %s", free.signature())
	}
	related = append(related, withMessage(p.loc, "the C prototype"))
	ix.report(analyzers.Finding{RuleID: ruleLeak, Related: related,
		Message: fmt.Sprintf("%s returns a string the caller must free (%s), but its restype is c_char_p: ctypes copies it into bytes and drops the pointer, so every call leaks it; use restype = c_void_p, read it with ctypes.string_at(ptr), then free it",
			p.name, why)}, rt.loc)
}

// freeFunction returns a prototype of the library of p (its name's
// prefix, up to the first underscore) that frees a string: its name says
// free and it takes one char * or void *.
func (ix *index) freeFunction(p *proto) *proto {
	prefix, _, ok := strings.Cut(p.name, "_")
	if !ok || prefix == "" {
		return nil
	}
	names := make([]string, 0, len(ix.protos))
	for name := range ix.protos {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		q := ix.protos[name]
		if q == nil || q == p || !strings.HasPrefix(name, prefix+"_") || !strings.Contains(strings.ToLower(name), "free") || len(q.params) != 1 {
			continue
		}
		if t := ix.ctypeOf(q.params[0]); t.kind == kindPtr && (t.pointee == pointeeChar || t.pointee == pointeeVoid) && q.params[0].stars == 1 {
			return q
		}
	}
	return nil
}
