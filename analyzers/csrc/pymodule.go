package csrc

import (
	"regexp"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// A C extension module exports functions to Python through a method
// table: a file-scope array of PyMethodDef entries ({"name", cfunc,
// METH_VARARGS, doc}) that a PyModuleDef names (.m_methods, or its fifth
// field), or that Py_InitModule and PyModule_AddFunctions receive. The
// module's name is the PyModuleDef's m_name (or Py_InitModule's first
// argument), else what its init function says (PyInit__codec: _codec).

// A PyMethod is an entry of a C extension module's method table: a C
// function Python calls as module.Name.
type PyMethod struct {
	// Module is the extension module's name, its last component
	// ("_fastcodec" of "signing._fastcodec"); "" when the file does not
	// say.
	Module string
	// Name is what Python calls; Func the C function.
	Name, Func string
	// File is the file of the table; Entry the table's entry.
	File  string
	Entry syntax.Node
}

// pyTables reads a file's method tables: the entries of each PyMethodDef
// array, with the module that names the table.
func pyTables(p *Part, u *unit) []PyMethod {
	d := p.declarations()
	tables := map[string][]PyMethod{}
	var order []string
	modules := map[string]string{} // table → module
	init := ""
	for _, n := range d.defs {
		name := funcName(n)
		switch {
		case strings.HasPrefix(name, "PyInit_"):
			init = strings.TrimPrefix(name, "PyInit_")
		case strings.HasPrefix(name, "init") && init == "" && returnsVoid(n):
			init = strings.TrimPrefix(name, "init") // Python 2
		}
		for _, c := range d.calls[n] {
			if c == "Py_InitModule" || c == "Py_InitModule3" || c == "Py_InitModule4" || c == "PyModule_AddFunctions" {
				initCalls(n, modules)
				break
			}
		}
	}
	for _, name := range sortedNames(d.globals) {
		g := d.globals[name]
		if g.init.IsNull() || g.init.Type() != "initializer_list" {
			continue
		}
		switch pyTypeName(g.decl.ChildByFieldName("type")) {
		case "PyMethodDef":
			if g.declarator.Type() != "array_declarator" { // one entry (Cython's __pyx_mdef_…)
				if e, ok := methodEntry(g.init, u); ok {
					tables[name] = []PyMethod{e}
					order = append(order, name)
				}
				continue
			}
			if entries := methodEntries(g.init, u); len(entries) > 0 {
				tables[name] = entries
				order = append(order, name)
			}
		case "PyModuleDef":
			if mod, table := moduleDef(g.init); table != "" {
				modules[table] = mod
			}
		}
	}
	var out []PyMethod
	for _, t := range order {
		mod, named := modules[t]
		if !named {
			mod = init
		}
		for _, e := range tables[t] {
			e.Module, e.File = lastComponent(mod), p.File
			out = append(out, e)
		}
	}
	return out
}

// methodEntries reads the entries of a PyMethodDef initializer: each an
// initializer list, or a macro that expands to one (Argument Clinic's
// NAME_METHODDEF).
func methodEntries(list syntax.Node, u *unit) []PyMethod {
	var out []PyMethod
	for _, e := range namedChildren(list) {
		if m, ok := methodEntry(e, u); ok {
			out = append(out, m)
		}
	}
	return out
}

// methodEntry reads one entry of a method table.
func methodEntry(e syntax.Node, u *unit) (PyMethod, bool) {
	switch e.Type() {
	case "initializer_list":
		items := namedChildren(e)
		if len(items) < 2 || items[0].Type() != "string_literal" {
			return PyMethod{}, false
		}
		if fn := stripParens(items[1]); !fn.IsNull() && fn.Type() == "identifier" {
			return PyMethod{Name: stringContent(items[0]), Func: fn.Text(), Entry: e}, true
		}
	case "identifier", "ERROR": // a macro entry without its comma parses as an error
		if e.Type() == "ERROR" && (e.NamedChildCount() != 1 || e.NamedChild(0).Type() != "identifier") {
			return PyMethod{}, false
		}
		if m := u.macro(e.Text()); m != nil && !m.fn {
			if s := clinicEntry.FindStringSubmatch(m.body); s != nil {
				return PyMethod{Name: s[1], Func: s[2], Entry: e}, true
			}
		}
	}
	return PyMethod{}, false
}

// clinicEntry matches the body of a macro that is a method table entry:
// {"name", (PyCFunction)(void(*)(void))cfunc, ...}.
var clinicEntry = regexp.MustCompile(`^[\s\\]*\{\s*"([A-Za-z_][A-Za-z0-9_]*)"\s*,\s*(?:\([^()]*(?:\([^()]*\)[^()]*)*\)\s*)*([A-Za-z_][A-Za-z0-9_]*)\s*,`)

// moduleDef reads a PyModuleDef initializer: the module's name and its
// method table, by designator or by position (after the head).
func moduleDef(list syntax.Node) (name, table string) {
	items := namedChildren(list)
	for i, it := range items {
		field, value := "", it
		if it.Type() == "initializer_pair" {
			if f := designatorField(it); !f.IsNull() {
				field = f.Text()
			}
			value = it.ChildByFieldName("value")
		} else {
			field = [...]string{"m_base", "m_name", "m_doc", "m_size", "m_methods", ""}[min(i, 5)]
		}
		switch v := stripParens(value); {
		case v.IsNull():
		case field == "m_name" && v.Type() == "string_literal":
			name = stringContent(v)
		case field == "m_methods" && v.Type() == "identifier":
			table = v.Text()
		}
	}
	return name, table
}

// initCalls reads Py_InitModule("name", table) (and its variants) and
// PyModule_AddFunctions(m, table) in a function.
func initCalls(fn syntax.Node, modules map[string]string) {
	fn.ChildByFieldName("body").Walk(func(n syntax.Node) bool {
		if n.Type() != "call_expression" {
			return true
		}
		args := namedChildren(n.ChildByFieldName("arguments"))
		switch f := n.ChildByFieldName("function").Text(); {
		case strings.HasPrefix(f, "Py_InitModule") && len(args) >= 2 && args[0].Type() == "string_literal" && args[1].Type() == "identifier":
			modules[args[1].Text()] = stringContent(args[0])
		case f == "PyModule_AddFunctions" && len(args) == 2 && args[1].Type() == "identifier":
			if _, named := modules[args[1].Text()]; !named {
				modules[args[1].Text()] = ""
			}
		}
		return true
	})
}

// pyTypeName returns the name of a declaration's type: a typedef name, or
// a struct's tag (struct PyModuleDef).
func pyTypeName(t syntax.Node) string {
	if !t.IsNull() && t.Type() == "struct_specifier" && t.ChildByFieldName("body").IsNull() {
		if name := t.ChildByFieldName("name"); !name.IsNull() {
			return name.Text()
		}
	}
	return baseTypeName(t)
}

// lastComponent returns the last component of a dotted module name.
func lastComponent(name string) string { return name[strings.LastIndexByte(name, '.')+1:] }

// pyMethods indexes the method tables of every file, in path order.
func (r *Repo) pyMethods() []PyMethod {
	r.pyOnce.Do(func() {
		for _, path := range r.paths {
			u := r.unit(path)
			if u == nil || !strings.HasSuffix(path, ".c") {
				continue
			}
			r.pyIndex = append(r.pyIndex, pyTables(u.part, u)...)
		}
	})
	return r.pyIndex
}

// PyMethods returns the entries of every method table, in path order.
func (r *Repo) PyMethods() []PyMethod { return r.pyMethods() }

// PyMethod returns the C function a C extension module exports to Python
// as module.name (module is the last component of its dotted name): the
// first in path order.
func (r *Repo) PyMethod(module, name string) (PyMethod, bool) {
	for _, m := range r.pyMethods() {
		if m.Module == module && m.Name == name {
			return m, true
		}
	}
	return PyMethod{}, false
}
