package ctypes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/pysrc"
)

// checkLengths checks, for every buffer argument of a foreign call, the
// argument that is its length: the parameter the C prototype names as the
// buffer's length, else the argument right after the buffer. memmove,
// memset and string_at have theirs at fixed places.
func (ix *index) checkLengths(f *function) {
	for _, c := range f.calls {
		if c.splat {
			continue
		}
		switch {
		case len(c.fps) > 0:
			for _, fp := range c.fps {
				ix.foreignLengths(f, c, fp)
			}
		case c.builtin == "memmove":
			ix.fixedLengths(f, c, [][2]int{{0, 2}, {1, 2}})
		case c.builtin == "memset":
			ix.fixedLengths(f, c, [][2]int{{0, 2}})
		case c.builtin == "string_at" || c.builtin == "wstring_at":
			ix.fixedLengths(f, c, [][2]int{{0, 1}})
		}
	}
}

// foreignLengths checks the buffers of a call of fp.
func (ix *index) foreignLengths(f *function, c *callNote, fp pysrc.Datum) {
	p := ix.protos[fp.Key]
	for i, a := range c.args {
		refs := bufferRefs(a.data)
		if len(refs) == 0 {
			continue
		}
		if t, _, ok := ix.paramType(fp, i); p == nil && ok && t.kind == kindStruct {
			// A structure passed by value: the callee writes a copy,
			// and no argument is its length.
			continue
		}
		j := i + 1
		if p != nil && i < len(p.params) && len(c.args) <= len(p.params) {
			j = lengthParam(p, i)
		}
		if j < 0 || j >= len(c.args) || bufferRefs(c.args[j].data) != nil {
			continue
		}
		for _, r := range refs {
			if p == nil && r.buf.Kind == objStruct && !ix.sizeParam(fp, j) && notALength(ix.text(c.args[j].loc)) {
				// Without a prototype, the integer after a structure
				// is its length unless it reads as none: a constant
				// beyond any structure's size (a colour, 0xff00ff00)
				// or a named constant (an item type, PAM_XDISPLAY),
				// where argtypes do not make it a size.
				continue
			}
			ix.lengthPair(f, c, fp.Key, p, r, i, j)
		}
	}
}

