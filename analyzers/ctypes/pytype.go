package ctypes

import (
	"github.com/residue-sec/residue/analyzers/source"
)

// pyType returns the C type a ctypes type expression stands for: a ctypes
// or wintypes name, None, POINTER(T), an array type T * N, a Structure
// class of the file, a CFUNCTYPE prototype, or a module-level alias of one.
func (s *scope) pyType(n *source.Node, depth int) ctype {
	if n == nil || depth > maxDepth {
		return ctype{}
	}
	a := s.a
	text := a.text(n)
	if name := a.ctypesName(n); name != "" {
		if t, ok := cTypes[name]; ok {
			t.text = name
			return t
		}
	}
	switch n.Type() {
	case "none":
		return ctype{kind: kindVoid, text: "None"}
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.pyType(n.NamedChild(0), depth+1)
		}
	case "call":
		fn := a.ctypesName(n.ChildByFieldName("function"))
		args := positional(n)
		switch {
		case fn == "POINTER" && len(args) == 1:
			return ctype{kind: kindPtr, pointee: s.pointeeOf(args[0]), text: text}
		case prototypeFactories[fn]:
			return ctype{kind: kindPtr, text: text}
		}
	case "binary_operator":
		if a.text(n.ChildByFieldName("operator")) == "*" {
			return ctype{kind: kindPtr, pointee: s.pointeeOf(n.ChildByFieldName("left")), text: text}
		}
	case "identifier":
		if ci := a.classes[text]; ci != nil && isStructure(a, ci.node) {
			return ctype{kind: kindStruct, text: text}
		}
		if v, sc := s.single(text, n.StartByte()); v != nil {
			t := sc.pyType(v, depth+1)
			if t.kind != kindUnknown {
				t.text = text
			}
			return t
		}
	}
	return ctype{text: text}
}

// pointeeOf classifies the element type of POINTER(T) or T * N.
func (s *scope) pointeeOf(n *source.Node) pointee {
	name := s.a.ctypesName(n)
	switch {
	case charElems[name]:
		return pointeeChar
	case byteElems[name]:
		return pointeeBytes
	case name == "c_wchar":
		return pointeeWide
	}
	return pointeeOther
}

// isStructure reports whether a class derives from ctypes Structure or Union.
func isStructure(a *analysis, class *source.Node) bool {
	sup := class.ChildByFieldName("superclasses")
	if sup == nil {
		return false
	}
	for i := 0; i < int(sup.NamedChildCount()); i++ {
		switch a.ctypesName(sup.NamedChild(i)) {
		case "Structure", "Union", "BigEndianStructure", "LittleEndianStructure":
			return true
		}
	}
	return false
}
