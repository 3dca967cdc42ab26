package pysrc

import (
	"path"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// importStatement records the names an import statement binds, in
// function fn, and binds them in env.
func (l *lowerer) importStatement(s *syntax.Node, fn int32, env map[string]Value) {
	switch s.Type() {
	case "import_statement":
		for _, c := range s.ChildrenByFieldName("name") {
			name, alias := c, c
			if c.Type() == "aliased_import" {
				name, alias = c.ChildByFieldName("name"), c.ChildByFieldName("alias")
			}
			full := name.Text()
			imp := Import{Module: full, Local: alias.Text(), Func: fn}
			if alias == name {
				// import a.b binds a; a.b is read through a's attributes.
				imp.Module, _, _ = strings.Cut(full, ".")
				imp.Local = imp.Module
				if full != imp.Module {
					imp.Sub = l.files.resolve(full, l.m.File)
				}
			}
			imp.Path = l.files.resolve(imp.Module, l.m.File)
			l.bindImport(imp, env)
		}
	case "import_from_statement":
		mod, file, ok := l.fromModule(s.ChildByFieldName("module_name"))
		if !ok {
			return
		}
		for c := s.FirstChild(); c != nil; c = c.NextSibling() {
			if c.Type() == "wildcard_import" {
				l.bindImport(Import{Module: mod, Path: file, Star: true, Func: fn}, env)
				continue
			}
			if c.FieldName() != "name" {
				continue
			}
			name, alias := c, c
			if c.Type() == "aliased_import" {
				name, alias = c.ChildByFieldName("name"), c.ChildByFieldName("alias")
			}
			imp := Import{Module: mod, Name: name.Text(), Local: alias.Text(), Path: file, Func: fn}
			imp.Sub = l.submodule(mod, file, imp.Name)
			l.bindImport(imp, env)
		}
	}
}

// bindImport records imp and binds its name.
func (l *lowerer) bindImport(imp Import, env map[string]Value) {
	idx := int32(len(l.m.Imports))
	l.m.Imports = append(l.m.Imports, imp)
	if imp.Local != "" {
		env[imp.Local] = Value{{Root: RootImport, Index: idx}}
	}
}

// Not every import is followed: a module is needed when what it binds is
// a base class of the module's, or is called with an argument that can
// carry data (derived from a parameter or from a call's result), or it
// is star-imported. A name called only with constants (gettext's _("…"),
// a model field) or used in annotations, decorators and except clauses
// cannot pass data on, and its module is not read for it.

// use marks the imports that the roots of callee v name, when the call
// has an argument that can carry data.
func (l *lowerer) use(v Value, args []Arg) {
	carries := false
	for _, a := range args {
		for _, at := range a.Value {
			if at.Root == RootParam || at.Root == RootCall {
				carries = true
			}
		}
	}
	if carries {
		l.useImports(v)
	}
}

// useImports marks the imports that the roots of v name; a name a
// function does not bind is marked when the module is done.
func (l *lowerer) useImports(v Value) {
	for _, a := range v {
		switch a.Root {
		case RootImport:
			l.used[a.Index] = true
		case RootName:
			l.usedNames[a.Name] = true
		}
	}
}

// need computes the files the module needs.
func (l *lowerer) need() {
	seen := map[string]bool{l.m.File: true}
	for i, imp := range l.m.Imports {
		if !imp.Star && !l.used[int32(i)] && !(imp.Func == 0 && l.usedNames[imp.Local]) {
			continue
		}
		for _, f := range []string{imp.Path, imp.Sub} {
			if f != "" && !seen[f] {
				seen[f] = true
				l.m.Need = append(l.m.Need, f)
			}
		}
	}
}

// submodule returns the file of module mod.name when it is a module of
// the repository (from app import views), "".
func (l *lowerer) submodule(mod, file, name string) string {
	if file != "" && !strings.HasSuffix(file, "/__init__.py") {
		return ""
	}
	if file != "" {
		return l.files.relative(moduleKey(file) + "/" + name)
	}
	return l.files.resolve(mod+"."+name, l.m.File)
}

// fromModule returns the absolute dotted name of a from-import's module
// and its file: a relative import (.certs, ..net) is resolved against the
// file's directory; ok is false when it climbs above the root.
func (l *lowerer) fromModule(n *syntax.Node) (mod, file string, ok bool) {
	if n == nil {
		return "", "", false
	}
	if n.Type() != "relative_import" {
		mod = n.Text()
		return mod, l.files.resolve(mod, l.m.File), true
	}
	dir := path.Dir(l.m.File)
	pkg := l.m.Name
	if !l.m.Package {
		pkg = parentName(pkg)
	}
	rest := ""
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c.Type() {
		case "import_prefix":
			for range strings.Count(c.Text(), ".") - 1 {
				if dir == "." {
					return "", "", false
				}
				dir, pkg = path.Dir(dir), parentName(pkg)
			}
		case "dotted_name":
			rest = c.Text()
		}
	}
	key := strings.ReplaceAll(rest, ".", "/")
	switch {
	case dir == ".":
	case key == "":
		key = dir
	default:
		key = dir + "/" + key
	}
	switch {
	case pkg == "":
		mod = rest
	case rest == "":
		mod = pkg
	default:
		mod = pkg + "." + rest
	}
	return mod, l.files.relative(key), true
}

// parentName returns the dotted name of a module's package ("a.b" → "a",
// "a" → "").
func parentName(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i]
	}
	return ""
}
