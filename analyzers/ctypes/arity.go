package ctypes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// callMismatches checks each foreign call against its function's
// bindings: the argument count against argtypes (or a prototype
// instance's paramflags), and size or address arguments passed with no
// argtypes at all.
func (ix *index) callMismatches() {
	for _, c := range ix.calls {
		for _, fp := range ix.candidates(c) {
			key := fpKey(fp)
			switch {
			case ix.declared(key):
				ix.arity(c, fp, key)
			case !ix.mayBeBound(fp, key):
				ix.missingArgtypes(c, fp, key)
			}
		}
	}
}

// candidates returns the foreign functions a call is checked against:
// all it may call when they are one symbol; when they are several (a
// table of bindings read back at a key, _funcs["SDL_Delay"](10)), the
// one the callee names, by its literal key or as its name (SDL_Delay =
// _funcs["SDL_Delay"]), else none: which row the call uses is not known.
func (ix *index) candidates(c *callNote) []pysrc.Datum {
	if c.callee == "" {
		return c.fps
	}
	callee := c.callee
	name := callee[strings.LastIndexByte(callee, '.')+1:]
	var out []pysrc.Datum
	for _, fp := range c.fps {
		if name == fp.Key || strings.Contains(callee, `"`+fp.Key+`"`) || strings.Contains(callee, `'`+fp.Key+`'`) {
			out = append(out, fp)
		}
	}
	return out
}

// declared reports whether the foreign function has argtypes (of any
// shape).
func (ix *index) declared(key string) bool {
	_, ok := ix.binding(key, "argtypes")
	return ok
}

// arity reports a call whose argument count differs from its argtypes:
// fewer raise TypeError; more are passed with the default conversions,
// which the C function does not expect (unless it is variadic).
func (ix *index) arity(c *callNote, fp pysrc.Datum, key string) {
	if c.splat || c.other {
		// Its count is unknown, or it may be a C extension's
		// function of the same name, which takes its own.
		return
	}
	n := len(c.args)
	types, at, ok := ix.argtypes(key)
	if !ok {
		return
	}
	lo, hi := len(types), len(types)
	declare := "its argtypes declare"
	if pf, has := ix.binding(key, "paramflags"); has {
		if !pf.known {
			return
		}
		lo, hi = pf.lo, pf.hi
		declare = "its paramflags take"
	}
	related := []analyzers.Location{ix.loc(at.loc, "argtypes")}
	switch {
	case n < lo:
		ix.report(analyzers.Finding{RuleID: ruleArity, Related: related,
			Message: fmt.Sprintf("%s is called with %s, but %s %d: ctypes raises TypeError on this call", fp.Key, arguments(n), declare, lo)}, c.loc)
	case n > hi:
		if p := ix.protos[fp.Key]; p != nil && p.variadic || p == nil && isNone(c.args[n-1].data) {
			// variadic: by the prototype, or a list ended by NULL
			return
		}
		ix.report(analyzers.Finding{RuleID: ruleArity, Related: related,
			Message: fmt.Sprintf("%s is called with %s, but %s %d: ctypes passes the extra ones unchecked, with default conversions, and the C function ignores them or reads them as something else", fp.Key, arguments(n), declare, hi)}, c.loc)
	}
}

