package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// resultsAsPointers reports foreign functions without a restype whose
// result is a pointer: ctypes reads it as a C int, which cuts a 64-bit
// pointer to its low 32 bits. With a C prototype in the repository that
// returns a pointer (or a 64-bit or floating-point value), any call that
// uses the result is wrong; without one, a call whose int result is
// passed back to a foreign call or wrapped in c_void_p, c_char_p or cast
// shows it is one.
func (ix *index) resultsAsPointers() {
	uses := ix.pointerUses()
	for _, key := range sortedKeys(ix.byFP) {
		calls := ix.byFP[key]
		var fp pysrc.Datum
		for _, d := range calls[0].fps {
			if fpKey(d) == key {
				fp = d
			}
		}
		if ix.mayBeBound(fp, key) {
			continue
		}
		if _, has := ix.binding(key, "restype"); has {
			continue
		}
		if _, has := ix.binding(key, "errcheck"); has {
			continue
		}
		if p := ix.protos[fp.Key]; p != nil {
			ix.missingRestype(fp, key, p, calls)
			continue
		}
		for _, u := range uses[key] {
			ix.usedAsPointer(fp, u)
		}
	}
}

// A pointerUse is a foreign call's result used as a pointer: what uses
// it, and the argument.
type pointerUse struct {
	use    string
	result pysrc.Datum
	arg    pysrc.Loc
}

// pointerUses returns, for each foreign function, the calls that use its
// result as a pointer: pass it to a foreign function, or wrap it in
// c_void_p, c_char_p, c_wchar_p or cast. Each is a finding of its own, so
// that a scan of any one file reports the calls it makes.
func (ix *index) pointerUses() map[string][]pointerUse {
	out := map[string][]pointerUse{}
	seen := ix.integerResults()
	for _, id := range ix.order {
		for _, c := range ix.fns[id].calls {
			use := ""
			switch {
			case len(c.fps) > 0:
				use = "passed to " + c.fps[0].Key
			case c.builtin == "c_void_p" || c.builtin == "c_char_p" || c.builtin == "c_wchar_p" || c.builtin == "cast":
				use = "wrapped in " + c.builtin
			default:
				continue
			}
			for i, a := range c.args {
				if len(c.fps) > 0 && a.keyword == "" && ix.narrowIntParam(c.fps[0], i) {
					continue // an int passed as one, whatever it was
				}
				counts := textCounts(a.data)
				if len(c.fps) > 0 && !ix.pointerParam(c.fps[0], i) && integerName(ix.text(a.loc)) {
					continue // a count, a descriptor or an id, by its name
				}
				for _, d := range a.data {
					key := d.Name + "#" + d.Key
					if counts[resultAt(d)] || len(c.fps) > 0 && len(c.args) == 1 && setterOf(d.Key, c.fps[0].Key) && ix.noArgs(d) {
						// GetConsoleOutputCP() handed back to
						// SetConsoleOutputCP: a value saved and restored
						continue
					}
					if d.Kind == objResult && !seen[resultAt(d)] {
						seen[resultAt(d)] = true
						out[key] = append(out[key], pointerUse{use, d, a.loc})
					}
				}
			}
		}
	}
	return out
}

// integerResults returns the foreign calls' results the program itself
// makes an integer, c_uint32(window): no pointer, wherever else they go.
func (ix *index) integerResults() map[resultKey]bool {
	out := map[resultKey]bool{}
	for _, id := range ix.order {
		for _, c := range ix.fns[id].calls {
			if t, ok := cTypes[c.builtin]; !ok || t.kind != kindInt {
				continue
			}
			for _, a := range c.args {
				for _, d := range a.data {
					if d.Kind == objResult {
						out[resultAt(d)] = true
					}
				}
			}
		}
	}
	return out
}

// pointerParam reports whether fp's argtypes declare parameter i a
// pointer.
func (ix *index) pointerParam(fp pysrc.Datum, i int) bool {
	t, _, ok := ix.paramType(fp, i)
	return ok && (t.kind == kindPtr || t.kind == kindAddr)
}

// integerName reports whether an argument's text names an integer: a
// count or a size (intLike), a file descriptor or an id.
func integerName(text string) bool {
	if !identifier.MatchString(text) {
		return false
	}
	lower := strings.ToLower(text[strings.LastIndexByte(text, '.')+1:])
	return intLike(nil, text) && !constantName.MatchString(text) || lower == "fd" || strings.HasSuffix(lower, "_fd") ||
		lower == "id" || strings.HasSuffix(lower, "_id") || lower == "pid"
}

// noArgs reports whether the foreign call whose result d is took no
// argument: a getter of the process's state (GetConsoleOutputCP()), not
// of an object's (get_userdata(obj), a pointer).
func (ix *index) noArgs(d pysrc.Datum) bool {
	for _, c := range ix.byFP[d.Name+"#"+d.Key] {
		if c.loc == d.Origin {
			return len(c.args) == 0
		}
	}
	return false
}

