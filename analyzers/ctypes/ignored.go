package ctypes

import (
	"fmt"
	"sort"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// checkIgnored reports output buffers allocated in a function that calls
// a foreign function, read before anything could have written to them:
// they were never passed to a call (directly, through byref, pointer,
// cast or addressof, a structure, a tuple), stored, or written from
// Python before the read. (A function without foreign calls that reads a
// fresh buffer is testing ctypes, not using an output.)
func (a *analysis) checkIgnored(s *scope) {
	if s.node.Type() != "function_definition" || s.anyForeignCall() == nil {
		return
	}
	names := make([]string, 0, len(s.assigns))
	for name := range s.assigns {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if s.mentionedInNested(name) {
			continue
		}
		for _, b := range s.assigns[name] {
			if b.sc != s || b.value == nil {
				continue
			}
			buf := s.allocOf(b.value, 0)
			if buf == nil || !buf.zeroed {
				continue
			}
			buf.name, buf.stmt = name, b.stmt
			a.ignoredRead(s, buf)
		}
	}
}

// ignoredRead reports the first read of buf that no handing-over precedes.
func (a *analysis) ignoredRead(s *scope, buf *buffer) {
	uses := s.bufferUses(buf)
	for k, u := range uses {
		if u.kind == useHanded {
			return
		}
		if u.kind == useNeutral || handedInLoop(s, u, uses[k:]) {
			continue
		}
		a.reportIgnored(s, buf, u)
		return
	}
}

// handedInLoop reports whether a use later in a loop around u hands the
// buffer over: the next iteration's read comes after it.
func handedInLoop(s *scope, u use, later []use) bool {
	for p := u.ref.Parent(); p != nil && p != s.node; p = p.Parent() {
		if p.Type() != "for_statement" && p.Type() != "while_statement" {
			continue
		}
		for _, l := range later {
			if l.kind == useHanded && contains(p, l.ref) {
				return true
			}
		}
	}
	return false
}

func (a *analysis) reportIgnored(s *scope, buf *buffer, u use) {
	z := newSizer(s, u.ref.StartByte())
	msg := fmt.Sprintf("%s (a buffer of %s) is read through %s but was never passed to a foreign function before: it holds only the zeros ctypes filled it with, not the function's output",
		buf.name, a.describeSize(z, buf), a.text(u.read))
	related := []analyzers.Location{a.pass.Location(buf.alloc, "the buffer is allocated here")}
	flow := []analyzers.Step{{Location: a.pass.Location(buf.alloc, buf.name+" is allocated (zero-filled)")}}
	var data map[string]string
	if call, fp := s.foreignCallBetween(buf.stmt, u.ref); call != nil {
		msg += fmt.Sprintf("; the foreign call in between (%s) was not given it", fp.sym)
		related = append(related, a.pass.Location(call, fmt.Sprintf("%s is called without %s", fp.sym, buf.name)))
		flow = append(flow, analyzers.Step{Location: a.pass.Location(call, fmt.Sprintf("%s is called without %s", fp.sym, buf.name))})
	} else if fp := s.anyForeignCall(); fp != nil && strings.HasPrefix(fp.lib, importPrefix) {
		// the function's only foreign calls go through an imported name,
		// which Finish must resolve to a library
		data = map[string]string{dataLib: fp.lib, dataSymbol: fp.sym}
	}
	flow = append(flow, analyzers.Step{Location: a.pass.Location(u.read, buf.name+" is read")})
	a.pass.Report(analyzers.Finding{RuleID: ruleIgnored, Message: msg, Location: a.pass.Location(u.read, ""),
		Related: related, Flow: flow, Data: data})
}

// foreignCallBetween returns the first foreign call (through a library of
// this file) after statement from and before node to, or nil.
func (s *scope) foreignCallBetween(from, to *source.Node) (*source.Node, foreign) {
	for _, c := range s.calls {
		if c.StartByte() < from.EndByte() || c.EndByte() > to.StartByte() {
			continue
		}
		if fp, ok := s.fpOf(c.ChildByFieldName("function"), 0); ok && !strings.HasPrefix(fp.lib, importPrefix) {
			return c, fp
		}
	}
	return nil, foreign{}
}

// anyForeignCall returns a foreign function the scope calls, preferring
// one of a library of this file; nil when it calls none.
func (s *scope) anyForeignCall() *foreign {
	var found *foreign
	for _, c := range s.calls {
		fp, ok := s.fpOf(c.ChildByFieldName("function"), 0)
		switch {
		case !ok:
		case !strings.HasPrefix(fp.lib, importPrefix):
			return &fp
		case found == nil:
			found = &fp
		}
	}
	return found
}

// mentionedInNested reports whether a nested function, class or lambda of
// the scope mentions name (it may fill the buffer when called).
func (s *scope) mentionedInNested(name string) bool {
	for _, n := range s.nested {
		found := false
		source.Walk(n, func(c *source.Node) bool {
			if c.Type() == "identifier" && s.a.text(c) == name {
				found = true
			}
			return !found
		})
		if found {
			return true
		}
	}
	return false
}
