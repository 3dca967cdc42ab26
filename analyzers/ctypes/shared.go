package ctypes

import (
	"fmt"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// checkShared reports module- and class-level buffers that a function
// hands to a call (its output buffer) and then returns or sends whole
// (.raw, bytes(buf)): the bytes past what this call wrote are whatever an
// earlier call, for an earlier client, left there. A memset of the whole
// buffer before the call, or reading only a prefix (raw[:n]), is fine.
func (a *analysis) checkShared(s *scope) {
	if s.node.Type() != "function_definition" {
		return
	}
	seen := map[*source.Node]bool{}
	for _, ref := range s.sharedRefs() {
		buf := s.bufferAt(ref, 0)
		if buf == nil || buf.sc.node.Type() == "function_definition" || seen[buf.stmt] {
			continue
		}
		seen[buf.stmt] = true
		a.sharedBuffer(s, buf)
	}
}

// sharedRefs returns the expressions of the scope that may name a module
// or class buffer: free names, and self.X, cls.X, Class.X.
func (s *scope) sharedRefs() []*source.Node {
	var out []*source.Node
	for name, uses := range s.uses {
		switch {
		case isSelf(name) || s.a.classes[name] != nil:
			out = append(out, s.attributeRefs(name)...)
		case len(s.assigns[name]) == 0 && !s.params[name]:
			out = append(out, uses[0])
		}
	}
	sortNodes(out)
	return out
}

func sortNodes(ns []*source.Node) {
	for i := 1; i < len(ns); i++ {
		for j := i; j > 0 && ns[j].StartByte() < ns[j-1].StartByte(); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

// sharedBuffer checks one shared buffer's uses in s: its first handing
// to a foreign function (or memmove) is the output call.
func (a *analysis) sharedBuffer(s *scope, buf *buffer) {
	if !buf.zeroed {
		return // initialized at module level: an input, not an output buffer
	}
	var output *source.Node
	var fp foreign
	for _, u := range s.bufferUses(buf) {
		switch {
		case u.kind == useHanded && output == nil:
			call := enclosingCall(u.ref)
			if call == nil {
				continue
			}
			if s.clears(call, buf) {
				return
			}
			var ok bool
			if fp, ok = s.fpOf(call.ChildByFieldName("function"), 0); ok || a.ctypesName(call.ChildByFieldName("function")) == "memmove" {
				output = call
			}
		case u.kind == useWhole && output != nil && s.escapes(u.read):
			a.reportShared(s, buf, output, fp, u)
			return
		}
	}
}

// enclosingCall returns the call whose argument (possibly wrapped in
// byref, pointer, cast or addressof) ref is.
func enclosingCall(ref *source.Node) *source.Node {
	for p := ref.Parent(); p != nil; p = p.Parent() {
		switch p.Type() {
		case "argument_list":
			continue
		case "call":
			if q := p.Parent(); q != nil && q.Type() == "argument_list" && q.Parent() != nil && q.Parent().Type() == "call" {
				continue
			}
			return p
		}
		return nil
	}
	return nil
}

// clears reports whether call is memset(buf, 0, size) over the whole buffer.
func (s *scope) clears(call *source.Node, buf *buffer) bool {
	args := positional(call)
	if s.a.ctypesName(call.ChildByFieldName("function")) != "memset" || len(args) != 3 {
		return false
	}
	z := newSizer(s, call.StartByte())
	return z.compare(z.bytes(buf, 0), z.eval(args[2], 0)).kind == 'w'
}

func (a *analysis) reportShared(s *scope, buf *buffer, output *source.Node, fp foreign, u use) {
	z := newSizer(s, u.read.StartByte())
	callee := a.text(output.ChildByFieldName("function"))
	level := "module-level"
	if buf.sc.node.Type() == "class_definition" {
		level = "class-level"
	}
	msg := fmt.Sprintf("%s is a %s buffer of %s shared by every request; %s writes into it and then the whole buffer (%s) is returned or sent, so the bytes past what this call wrote are left over from earlier calls; send only the written prefix (%s.raw[:n]) or allocate the buffer per call",
		buf.name, level, a.describeSize(z, buf), callee, a.text(u.read), buf.name)
	var data map[string]string
	if strings.HasPrefix(fp.lib, importPrefix) {
		data = map[string]string{dataLib: fp.lib, dataSymbol: fp.sym}
	}
	a.pass.Report(analyzers.Finding{RuleID: ruleShared, Message: msg, Location: a.pass.Location(u.read, ""), Data: data,
		Related: []analyzers.Location{
			a.pass.Location(buf.alloc, "the shared buffer is allocated once, here"),
			a.pass.Location(output, callee+" writes into it"),
		},
		Flow: []analyzers.Step{
			{Location: a.pass.Location(buf.alloc, buf.name+" is allocated once")},
			{Location: a.pass.Location(output, callee+" writes a prefix of it")},
			{Location: a.pass.Location(u.read, "all of it is read")},
		}})
}
