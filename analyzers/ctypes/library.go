package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// maxDepth bounds every resolution through variables and expressions.
const maxDepth = 12

// A foreign is a foreign function pointer: the id of the library object
// it was taken from and its symbol. Two pointers are the same object when
// both agree: CDLL caches `lib.f` per library object, so argtypes set on
// one handle's f do not apply to another handle's f, and `lib["f"]` or a
// prototype instance is a new object each time.
//
// Library ids: "new:PATH@OFFSET" (a loader call; "win:" for WinDLL and
// OleDLL), "loader:cdll.NAME" (a
// LibraryLoader attribute, cached), "pythonapi", "import:DOTTED" (an
// imported variable, resolved in Finish), and for fresh function objects
// "site:PATH@OFFSET" and "proto:PATH@OFFSET".
type foreign struct {
	lib, sym string
	// proto is the CFUNCTYPE(...) call of a prototype instance, flags the
	// paramflags argument given to it (nil if none).
	proto, flags *source.Node
}

// site names a node's position for an object created there.
func (a *analysis) site(prefix string, n *source.Node) string {
	return prefix + a.f.Path + "@" + strconv.Itoa(int(n.StartByte()))
}

// libOf returns the id of the library object expression n evaluates to
// in scope s, or "".
func (s *scope) libOf(n *source.Node, depth int) string {
	if n == nil || depth > maxDepth {
		return ""
	}
	a := s.a
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.libOf(n.NamedChild(0), depth+1)
		}
	case "identifier":
		name := a.text(n)
		bs := s.lookup(name, n.StartByte())
		for _, b := range bs {
			if l := b.sc.libOf(b.value, depth+1); l != "" {
				return l
			}
		}
		if len(bs) > 0 {
			return ""
		}
		if name == "pythonapi" && a.ctypesName(n) == name {
			return "pythonapi"
		}
		if path, ok := a.imports[name]; ok && !strings.HasPrefix(path, "ctypes") {
			return importPrefix + path
		}
	case "attribute":
		return s.libOfAttribute(n, depth)
	case "call":
		return s.libOfCall(n, depth)
	}
	return ""
}

// libOfAttribute resolves self.X and Class.X attributes, cdll.NAME, and
// attributes of imported modules (native.lib).
func (s *scope) libOfAttribute(n *source.Node, depth int) string {
	a := s.a
	obj := n.ChildByFieldName("object")
	attr := a.text(n.ChildByFieldName("attribute"))
	for _, b := range s.attrBindings(obj, attr) {
		if l := b.sc.libOf(b.value, depth+1); l != "" {
			return l
		}
	}
	if a.ctypesName(n) == "pythonapi" {
		return "pythonapi"
	}
	if loader := a.ctypesName(obj); libraryLoaders[loader] && attr != "LoadLibrary" {
		return "loader:" + loader + "." + attr
	}
	d := a.dotted(n)
	first, rest, _ := strings.Cut(d, ".")
	if path, ok := a.imports[first]; ok && d != "" && !strings.HasPrefix(path, "ctypes") && len(s.lookup(first, n.StartByte())) == 0 {
		return importPrefix + path + "." + rest
	}
	return ""
}

// attrBindings returns the bindings of attribute attr of obj when obj is
// self or cls in a method, or the name of a class of the file.
func (s *scope) attrBindings(obj *source.Node, attr string) []binding {
	if obj == nil || obj.Type() != "identifier" {
		return nil
	}
	name := s.a.text(obj)
	if isSelf(name) && s.class != nil {
		return s.class.attrs[attr]
	}
	if ci := s.a.classes[name]; ci != nil && len(s.lookup(name, obj.StartByte())) == 0 {
		return ci.attrs[attr]
	}
	return nil
}

// libOfCall recognizes loader calls (CDLL(path), cdll.LoadLibrary(path),
// numpy's load_library, the user's loaders) and calls of module functions
// that return a library.
func (s *scope) libOfCall(n *source.Node, depth int) string {
	a := s.a
	fn := n.ChildByFieldName("function")
	if class := a.ctypesName(fn); libraryClasses[class] {
		return a.site(newPrefix(class), n)
	}
	d := a.dotted(fn)
	if fn != nil && fn.Type() == "attribute" {
		loader := a.ctypesName(fn.ChildByFieldName("object"))
		if a.text(fn.ChildByFieldName("attribute")) == "LoadLibrary" && libraryLoaders[loader] {
			return a.site(newPrefix(loader), n)
		}
	}
	last := d[strings.LastIndexByte(d, '.')+1:]
	if d != "" && (loaderFunctions[last] && strings.Contains(d, "ctypeslib") || a.loaders[d] || a.loaders[last]) {
		return a.site("new:", n)
	}
	if fn != nil && fn.Type() == "identifier" && a.funcs[d] != nil && len(s.lookup(d, n.StartByte())) == 0 {
		return a.factory(d, depth)
	}
	return ""
}

