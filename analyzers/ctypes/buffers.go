package ctypes

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// A buffer is a ctypes array allocated by create_string_buffer,
// create_unicode_buffer or an array type's constructor.
type buffer struct {
	name  string       // the variable (or attribute) it is bound to
	stmt  *source.Node // the binding statement
	alloc *source.Node // the allocating call
	sc    *scope       // where alloc's arguments are evaluated
	// count is the element count expression; nil when the size follows
	// from init (create_string_buffer(b"abc") holds 4 bytes).
	count, init *source.Node
	elem        string // element type: c_char, c_wchar, c_ubyte...
	elemSize    int64
	zeroed      bool // no initial content: ctypes filled it with zeros
}

// chars reports whether .value of the buffer stops at the first NUL byte.
func (b *buffer) chars() bool { return charElems[b.elem] }

// allocOf returns the buffer a call allocates, or nil.
func (s *scope) allocOf(n *source.Node, depth int) *buffer {
	if n == nil || n.Type() != "call" {
		return nil
	}
	a := s.a
	args := positional(n)
	b := &buffer{alloc: n, sc: s}
	switch name := a.ctypesName(n.ChildByFieldName("function")); name {
	case "create_string_buffer", "c_buffer", "create_unicode_buffer":
		b.elem, b.elemSize = "c_char", 1
		if name == "create_unicode_buffer" {
			b.elem, b.elemSize = "c_wchar", elemSizes["c_wchar"]
		}
		if init, size := keyword(a, n, "init"), keyword(a, n, "size"); init != nil || size != nil {
			switch {
			case len(args) == 1 && size != nil:
				init = args[0]
			case len(args) != 0:
				return nil
			}
			b.init, b.count, b.zeroed = init, size, init == nil
			return b
		}
		switch {
		case len(args) == 2:
			b.init, b.count = args[0], args[1]
		case len(args) == 1 && s.intLike(args[0], depth+1):
			b.count, b.zeroed = args[0], true
		case len(args) == 1:
			b.init = args[0]
		default:
			return nil
		}
		return b
	}
	elem, count := s.arrayType(n.ChildByFieldName("function"), depth+1)
	if elem == "" {
		return nil
	}
	b.elem, b.count, b.elemSize = elem, count, elemSizes[elem]
	argList := n.ChildByFieldName("arguments")
	b.zeroed = argList != nil && argList.NamedChildCount() == 0
	return b
}

// keyword returns the value of a call's keyword argument name, or nil.
func keyword(a *analysis, call *source.Node, name string) *source.Node {
	args := call.ChildByFieldName("arguments")
	if args == nil {
		return nil
	}
	for i := 0; i < int(args.NamedChildCount()); i++ {
		kw := args.NamedChild(i)
		if kw.Type() == "keyword_argument" && a.text(kw.ChildByFieldName("name")) == name {
			return kw.ChildByFieldName("value")
		}
	}
	return nil
}

// arrayType returns the element type and count of an array type
// expression `(T * N)` or of a name bound to one.
func (s *scope) arrayType(n *source.Node, depth int) (string, *source.Node) {
	if n == nil || depth > maxDepth {
		return "", nil
	}
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.arrayType(n.NamedChild(0), depth+1)
		}
	case "binary_operator":
		if s.a.text(n.ChildByFieldName("operator")) != "*" {
			return "", nil
		}
		elem := s.a.ctypesName(n.ChildByFieldName("left"))
		if _, ok := elemSizes[elem]; ok {
			return elem, n.ChildByFieldName("right")
		}
	case "identifier":
		if v, sc := s.single(s.a.text(n), n.StartByte()); v != nil {
			return sc.arrayType(v, depth+1)
		}
	}
	return "", nil
}

// constantName matches names written as constants (BUF_SIZE, MAXLEN).
var constantName = regexp.MustCompile(`^_?[A-Z][A-Z0-9_]*$`)

// intLike reports whether n is an integer expression: a literal,
// arithmetic, len/sizeof/int/min/max, a constant's name, a name that says
// it holds a size, or a variable bound to one of these.
func (s *scope) intLike(n *source.Node, depth int) bool {
	if n == nil || depth > maxDepth {
		return false
	}
	a := s.a
	switch n.Type() {
	case "integer":
		return true
	case "binary_operator", "unary_operator":
		return !s.stringish(n.ChildByFieldName("left")) && !s.stringish(n.ChildByFieldName("argument"))
	case "parenthesized_expression":
		return n.NamedChildCount() == 1 && s.intLike(n.NamedChild(0), depth+1)
	case "call":
		switch a.calleeName(n) {
		case "len", "sizeof", "int", "min", "max", "alignment":
			return true
		}
	case "attribute":
		return a.text(n.ChildByFieldName("attribute")) == "_length_"
	case "identifier":
		name := a.text(n)
		if v, sc := s.single(name, n.StartByte()); v != nil {
			return sc.intLike(v, depth+1)
		}
		if constantName.MatchString(name) {
			return true
		}
		lower := strings.ToLower(name)
		if lower == "n" || strings.HasPrefix(lower, "n_") || strings.HasPrefix(lower, "num") {
			return true
		}
		for _, w := range intNames {
			if strings.Contains(lower, w) {
				return true
			}
		}
	}
	return false
}

// stringish reports whether n is a string literal (a % b formats it).
func (s *scope) stringish(n *source.Node) bool {
	return n != nil && (n.Type() == "string" || n.Type() == "concatenated_string")
}

// bufferAt returns the buffer a name, self/Class attribute or module
// variable refers to at n, or nil.
func (s *scope) bufferAt(n *source.Node, depth int) *buffer {
	if n == nil || depth > maxDepth {
		return nil
	}
	var bs []binding
	switch n.Type() {
	case "identifier":
		bs = s.lookup(s.a.text(n), n.StartByte())
	case "attribute":
		bs = s.attrBindings(n.ChildByFieldName("object"), s.a.text(n.ChildByFieldName("attribute")))
	}
	if len(bs) != 1 || bs[0].value == nil {
		return nil
	}
	b := bs[0].sc.allocOf(bs[0].value, depth+1)
	if b != nil {
		b.name, b.stmt = s.a.text(n), bs[0].stmt
	}
	return b
}

// unwrap returns the buffer expression inside byref(x[, offset]),
// pointer(x), cast(x, T) and addressof(x), with byref's offset; n itself
// otherwise.
func (s *scope) unwrap(n *source.Node) (inner, offset *source.Node, wrapper string) {
	if n == nil || n.Type() != "call" {
		return n, nil, ""
	}
	name := s.a.ctypesName(n.ChildByFieldName("function"))
	args := positional(n)
	if !pointerWrappers[name] || len(args) == 0 {
		return n, nil, ""
	}
	if name == "byref" && len(args) == 2 {
		offset = args[1]
	}
	return args[0], offset, name
}
