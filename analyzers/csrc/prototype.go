package csrc

import (
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/syntax"
)

// A Prototype is a function that a C file declares or defines with
// external linkage, as a shared library exports it.
type Prototype struct {
	Name     string
	Ret      Param
	Params   []Param
	Variadic bool
	// Location is the function's declarator.
	Location analyzers.Location
}

// A Param is a prototype's parameter (or return type): its name, its
// base type normalized ("unsigned long", "const char", "struct") and its
// pointer depth (an array parameter decays to a pointer; a function
// pointer is one pointer to "fnptr").
type Param struct {
	Name, Base string
	Stars      int
}

// Prototypes returns the prototypes of every file, in path order, then
// document order.
func (r *Repo) Prototypes() []Prototype {
	var out []Prototype
	for _, path := range r.paths {
		p := r.parts[path]
		for _, n := range p.declarations().protoDecls {
			if isStatic(n) || hasErrorChild(n) {
				continue
			}
			if fd, stars := functionDeclarator(n.ChildByFieldName("declarator")); !fd.IsNull() && !fd.HasError() {
				if pr, ok := prototypeOf(p, n, fd, stars); ok {
					out = append(out, pr)
				}
			}
		}
	}
	return out
}

// TypedefShape returns what a typedef name stands for, as a base type and
// a pointer depth: the first `typedef T name;` of the repository, in path
// order.
func (r *Repo) TypedefShape(name string) (base string, stars int, ok bool) {
	for _, path := range r.paths {
		td, found := r.parts[path].declarations().typedefs[name]
		if !found || td.decl.Parent().HasError() {
			continue
		}
		_, depth := declaratorShape(td.decl)
		return baseTypeName(td.typ), depth, true
	}
	return "", 0, false
}

// hasErrorChild reports whether a declaration's own children (not a
// function body) hold a syntax error: `API_MACRO int f(void)` parses with
// the macro as the type and the real type in an ERROR.
func hasErrorChild(n syntax.Node) bool {
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		if c.Type() != "compound_statement" && c.HasError() {
			return true
		}
	}
	return false
}

// functionDeclarator unwraps the pointer declarators around a function's
// declarator; stars counts them (the return type's pointer depth). It
// returns no node when d does not declare a function by name.
func functionDeclarator(d syntax.Node) (syntax.Node, int) {
	stars := 0
	for !d.IsNull() && d.Type() == "pointer_declarator" {
		stars++
		d = d.ChildByFieldName("declarator")
	}
	if d.IsNull() || d.Type() != "function_declarator" {
		return syntax.Node{}, 0
	}
	if name := d.ChildByFieldName("declarator"); name.IsNull() || name.Type() != "identifier" {
		return syntax.Node{}, 0
	}
	return d, stars
}

// prototypeOf reads one function's prototype.
func prototypeOf(p *Part, decl, fd syntax.Node, stars int) (Prototype, bool) {
	ret := qualified(decl)
	// PyAPI_FUNC(PyObject *) f(...): the macro's argument is the type
	if t := decl.ChildByFieldName("type"); !t.IsNull() && t.Type() == "macro_type_specifier" {
		if td := t.ChildByFieldName("type"); !td.IsNull() {
			_, depth := declaratorShape(td.ChildByFieldName("declarator"))
			ret, stars = baseTypeName(td.ChildByFieldName("type")), stars+depth
		}
	}
	params := fd.ChildByFieldName("parameters")
	if params.IsNull() {
		return Prototype{}, false
	}
	pr := Prototype{Name: fd.ChildByFieldName("declarator").Text(), Ret: Param{Base: ret, Stars: stars}}
	for _, c := range params.NamedChildren() {
		switch c.Type() {
		case "variadic_parameter":
			pr.Variadic = true
		case "parameter_declaration":
			base := qualified(c)
			name, depth := declaratorShape(c.ChildByFieldName("declarator"))
			if base == "void" && depth == 0 && params.NamedChildCount() == 1 {
				continue // (void)
			}
			pr.Params = append(pr.Params, Param{Name: name, Base: base, Stars: depth})
		}
	}
	syn := p.Snapshot
	pr.Location = analyzers.Location{Path: p.File, Range: syn.Range(fd), Message: "C prototype"}
	pr.Location.Snippet = syn.Lines.Text(pr.Location.StartLine)
	return pr, true
}

// qualified returns the base type of a declaration with its const
// qualifier, for messages ("const uint8_t").
func qualified(decl syntax.Node) string {
	base := baseTypeName(decl.ChildByFieldName("type"))
	for _, c := range decl.NamedChildren() {
		if c.Type() == "type_qualifier" && c.Text() == "const" {
			return "const " + base
		}
	}
	return base
}

// declaratorShape returns the name a declarator declares and its pointer
// depth.
func declaratorShape(d syntax.Node) (string, int) {
	depth := 0
	for !d.IsNull() {
		switch d.Type() {
		case "identifier", "type_identifier", "field_identifier":
			return d.Text(), depth
		case "pointer_declarator", "abstract_pointer_declarator", "array_declarator", "abstract_array_declarator":
			depth++
			d = d.ChildByFieldName("declarator")
		case "function_declarator", "abstract_function_declarator":
			name, _ := declaratorShape(d.ChildByFieldName("declarator"))
			return name, 1
		case "parenthesized_declarator", "abstract_parenthesized_declarator":
			if d.NamedChildCount() == 0 {
				return "", depth
			}
			d = d.NamedChild(0)
		default:
			return "", depth
		}
	}
	return "", depth
}

// baseTypeName normalizes a C type specifier: "unsigned long int" →
// "unsigned long", a struct or union → "struct", an enum → "enum".
func baseTypeName(t syntax.Node) string {
	if t.IsNull() {
		return ""
	}
	switch t.Type() {
	case "struct_specifier", "union_specifier":
		return "struct"
	case "enum_specifier":
		return "enum"
	case "sized_type_specifier":
		return sizedType(strings.Fields(t.Text()))
	}
	return strings.Join(strings.Fields(t.Text()), " ")
}

// sizedType normalizes the words of a sized type specifier.
func sizedType(words []string) string {
	unsigned, longs, short, char, double := false, 0, false, false, false
	for _, w := range words {
		switch w {
		case "unsigned":
			unsigned = true
		case "long":
			longs++
		case "short":
			short = true
		case "char":
			char = true
		case "double":
			double = true
		}
	}
	sign := ""
	if unsigned {
		sign = "unsigned "
	}
	switch {
	case double:
		return "long double"
	case char && unsigned:
		return "unsigned char"
	case char:
		return "signed char"
	case short:
		return sign + "short"
	case longs == 1:
		return sign + "long"
	case longs > 1:
		return sign + "long long"
	}
	return sign + "int"
}
