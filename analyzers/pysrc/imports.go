package pysrc

import (
	"path"
	"strings"

	"github.com/residue-sec/residue/analyzers/syntax"
)

// importStatement records the names an import statement binds, in
// function fn, and binds them in env.
func (l *lowerer) importStatement(s syntax.Node, fn int32, env map[string]Value) {
	switch s.Type() {
	case "import_statement":
		for _, c := range s.ChildrenByFieldName("name") {
			name, alias := c, c
			if c.Type() == "aliased_import" {
				name, alias = c.ChildByFieldName("name"), c.ChildByFieldName("alias")
			}
			imp := Import{Module: name.Text(), Local: alias.Text(), Func: fn}
			if alias == name {
				// import a.b binds a; a.b is read through a's attributes.
				imp.Full = imp.Module
				imp.Module, _, _ = strings.Cut(imp.Module, ".")
				imp.Local = imp.Module
			}
			l.bindImport(imp, env)
		}
	case "import_from_statement":
		mod, rel, ok := l.fromModule(s.ChildByFieldName("module_name"))
		if !ok {
			return
		}
		for c := s.FirstChild(); !c.IsNull(); c = c.NextSibling() {
			if c.Type() == "wildcard_import" {
				l.bindImport(Import{Module: mod, Relative: rel, Star: true, Func: fn}, env)
				continue
			}
			if c.FieldName() != "name" {
				continue
			}
			name, alias := c, c
			if c.Type() == "aliased_import" {
				name, alias = c.ChildByFieldName("name"), c.ChildByFieldName("alias")
			}
			l.bindImport(Import{Module: mod, Relative: rel, Name: name.Text(), Local: alias.Text(), Func: fn}, env)
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

// fromModule returns a from-import's module: as written when absolute,
// else its path from the root with dots (rel); ok is false when a
// relative import climbs above the root.
func (l *lowerer) fromModule(n syntax.Node) (mod string, rel, ok bool) {
	if n.IsNull() {
		return "", false, false
	}
	if n.Type() != "relative_import" {
		return n.Text(), false, true
	}
	dir := path.Dir(l.m.File)
	rest := ""
	for c := n.FirstChild(); !c.IsNull(); c = c.NextSibling() {
		switch c.Type() {
		case "import_prefix":
			for range strings.Count(c.Text(), ".") - 1 {
				if dir == "." {
					return "", true, false
				}
				dir = path.Dir(dir)
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
	return strings.ReplaceAll(key, "/", "."), true, true
}