// setterOf reports whether setter is the function that sets what getter
// gets: Get and Set (get_ and set_) before the same name.
func setterOf(getter, setter string) bool {
	for _, p := range [][2]string{{"Get", "Set"}, {"get_", "set_"}, {"get", "set"}} {
		if rest, ok := strings.CutPrefix(getter, p[0]); ok && rest != "" && setter == p[1]+rest {
			return true
		}
	}
	return false
}

// narrowIntParam reports whether parameter i of fp is an integer of 4
// bytes or fewer, by its C prototype or its argtypes: an int result
// passed there is an int, not a pointer.
func (ix *index) narrowIntParam(fp pysrc.Datum, i int) bool {
	t, _, ok := ix.paramType(fp, i)
	return ok && t.kind == kindInt && t.width > 0 && t.width <= 4
}

// A resultKey tells a foreign call's result apart: the function and the
// call.
type resultKey struct {
	fn, key string
	at      pysrc.Loc
}

func resultAt(d pysrc.Datum) resultKey { return resultKey{d.Name, d.Key, d.Origin} }

// textCounts returns the foreign calls' results among the operands of
// the text operations a value may be (b"\0" * n + msg): there, an int is
// a count or a length, not the value passed; the same result the value
// may also be on its own (p or b"\0" * 4) is not among them.
func textCounts(ds []pysrc.Datum) map[resultKey]bool {
	var out map[resultKey]bool
	var operands func(ds []pysrc.Datum, depth int)
	operands = func(ds []pysrc.Datum, depth int) {
		for _, d := range ds {
			if d.Tag == pysrc.TagExpr && depth <= maxDepth {
				for _, it := range d.Items {
					operands(it, depth+1)
				}
			} else if d.Kind == objResult {
				if out == nil {
					out = map[resultKey]bool{}
				}
				out[resultAt(d)] = true
			}
		}
	}
	for _, d := range ds {
		if d.Tag == pysrc.TagExpr && isText([]pysrc.Datum{d}) {
			for _, it := range d.Items {
				operands(it, 0)
			}
		}
	}
	return out
}

// missingRestype reports a foreign function with no restype whose C
// prototype returns a pointer or a value wider than an int that a call
// uses: at its argtypes (once, with the first call that uses the
// result), else at each call that uses it.
func (ix *index) missingRestype(fp pysrc.Datum, key string, p *proto, calls []*callNote) {
	ret := ix.ctypeOf(p.ret)
	if ret.kind != kindPtr && !(ret.kind == kindInt && ret.width > 4) && ret.kind != kindAddr && ret.kind != kindFloat {
		return
	}
	for _, c := range calls {
		if c.dropped {
			continue
		}
		related := []analyzers.Location{withMessage(p.loc, "the C prototype"), ix.loc(c.loc, "the result is used here")}
		if at, ok := ix.binding(key, "argtypes"); ok {
			ix.report(analyzers.Finding{RuleID: ruleRestype, Related: related,
				Message: fmt.Sprintf("%s has argtypes but no restype, so ctypes reads its %s result as a C int (4 bytes): set restype to match the C prototype %s",
					fp.Key, ret.describe(), p.signature())}, at.loc)
			return
		}
		ix.report(analyzers.Finding{RuleID: ruleRestype, Related: related[:1],
			Message: fmt.Sprintf("%s has no restype, so ctypes reads its %s result as a C int (4 bytes) and this call gets it cut%s: set restype (and argtypes) to match the C prototype %s",
				fp.Key, ret.describe(), truncation(ret), p.signature())}, c.loc)
	}
}

// truncation says what reading a return type as a C int does.
func truncation(ret ctype) string {
	if ret.kind == kindPtr || ret.kind == kindAddr {
		return " to its low 32 bits, a pointer no longer"
	}
	return ""
}

// usedAsPointer reports a call without a prototype that passes the int
// result of fp on as a pointer.
func (ix *index) usedAsPointer(fp pysrc.Datum, u pointerUse) {
	ix.report(analyzers.Finding{RuleID: ruleRestype,
		Related: []analyzers.Location{ix.loc(u.result.Origin, fp.Key+" is called here, without a restype")},
		Message: fmt.Sprintf("%s%s has no restype, so ctypes returns its result as a C int, cut to its low 32 bits on a 64-bit platform, and here it is %s as a pointer: set %s.restype = ctypes.c_void_p (or the pointer type it returns)",
			fp.Key, ix.ofLibrary(fp), u.use, fp.Key)}, u.arg)
}

// ofLibrary names where a foreign function's library was loaded, for
// messages: " (of the library loaded at api.py:10)".
func (ix *index) ofLibrary(fp pysrc.Datum) string {
	if !fp.Origin.Valid() {
		return ""
	}
	return fmt.Sprintf(" (of the library loaded at %s:%d)", fp.Origin.Path(), fp.Origin.Line())
}
