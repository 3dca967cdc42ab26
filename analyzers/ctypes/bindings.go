package ctypes

import (
	"sort"
	"strconv"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// exportLibraries exports the module-level variables bound to a library,
// so that other modules importing them resolve to the same object.
func (a *analysis) exportLibraries() {
	names := make([]string, 0, len(a.top.assigns))
	for name := range a.top.assigns {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		for _, b := range a.top.assigns[name] {
			if l := b.sc.libOf(b.value, 0); l != "" {
				a.pass.Export(analyzers.Fact{Kind: factLibrary, Key: a.module + "." + name, Values: []string{l},
					Location: a.pass.Location(b.stmt, "library")})
				break
			}
		}
	}
}

// exportBindings exports the argtypes and restype assignments of a scope.
func (a *analysis) exportBindings(s *scope) {
	for _, set := range s.attrSets {
		left := set.ChildByFieldName("left")
		attr := a.text(left.ChildByFieldName("attribute"))
		if attr != "argtypes" && attr != "restype" {
			continue
		}
		fp, ok := s.fpOf(left.ChildByFieldName("object"), 0)
		if !ok {
			continue
		}
		right := set.ChildByFieldName("right")
		for right != nil && right.Type() == "assignment" {
			right = right.ChildByFieldName("right")
		}
		values := []string{fp.lib, attr}
		if attr == "restype" {
			values = append(values, s.pyType(right, 0).encode())
		} else {
			values = append(values, s.typeList(right, 0)...)
		}
		a.pass.Export(analyzers.Fact{Kind: factBinding, Key: fp.sym, Values: values, Location: a.pass.Location(set, attr)})
	}
}

// exportHandedPointers exports an unknown argtypes binding for each
// foreign function passed to a call (prototype helpers such as
// `int_output(lib.f, [c_int])` set argtypes on their parameter), so that
// its calls are not reported as lacking argtypes.
func (a *analysis) exportHandedPointers(s *scope, c *source.Node) {
	for _, arg := range positional(c) {
		if arg.Type() == "call" {
			continue
		}
		if fp, ok := s.fpOf(arg, 0); ok {
			a.pass.Export(analyzers.Fact{Kind: factBinding, Key: fp.sym, Values: []string{fp.lib, "argtypes", "*"},
				Location: a.pass.Location(arg, "passed to a function that may bind it")})
		}
	}
}

// typeList encodes the types of an argtypes list or tuple, or "*" when
// it is not a literal one.
func (s *scope) typeList(n *source.Node, depth int) []string {
	if n == nil || depth > maxDepth {
		return []string{"*"}
	}
	switch n.Type() {
	case "list", "tuple":
		var out []string
		for i := 0; i < int(n.NamedChildCount()); i++ {
			c := n.NamedChild(i)
			if c.Type() == "list_splat" || c.Type() == "comment" {
				return []string{"*"}
			}
			out = append(out, s.pyType(c, depth+1).encode())
		}
		return out
	case "identifier":
		if v, sc := s.single(s.a.text(n), n.StartByte()); v != nil {
			return sc.typeList(v, depth+1)
		}
	}
	return []string{"*"}
}

// exportPrototypeInstance exports the bindings a prototype instance gets
// from its prototype (CFUNCTYPE(restype, *argtypes)) and the range of
// arguments its paramflags accept.
func (a *analysis) exportPrototypeInstance(s *scope, fp foreign, at *source.Node) {
	args := positional(fp.proto)
	if args == nil {
		return
	}
	loc := a.pass.Location(at, "prototype instance")
	a.pass.Export(analyzers.Fact{Kind: factBinding, Key: fp.sym, Location: loc,
		Values: []string{fp.lib, "restype", s.pyType(args[0], 0).encode()}})
	values := []string{fp.lib, "argtypes"}
	for _, t := range args[1:] {
		values = append(values, s.pyType(t, 0).encode())
	}
	a.pass.Export(analyzers.Fact{Kind: factBinding, Key: fp.sym, Values: values, Location: loc})
	if fp.flags != nil {
		lo, hi, ok := paramflagsRange(a, fp.flags)
		flags := []string{fp.lib, "paramflags", "*"}
		if ok {
			flags = []string{fp.lib, "paramflags", strconv.Itoa(lo), strconv.Itoa(hi)}
		}
		a.pass.Export(analyzers.Fact{Kind: factBinding, Key: fp.sym, Values: flags, Location: loc})
	}
}

// paramflagsRange returns how many arguments a call through a prototype
// instance with these paramflags needs at least and accepts at most:
// output parameters (flag 2) are allocated by ctypes, parameters with a
// default (a third item, or flag 4) may be left out.
func paramflagsRange(a *analysis, flags *source.Node) (lo, hi int, ok bool) {
	if flags.Type() != "tuple" && flags.Type() != "list" {
		return 0, 0, false
	}
	for i := 0; i < int(flags.NamedChildCount()); i++ {
		p := flags.NamedChild(i)
		if p.Type() != "tuple" || p.NamedChildCount() == 0 || p.NamedChild(0).Type() != "integer" {
			return 0, 0, false
		}
		flag, err := strconv.Atoi(a.text(p.NamedChild(0)))
		if err != nil {
			return 0, 0, false
		}
		switch {
		case flag&2 != 0 && flag&1 == 0:
		case flag&4 != 0 || p.NamedChildCount() >= 3:
			hi++
		default:
			lo++
			hi++
		}
	}
	return lo, hi, true
}
