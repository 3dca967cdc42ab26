package ctypes

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// checkLengths checks, for every buffer argument of a foreign call, every
// integer argument that may be its length. Which argument is the length
// is decided in Finish: the parameter the C prototype names as the
// buffer's length, else the argument right after the buffer.
func (a *analysis) checkLengths(s *scope, call *source.Node, fp foreign) {
	args := positional(call)
	if splatted(call) {
		return
	}
	for i, arg := range args {
		inner, offset, _ := s.unwrap(arg)
		buf := s.bufferAt(inner, 0)
		if buf == nil {
			continue
		}
		for j, l := range args {
			// a prototype may name any argument as the length; beyond a
			// few arguments only the next one is checked (the pairs grow
			// quadratically)
			if j != i && (len(args) <= maxPairedArgs || j == i+1) && s.intLike(l, 0) {
				a.lengthPair(s, call, fp, buf, inner, offset, i, j, l)
			}
		}
	}
}

// maxPairedArgs is the most arguments a call may have for every pair of
// them to be checked.
const maxPairedArgs = 16

// checkFixed checks memmove, memset and string_at, whose buffer and
// length positions are fixed: pairs of (buffer, length) indexes.
func (a *analysis) checkFixed(s *scope, call *source.Node, pairs [][2]int) {
	args := positional(call)
	if splatted(call) {
		return
	}
	name := a.ctypesName(call.ChildByFieldName("function"))
	for _, p := range pairs {
		if p[1] >= len(args) {
			continue
		}
		inner, offset, _ := s.unwrap(args[p[0]])
		if buf := s.bufferAt(inner, 0); buf != nil {
			a.lengthPair(s, call, foreign{sym: name}, buf, inner, offset, p[0], p[1], args[p[1]])
		}
	}
}

// lengthPair reports length argument l (index j) of a call when it is
// not provably within the size of buf (passed as index i, as expression
// ref, offset bytes in for byref(buf, offset)).
func (a *analysis) lengthPair(s *scope, call *source.Node, fp foreign, buf *buffer, ref, offset *source.Node, i, j int, l *source.Node) {
	z := newSizer(s, call.StartByte())
	size := z.bytes(buf, 0)
	length := z.eval(l, 0)
	z.addGuards(call)
	if offset != nil {
		off := z.eval(offset, 0)
		if size.op != 0 || off.op != 0 {
			return
		}
		size = linear(size.lin.add(off.lin, -1))
	}
	data := map[string]string{dataLib: fp.lib, dataSymbol: fp.sym, dataBuffer: strconv.Itoa(i), dataLength: strconv.Itoa(j)}
	if fp.lib == "" {
		data[dataFixed] = "1"
	}
	callee := fp.sym
	where := fmt.Sprintf("%s (a buffer of %s)", a.text(ref), a.describeSize(z, buf))
	var msg string
	v := z.compare(length, size)
	switch {
	case buf.elem == "c_wchar" && a.sizeofOf(s, l, buf):
		data[dataUnits] = "1"
		msg = fmt.Sprintf("%s is given %s as the length of %s: that counts bytes (sizeof(wchar_t) per character: 4 on Linux, 2 on Windows), while a wchar_t buffer's length is counted in characters, so the callee may write past its end; pass len(%s)",
			callee, a.text(l), where, a.text(ref))
	case v.kind != 'x':
		return
	case v.input != "":
		msg = fmt.Sprintf("%s is given %s as the length of %s, and nothing bounds %s by that size: with a longer input %s",
			callee, a.text(l), where, v.input, overrun(callee))
	default:
		msg = fmt.Sprintf("%s is given %s as the length of %s: %s more than it holds, so %s", callee, a.text(l), where, plural(v.over, "byte"), overrun(callee))
	}
	rule := ruleLength
	fd := analyzers.Finding{RuleID: rule, Message: msg, Location: a.pass.Location(call, ""), Data: data,
		Related: []analyzers.Location{a.pass.Location(buf.alloc, "the buffer is allocated here")},
		Flow: []analyzers.Step{
			{Location: a.pass.Location(buf.alloc, fmt.Sprintf("%s is allocated", a.text(ref)))},
			{Location: a.pass.Location(l, fmt.Sprintf("%s is passed as its length", a.text(l)))},
		},
	}
	if offset == nil && data[dataUnits] == "" && (ref.Type() == "identifier" || ref.Type() == "attribute") {
		fd.Fix = &analyzers.Fix{Description: "Pass the buffer's size",
			Replacements: []analyzers.Replacement{{Location: a.pass.Location(l, ""), Text: a.sizeofSpelling() + "(" + a.text(ref) + ")"}}}
	}
	a.pass.Report(fd)
}

// overrun says what a length past the buffer's end makes the callee do.
func overrun(callee string) string {
	if callee == "string_at" {
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

// sizeofOf reports whether l is sizeof of the buffer buf.
func (a *analysis) sizeofOf(s *scope, l *source.Node, buf *buffer) bool {
	if l.Type() != "call" || a.calleeName(l) != "sizeof" {
		return false
	}
	args := positional(l)
	if len(args) != 1 {
		return false
	}
	other := s.bufferAt(args[0], 0)
	return other != nil && other.stmt == buf.stmt
}

// describeSize renders a buffer's size: "64 bytes", "SIZE (64) bytes",
// "16 characters (64 bytes)", "len(data)+1 bytes".
func (a *analysis) describeSize(z *sizer, buf *buffer) string {
	count := z.count(buf, 0)
	unit := "bytes"
	if buf.elem == "c_wchar" {
		unit = "characters"
	} else if buf.elemSize != 1 {
		unit = buf.elem + " elements"
	}
	text := ""
	switch {
	case count.op == 0 && count.lin.isConst():
		text = strconv.FormatInt(count.lin.c, 10)
		if buf.count != nil && buf.count.Type() == "identifier" {
			text = a.text(buf.count) + " (" + text + ")"
		}
	case buf.count != nil:
		text = a.text(buf.count)
	default:
		text = "len(" + a.text(buf.init) + ")+1"
	}
	if buf.elemSize != 1 && count.op == 0 && count.lin.isConst() {
		return fmt.Sprintf("%s %s, %d bytes", text, unit, count.lin.c*buf.elemSize)
	}
	return text + " " + unit
}

// sizeofSpelling is how the file spells ctypes.sizeof.
func (a *analysis) sizeofSpelling() string {
	if path, ok := a.imports["sizeof"]; ok && path == "ctypes.sizeof" || a.star {
		return "sizeof"
	}
	if a.imports["ctypes"] == "ctypes" {
		return "ctypes.sizeof"
	}
	var aliases []string
	for name, path := range a.imports {
		if path == "ctypes" {
			aliases = append(aliases, name)
		}
	}
	if len(aliases) == 0 {
		return "ctypes.sizeof"
	}
	sort.Strings(aliases)
	return aliases[0] + ".sizeof"
}
