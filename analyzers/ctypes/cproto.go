package ctypes

import (
	"strconv"
	"strings"

	"github.com/residue-sec/residue/analyzers"
	"github.com/residue-sec/residue/analyzers/source"
)

// runC exports the prototypes of the functions a C file declares or
// defines (not static ones: a shared library does not export them), and
// its simple typedefs, for the Finish step to check ctypes bindings with.
func runC(pass *analyzers.Pass) {
	f := pass.File
	for _, m := range pass.Matches {
		switch n := m.Node("cdecl"); {
		case n != nil:
			if insideFunction(n) || hasStorage(f, n, "static") || hasErrorChild(n) {
				continue
			}
			if fd, stars := functionDeclarator(n.ChildByFieldName("declarator")); fd != nil && !fd.HasError() {
				exportPrototype(pass, n, fd, stars)
			}
		case m.Node("typedef") != nil:
			exportTypedef(pass, m.Node("typedef"))
		}
	}
}

// insideFunction reports whether a declaration is local to a function body.
func insideFunction(n *source.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == "compound_statement" {
			return true
		}
	}
	return false
}

// hasErrorChild reports whether a declaration's own children (not a
// function body) hold a syntax error: `API_MACRO int f(void)` parses with
// the macro as the type and the real type in an ERROR.
func hasErrorChild(n *source.Node) bool {
	for i := 0; i < int(n.ChildCount()); i++ {
		if c := n.Child(i); c != nil && c.Type() != "compound_statement" && c.HasError() {
			return true
		}
	}
	return false
}

// hasStorage reports whether declaration n has the storage class word.
func hasStorage(f *source.File, n *source.Node, word string) bool {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		if c := n.NamedChild(i); c.Type() == "storage_class_specifier" && f.Text(c) == word {
			return true
		}
	}
	return false
}

// functionDeclarator unwraps the pointer declarators around a function's
// declarator; stars counts them (the return type's pointer depth). It
// returns nil when d does not declare a function by name.
func functionDeclarator(d *source.Node) (*source.Node, int) {
	stars := 0
	for d != nil && d.Type() == "pointer_declarator" {
		stars++
		d = d.ChildByFieldName("declarator")
	}
	if d == nil || d.Type() != "function_declarator" {
		return nil, 0
	}
	if name := d.ChildByFieldName("declarator"); name == nil || name.Type() != "identifier" {
		return nil, 0
	}
	return d, stars
}

// exportPrototype exports one function's prototype: Values are the return
// type, then each parameter, as "name\tbase\tstars", and "..." last for a
// variadic function.
func exportPrototype(pass *analyzers.Pass, decl, fd *source.Node, stars int) {
	f := pass.File
	ret := qualified(f, decl)
	// PyAPI_FUNC(PyObject *) f(...): the macro's argument is the type
	if t := decl.ChildByFieldName("type"); t != nil && t.Type() == "macro_type_specifier" {
		if td := t.ChildByFieldName("type"); td != nil {
			_, depth := declaratorShape(f, td.ChildByFieldName("declarator"))
			ret, stars = baseType(f, td.ChildByFieldName("type")), stars+depth
		}
	}
	values := []string{"\t" + ret + "\t" + strconv.Itoa(stars)}
	params := fd.ChildByFieldName("parameters")
	if params == nil {
		return
	}
	for i := 0; i < int(params.NamedChildCount()); i++ {
		p := params.NamedChild(i)
		switch p.Type() {
		case "variadic_parameter":
			values = append(values, "...")
		case "parameter_declaration":
			base := qualified(f, p)
			name, depth := declaratorShape(f, p.ChildByFieldName("declarator"))
			if base == "void" && depth == 0 && params.NamedChildCount() == 1 {
				continue // (void)
			}
			values = append(values, name+"\t"+base+"\t"+strconv.Itoa(depth))
		}
	}
	name := f.Text(fd.ChildByFieldName("declarator"))
	pass.Export(analyzers.Fact{Kind: factPrototype, Key: name, Values: values, Location: pass.Location(fd, "C prototype")})
}

// exportTypedef exports `typedef T name;` as "base\tstars".
func exportTypedef(pass *analyzers.Pass, td *source.Node) {
	f := pass.File
	if td.HasError() {
		return
	}
	name, depth := declaratorShape(f, td.ChildByFieldName("declarator"))
	if name == "" {
		return
	}
	base := baseType(f, td.ChildByFieldName("type"))
	pass.Export(analyzers.Fact{Kind: factTypedef, Key: name, Values: []string{base + "\t" + strconv.Itoa(depth)},
		Location: pass.Location(td, "typedef")})
}

// qualified returns the base type of a declaration with its const
// qualifier, for messages ("const uint8_t").
func qualified(f *source.File, decl *source.Node) string {
	base := baseType(f, decl.ChildByFieldName("type"))
	for i := 0; i < int(decl.NamedChildCount()); i++ {
		if c := decl.NamedChild(i); c.Type() == "type_qualifier" && f.Text(c) == "const" {
			return "const " + base
		}
	}
	return base
}

// declaratorShape returns the name a declarator declares and its pointer
// depth (an array parameter decays to a pointer; a function pointer is
// one pointer to "fnptr").
func declaratorShape(f *source.File, d *source.Node) (string, int) {
	depth := 0
	for d != nil {
		switch d.Type() {
		case "identifier", "type_identifier", "field_identifier":
			return f.Text(d), depth
		case "pointer_declarator", "abstract_pointer_declarator", "array_declarator", "abstract_array_declarator":
			depth++
			d = d.ChildByFieldName("declarator")
		case "function_declarator", "abstract_function_declarator":
			name, _ := declaratorShape(f, d.ChildByFieldName("declarator"))
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

// baseType normalizes a C type specifier: "unsigned long int" → "unsigned
// long", a struct or union → "struct", an enum → "enum".
func baseType(f *source.File, t *source.Node) string {
	if t == nil {
		return ""
	}
	switch t.Type() {
	case "struct_specifier", "union_specifier":
		return "struct"
	case "enum_specifier":
		return "enum"
	case "sized_type_specifier":
		return sizedType(strings.Fields(f.Text(t)))
	}
	return strings.Join(strings.Fields(f.Text(t)), " ")
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
