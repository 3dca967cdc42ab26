package ctypes

import (
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// A useKind is what an occurrence of a buffer does with it.
type useKind uint8

const (
	useHanded  useKind = iota // passed to a call, stored, written: it may be filled
	useNeutral                // len(buf), sizeof(buf), buf._length_
	useValue                  // buf.value: up to the first NUL
	useRead                   // a prefix or element: buf.raw[:n], buf[i], string_at(buf, n)
	useWhole                  // every byte: buf.raw, bytes(buf)
)

// A use is one occurrence of a buffer: the expression naming it (an
// identifier or self.X) and the expression that reads it, if any.
type use struct {
	ref, read *source.Node
	kind      useKind
}

// bufferUses returns the occurrences of buf in scope s that refer to the
// same binding, in document order.
func (s *scope) bufferUses(buf *buffer) []use {
	if buf.stmt == nil {
		return nil
	}
	refs := s.uses[buf.name]
	if obj, _, ok := strings.Cut(buf.name, "."); ok {
		refs = s.attributeRefs(obj)
	}
	var out []use
	for _, r := range refs {
		if s.a.text(r) != buf.name || r.StartByte() < buf.stmt.EndByte() && buf.sc == s {
			continue
		}
		if b := s.bufferAt(r, 0); b == nil || b.stmt != buf.stmt {
			continue
		}
		out = append(out, s.classify(r))
	}
	sortUses(out)
	return out
}

// attributeRefs returns the attribute expressions name.X of the scope.
func (s *scope) attributeRefs(name string) []*source.Node {
	var out []*source.Node
	for _, u := range s.uses[name] {
		if p := u.Parent(); p != nil && p.Type() == "attribute" && p.StartByte() == u.StartByte() {
			out = append(out, p)
		}
	}
	return out
}

func sortUses(us []use) {
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && us[j].ref.StartByte() < us[j-1].ref.StartByte(); j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
}

// classify says what the expression ref, naming a buffer, does with it.
func (s *scope) classify(ref *source.Node) use {
	a := s.a
	u := use{ref: ref}
	p := ref.Parent()
	if p == nil {
		return u
	}
	switch p.Type() {
	case "attribute":
		attr := a.text(p.ChildByFieldName("attribute"))
		switch {
		case isAssignTarget(p):
		case attr == "value":
			u.kind, u.read = useValue, p
		case attr == "raw":
			u.kind, u.read = useWhole, p
			if sliced(p) {
				u.kind, u.read = useRead, p.Parent()
			}
		case neutralAttributes[attr]:
			u.kind = useNeutral
		}
	case "subscript":
		if !isAssignTarget(p) {
			u.kind, u.read = useRead, p
		}
	case "argument_list":
		call := p.Parent()
		if call == nil || call.Type() != "call" {
			return u
		}
		name := a.calleeName(call)
		switch {
		case neutralCalls[name]:
			u.kind = useNeutral
		case name == "bytes" || name == "bytearray" || name == "memoryview":
			u.kind, u.read = useWhole, call
			if sliced(call) {
				u.kind, u.read = useRead, call.Parent()
			}
		case readCalls[name] && positional(call) != nil && positional(call)[0] == ref:
			u.kind, u.read = useRead, call
		case pointerWrappers[name]:
			if outer := call.Parent(); outer != nil && outer.Type() == "argument_list" && outer.Parent() != nil &&
				readCalls[a.calleeName(outer.Parent())] {
				u.kind, u.read = useRead, outer.Parent()
			}
		}
	}
	return u
}

// isAssignTarget reports whether n is the target of an assignment or a del.
func isAssignTarget(n *source.Node) bool {
	p := n.Parent()
	if p != nil && (p.Type() == "expression_list" || p.Type() == "tuple") {
		p = p.Parent()
	}
	switch {
	case p == nil:
		return false
	case p.Type() == "delete_statement":
		return true
	}
	return (p.Type() == "assignment" || p.Type() == "augmented_assignment") && p.StartByte() == n.StartByte()
}

// sliced reports whether n is the value of a subscript (n[:k]).
func sliced(n *source.Node) bool {
	p := n.Parent()
	return p != nil && p.Type() == "subscript" && p.StartByte() == n.StartByte()
}