// newPrefix is the prefix of the id of a library loaded by class or
// loader name: "win:" for the Windows API conventions (WinDLL, OleDLL),
// whose sizes are 32-bit DWORDs, "new:" otherwise.
func newPrefix(name string) string {
	switch name {
	case "WinDLL", "OleDLL", "windll", "oledll":
		return "win:"
	}
	return "new:"
}

// windowsAPI reports whether a library id is a Windows API library.
func windowsAPI(lib string) bool {
	return strings.HasPrefix(lib, "win:") || strings.HasPrefix(lib, "loader:windll.") || strings.HasPrefix(lib, "loader:oledll.")
}

// factory returns the library a module function returns, or "".
func (a *analysis) factory(name string, depth int) string {
	if l, ok := a.factories[name]; ok {
		return l
	}
	a.factories[name] = ""
	s := a.scopeOf(a.funcs[name])
	if s == nil {
		return ""
	}
	for _, r := range s.returns {
		if r.NamedChildCount() == 0 {
			continue
		}
		if l := s.libOf(r.NamedChild(0), depth+1); l != "" {
			a.factories[name] = l
			return l
		}
	}
	return ""
}

// fpOf returns the foreign function expression n evaluates to, or ok false.
func (s *scope) fpOf(n *source.Node, depth int) (foreign, bool) {
	if n == nil || depth > maxDepth {
		return foreign{}, false
	}
	a := s.a
	switch n.Type() {
	case "parenthesized_expression":
		if n.NamedChildCount() == 1 {
			return s.fpOf(n.NamedChild(0), depth+1)
		}
	case "attribute":
		obj := n.ChildByFieldName("object")
		attr := a.text(n.ChildByFieldName("attribute"))
		if l := s.libOf(obj, depth+1); l != "" {
			return foreign{lib: l, sym: attr}, true
		}
		for _, b := range s.attrBindings(obj, attr) {
			if fp, ok := b.sc.fpOf(b.value, depth+1); ok {
				return fp, true
			}
		}
	case "identifier":
		for _, b := range s.lookup(a.text(n), n.StartByte()) {
			if fp, ok := b.sc.fpOf(b.value, depth+1); ok {
				return fp, true
			}
		}
	case "subscript":
		if l := s.libOf(n.ChildByFieldName("value"), depth+1); l != "" {
			if sym, ok := a.stringValue(n.ChildByFieldName("subscript")); ok {
				return foreign{lib: a.site("site:", n), sym: sym}, true
			}
		}
	case "call":
		return s.fpOfCall(n, depth)
	}
	return foreign{}, false
}

// fpOfCall recognizes getattr(lib, "name") and prototype instances
// PROTO(("name", lib), paramflags).
func (s *scope) fpOfCall(n *source.Node, depth int) (foreign, bool) {
	a := s.a
	args := positional(n)
	if a.calleeName(n) == "getattr" && len(args) >= 2 {
		if sym, ok := a.stringValue(args[1]); ok {
			if l := s.libOf(args[0], depth+1); l != "" {
				return foreign{lib: l, sym: sym}, true
			}
		}
		return foreign{}, false
	}
	proto := s.prototypeOf(n.ChildByFieldName("function"), depth+1)
	if proto == nil || len(args) == 0 || args[0].Type() != "tuple" || args[0].NamedChildCount() < 2 {
		return foreign{}, false
	}
	sym, ok := a.stringValue(args[0].NamedChild(0))
	if !ok || s.libOf(args[0].NamedChild(1), depth+1) == "" {
		return foreign{}, false
	}
	fp := foreign{lib: a.site("proto:", n), sym: sym, proto: proto}
	if len(args) > 1 {
		fp.flags = args[1]
	}
	return fp, true
}

// prototypeOf returns the CFUNCTYPE(...) call expression n evaluates to.
func (s *scope) prototypeOf(n *source.Node, depth int) *source.Node {
	if n == nil || depth > maxDepth {
		return nil
	}
	switch n.Type() {
	case "call":
		if prototypeFactories[s.a.ctypesName(n.ChildByFieldName("function"))] {
			return n
		}
	case "identifier":
		if v, sc := s.single(s.a.text(n), n.StartByte()); v != nil {
			return sc.prototypeOf(v, depth+1)
		}
	}
	return nil
}

// positional returns a call's positional arguments, or nil when it has
// none or unpacks a sequence (*args), whose positions are unknown.
func positional(call *source.Node) []*source.Node {
	args := call.ChildByFieldName("arguments")
	if args == nil || args.Type() != "argument_list" {
		return nil
	}
	var out []*source.Node
	for i := 0; i < int(args.NamedChildCount()); i++ {
		c := args.NamedChild(i)
		switch c.Type() {
		case "list_splat", "dictionary_splat":
			return nil
		case "keyword_argument", "comment":
			continue
		}
		out = append(out, c)
	}
	return out
}

// splatted reports whether a call unpacks arguments or passes keywords.
func splatted(call *source.Node) bool {
	args := call.ChildByFieldName("arguments")
	if args == nil {
		return true
	}
	for i := 0; i < int(args.NamedChildCount()); i++ {
		switch args.NamedChild(i).Type() {
		case "list_splat", "dictionary_splat", "keyword_argument":
			return true
		}
	}
	return false
}