// missingArgtypes reports a foreign call with no argtypes that passes a
// size (len, sizeof) or an address (addressof): without argtypes ctypes
// converts a Python int to a C int, so a value that needs more than 32
// bits (a size over 2 GiB, an address on a 64-bit heap) raises
// ArgumentError or reaches a size_t or pointer parameter wrong. With a C
// prototype, only the arguments whose parameter is wider than an int (or
// a pointer) count, and so do constants that need more than 32 bits.
func (ix *index) missingArgtypes(c *callNote, fp pysrc.Datum, key string) {
	p := ix.protos[fp.Key]
	var bad []string
	for k, a := range c.args {
		if w, ok := scalarWidth(a.data); ok {
			// c_size_t(n) is passed as a size_t; c_int(n) as a C int,
			// which a wider parameter of the prototype does not take.
			text := strings.Join(strings.Fields(ix.text(a.loc)), " ")
			switch {
			case w >= 8:
			case p != nil && k < len(p.params):
				if t := ix.ctypeOf(p.params[k]); t.kind == kindPtr || t.kind == kindAddr || t.kind == kindInt && t.width > w {
					bad = append(bad, fmt.Sprintf("%s (for %s %s)", text, t.text, p.params[k].name))
				}
			case p == nil && slices.ContainsFunc(a.data, func(d pysrc.Datum) bool { return argClass(d.Items[1]) == "addr" }):
				bad = append(bad, text) // c_int(addressof(buf))
			}
			continue
		}
		class := argClass(a.data)
		switch {
		case class == "other" && ix.sizesABuffer(c, k):
			class = "size"
		case class == "size" && p == nil && ix.countsElements(c, k):
			class = "other"
		}
		text := strings.Join(strings.Fields(ix.text(a.loc)), " ")
		if p == nil {
			// The Windows API takes sizes as 32-bit DWORDs.
			if class == "addr" || class == "size" && !windowsAPI(fp.Name) {
				bad = append(bad, text)
			}
			continue
		}
		if k >= len(p.params) || class == "other" {
			continue
		}
		if t := ix.ctypeOf(p.params[k]); t.kind == kindPtr || t.kind == kindAddr || t.kind == kindInt && t.width > 4 {
			bad = append(bad, fmt.Sprintf("%s (for %s %s)", text, t.text, p.params[k].name))
		}
	}
	if len(bad) == 0 {
		return
	}
	msg := fmt.Sprintf("%s is called without argtypes, so %s %s passed as C int (4 bytes) and only the low 32 bits arrive", fp.Key, joinAnd(bad), isAre(len(bad)))
	var related []analyzers.Location
	if p != nil {
		msg += fmt.Sprintf(", where the C prototype %s takes wider values", p.signature())
		related = append(related, withMessage(p.loc, "the C prototype"))
	} else {
		msg += ": a size over 2 GiB or an address on a 64-bit heap reaches a size_t or pointer parameter wrong"
	}
	if other := ix.otherHandle(fp, key); other != nil {
		msg += fmt.Sprintf("; argtypes are set on %s through another library object, and each CDLL(...) call, cdll.LoadLibrary(...) call or lib[\"name\"] lookup yields its own function pointer", fp.Key)
		related = append(related, ix.loc(other.loc, "argtypes set on another handle"))
	}
	msg += "; declare argtypes (and restype) for it"
	ix.report(analyzers.Finding{RuleID: ruleMissing, Message: msg, Related: related}, c.loc)
}

// otherHandle returns an argtypes binding of the same symbol on another
// foreign function, or nil.
func (ix *index) otherHandle(fp pysrc.Datum, key string) *binding {
	for _, b := range ix.bySymbol[fp.Key] {
		if fpKey(b.fp) != key {
			return b
		}
	}
	return nil
}

// joinAnd joins "a", "b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// sizesABuffer reports whether argument k of c is the count or the size
// of a buffer the call also passes: n of create_string_buffer(n), given
// with the buffer (randombytes_buf(buf, n)), a size as len(...) is.
func (ix *index) sizesABuffer(c *callNote, k int) bool {
	return ix.bufferBeside(c, k, func(z *sizer, buf pysrc.Datum, n bound) bool {
		return multiple(z.count(buf, 0), n, 1) || multiple(z.bytes(buf, 0), n, 1)
	})
}

// bufferBeside reports whether, when argument k of a call is no
// constant, another argument passes a buffer that match accepts with the
// sizer that measures it and argument k's value n.
func (ix *index) bufferBeside(c *callNote, k int, match func(z *sizer, buf pysrc.Datum, n bound) bool) bool {
	z := ix.newSizer()
	n := z.eval(c.args[k].data, 0)
	if n.op != 0 || n.lin.isConst() {
		return false
	}
	for j, a := range c.args {
		if j == k {
			continue
		}
		for _, d := range a.data {
			if d.Tag == pysrc.TagObject && d.Kind == objBuffer && match(z, d, n) {
				return true
			}
		}
	}
	return false
}

// multiple reports whether size b is k times n.
func multiple(b, n bound, k int64) bool {
	d := b.lin.add(n.lin, -k)
	return b.op == 0 && d.isConst() && d.c == 0
}

// countsElements reports whether argument k of a call is the count of
// the elements, of 4 bytes or more, of an array another argument passes
// ((c_char_p * len(args))(*args) beside len(args), an argc): no size of
// bytes, and never past 2**31 (8 GiB of them); 2-byte elements' may be.
func (ix *index) countsElements(c *callNote, k int) bool {
	return ix.bufferBeside(c, k, func(z *sizer, buf pysrc.Datum, n bound) bool {
		if !multiple(z.count(buf, 0), n, 1) {
			return false
		}
		bytes := z.bytes(buf, 0)
		return multiple(bytes, n, 4) || multiple(bytes, n, 8) || multiple(bytes, n, 16)
	})
}

// arguments renders a count of arguments: "1 argument", "3 arguments".
func arguments(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return fmt.Sprintf("%d arguments", n)
}
