package mtls

import (
	"path"
	"strings"

	"github.com/residue-sec/residue/analyzers/source"
)

// modulePath returns the dotted module name of a Python file of the
// repository: app/certs.py is app.certs, app/certs/__init__.py too.
func modulePath(file string) string {
	p := strings.TrimSuffix(file, ".py")
	p = strings.TrimSuffix(p, "/__init__")
	return strings.ReplaceAll(p, "/", ".")
}

// packagePath returns the dotted name of the package a file is in, which
// relative imports start from.
func packagePath(file string) string {
	dir := path.Dir(file)
	if dir == "." {
		return ""
	}
	return strings.ReplaceAll(dir, "/", ".")
}

// externalPackages are top-level packages that are not the repository's:
// their functions have no summary to look up.
var externalPackages = map[string]bool{
	"django": true, "rest_framework": true, "cryptography": true, "OpenSSL": true, "os": true, "sys": true,
	"re": true, "json": true, "logging": true, "hashlib": true, "hmac": true, "secrets": true, "ssl": true,
	"base64": true, "urllib": true, "ipaddress": true, "typing": true, "functools": true, "datetime": true,
	"time": true, "collections": true, "itertools": true, "asgiref": true, "requests": true, "subprocess": true,
	"shlex": true, "string": true, "uuid": true, "http": true, "email": true, "socket": true, "struct": true,
	"binascii": true, "codecs": true, "textwrap": true, "urllib3": true, "copy": true, "pathlib": true,
	"tempfile": true, "io": true, "csv": true, "html": true, "xml": true, "zlib": true, "inspect": true,
	"contextlib": true, "dataclasses": true, "enum": true, "operator": true, "unicodedata": true, "jwt": true,
}

// imports maps the names a module binds by its top-level imports to the
// dotted names they stand for: `from .certs import check` in app/views.py
// binds check to app.certs.check, `import app.net as net` binds net to
// app.net. Modules outside the repository (externalPackages) are left out.
func (a *analysis) imports(root *source.Node) map[string]string {
	out := map[string]string{}
	a.importsIn(root, out, 0)
	return out
}

// importContainers are the statements whose blocks may hold imports: a
// function's own imports, imports under try or if, are bound for the
// whole module (a name is rarely imported twice to mean two things).
var importContainers = map[string]bool{
	"block": true, "if_statement": true, "elif_clause": true, "else_clause": true, "try_statement": true,
	"except_clause": true, "finally_clause": true, "with_statement": true, "function_definition": true,
	"class_definition": true, "decorated_definition": true,
}

// maxImportDepth bounds how deep imports are looked for: the module's
// blocks and a function's or method's own first statements.
const maxImportDepth = 4

func (a *analysis) importsIn(n *source.Node, out map[string]string, depth int) {
	for i := 0; i < int(n.NamedChildCount()); i++ {
		s := n.NamedChild(i)
		if importContainers[s.Type()] && depth < maxImportDepth {
			a.importsIn(s, out, depth+1)
			continue
		}
		switch s.Type() {
		case "import_statement":
			for j := 0; j < int(s.NamedChildCount()); j++ {
				c := s.NamedChild(j)
				if c.Type() == "aliased_import" {
					a.bindImport(out, a.text(c.ChildByFieldName("alias")), a.text(c.ChildByFieldName("name")))
				} else if c.Type() == "dotted_name" {
					// import app.net binds app; app.net.f resolves to itself.
					full := a.text(c)
					first := strings.SplitN(full, ".", 2)[0]
					a.bindImport(out, first, first)
				}
			}
		case "import_from_statement":
			mod, ok := a.fromModule(s.ChildByFieldName("module_name"))
			if !ok {
				continue
			}
			for j := 0; j < int(s.ChildCount()); j++ {
				if s.FieldNameForChild(j) != "name" {
					continue
				}
				c := s.Child(j)
				name, alias := c, c
				if c.Type() == "aliased_import" {
					name, alias = c.ChildByFieldName("name"), c.ChildByFieldName("alias")
				}
				target := a.text(name)
				if mod != "" {
					target = mod + "." + target
				}
				a.bindImport(out, a.text(alias), target)
			}
		}
	}
}

// bindImport binds local to target unless target is outside the repository.
func (a *analysis) bindImport(m map[string]string, local, target string) {
	if local == "" || target == "" || externalPackages[strings.SplitN(target, ".", 2)[0]] {
		return
	}
	m[local] = target
}

// fromModule returns the absolute dotted name of a from-import's module:
// a relative import (.certs, ..net) is resolved against the file's
// package, which is "" at the repository's root; ok is false when it
// cannot be resolved.
func (a *analysis) fromModule(n *source.Node) (string, bool) {
	if n == nil {
		return "", false
	}
	if n.Type() != "relative_import" {
		return a.text(n), true
	}
	var parts []string
	if pkg := packagePath(a.pass.File.Path); pkg != "" {
		parts = strings.Split(pkg, ".")
	}
	rest := ""
	for i := 0; i < int(n.NamedChildCount()); i++ {
		c := n.NamedChild(i)
		switch c.Type() {
		case "import_prefix":
			// One dot is the file's package, each further dot its parent.
			// Above the top package only a file at the root itself has
			// the root for its package.
			up := strings.Count(a.text(c), ".") - 1
			if up > 0 && up >= len(parts) {
				return "", false
			}
			parts = parts[:len(parts)-max(up, 0)]
		case "dotted_name":
			rest = a.text(c)
		}
	}
	pkg := strings.Join(parts, ".")
	switch {
	case pkg == "":
		return rest, true
	case rest == "":
		return pkg, true
	}
	return pkg + "." + rest, true
}

// importMap returns what the module's imports bind, read once.
func (a *analysis) importMap() map[string]string {
	if a.importsByName == nil {
		a.importsByName = map[string]string{}
		if root := a.pass.File.Root(); root != nil {
			a.importsByName = a.imports(root)
		}
	}
	return a.importsByName
}

// resolve returns the repository-qualified name of a called dotted name
// through the module's imports, or "" when the name is not imported.
func (a *analysis) resolve(name string) string {
	if name == "" {
		return ""
	}
	first, rest, dotted := strings.Cut(name, ".")
	target, ok := a.importMap()[first]
	if !ok {
		return ""
	}
	if dotted {
		return target + "." + rest
	}
	return target
}