// notALength reports whether an argument's text reads as no length: an
// integer literal of 16 MiB or more, or a constant's name that says
// nothing of a size (PAM_XDISPLAY, not BUF_SIZE or MAXLEN).
func notALength(text string) bool {
	if v, err := strconv.ParseInt(strings.ReplaceAll(text, "_", ""), 0, 64); err == nil {
		return v >= 1<<24
	}
	if !constantName.MatchString(text) {
		return false
	}
	for _, w := range []string{"SIZE", "LEN", "MAX", "COUNT", "BYTES", "CAP", "NUM"} {
		if strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// sizeParam reports whether fp's argtypes declare parameter j a size
// (c_size_t, c_ssize_t).
func (ix *index) sizeParam(fp pysrc.Datum, j int) bool {
	t, _, ok := ix.paramType(fp, j)
	return ok && strings.HasSuffix(t.text, "size_t")
}

// fixedLengths checks memmove, memset and string_at: pairs of (buffer,
// length) argument indexes.
func (ix *index) fixedLengths(f *function, c *callNote, pairs [][2]int) {
	for _, pr := range pairs {
		if pr[1] >= len(c.args) {
			continue
		}
		for _, r := range bufferRefs(c.args[pr[0]].data) {
			ix.lengthPair(f, c, c.builtin, nil, r, pr[0], pr[1])
		}
	}
}

// A bufRef is a buffer as an argument passes it: directly, or through a
// reference (byref's offset bytes in).
type bufRef struct {
	buf    pysrc.Datum
	offset []pysrc.Datum
	// name names the buffer inside a reference ("" when it does not).
	name  string
	byRef bool
}

// bufferRefs returns the buffers an argument passes with a length: not an
// instance of a scalar type, an output parameter of its own (by
// reference) or a value (as is).
func bufferRefs(ds []pysrc.Datum) []bufRef {
	var out []bufRef
	for _, d := range ds {
		switch {
		case d.Kind == objBuffer && strings.HasPrefix(d.Key, scalarPrefix):
		case d.Kind == objBuffer || d.Kind == objStruct:
			out = append(out, bufRef{buf: d})
		case d.Kind == objRef && len(d.Items) == 2:
			for _, b := range d.Items[0] {
				if (b.Kind == objBuffer || b.Kind == objStruct) && !strings.HasPrefix(b.Key, scalarPrefix) {
					out = append(out, bufRef{buf: b, offset: d.Items[1], name: d.Name, byRef: true})
				}
			}
		}
	}
	return out
}

// lengthPair reports argument j of a call when it is not provably within
// the size of the buffer r passed as argument i. A wide buffer given its
// size in bytes is reported when the prototype takes a wchar_t *, or,
// without one, when the length comes right after it.
func (ix *index) lengthPair(f *function, c *callNote, callee string, p *proto, r bufRef, i, j int) {
	arg := c.args[j]
	if !intLike(arg.data, ix.text(arg.loc)) || madeElsewhere(arg) {
		return
	}
	z := ix.newSizer()
	size := z.bytes(r.buf, 0)
	unit := "byte"
	if ix.countsCharacters(p, callee, r, i) && !measuresBytes(arg.data, r.buf, 0) {
		// A wide function counts a wchar_t buffer in characters.
		size, unit = z.count(r.buf, 0), "character"
	}
	length := z.eval(arg.data, 0)
	z.addGuards(f, c.loc)
	if len(r.offset) > 0 {
		off := z.eval(r.offset, 0)
		if size.op != 0 || off.op != 0 {
			return
		}
		size = linear(size.lin.add(off.lin, -1))
	}
	refText := ix.text(c.args[i].loc)
	if r.byRef {
		refText = r.byRefName(refText)
	}
	where := fmt.Sprintf("%s (a buffer of %s)", refText, ix.describeSize(z, r.buf))
	if unit == "character" {
		where = fmt.Sprintf("%s (a buffer of %s characters)", refText, ix.describeCount(z, r.buf))
	}
	lengthText := ix.text(arg.loc)
	var msg string
	units := false
	v := z.compare(length, size)
	switch {
	case r.buf.Key == "c_wchar" && sizeofOf(arg.data, r.buf):
		if p != nil && i < len(p.params) && ix.ctypeOf(p.params[i]).pointee != pointeeWide {
			return
		}
		units = true
		msg = fmt.Sprintf("%s is given %s as the length of %s: that counts bytes (sizeof(wchar_t) per character: 4 on Linux, 2 on Windows), while a wchar_t buffer's length is counted in characters, so the callee may write past its end; pass len(%s)",
			callee, lengthText, where, refText)
	case v.kind != 'x', len(r.offset) == 0 && sizeofOf(arg.data, r.buf):
		// sizeof of the very allocation is its size, whichever type a
		// name bound in two branches made it (HDR = HDR64 or HDR32).
		return
	case v.input != "":
		msg = fmt.Sprintf("%s is given %s as the length of %s, and nothing bounds %s by that size: with a longer input %s",
			callee, lengthText, where, v.input, overrun(callee))
	default:
		msg = fmt.Sprintf("%s is given %s as the length of %s: %s more than it holds, so %s", callee, lengthText, where, plural(v.over, unit), overrun(callee))
	}
	fd := analyzers.Finding{RuleID: ruleLength, Message: msg,
		Related: []analyzers.Location{ix.loc(r.buf.Origin, "the buffer is allocated here")},
		Flow: []analyzers.Step{
			{Location: ix.loc(r.buf.Origin, fmt.Sprintf("%s is allocated", refText))},
			{Location: ix.loc(arg.loc, fmt.Sprintf("%s is passed as its length", lengthText))},
		},
	}
	if len(r.offset) == 0 && !units && identifier.MatchString(refText) && f.note != nil {
		fd.Fix = &analyzers.Fix{Description: "Pass the buffer's size",
			Replacements: []analyzers.Replacement{{Location: ix.place(arg.loc), Text: f.note.sizeof + "(" + refText + ")"}}}
	}
	ix.report(fd, c.loc)
}

// measuresBytes reports whether a length is, or is computed from, the
// size in bytes of buffer b (sizeof(buf) - 1): a count of bytes, which
// a wide function without a prototype (SetupDiGetDeviceRegistryPropertyW)
// may take.
func measuresBytes(ds []pysrc.Datum, b pysrc.Datum, depth int) bool {
	if depth > maxDepth {
		return false
	}
	for _, d := range ds {
		if d.Tag != pysrc.TagExpr {
			continue
		}
		if sizeofOf([]pysrc.Datum{d}, b) {
			return true
		}
		for _, it := range d.Items {
			if measuresBytes(it, b, depth+1) {
				return true
			}
		}
	}
	return false
}

// madeElsewhere reports whether a length argument is a ctypes integer
// instance made before the call (n = c_size_t(4096)): its .value may
// have changed since (n.value = len(out), byref(n) to a size query), so
// only one made in the argument (c_size_t(64)) is read as its value.
func madeElsewhere(arg argNote) bool {
	for _, d := range arg.data {
		if _, ok := scalarInit(d); ok && (d.Origin.Path() != arg.loc.Path() || !spans(arg.loc.Span, d.Origin.Span)) {
			return true
		}
	}
	return false
}

// countsCharacters reports whether the length passed with wide buffer r,
// argument i, counts characters: the C prototype takes a wchar_t *
// there, or, without one, the function is a Windows API's wide form
// (GetWindowTextW). A byte offset (byref(buf, 8)) keeps bytes, and so,
// at the call, does a length computed from the buffer's size in bytes
// (measuresBytes).
func (ix *index) countsCharacters(p *proto, callee string, r bufRef, i int) bool {
	if r.buf.Key != "c_wchar" || len(r.offset) > 0 {
		return false
	}
	if p != nil {
		return i < len(p.params) && ix.ctypeOf(p.params[i]).pointee == pointeeWide
	}
	return strings.HasSuffix(callee, "W")
}

// byRefName returns the buffer's name inside a reference's text.
func (r bufRef) byRefName(text string) string {
	if r.name != "" {
		return r.name
	}
	if n := inner(text); n != text {
		if i := indexTopComma(n); i >= 0 {
			return n[:i]
		}
		return n
	}
	return text
}

// indexTopComma returns the index of the first comma outside brackets.
func indexTopComma(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// sizeofOf reports whether a length is sizeof of buffer b.
func sizeofOf(ds []pysrc.Datum, b pysrc.Datum) bool {
	if len(ds) == 0 || ds[0].Tag != pysrc.TagExpr || ds[0].Kind != "sizeof" || len(ds[0].Items) != 1 {
		return false
	}
	for _, d := range ds[0].Items[0] {
		if d.Origin == b.Origin {
			return true
		}
	}
	return false
}

// overrun says what a length past the buffer's end makes the callee do.
func overrun(callee string) string {
	if callee == "string_at" || callee == "wstring_at" {
		return "string_at reads past the end of the buffer"
	}
	return "the callee may write past the end of the buffer"
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}
