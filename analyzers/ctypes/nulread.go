package ctypes

import (
	"fmt"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// checkNulReads reports `.value` read from a char buffer after a foreign
// call wrote into it. Finish keeps the finding when the parameter is
// binary (uint8_t *, unsigned char *, void * in the prototype, or
// POINTER(c_ubyte), c_void_p in argtypes): .value stops at the first NUL
// byte of binary output and silently truncates it.
func (a *analysis) checkNulReads(s *scope, call *source.Node, fp foreign) {
	for i, arg := range positional(call) {
		inner, _, _ := s.unwrap(arg)
		buf := s.bufferAt(inner, 0)
		if buf == nil || !buf.chars() {
			continue
		}
		for _, u := range s.bufferUses(buf) {
			if u.ref.StartByte() < call.EndByte() {
				continue
			}
			if u.kind == useHanded {
				break // a later call writes it again: that one is checked
			}
			if u.kind != useValue {
				continue
			}
			msg := fmt.Sprintf("%s writes binary data into %s, but %s stops at the first NUL byte: the output is truncated; read %s.raw[:n] with the length the function returns, or bytes(%s)",
				fp.sym, buf.name, a.text(u.read), buf.name, buf.name)
			a.pass.Report(analyzers.Finding{RuleID: ruleNulRead, Message: msg, Location: a.pass.Location(u.read, ""),
				Data:    map[string]string{dataLib: fp.lib, dataSymbol: fp.sym, dataBuffer: strconv.Itoa(i)},
				Related: []analyzers.Location{a.pass.Location(call, fp.sym+" writes the buffer")},
				Flow: []analyzers.Step{
					{Location: a.pass.Location(call, fp.sym+" writes into "+buf.name)},
					{Location: a.pass.Location(u.read, "read up to the first NUL")},
				}})
			break
		}
	}
}

// checkStringAt reports string_at(ptr) without a size on a pointer a
// foreign function returned; Finish keeps it when the function returns
// binary data.
func (a *analysis) checkStringAt(s *scope, c *source.Node) {
	args := positional(c)
	if len(args) != 1 || splatted(c) {
		return
	}
	src := args[0]
	if src.Type() == "identifier" {
		if v, sc := s.single(a.text(src), src.StartByte()); v != nil && sc == s {
			src = v
		}
	}
	if src.Type() != "call" {
		return
	}
	fp, ok := s.fpOf(src.ChildByFieldName("function"), 0)
	if !ok {
		return
	}
	msg := fmt.Sprintf("%s without a size reads what %s returned up to the first NUL byte: binary data is cut short, and data without a NUL is over-read; pass the length (string_at(ptr, n))",
		a.text(c), fp.sym)
	a.pass.Report(analyzers.Finding{RuleID: ruleNulRead, Message: msg, Location: a.pass.Location(c, ""),
		Data:    map[string]string{dataLib: fp.lib, dataSymbol: fp.sym, dataResult: "1"},
		Related: []analyzers.Location{a.pass.Location(src, fp.sym+" returns the pointer")}})
}
