package pysrc

import (
	"path"
	"regexp"
	"strings"
)

// A module is found by the end of its path, so that a project kept
// below the root (netbox/netbox/settings.py is netbox.settings)
// resolves, and a directory without __init__.py still holds modules
// (namespace packages, small projects). Only the modules the model
// extracted are known.

// moduleKey returns the slash path of a Python file's module ("app/core"
// for app/core.py and app/core/__init__.py), "" for a file that is not a
// module.
func moduleKey(file string) string {
	p, ok := strings.CutSuffix(file, ".py")
	if !ok {
		return ""
	}
	if q, ok := strings.CutSuffix(p, "/__init__"); ok {
		return q
	}
	if p == "__init__" {
		return ""
	}
	return p
}

// index adds a module to the program's indexes of module paths.
func (p *Program) index(m *module) {
	key := moduleKey(m.File)
	if key == "" {
		return
	}
	if cur, ok := p.exact[key]; !ok || m.Package && !cur.Package {
		p.exact[key] = m
	}
	if m.Package {
		p.packages[key] = true
	}
	for k := key; ; {
		p.byKey[k] = append(p.byKey[k], m)
		i := strings.IndexByte(k, '/')
		if i < 0 {
			break
		}
		k = k[i+1:]
	}
}

// resolve returns the module of absolute dotted name mod imported from
// file from, nil when the program has none. Of several the one nearest
// from wins, then the shortest path. A file found below a package that
// does not itself hold the module's top name is not it: `import logging`
// is not app/logging.py when app is a package, nor when logging is the
// standard library's; nor is a file below a folder of tests, fakes or
// examples (tests/fakes/toolkit.py is a test double of a package), but
// for a file of that folder.
func (p *Program) resolve(mod, from string) *module {
	if mod == "" {
		return nil
	}
	key := strings.ReplaceAll(mod, ".", "/")
	top, _, _ := strings.Cut(mod, ".")
	var best *module
	bestShared := -1
	for _, m := range p.byKey[key] {
		mkey := moduleKey(m.File)
		prefix := strings.TrimSuffix(strings.TrimSuffix(mkey, key), "/")
		if prefix != "" && (p.packages[prefix] || stdlib[top] || asideFolder(prefix) && !strings.HasPrefix(from, prefix+"/")) || p.exact[mkey] != m {
			continue
		}
		shared := sharedDirs(m.File, from)
		if shared > bestShared || shared == bestShared && len(m.File) < len(best.File) {
			best, bestShared = m, shared
		}
	}
	return best
}

// asideDir matches the names of folders of tests, fakes and examples.
var asideDir = regexp.MustCompile(`(?i)^(tests?|testing|fakes?|mocks?|stubs?|fixtures?|examples?|samples?|docs?)$|^tests?_|_tests?$`)

// asideFolder reports whether a slash path passes through a folder of
// tests, fakes or examples.
func asideFolder(dir string) bool {
	for _, c := range strings.Split(dir, "/") {
		if asideDir.MatchString(c) {
			return true
		}
	}
	return false
}

// sharedDirs counts the leading directories two paths share.
func sharedDirs(a, b string) int {
	da, db := strings.Split(path.Dir(a), "/"), strings.Split(path.Dir(b), "/")
	n := 0
	for n < len(da) && n < len(db) && da[n] == db[n] {
		n++
	}
	return n
}

// importModule returns the module an import names, nil when it is not
// the program's.
func (p *Program) importModule(m *module, imp *Import) *module {
	if imp.Relative {
		return p.exact[strings.ReplaceAll(imp.Module, ".", "/")]
	}
	return p.resolve(imp.Module, m.File)
}

// submodule returns the module that a from-import's name is, when it is
// a module of the program (from app import views); t is the module
// imported from.
func (p *Program) submodule(m *module, imp *Import, t *module) *module {
	switch {
	case t != nil && t.Package:
		return p.exact[moduleKey(t.File)+"/"+imp.Name]
	case imp.Relative:
		return p.exact[strings.ReplaceAll(imp.Module, ".", "/")+"/"+imp.Name]
	}
	return p.resolve(imp.Module+"."+imp.Name, m.File)
}

// moduleName returns the dotted name of a module: from its top package
// when its directory is a package, else its path from the root (from
// below src/ in a src layout).
func (p *Program) moduleName(file string) string {
	key := moduleKey(file)
	dir := path.Dir(file)
	if dir == "." || !p.packages[dir] {
		// A src layout's folder is no package, whether or not the model
		// read the (often empty) __init__.py files below it.
		if rest, ok := strings.CutPrefix(key, "src/"); ok && !p.packages["src"] {
			key = rest
		}
		return strings.ReplaceAll(key, "/", ".")
	}
	top := dir
	for d := path.Dir(top); d != "." && p.packages[d]; d = path.Dir(d) {
		top = d
	}
	if base := path.Dir(top); base != "." {
		key = strings.TrimPrefix(key, base+"/")
	}
	return strings.ReplaceAll(key, "/", ".")
}

// stdlib are top-level names of Python's standard library and of
// packages residue knows: a repository file of the same name below a
// directory is not them.
var stdlib = map[string]bool{
	"abc": true, "argparse": true, "asyncio": true, "base64": true, "binascii": true, "codecs": true,
	"collections": true, "contextlib": true, "copy": true, "csv": true, "ctypes": true, "dataclasses": true,
	"datetime": true, "decimal": true, "email": true, "enum": true, "functools": true, "glob": true,
	"hashlib": true, "hmac": true, "html": true, "http": true, "importlib": true, "inspect": true, "io": true,
	"ipaddress": true, "itertools": true, "json": true, "logging": true, "math": true, "operator": true,
	"os": true, "pathlib": true, "pickle": true, "pprint": true, "queue": true, "random": true, "re": true,
	"secrets": true, "shlex": true, "shutil": true, "signal": true, "socket": true, "ssl": true,
	"string": true, "struct": true, "subprocess": true, "sys": true, "tempfile": true, "textwrap": true,
	"threading": true, "time": true, "traceback": true, "types": true, "typing": true, "unicodedata": true,
	"urllib": true, "uuid": true, "warnings": true, "weakref": true, "xml": true, "zlib": true,
	"django": true, "rest_framework": true, "requests": true, "httpx": true, "urllib3": true,
	"structlog": true, "loguru": true, "celery": true,
}
